"""The camera's own motion, as the analysis uses it: a similarity per frame onto the shot's
reference frame, and its summary for the result.

Model: between a frame and the shot's reference (first) frame the background moves by one
similarity ``x_ref = s R(theta) x_cur + t``, exact for a zoom and a roll, first-order for a pan
or tilt (camera rotation), and approximate for a moving camera when the background is far
compared with the camera's displacement (parallax ignored; Hartley & Zisserman 2004, 8.4). The
estimate itself is made from the image in :mod:`balance_cam.vision.camera_motion`; here it is
only applied (:func:`to_reference_px`) and summarised (:func:`summarize_motion`).

What compensation fixes and what it cannot:

- Pan/tilt by an angle phi moves the image by about f tan(phi); near the centre the picture is
  also squeezed along the pan by cos(phi), which a similarity cannot represent. A phone's main
  camera has a diagonal field of view of about 80°, f ≈ 0.6 frame diagonals, so a centre shift
  of 0.2 diagonals is phi ≈ 18° and a 5 % error in sway measured along the pan
  (``TrustLimits.max_shift_diag``). A camera *translation* adds parallax (person and background
  move by different amounts) that no image transform removes.
- Zoom and roll are exact similarities; but pose-model noise is roughly constant in pixels, so
  a person shrinking 1.3× raises the sway noise floor 1.3× within one trial
  (``max_zoom_range``); roll is validated to ±5° (``max_roll_deg``).
- Frames without a reliable estimate hold the last good transform; when more than 10 % of the
  frames are unreliable the sway is not trusted (``min_reliable_fraction``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
IDENTITY.setflags(write=False)


@dataclass(frozen=True)
class CameraMotion:
    """Camera motion of one frame relative to the shot's reference frame.

    ``to_ref`` (2, 3) maps current full-frame pixels to reference-frame pixels. ``zoom_ratio``:
    how much larger the scene appears now (> 1: zoomed in). ``roll_deg``: the camera's roll,
    positive = clockwise as seen from behind the camera. ``shift_xy_px``: where the current
    frame's centre lies in the reference frame, minus the centre (camera panned right: x > 0).
    ``ok``: the estimate is reliable (otherwise the last good one is held). ``tracked``: this
    frame was matched to the shot (False on its reference frame and on failures); a picture
    "cut" on a tracked frame is a lighting change, not a cut. ``segment`` counts the times
    tracking was lost for longer than it can bridge.
    """

    to_ref: np.ndarray
    zoom_ratio: float = 1.0
    roll_deg: float = 0.0
    shift_xy_px: tuple[float, float] = (0.0, 0.0)
    inlier_fraction: float = 1.0
    n_inliers: int = 0
    ok: bool = True
    segment: int = 0
    tracked: bool = False

    @property
    def shift_px(self) -> float:
        return float(math.hypot(*self.shift_xy_px))


def make_motion(
    to_ref: np.ndarray, full_wh: tuple[int, int], inlier_fraction: float = 1.0, n_inliers: int = 0,
    ok: bool = True, segment: int = 0, tracked: bool = False,
) -> CameraMotion:  # fmt: skip
    """A :class:`CameraMotion` from a (2, 3) or (3, 3) current→reference map."""
    m = np.asarray(to_ref, dtype=np.float64)[:2].copy()
    m.setflags(write=False)
    c = np.array([(full_wh[0] - 1) / 2, (full_wh[1] - 1) / 2])
    d = m[:, :2] @ c + m[:, 2] - c
    return CameraMotion(m, 1.0 / math.hypot(m[0, 0], m[1, 0]), math.degrees(math.atan2(m[1, 0], m[0, 0])),
                        (float(d[0]), float(d[1])), float(inlier_fraction), int(n_inliers), bool(ok),
                        segment, tracked)  # fmt: skip


def to_reference_px(px: np.ndarray, to_ref: np.ndarray) -> np.ndarray:
    """Pixels (..., 2) of the current frame in the reference frame (NaN stays NaN)."""
    return np.asarray(px, dtype=np.float64) @ to_ref[:, :2].T + to_ref[:, 2]


def mirrored_to_ref(to_ref: np.ndarray, width_px: int) -> np.ndarray:
    """The same camera motion seen in the horizontally flipped video (``x → W - x``)."""
    flip = np.array([[-1.0, 0.0, float(width_px)], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    m = np.vstack([to_ref, [0.0, 0.0, 1.0]])
    return (flip @ m @ flip)[:2]


@dataclass(frozen=True)
class TrustLimits:
    """Beyond these the camera moved too much to trust sway (see the module docstring)."""

    max_shift_diag: float = 0.2
    max_zoom_range: float = 1.3
    max_roll_deg: float = 5.0
    min_reliable_fraction: float = 0.9


@dataclass(frozen=True)
class MotionSummary:
    """Camera motion over a video, relative to the first frame of each shot."""

    frames: int
    reliable_fraction: float
    max_shift_px: float
    max_shift_diag: float
    zoom_min: float
    zoom_max: float
    max_abs_roll_deg: float
    sway_trusted: bool
    reasons: tuple[str, ...]

    @property
    def moved(self) -> bool:
        """The camera moved enough to say so (over 1 % of the diagonal, 2 % zoom or 0.5° roll)."""
        zoom_range = self.zoom_max / self.zoom_min
        return self.max_shift_diag > 0.01 or zoom_range > 1.02 or self.max_abs_roll_deg > 0.5

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


def summarize_motion(
    to_ref: np.ndarray, ok: np.ndarray, full_wh: tuple[int, int], limits: TrustLimits | None = None
) -> MotionSummary:
    """Largest shift, zoom range, largest roll and reliability of (N, 2, 3) transforms onto
    each shot's reference, and whether sway can be trusted."""
    lim = limits or TrustLimits()
    if len(to_ref) == 0:
        return MotionSummary(0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, True, ())
    motions = [make_motion(m, full_wh) for m in to_ref]
    diag = math.hypot(*full_wh)
    shift = max(m.shift_px for m in motions)
    zooms = [m.zoom_ratio for m in motions]
    roll = max(abs(m.roll_deg) for m in motions)
    reliable = float(np.mean(ok))
    checks = {
        f"shift {shift / diag:.2f} > {lim.max_shift_diag} of the diagonal": shift / diag > lim.max_shift_diag,
        f"zoom range {max(zooms) / min(zooms):.2f}x > {lim.max_zoom_range}x":
            max(zooms) / min(zooms) > lim.max_zoom_range,
        f"roll {roll:.1f} deg > {lim.max_roll_deg} deg": roll > lim.max_roll_deg,
        f"reliable in {reliable:.0%} of frames < {lim.min_reliable_fraction:.0%}":
            reliable < lim.min_reliable_fraction,
    }  # fmt: skip
    reasons = tuple(k for k, bad in checks.items() if bad)
    return MotionSummary(len(to_ref), reliable, shift, shift / diag, min(zooms), max(zooms), roll,
                         not reasons, reasons)  # fmt: skip


def motions_as_arrays(motions: Sequence[CameraMotion]) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2, 3) transforms and (N,) reliability flags."""
    if not motions:
        return np.zeros((0, 2, 3)), np.zeros(0, bool)
    return np.stack([m.to_ref for m in motions]), np.array([m.ok for m in motions])
