"""Online shot-cut and fade detection on small grey frames, plus a whole-pose jump test.

Cut score: one minus the normalised cross-correlation (Pearson r) of consecutive tiny grey
frames (about 32 px on the longer side, INTER_AREA), the classic "correlation of frame
differences" idea of shot-boundary detection (Hanjalic 2002; Lienhart 1999 compares it with
histograms). Zero-mean, unit-variance normalisation makes it blind to exposure changes and
fades (brightness x gain leaves r unchanged), and the 32 px box filter makes it blind to
small motion: a person moving or a pan of 1-2 % of the width per frame lowers r by < 0.07.
``min_score`` = 0.15 (r < 0.85) sits between the two measured populations on all seven sample
clips: consecutive frames of continuous footage reach 0.066 at most (a backflip through the
sun), the 42 ordered splices between different clips 0.29 at least (two views of one lab).
A frame is a cut when its score is above ``min_score``, above ``ratio`` times the median score
of the last ``history_s`` (the adaptive part, Yeo & Liu 1995's sliding window) and above
``step_ratio`` times the previous frame's score: a cut is an isolated spike, a pan (whose
score ramps up over frames) is not. A fast pan's first frames may still pass; the camera-motion
confirmation (:func:`confirmed_cut`) removes those.

Dark / blank: mean luma (BT.601 grey, 0..1) below ``dark_luma`` (video black is 16/255 =
0.063 in limited range; 0.08 leaves headroom for noise) is *dark*; above ``bright_luma`` or
with almost no contrast it is *blank*. Cut scores are not computed next to blank frames (r is
noise there); the first picture after a blank spell starts a new shot (``cut=True``).
Fading (to black; to white with 1 - luma): luma has not risen (within ``fade_tol``) for
``fade_min_s`` and fell by at least ``fade_min_drop`` of its value then. On the first blank
frame ``fade_start_s`` is the time the steady fall began (None after a hard change).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class ShotConfig:
    """Parameters of :class:`ShotDetector` (scores are 1 - r, luma is 0..1)."""

    tiny_long_side_px: int = 32
    min_score: float = 0.15  # r < 0.85
    ratio: float = 4.0  # times the median score of the last history_s
    step_ratio: float = 2.0  # times the previous frame's score: a cut is a spike, a pan a ramp
    history_s: float = 1.0
    dark_luma: float = 0.08
    bright_luma: float = 0.94
    flat_std: float = 0.015  # luma standard deviation below this: no picture
    fade_min_s: float = 0.2
    fade_min_drop: float = 0.1
    fade_tol: float = 0.01  # luma may rise this much (0..1) without breaking a fade
    fade_max_s: float = 5.0  # how far back fade_start_s may lie


@dataclass(frozen=True)
class ShotEvent:
    """What one frame says about shots. ``cut``: this frame starts a new shot (a hard cut, or
    the first picture after blank frames). ``score``: 1 - r with the previous frame (NaN when
    not computed)."""

    cut: bool
    dark: bool
    blank: bool
    fading: bool
    score: float
    luma: float
    fade_start_s: float | None = None


def tiny_frame(grey: np.ndarray, long_side_px: int = 32) -> np.ndarray:
    """Box-filtered float32 copy (0..1) with the longer side ``long_side_px``."""
    h, w = grey.shape[:2]
    f = max(h, w) / long_side_px
    size = (max(2, round(w / f)), max(2, round(h / f)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def correlation_score(a: np.ndarray, b: np.ndarray) -> float:
    """1 - Pearson correlation of two equally sized images (0: same picture up to gain/offset)."""
    if a.shape != b.shape:
        b = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA)
    da, db = a - a.mean(), b - b.mean()
    den = float(np.sqrt((da * da).sum() * (db * db).sum()))
    return 1.0 - float((da * db).sum()) / den if den > 0 else float("nan")


class ShotDetector:
    """Feed the small grey frame (any size) and its time, one frame at a time, in order."""

    def __init__(self, config: ShotConfig | None = None) -> None:
        self.cfg = config or ShotConfig()
        self._prev: np.ndarray | None = None
        self._prev_blank = False
        self._scores: deque[tuple[float, float]] = deque()
        self._lt: deque[float] = deque()  # luma history: times and values
        self._lv: deque[float] = deque()
        self._was_blank = False

    def update(self, grey: np.ndarray, t_s: float) -> ShotEvent:
        c = self.cfg
        tiny = tiny_frame(grey, c.tiny_long_side_px)
        luma, std = float(tiny.mean()), float(tiny.std())
        dark = luma < c.dark_luma
        blank = dark or luma > c.bright_luma or std < c.flat_std
        score, cut = float("nan"), False
        if self._prev is not None and not blank:
            if self._prev_blank:
                cut = True
            else:
                score = correlation_score(self._prev, tiny)
                while self._scores and self._scores[0][0] < t_s - c.history_s:
                    self._scores.popleft()
                typical = float(np.median([s for _, s in self._scores])) if self._scores else 0.0
                last = self._scores[-1][1] if self._scores else 0.0
                cut = score > c.min_score and score > c.ratio * typical and score > c.step_ratio * last
                self._scores.append((t_s, score))  # cuts too: a sustained fast pan raises the median
        if blank:
            self._scores.clear()
        if cut:
            self._lt.clear()
            self._lv.clear()
        self._lt.append(t_s)
        self._lv.append(luma)
        while self._lt[0] < t_s - c.fade_max_s:
            self._lt.popleft()
            self._lv.popleft()
        fading, fade_start = False, None
        keep = 1 - c.fade_min_drop
        to_black, to_white = luma <= keep * max(self._lv), 1 - luma <= keep * (1 - min(self._lv))
        if to_black or to_white:  # (cheap test first: the arrays are only built during a fade)
            t, v = np.array(self._lt), np.array(self._lv)
            for w in ([v] if to_black else []) + ([1 - v] if to_white else []):
                start = fall_start(t, w, c.fade_tol)
                if start is None or w[-1] > start[1] * keep:
                    continue
                fading = fading or t_s - start[0] >= c.fade_min_s
                if blank and not self._was_blank:
                    fade_start = start[0]
        self._prev, self._prev_blank, self._was_blank = tiny, blank, blank
        return ShotEvent(cut, dark, blank, fading, score, luma, fade_start)


def fall_start(t_s: np.ndarray, v: np.ndarray, tol: float) -> tuple[float, float] | None:
    """(time, value) of the last sample at the top of the current steady fall of ``v``.

    Walking back from the newest sample, the window extends while no later sample exceeds an
    earlier one by more than ``tol`` (the value has not risen); the fall starts at the last
    sample within ``tol`` of the window's maximum. None when the newest sample is that one.
    """
    if len(v) < 2:
        return None
    later_max = np.maximum.accumulate(v[::-1])[::-1]  # max of v[i:]
    broken = np.flatnonzero(v[:-1] < later_max[1:] - tol)
    first = int(broken[-1]) + 1 if len(broken) else 0
    w = v[first:]
    start = first + int(np.flatnonzero(w >= w.max() - tol)[-1])
    return (float(t_s[start]), float(v[start])) if start < len(v) - 1 else None


def pose_jumped(prev_px: np.ndarray, cur_px: np.ndarray, dt_s: float, leg_length_px: float,
                max_speed_ll_s: float = 10.0, min_jump_ll: float = 0.3,
                max_size_ratio: float = 1.25) -> bool:  # fmt: skip
    """Did the whole pose jump between two frames (a cut the picture test missed, or a swap to
    another person)? Landmark arrays (K, 2) in pixels, NaN for missing.

    Jump = the *median* landmark displacement exceeds ``max(min_jump_ll, max_speed_ll_s * dt)``
    leg lengths (the median ignores a fast limb; a whole body, even sprinting at ~10 m/s with
    legs of ~0.9 m, moves < 11 leg lengths per second), or the pose's size (RMS distance from
    its centroid) changes by more than ``max_size_ratio`` between the frames.
    """
    ok = np.all(np.isfinite(prev_px), axis=1) & np.all(np.isfinite(cur_px), axis=1)
    if ok.sum() < 3 or not np.isfinite(leg_length_px) or leg_length_px <= 0:
        return False
    a, b = prev_px[ok], cur_px[ok]
    moved_ll = float(np.median(np.linalg.norm(b - a, axis=1))) / leg_length_px
    size_a = float(np.sqrt(((a - a.mean(axis=0)) ** 2).sum(axis=1).mean()))
    size_b = float(np.sqrt(((b - b.mean(axis=0)) ** 2).sum(axis=1).mean()))
    ratio = max(size_a, size_b) / max(min(size_a, size_b), 1e-9)
    return moved_ll > max(min_jump_ll, max_speed_ll_s * dt_s) or ratio > max_size_ratio


def confirmed_cut(event: ShotEvent, motion: object) -> bool:
    """A picture cut that camera tracking did not follow (``motion``: the frame's
    :class:`balance_cam.core.camera.CameraMotion`). Lens flare or a sudden exposure jump can decorrelate
    the tiny frames as much as a cut between two views of one room (measured 1 - r = 0.30 vs
    0.29), but the background corners still track (inlier fraction >= 0.95 there); a real
    cut leaves nothing to track. Call the estimator's ``reset`` on a confirmed cut."""
    return event.cut and not getattr(motion, "tracked", False)


def pose_usable(event: ShotEvent) -> bool:
    """Whether a frame's landmarks may be used: not on blank frames. MediaPipe's tracker keeps
    reporting the person 4-9 frames into black (measured in tests/test_shots.py), so a trial
    ending in a fade must end at the last non-blank frame with a pose."""
    return not event.blank
