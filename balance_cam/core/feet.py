"""Per-foot tracking primitives of the stance state machine (:mod:`balance_cam.core.stance`).

:class:`FootTracker` follows one ankle: its speed over a short window, since when it stands
still, and its displacement from a rest position, in leg lengths; :class:`Debounce` remembers
since when a condition has held. Both are online (one frame at a time) and know nothing of
cameras: positions come in as pixels and leave as leg lengths.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from balance_cam.core.skeleton import SIDES, leg_length


def leg_length_px(px: np.ndarray) -> float:
    """Longer of the two hip→knee→ankle polylines (the raised leg may be bent)."""
    lengths = [float(leg_length(px, side)) for side in SIDES]
    return float(np.nanmax(lengths)) if np.any(np.isfinite(lengths)) else float("nan")


class Debounce:
    """Remembers since when a condition has held; ``confirmed`` once it held ``confirm_s``."""

    def __init__(self, confirm_s: float) -> None:
        self.confirm_s = confirm_s
        self.since: float | None = None

    def update(self, t_s: float, condition: bool, since: float | None = None) -> bool:
        if not condition:
            self.since = None
            return False
        if self.since is None:
            self.since = t_s if since is None else since
        return t_s - self.since >= self.confirm_s - 1e-9

    def reset(self) -> None:
        self.since = None


class FootTracker:
    """Speed, stillness and displacement from rest of one ankle.

    Positions are image pixels; speeds and displacements are returned in leg lengths.
    """

    def __init__(self, window_s: float, still_ll_s: float) -> None:
        self.window_s, self.still_ll_s = window_s, still_ll_s
        self.hist: deque[tuple[float, np.ndarray]] = deque()
        self.pos = np.full(2, np.nan)
        self.length_px = float("nan")
        self.rest: np.ndarray | None = None
        self.still_since: float | None = None
        self.moved_since: float | None = None  # first frame of the current excursion > lift_off
        self.speed_ll_s = 0.0

    def update(self, t_s: float, pos: np.ndarray, length_px: float) -> None:
        self.pos, self.length_px = pos, length_px
        self.hist.append((t_s, pos))
        while len(self.hist) > 2 and self.hist[1][0] <= t_s - self.window_s:
            self.hist.popleft()
        t0, p0 = self.hist[0]
        speed = float(np.linalg.norm(pos - p0) / length_px / (t_s - t0)) if t_s > t0 else 0.0
        self.speed_ll_s = speed
        if speed < self.still_ll_s:
            # Stillness began when the window that is now still began.
            self.still_since = self.still_since if self.still_since is not None else t0
        else:
            self.still_since = None

    def still_for(self, t_s: float) -> float:
        return 0.0 if self.still_since is None else t_s - self.still_since

    def displacement(self, ref: np.ndarray | None = None) -> float:
        """Distance from ``ref`` (default: the rest position) in leg lengths."""
        ref = self.rest if ref is None else ref
        return float(np.linalg.norm(self.pos - ref) / self.length_px) if ref is not None else 0.0

    def forget(self) -> None:
        self.hist.clear()
        self.still_since = None
