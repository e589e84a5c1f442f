"""Annotated-video export: the source video with skeleton, stance leg, timer, stop reason and a
sway-trace inset, optionally with faces blurred so clips can be shared.

``analyze --annotate out.mp4`` creates an :class:`AnnotatedVideoWriter` and the frame loop calls
:meth:`AnnotatedVideoWriter.on_frame` with every decoded frame and the analyzer's
:class:`~balance_cam.core.analyzer.FrameStep` (see :func:`balance_cam.apps.analyze.run`), so the
overlay shows exactly what the analysis saw, frame by frame. Drawing reuses :mod:`balance_cam.render.overlay`
(shared with the live window).

Timing: every output frame gets the presentation time of its source frame (H.264 in MP4,
time base of the source stream), so a variable-frame-rate phone clip keeps its real timing
and a constant-rate clip keeps its rate; the first frame starts at 0 s, as in the analysis.
The file is written beside the target and moved into place on :meth:`AnnotatedVideoWriter.close`.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import deque
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from balance_cam.core.filtering import OneEuroFilter
from balance_cam.core.skeleton import FACE, idx
from balance_cam.core.stops import stop_label

if TYPE_CHECKING:
    from balance_cam.core.analyzer import FrameStep
    from balance_cam.core.results import Trial
    from balance_cam.io.sources import Frame

log = logging.getLogger(__name__)

#: How long the stop reason of a finished trial stays on screen.
STOP_BANNER_S = 2.0
#: Without a face in the current frame, the last face box is kept blurred this long.
FACE_HOLD_S = 1.0


def face_box_px(
    landmarks_px: np.ndarray, size_wh: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Box ``(x0, y0, x1, y1)`` covering the head from the 11 face landmarks (nose, eyes, ears,
    mouth; indices 0-10), generously padded: the landmarks span eyes to mouth, the head is
    larger. Half-width = max(face landmark extent, 0.3 × shoulder width, 12 px); the box
    reaches 2 half-widths above the face centre and 1.3 below."""
    face = landmarks_px[list(FACE), :2]
    face = face[np.all(np.isfinite(face), axis=1)]
    if len(face) == 0:
        return None
    centre = face.mean(axis=0)
    extent = float(np.max(np.ptp(face, axis=0)))
    shoulders = landmarks_px[[idx("left", "shoulder"), idx("right", "shoulder")], :2]
    shoulder_w = float(np.linalg.norm(shoulders[0] - shoulders[1]))
    half = max(extent, 0.3 * shoulder_w if np.isfinite(shoulder_w) else 0.0, 12.0)
    w, h = size_wh
    x0, x1 = int(centre[0] - half), int(centre[0] + half)
    y0, y1 = int(centre[1] - 2.0 * half), int(centre[1] + 1.3 * half)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def blur_box(image: np.ndarray, box: tuple[int, int, int, int], cells: int = 10) -> np.ndarray:
    """Hide a region in place: pixelate it to about ``cells`` blocks across, then smooth."""
    import cv2

    x0, y0, x1, y1 = box
    roi = image[y0:y1, x0:x1]
    h, w = roi.shape[:2]
    if h < 2 or w < 2:
        return image
    small = cv2.resize(roi, (max(1, w * cells // max(w, h)), max(1, h * cells // max(w, h))),
                       interpolation=cv2.INTER_AREA)  # fmt: skip
    roi[:] = cv2.GaussianBlur(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), (0, 0),
                              max(1.0, min(w, h) / cells / 2))  # fmt: skip
    return image


class AnnotatedVideoWriter:
    """Writes the annotated copy of one video; call :meth:`on_frame` per frame, then :meth:`close`."""

    def __init__(self, video_path: str | Path, out_path: str | Path, *, blur_faces: bool = False,
                 crf: int = 20, limit_s: float | None = None) -> None:  # fmt: skip
        from balance_cam.render import overlay as A

        self.video_path, self.out_path = Path(video_path), Path(out_path)
        self.blur_faces, self.crf, self.limit_s = blur_faces, crf, limit_s
        self.time_base = _source_time_base(self.video_path)
        self.skeleton, self.timer = A.SkeletonAnnotator(), A.TimerAnnotator()
        self.status, self.trace = A.StatusAnnotator(), A.SwayTraceAnnotator()
        self.sway: deque[tuple[float, float]] = deque(maxlen=2000)
        self._sway_filter = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)  # as in the live window
        self.frames_written = 0
        self._container: Any = None
        self._stream: Any = None
        self._tmp: Path | None = None
        self._last_pts = -1
        self._last_trial: tuple[float, Trial] | None = None
        self._face: tuple[float, tuple[int, int, int, int]] | None = None

    # -- per frame --------------------------------------------------------------------------
    def on_frame(self, frame: Frame, step: FrameStep) -> None:
        """Draw the overlay for this frame and encode it at the frame's own time."""
        import cv2

        img = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
        if self.blur_faces:
            self._blur_face(img, step.landmarks_px, frame.t_s)
        self.draw(img, step)
        self._write(img, frame.t_s)

    def draw(self, img: np.ndarray, step: FrameStep) -> np.ndarray:
        """Skeleton (stance leg highlighted), timer, state or stop reason, sway inset: all from
        the analyzer's step, so legs the guard swapped back are drawn as the analysis saw them."""
        self.skeleton.annotate(img, step.landmarks_px, step.visibility, step.stance)
        if step.ended is not None:
            self._last_trial = (step.t_s, step.ended)
        if step.state == "holding" and step.stance is not None:
            if np.isfinite(step.ml_cm):
                self.sway.append((step.t_s, float(self._sway_filter(step.t_s, step.ml_cm))))
            self.timer.annotate(img, step.hold_s, self.limit_s)
            self.status.annotate(img, f"holding on {step.stance.upper()} leg", tone="good")
        else:
            self._sway_filter = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)
            self._status_between_trials(img, step)
        if len(self.sway) >= 2:
            t, v = zip(*self.sway, strict=True)
            self.trace.annotate(img, t, v)
        return img

    def _status_between_trials(self, img: np.ndarray, step: FrameStep) -> None:
        if self._last_trial is not None and step.t_s - self._last_trial[0] <= STOP_BANNER_S:
            last = self._last_trial[1]
            self.timer.annotate(img, last.hold_s, self.limit_s)
            detail = f"{last.stance.upper()} leg held {last.hold_s:.1f} s"
            self.status.annotate(img, f"stopped: {stop_label(last.stop_reason)}", detail, tone="warn")
            return
        self.sway.clear()
        headline = {"no_person": "no person", "wait_foot_down": "put the foot down"}
        self.status.annotate(img, headline.get(step.state, "ready: lift one foot"), tone="info")

    def _blur_face(self, img: np.ndarray, px: np.ndarray | None, t_s: float) -> None:
        box = None if px is None else face_box_px(px, (img.shape[1], img.shape[0]))
        if box is not None:
            self._face = (t_s, box)
        elif self._face is not None and t_s - self._face[0] <= FACE_HOLD_S:
            box = self._face[1]
        if box is not None:
            blur_box(img, box)

    # -- encoding ---------------------------------------------------------------------------
    def _open(self, width: int, height: int) -> None:
        import av

        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.out_path.stem}.", suffix=self.out_path.suffix
                                   or ".mp4", dir=self.out_path.parent)  # fmt: skip
        os.close(fd)
        self._tmp = Path(tmp)
        self._container = av.open(tmp, mode="w", format="mp4")
        stream = self._container.add_stream("libx264")
        stream.width, stream.height = width - width % 2, height - height % 2
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = self.time_base
        stream.time_base = self.time_base
        stream.options = {"crf": str(self.crf), "preset": "veryfast", "threads": "1"}
        self._stream = stream

    def _write(self, img: np.ndarray, t_s: float) -> None:
        import av

        if self._container is None:
            self._open(img.shape[1], img.shape[0])
        even = img[: self._stream.height, : self._stream.width]
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(even), format="bgr24")
        pts = max(self._last_pts + 1, round(t_s / self.time_base))
        vf.pts, vf.time_base = pts, self.time_base
        self._last_pts = pts
        self._container.mux(self._stream.encode(vf))
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and move the finished file into place (nothing if no frame came)."""
        if self._container is None:
            return
        try:
            self._container.mux(self._stream.encode(None))
            self._container.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._tmp, 0o666 & ~umask)  # type: ignore[arg-type]
            os.replace(self._tmp, self.out_path)  # type: ignore[arg-type]
        finally:
            self._container = None
            if self._tmp is not None and self._tmp.exists():
                self._tmp.unlink()


def _source_time_base(path: Path) -> Fraction:
    """The source video stream's time base (1/90000 for image folders or when unknown)."""
    if path.is_dir():
        return Fraction(1, 90000)
    import av

    try:
        with av.open(str(path)) as c:
            tb = c.streams.video[0].time_base
            return Fraction(tb) if tb else Fraction(1, 90000)
    except Exception:  # the analysis reports unreadable input with a proper message
        return Fraction(1, 90000)
