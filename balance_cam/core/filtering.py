"""Cleaning of landmark signals: gating, gap filling, zero-phase and causal low-pass filters,
and a guard against MediaPipe swapping the left and right legs.

Offline metrics use :func:`lowpass_zero_phase` (4th-order Butterworth run forwards and
backwards, so no lag; cut-off 5 Hz as in Prieto et al. 1996). Anything that must work one frame
at a time (event detection, live overlay) uses :class:`OneEuroFilter` (Casiez, Roussel & Vogel
2012, "1€ Filter", CHI'12), which adapts its cut-off to the signal's speed.
"""

from __future__ import annotations

import math

import numpy as np

from balance_cam.core.butterworth import butter_lowpass_sos, sosfiltfilt
from balance_cam.core.skeleton import LEG_SWAP, idx


def fill_gaps(t_s: np.ndarray, x: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linearly interpolate NaN runs no longer than ``max_gap_s`` (edges are not extrapolated).

    ``x`` is (N,) or (N, D); each column is filled independently. Longer gaps stay NaN.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    if x.size == 0:
        return x
    cols = x.reshape(len(x), -1)
    for c in range(cols.shape[1]):
        col = cols[:, c]
        good = np.isfinite(col)
        if good.sum() < 2 or good.all():
            continue
        filled = np.interp(t_s, t_s[good], col[good])
        gi = np.flatnonzero(good)
        # Time from the previous to the next good sample around each missing one.
        nxt = np.searchsorted(gi, np.arange(len(col)))
        inside = (nxt > 0) & (nxt < len(gi))
        span = np.full(len(col), np.inf)
        span[inside] = t_s[gi[nxt[inside]]] - t_s[gi[nxt[inside] - 1]]
        fill = ~good & inside & (span <= max_gap_s + 1e-9)
        col[fill] = filled[fill]
    return cols.reshape(x.shape)


def resample_uniform(t_s: np.ndarray, x: np.ndarray, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear resampling of (N,) or (N, D) ``x`` onto a uniform grid at ``fs_hz`` from ``t_s[0]``.

    Variable-frame-rate video gives irregular samples; filters and path lengths need a
    uniform grid. NaN samples propagate to neighbouring grid points.
    """
    n = int(math.floor((t_s[-1] - t_s[0]) * fs_hz + 1e-9)) + 1
    grid = t_s[0] + np.arange(n) / fs_hz
    x2 = x.reshape(len(x), -1)
    out = np.column_stack([np.interp(grid, t_s, x2[:, c]) for c in range(x2.shape[1])])
    return grid, out.reshape((n, *x.shape[1:]))


def median_rate_hz(t_s: np.ndarray) -> float:
    """Frame rate from the median frame interval (robust to dropped or duplicated frames)."""
    if len(t_s) < 2:
        return float("nan")
    return float(1.0 / np.median(np.diff(t_s)))


def lowpass_zero_phase(x: np.ndarray, fs_hz: float, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 of a NaN-free array
    (:func:`balance_cam.core.butterworth.sosfiltfilt`, SciPy's ``sosfiltfilt`` to the bit).

    The cut-off is clamped to 0.8 × Nyquist for low frame rates; series too short for the
    filter's padding are returned unfiltered.
    """
    nyq = fs_hz / 2.0
    wn = min(cutoff_hz, 0.8 * nyq) / nyq
    sos = butter_lowpass_sos(max(2, order // 2 * 2), wn)
    padlen = 3 * (2 * len(sos) + 1)
    if len(x) <= padlen:
        return np.asarray(x, dtype=np.float64)
    return sosfiltfilt(sos, x)


class OneEuroFilter:
    """Causal adaptive low-pass for one or more channels (Casiez et al. 2012).

    Cut-off ``fc = min_cutoff_hz + beta * |dx/dt|`` with the derivative itself low-passed at
    ``d_cutoff_hz``. Uses the real time between samples, so it is frame-rate independent.
    NaN input resets nothing and returns NaN; the next finite sample continues smoothly.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(dt: float, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
        tau = 1.0 / (2 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, t_s: float, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            return np.full_like(x, np.nan)
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._dx, self._t = x, np.zeros_like(x), t_s
            return x
        dt = t_s - self._t
        dx = (x - self._x) / dt
        self._dx = self._dx + self._alpha(dt, self.d_cutoff_hz) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._dx)
        self._x = self._x + self._alpha(dt, cutoff) * (x - self._x)
        self._t = t_s
        return self._x


_GUARDED = [idx(side, joint) for side in ("left", "right") for joint in ("knee", "ankle")]


class LegSwapGuard:
    """Undo brief left/right leg swaps by MediaPipe, one frame at a time.

    MediaPipe sometimes labels the left leg as the right for a few frames (mostly when the
    legs overlap). If exchanging the two legs' labels brings them much closer to where each
    leg was in the last accepted frame (cost < ``ratio`` × the unswapped cost, and the
    unswapped cost exceeds ``min_jump`` × hip width), the leg landmarks are swapped back.
    Positions are image pixels.
    """

    def __init__(self, ratio: float = 0.5, min_jump: float = 0.5) -> None:
        self.ratio, self.min_jump = ratio, min_jump
        self._prev: np.ndarray | None = None
        self.swaps = 0

    def accept(self, px: np.ndarray) -> None:
        """Take ``px`` (33, 2) as this frame's accepted legs (after a correction elsewhere)."""
        legs = px[_GUARDED]
        if np.all(np.isfinite(legs)):
            self._prev = legs

    def __call__(self, px: np.ndarray) -> tuple[np.ndarray, bool]:
        """``px``: (33, 2) pixels, NaN allowed. Returns the (possibly) corrected copy and a flag."""
        cur = px[_GUARDED]
        if self._prev is None or not np.all(np.isfinite(cur)):
            if np.all(np.isfinite(cur)):
                self._prev = cur
            return px, False
        straight = np.linalg.norm(cur - self._prev, axis=1).sum()
        crossed = np.linalg.norm(cur[[2, 3, 0, 1]] - self._prev, axis=1).sum()
        hip_w = np.linalg.norm(px[idx("left", "hip")] - px[idx("right", "hip")])
        swapped = bool(
            np.isfinite(hip_w) and straight > self.min_jump * hip_w * 4
            and crossed < self.ratio * straight
        )  # fmt: skip
        if swapped:
            px = px[list(LEG_SWAP)]  # fancy indexing copies
            self.swaps += 1
        self._prev = px[_GUARDED]
        return px, swapped
