"""Synthetic ground truth made from real frames: known sway angles and known lift/touchdown times.

Two generators, both deterministic (seeded) and built from frames of real recordings:

- **Sway** (:func:`sway_frames`): one real frame of a person standing on one leg is rotated
  about the stance ankle by a known angle signal ``theta(t)``. A rotation turns *every* vector in
  the image by the same angle, whatever the centre, so the ankle→pelvis line's angle from
  vertical changes by exactly ``theta(t)`` even if the ankle point is only approximately located;
  rotating about the ankle keeps the stance foot planted, as in real sway.
  Sign: ``theta > 0`` turns the pelvis towards image-right, the positive direction of
  :func:`balance_cam.core.metrics.sway_angle_deg` (image x right, y down).
- **Events** (:func:`splice_frames`): still frames are spliced into segments (standing on two
  feet, on one leg, on two feet again), so the lift and the touchdown happen at known frame times.

Frames can be degraded (:class:`Degradation`: Gaussian noise, Gaussian blur, JPEG round trip,
H.264 quality) and are written with :func:`write_video` at an exact frame rate (PyAV, libx264,
constant frame rate, timestamps ``i / fps``). Everything except locating the ankle with the pose
model (:func:`locate_landmark`) is pure numpy/OpenCV.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TimedFrame = tuple[float, np.ndarray]  # (t_s, RGB uint8 (H, W, 3))


# -- signals ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SineSway:
    """Known sway angle ``theta(t) = amplitude_deg * sin(2 pi freq_hz t + phase_rad)``."""

    amplitude_deg: float
    freq_hz: float
    phase_rad: float = 0.0

    def angle_deg(self, t_s: np.ndarray | float) -> np.ndarray:
        t = np.asarray(t_s, dtype=np.float64)
        return self.amplitude_deg * np.sin(2 * np.pi * self.freq_hz * t + self.phase_rad)


def frame_times_s(fps: float, duration_s: float) -> np.ndarray:
    """Times of the frames of a constant-rate clip: ``i / fps`` for ``i / fps < duration_s``."""
    n = int(math.ceil(duration_s * fps - 1e-9))
    return np.arange(n) / float(fps)


# -- geometry -----------------------------------------------------------------------------
def rotation_matrix(center_xy: Sequence[float], angle_deg: float) -> np.ndarray:
    """(2, 3) affine matrix rotating image points about ``center_xy`` so that a point above the
    centre moves towards image-right by ``angle_deg`` (clockwise on screen, y down)."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    cx, cy = float(center_xy[0]), float(center_xy[1])
    # (dx, dy) -> (c dx - s dy, s dx + c dy): (0, -1) goes to (s, -c), i.e. right for a > 0.
    return np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy]])


def rotate_points(
    points_xy: np.ndarray, center_xy: Sequence[float], angle_deg: float
) -> np.ndarray:
    """Apply :func:`rotation_matrix` to (N, 2) pixel points."""
    m = rotation_matrix(center_xy, angle_deg)
    pts = np.asarray(points_xy, dtype=np.float64)
    return pts @ m[:, :2].T + m[:, 2]


def rotate_about(rgb: np.ndarray, center_xy: Sequence[float], angle_deg: float) -> np.ndarray:
    """Rotate an image about ``center_xy`` (pixels) by ``angle_deg`` (sign as in
    :func:`rotation_matrix`); borders are filled by replicating the edge pixels."""
    import cv2

    if angle_deg == 0.0:
        return rgb.copy()
    h, w = rgb.shape[:2]
    m = rotation_matrix(center_xy, angle_deg)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def even_size_wh(width_px: int, src_wh: tuple[int, int]) -> tuple[int, int]:
    """Target size with ``width_px`` and the source aspect ratio, both even (H.264 4:2:0)."""
    w = int(width_px) // 2 * 2
    h = int(round(src_wh[1] * w / src_wh[0] / 2)) * 2
    return w, h


def resize_to_width(rgb: np.ndarray, width_px: int | None) -> np.ndarray:
    """Resize (area interpolation) to ``width_px`` keeping the aspect ratio, even dimensions."""
    import cv2

    h, w = rgb.shape[:2]
    size = even_size_wh(width_px or w, (w, h))
    if size == (w, h):
        return rgb
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


# -- degradations -------------------------------------------------------------------------
@dataclass(frozen=True)
class Degradation:
    """Image degradations applied after resizing, in this order: blur, noise, JPEG.

    ``crf`` is the H.264 constant-rate factor used by :func:`write_video` (18 is visually
    near-lossless, 35 is a strongly compressed phone/web upload).
    """

    noise_sigma: float = 0.0
    """Standard deviation of additive Gaussian noise, grey levels (0-255)."""
    blur_sigma_px: float = 0.0
    """Gaussian blur standard deviation in pixels of the output frame."""
    jpeg_quality: int | None = None
    """JPEG round trip at this quality (1-100), or none."""
    crf: int = 18

    @property
    def label(self) -> str:
        parts = []
        if self.blur_sigma_px:
            parts.append(f"blur {self.blur_sigma_px:g}px")
        if self.noise_sigma:
            parts.append(f"noise {self.noise_sigma:g}")
        if self.jpeg_quality is not None:
            parts.append(f"jpeg q{self.jpeg_quality}")
        if self.crf != 18:
            parts.append(f"crf {self.crf}")
        return ", ".join(parts) or "clean"

    def apply(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        import cv2

        out = rgb
        if self.blur_sigma_px > 0:
            out = cv2.GaussianBlur(out, (0, 0), self.blur_sigma_px)
        if self.noise_sigma > 0:
            noisy = out.astype(np.float32) + rng.normal(0.0, self.noise_sigma, out.shape)
            out = np.clip(noisy, 0, 255).astype(np.uint8)
        if self.jpeg_quality is not None:
            params = [cv2.IMWRITE_JPEG_QUALITY, int(self.jpeg_quality)]
            ok, buf = cv2.imencode(".jpg", out[..., ::-1], params)
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
        return np.ascontiguousarray(out)


CLEAN = Degradation()


# -- generators ---------------------------------------------------------------------------
def sway_frames(
    base_rgb: np.ndarray, center_xy: Sequence[float], angle_deg: Callable[[np.ndarray], np.ndarray],
    t_s: np.ndarray, width_px: int | None = None, degradation: Degradation = CLEAN, seed: int = 0,
) -> Iterator[TimedFrame]:  # fmt: skip
    """Frames of ``base_rgb`` rotated about ``center_xy`` by ``angle_deg(t)`` at times ``t_s``.

    Rotation happens at the base frame's resolution, then the frame is resized to
    ``width_px`` and degraded, so the true angle is unaffected by resizing.
    """
    rng = np.random.default_rng(seed)
    for t, theta in zip(t_s, angle_deg(np.asarray(t_s)), strict=True):
        frame = resize_to_width(rotate_about(base_rgb, center_xy, float(theta)), width_px)
        yield float(t), degradation.apply(frame, rng)


@dataclass(frozen=True)
class Segment:
    """A still frame shown from ``start_s`` (inclusive) until the next segment starts."""

    start_s: float
    rgb: np.ndarray = field(repr=False)
    label: str = ""


def splice_frames(
    segments: Sequence[Segment], t_s: np.ndarray, width_px: int | None = None,
    degradation: Degradation = CLEAN, seed: int = 0,
    angle_deg: Callable[[np.ndarray], np.ndarray] | None = None,
    center_xy: Sequence[Sequence[float]] | None = None,
) -> Iterator[TimedFrame]:  # fmt: skip
    """Frames at times ``t_s`` showing, at each time, the still of the last segment started.

    With ``angle_deg`` and one ``center_xy`` per segment, each still is also rotated (sway
    during the hold). Segment boundaries are the known event times: a frame at ``t`` shows
    segment ``k`` when ``segments[k].start_s <= t`` (so the event time is the first frame at or
    after the boundary).
    """
    starts = np.array([s.start_s for s in segments])
    if len(starts) == 0 or starts[0] > 0 or np.any(np.diff(starts) <= 0):
        raise ValueError(f"segment starts must begin at 0 and increase, but got {starts.tolist()}")
    rng = np.random.default_rng(seed)
    for t in np.asarray(t_s, dtype=np.float64):
        k = int(np.searchsorted(starts, t + 1e-9, side="right")) - 1
        rgb = segments[k].rgb
        if angle_deg is not None and center_xy is not None:
            rgb = rotate_about(rgb, center_xy[k], float(angle_deg(np.array([t]))[0]))
        yield float(t), degradation.apply(resize_to_width(rgb, width_px), rng)


def first_frame_at(t_s: np.ndarray, boundary_s: float) -> float:
    """Time of the first frame at or after ``boundary_s`` (when a spliced event becomes visible)."""
    later = np.asarray(t_s)[np.asarray(t_s) >= boundary_s - 1e-9]
    return float(later[0]) if len(later) else float("nan")


# -- I/O at the edges ---------------------------------------------------------------------
def write_video(
    path: str | Path, frames: Iterable[TimedFrame], fps: float, crf: int = 18
) -> int:
    """Write frames as H.264 (yuv420p, constant ``fps``, frame ``i`` at ``i / fps``); returns the
    frame count. The frames' own times are only checked to be on that grid."""
    import av

    rate = Fraction(fps).limit_denominator(1001)
    n = 0
    with av.open(str(path), mode="w") as container:
        stream = None
        for t, rgb in frames:
            if abs(t * rate - n) > 1e-6:
                raise ValueError(f"frame {n} at {t} s is not on the {float(rate)} fps grid")
            if stream is None:
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height = rgb.shape[1], rgb.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(crf), "preset": "veryfast", "threads": "1"}
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts = n
            container.mux(stream.encode(frame))
            n += 1
        if stream is not None:
            container.mux(stream.encode(None))
    return n


def read_frame(path: str | Path, index: int) -> np.ndarray:
    """RGB frame number ``index`` (display order, rotation applied) of a video."""
    from balance_cam.io.sources import iter_frames

    for frame in iter_frames(path):
        if frame.index == index:
            return frame.rgb
    raise ValueError(f"{path}: has no frame {index}")


def locate_landmark(rgb: np.ndarray, name: str, model: str = "full") -> np.ndarray:
    """Pixel position (x, y) of one BlazePose landmark in a frame, found by the real pose model."""
    from balance_cam.core.skeleton import INDEX
    from balance_cam.pose.factory import create_backend

    backend = create_backend(model)
    try:
        pose = None
        for i in range(3):  # let tracking settle on the still frame
            pose = backend.process(rgb, 33 * i)
    finally:
        backend.close()
    if pose is None:
        raise ValueError("no person found in the frame")
    h, w = rgb.shape[:2]
    return pose.image[INDEX[name], :2].astype(np.float64) * (w, h)


# -- recipes: one clip, its truth ---------------------------------------------------------
@dataclass(frozen=True)
class SwayTruth:
    """What a sway clip really shows: the applied angle at each frame time."""

    t_s: np.ndarray
    angle_deg: np.ndarray
    center_xy: tuple[float, float]
    size_wh: tuple[int, int]


def make_sway_clip(
    path: str | Path, base_rgb: np.ndarray, center_xy: Sequence[float], sway: SineSway,
    fps: float = 30.0, duration_s: float = 4.0, width_px: int | None = None,
    degradation: Degradation = CLEAN, seed: int = 0,
) -> SwayTruth:  # fmt: skip
    """Write a clip of ``base_rgb`` swaying by ``sway`` about ``center_xy``; return the truth."""
    t = frame_times_s(fps, duration_s)
    frames = sway_frames(base_rgb, center_xy, sway.angle_deg, t, width_px, degradation, seed)
    write_video(path, frames, fps, degradation.crf)
    h, w = base_rgb.shape[:2]
    return SwayTruth(t, sway.angle_deg(t), (float(center_xy[0]), float(center_xy[1])),
                     even_size_wh(width_px or w, (w, h)))  # fmt: skip


@dataclass(frozen=True)
class EventTruth:
    """Known events of a spliced clip (times of the first frame showing the new stance)."""

    stance: str
    lift_s: float
    touchdown_s: float

    @property
    def hold_s(self) -> float:
        return self.touchdown_s - self.lift_s


def make_event_clip(
    path: str | Path, two_feet_rgb: np.ndarray, one_leg_rgb: np.ndarray, stance: str,
    lift_s: float, touchdown_s: float, duration_s: float, fps: float = 30.0,
    width_px: int | None = None, degradation: Degradation = CLEAN, seed: int = 0,
) -> EventTruth:  # fmt: skip
    """Write two feet → one leg (from ``lift_s``) → two feet (from ``touchdown_s``)."""
    if not 0 < lift_s < touchdown_s < duration_s:
        raise ValueError(f"need 0 < lift_s < touchdown_s < duration_s, got {lift_s}, "
                         f"{touchdown_s}, {duration_s}")  # fmt: skip
    segments = [Segment(0.0, two_feet_rgb, "two feet"), Segment(lift_s, one_leg_rgb, "one leg"),
                Segment(touchdown_s, two_feet_rgb, "two feet")]  # fmt: skip
    t = frame_times_s(fps, duration_s)
    write_video(path, splice_frames(segments, t, width_px, degradation, seed), fps, degradation.crf)
    return EventTruth(stance, first_frame_at(t, lift_s), first_frame_at(t, touchdown_s))
