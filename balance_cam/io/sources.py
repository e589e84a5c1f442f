"""Frame sources: recorded videos (PyAV) and folders of images, streamed one frame at a time.

Why PyAV rather than ``cv2.VideoCapture`` for files: every frame carries its presentation
timestamp from the container, so variable-frame-rate phone clips keep their real timing
(``CAP_PROP_FPS`` is an average, and ``int()`` of it turns 29.97 into 29), and the display
matrix (the "rotate" flag of phone videos) is exposed per frame. OpenCV 4.11 as shipped in
``opencv-contrib-python`` did *not* rotate a test clip carrying a 90° display matrix, so
balance_cam applies the rotation itself. Frames are decoded lazily; nothing is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


SourceKind = Literal[
    "missing", "not_a_video", "no_stream", "no_frames", "damaged", "truncated", "no_images",
    "bad_image", "camera",
]


class SourceError(RuntimeError):
    """The input cannot be read as a video; the message is one line meant for the user.

    ``kind`` says what is wrong, for callers that decide by it (exit codes, the batch errors
    table): ``missing`` (no such file), ``not_a_video`` (FFmpeg cannot open it),
    ``no_stream`` (a container without video), ``no_frames`` (nothing decodes), ``damaged``
    (decoding fails part-way), ``truncated`` (frames stop well before the stated duration),
    ``no_images`` / ``bad_image`` (image folders), ``camera`` (a camera cannot be used).
    """

    def __init__(self, message: str, kind: SourceKind = "damaged") -> None:
        super().__init__(message)
        self.kind: SourceKind = kind


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video (sizes are as displayed, after rotation)."""

    path: str
    fps: float  # average frame rate from the container; timing never relies on it
    frames: int  # frame count from the container (0 if unknown; see result for decoded)
    duration_s: float
    width: int
    height: int
    rotation: int  # degrees counter-clockwise applied for display (0, 90, 180, 270)
    codec: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path, "fps": round(self.fps, 4), "frames": self.frames,
            "duration_s": round(self.duration_s, 4), "width": self.width, "height": self.height,
            "rotation": self.rotation, "codec": self.codec,
        }  # fmt: skip


@dataclass(frozen=True)
class Frame:
    """One decoded frame: RGB pixels (H, W, 3) uint8, C-contiguous, and its time in seconds
    from the start.

    C-contiguous because the pose model takes nothing else: MediaPipe copies a strided array
    (FFmpeg pads each row to 32 bytes, so 1080 px wide frames are strided) on the model's own
    thread, and wraps a read-only contiguous one without copying
    (:func:`balance_cam.pose.mediapipe_legacy.read_only`); made here, in the reader thread,
    the one copy is free on two cores.
    """

    index: int
    t_s: float
    rgb: np.ndarray


def rotate_rgb(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a display rotation given in degrees counter-clockwise (FFmpeg display matrix);
    the result is always C-contiguous (see :class:`Frame`)."""
    k = (rotation // 90) % 4
    if not k:
        return np.ascontiguousarray(rgb)
    import cv2  # several times faster than a contiguous copy of np.rot90's strided view

    codes = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}
    return cv2.rotate(rgb, codes[k])


def _norm_rotation(deg: float | int | None) -> int:
    return int(round((deg or 0) / 90.0)) * 90 % 360


def probe(path: str | Path) -> VideoInfo:
    """Read container metadata (and the first frame, for the rotation) without decoding it all."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: no such file", "missing")
    if p.is_dir():
        return _probe_folder(p)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        rotation = 0
        for frame in container.decode(stream):
            rotation = _norm_rotation(getattr(frame, "rotation", 0))
            break
        else:
            raise SourceError(f"{p}: the video has no decodable frames", "no_frames")
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        duration = _duration_s(container, stream)
        w, h = stream.codec_context.width, stream.codec_context.height
        if rotation in (90, 270):
            w, h = h, w
        return VideoInfo(
            str(p), fps, int(stream.frames or 0), duration, w, h, rotation,
            stream.codec_context.name,
        )  # fmt: skip
    except SourceError:
        raise
    except Exception as exc:  # PyAV raises many FFmpeg error types
        raise SourceError(f"{p}: cannot decode video ({exc.__class__.__name__}: {exc})", "no_frames") from exc
    finally:
        container.close()


def _duration_s(container: object, stream: object) -> float:
    if stream.duration is not None and stream.time_base is not None:  # type: ignore[attr-defined]
        return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]
    if container.duration is not None:  # type: ignore[attr-defined]
        return container.duration / 1_000_000  # type: ignore[attr-defined]
    return 0.0


def _open(p: Path):  # noqa: ANN202 - av.container.InputContainer
    import av

    try:
        container = av.open(str(p))
    except Exception as exc:
        raise SourceError(f"{p}: not a readable video ({exc.__class__.__name__})", "not_a_video") from exc
    if not container.streams.video:
        container.close()
        raise SourceError(f"{p}: the file has no video stream", "no_stream")
    return container


def iter_frames(path: str | Path, fps_for_images: float = 30.0) -> Iterator[Frame]:
    """Yield frames in display order with times from the container, starting at 0 s.

    Frames whose timestamp does not increase (broken muxing) are dropped with a warning.
    A decoding error after the first frame raises :class:`SourceError` (the caller keeps
    what it has analysed so far); so does a video with no frame at all.
    """
    p = Path(path)
    if p.is_dir():
        yield from _iter_folder(p, fps_for_images)
        return
    container = _open(p)
    try:
        yield from _decode(container, p)
    finally:
        container.close()


def open_video(path: str | Path, fps_for_images: float = 30.0) -> tuple[VideoInfo, Iterator[Frame]]:
    """:func:`probe` and :func:`iter_frames` in one pass: the container is opened and the first
    frame decoded once (``probe`` alone decodes it again). Errors as in those two."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: no such file", "missing")
    if p.is_dir():
        return _probe_folder(p, fps_for_images), _iter_folder(p, fps_for_images)
    container = _open(p)
    meta: dict[str, int] = {}
    frames = _decode(container, p, meta)
    try:
        first = next(frames)
    except StopIteration:  # pragma: no cover - _decode raises on zero frames
        container.close()
        raise SourceError(f"{p}: the video has no decodable frames", "no_frames") from None
    except BaseException:
        container.close()
        raise
    stream = container.streams.video[0]
    h, w = first.rgb.shape[:2]
    info = VideoInfo(
        str(p), float(stream.average_rate or stream.guessed_rate or 0.0), int(stream.frames or 0),
        _duration_s(container, stream), w, h, meta.get("rotation", 0), stream.codec_context.name,
    )  # fmt: skip

    def chained() -> Iterator[Frame]:
        try:
            yield first
            yield from frames
        finally:
            container.close()

    return info, chained()


def _decode(container: object, p: Path, meta: dict[str, int] | None = None) -> Iterator[Frame]:
    stream = container.streams.video[0]  # type: ignore[attr-defined]
    stream.thread_type = "AUTO"
    fallback_fps = float(stream.average_rate or 30.0)
    t0: float | None = None
    last_t = -np.inf
    n_out = n_dropped = 0
    try:
        for i, frame in enumerate(container.decode(stream)):  # type: ignore[attr-defined]
            t = frame.time if frame.time is not None else i / fallback_fps
            t0 = t if t0 is None else t0
            t_rel = float(t - t0)
            if t_rel <= last_t:
                n_dropped += 1
                continue
            last_t = t_rel
            rotation = _norm_rotation(frame.rotation)
            if meta is not None and n_out == 0:
                meta["rotation"] = rotation
            rgb = rotate_rgb(frame.to_ndarray(format="rgb24"), rotation)
            yield Frame(n_out, t_rel, rgb)
            n_out += 1
    except Exception as exc:
        if n_out == 0:
            raise SourceError(f"{p}: cannot decode video ({exc.__class__.__name__})", "no_frames") from exc
        raise SourceError(
            f"{p}: video is damaged after {n_out} frames ({exc.__class__.__name__})", "damaged"
        ) from exc
    if n_dropped:
        log.warning("%s: dropped %d frames with non-increasing timestamps", p, n_dropped)
    if n_out == 0:
        raise SourceError(f"{p}: the video has no decodable frames", "no_frames")
    _check_not_truncated(stream, (t0 or 0.0) + last_t, p)


#: Frames may end this much before the container's video duration without counting as truncated.
TRUNCATION_TOLERANCE_S = 0.5


def _check_not_truncated(stream: object, last_frame_s: float, p: Path) -> None:
    """Raise :class:`SourceError` when the frames stop well before the video stream's duration.

    A file cut short (interrupted copy or upload) often decodes without any error: FFmpeg's
    threaded decoder just ends at the cut. The container still states the full duration, so
    frames ending more than ``TRUNCATION_TOLERANCE_S`` before it mean the file is truncated.
    The frame count is not used: MP4 edit lists (trimmed phone clips) legitimately decode
    fewer frames than the container lists. Streams without a duration are not checked.
    """
    duration, time_base = stream.duration, stream.time_base  # type: ignore[attr-defined]
    if not duration or time_base is None:
        return
    start_s = float((stream.start_time or 0) * time_base)  # type: ignore[attr-defined]
    end_s = start_s + float(duration * time_base)
    frame_s = 1.0 / float(stream.average_rate or 30.0)  # type: ignore[attr-defined]
    if end_s - (last_frame_s + frame_s) > TRUNCATION_TOLERANCE_S:
        raise SourceError(
            f"{p}: video is truncated: frames stop at {last_frame_s - start_s:.2f} s "
            f"of {end_s - start_s:.2f} s", "truncated"
        )


def _folder_images(p: Path) -> list[Path]:
    images = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise SourceError(f"{p}: folder holds no images ({', '.join(IMAGE_SUFFIXES)})", "no_images")
    return images


def _probe_folder(p: Path, fps: float = 30.0) -> VideoInfo:
    import cv2

    images = _folder_images(p)
    first = cv2.imread(str(images[0]))
    if first is None:
        raise SourceError(f"{images[0]}: not a readable image", "bad_image")
    h, w = first.shape[:2]
    return VideoInfo(str(p), fps, len(images), len(images) / fps, w, h, 0, "images")


def _iter_folder(p: Path, fps: float) -> Iterator[Frame]:
    import cv2

    for i, f in enumerate(_folder_images(p)):
        bgr = cv2.imread(str(f))
        if bgr is None:
            raise SourceError(f"{f}: not a readable image", "bad_image")
        t_s = float(Fraction(i) / Fraction(fps).limit_denominator(1001))
        yield Frame(i, t_s, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
