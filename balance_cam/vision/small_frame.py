"""The small grey frame shared by camera-motion estimation and cut detection, made once per frame.

Cost (bench.py, inline beside the pose model, whose frame has just left the CPU cache):
``cv2.resize`` INTER_AREA reads every pixel, 3.5 ms for a 1080x1920 RGB frame (1.5 ms when
timed alone, warm cache); INTER_NEAREST reads only the sampled pixels (0.35 ms). For 640x480
input everything costs ~0.2-0.4 ms. See ``small_grey`` for the default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in full-frame pixels


@dataclass(frozen=True)
class SmallFrame:
    """A small grey copy of a frame and the affine map of its pixels to full-frame pixels."""

    grey: np.ndarray  # (h, w) uint8, ITU-R BT.601 luma
    to_full: np.ndarray  # (3, 3): [x_full, y_full, 1] = to_full @ [x_small, y_small, 1]
    full_wh: tuple[int, int]


def small_grey(rgb: np.ndarray, long_side_px: int = 320, method: str = "auto") -> SmallFrame:
    """Shrink an RGB frame so that its longer side is about ``long_side_px`` and make it grey.

    ``area``: INTER_AREA (box filter, no aliasing) on the whole frame. ``nearest``: INTER_NEAREST
    sampling (aliased). ``auto`` (default): frames more than 4x larger are first sampled to twice
    the target with INTER_NEAREST, then box-filtered 2x with INTER_AREA (reads ~1/4 of a 1080p
    frame's memory; a box filter over every pixel of a frame that just left the cache cost
    3.5 ms inline beside the pose model); smaller frames use ``area``.
    """
    h, w = rgb.shape[:2]
    f = max(h, w) / long_side_px
    if f <= 1:
        return _grey(np.ascontiguousarray(rgb), np.eye(3), (w, h))
    m = np.eye(3)
    if method == "nearest" or (method == "auto" and f > 4):
        f1 = f if method == "nearest" else f / 2
        rgb, m = _resize(rgb, f1, cv2.INTER_NEAREST, m)
        f = f / f1
    if f > 1.0001:
        rgb, m = _resize(rgb, f, cv2.INTER_AREA, m)
    return _grey(rgb, m, (w, h))


def _resize(rgb: np.ndarray, f: float, interp: int, to_full: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Resize by 1/f; compose the small->full pixel map (INTER_AREA: small pixel centre i lies
    at (i + 0.5) * s - 0.5 of the source; INTER_NEAREST samples floor(i * s))."""
    h, w = rgb.shape[:2]
    out = cv2.resize(rgb, (max(8, round(w / f)), max(8, round(h / f))), interpolation=interp)
    sx, sy = w / out.shape[1], h / out.shape[0]
    off_x, off_y = (0.0, 0.0) if interp == cv2.INTER_NEAREST else (0.5 * sx - 0.5, 0.5 * sy - 0.5)
    return out, to_full @ np.array([[sx, 0, off_x], [0, sy, off_y], [0, 0, 1]])


def _grey(rgb: np.ndarray, to_full: np.ndarray, full_wh: tuple[int, int]) -> SmallFrame:
    return SmallFrame(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), to_full, full_wh)


def normalise_for_tracking(grey: np.ndarray, mode: str = "highpass") -> np.ndarray:
    """Undo exposure changes before Lucas-Kanade, which assumes constant brightness.

    ``gain``: the frame's mean/std mapped to 128/48 (global auto-exposure). ``highpass``: minus
    a 15 px box blur, then contrast-normalised; also removes slow local changes such as sun
    glare, and does not depend on what enters the view (a zoom changes the global mean/std).
    """
    if mode == "highpass":
        f = cv2.subtract(grey, cv2.blur(grey, (15, 15)), dtype=cv2.CV_16S)
        mean, std = 0.0, cv2.norm(f, cv2.NORM_L2) / np.sqrt(f.size)  # RMS; the mean is ~0 (and
        # cv2.meanStdDev on int16 cost 65 us of the 160)
    elif mode == "gain":
        f = grey
        mean, std = (float(v[0][0]) for v in cv2.meanStdDev(f))
    else:
        return grey
    alpha = 48.0 / max(std, 1.0)
    return cv2.addWeighted(f, alpha, f, 0.0, 128.0 - alpha * mean, dtype=cv2.CV_8U)  # saturating


def box_to_small(box: Box | None, frame: SmallFrame, margin_frac: float) -> np.ndarray | None:
    """A full-frame pixel box, grown by ``margin_frac`` of its size on each side, in small pixels."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    mx, my = margin_frac * (x1 - x0), margin_frac * (y1 - y0)
    (ax, _, bx), (_, ay, by) = frame.to_full[:2]
    return np.array([(x0 - mx - bx) / ax, (y0 - my - by) / ay, (x1 + mx - bx) / ax, (y1 + my - by) / ay])


def person_box_px(px: np.ndarray, vis: np.ndarray | None = None, min_vis: float = 0.5) -> Box | None:
    """Bounding box (full-frame pixels) of landmarks (33, 2), visible ones only, or None."""
    good = np.all(np.isfinite(px), axis=1) & (True if vis is None else np.asarray(vis) >= min_vis)
    if not np.any(good):
        return None
    (x0, y0), (x1, y1) = px[good].min(axis=0), px[good].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def inverse_affine(m: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) or (3, 3) affine map as (3, 3), in closed form (no LAPACK call:
    ``np.linalg.inv`` took milliseconds here when OpenBLAS threads competed with OpenCV's)."""
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    det = a * d - b * c
    lin = np.array([[d, -b], [-c, a]]) / det
    out = np.eye(3)
    out[:2, :2], out[:2, 2] = lin, -lin @ m[:2, 2]
    return out


def apply_affine(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points (N, 2) through an affine map (2, 3) or (3, 3), as float32 (OpenCV's type)."""
    return (pts @ m[:2, :2].T + m[:2, 2]).astype(np.float32)


def outside_box(pts: np.ndarray, box: np.ndarray | None) -> np.ndarray:
    """Mask of the points (N, 2) outside a box (x0, y0, x1, y1); all True without a box."""
    if box is None:
        return np.ones(len(pts), bool)
    x, y = pts[:, 0], pts[:, 1]
    return ~((x > box[0]) & (x < box[2]) & (y > box[1]) & (y < box[3]))


def spread_frac(pts: np.ndarray, shape: tuple[int, ...]) -> float:
    """RMS distance of the points from their centroid, as a fraction of the frame diagonal."""
    if len(pts) < 2:
        return 0.0
    return float(np.sqrt(pts.var(axis=0).sum()) / math.hypot(*shape[:2]))


def track_lk(a: np.ndarray, b: np.ndarray, pts: np.ndarray, win: int, levels: int):  # noqa: ANN202
    # returns (positions (N, 2), found mask (N,))
    """Pyramidal LK; with a window of w px and L levels it follows ~w * 2**L / 2 px per frame."""
    if len(pts) == 0:
        return pts.reshape(0, 2), np.zeros(0, bool)
    found, st, _ = cv2.calcOpticalFlowPyrLK(a, b, pts.reshape(-1, 1, 2), None, winSize=(win, win),
                                            maxLevel=levels)  # fmt: skip
    return found.reshape(-1, 2), st.ravel() == 1
