"""Per-foot tracking primitives of the stance state machine (:mod:`balance_cam.core.stance`).

:class:`FootTracker` follows one ankle: its speed over a short window, since when it stands
still, and its displacement from a rest position, in leg lengths; :class:`Debounce` remembers
since when a condition has held. Both are online (one frame at a time) and know nothing of
cameras: positions come in as pixels and leave as leg lengths.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from balance_cam.core.config import StanceConfig
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


class WeightShift:
    """The weight shift a touchdown causes, seen in the pelvis while the raised foot is hidden.

    The pelvis offset from the stance ankle (image x, leg lengths, positive towards the raised
    side) moving by ``weight_shift_ll`` (or ``weight_shift_frac`` of the feet's distance apart
    at rest, if larger) beyond its median so far in the trial (the last ``weight_shift_window_s``,
    leaving out the newest ``weight_shift_s``), for ``weight_shift_s``.
    """

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self.debounce = Debounce(cfg.weight_shift_s)
        self._offsets: deque[tuple[float, float]] = deque()
        self._sign, self._apart_ll = 1.0, 0.0

    def start(self, towards_raised: float, feet_apart_ll: float) -> None:
        """A new trial: the raised side's sign in image x, and the feet's distance at rest."""
        self._sign, self._apart_ll = towards_raised, feet_apart_ll
        self._offsets.clear()
        self.debounce.reset()

    @property
    def since(self) -> float | None:
        return self.debounce.since

    def update(self, t_s: float, offset_ll: float, hidden: bool) -> bool:
        """Feed the pelvis-minus-stance-ankle x offset (leg lengths); True once confirmed."""
        c, offset = self.cfg, self._sign * offset_ll
        old = [v for t, v in self._offsets if t <= t_s - c.weight_shift_s]
        self._offsets.append((t_s, offset))
        while self._offsets and self._offsets[0][0] < t_s - c.weight_shift_window_s:
            self._offsets.popleft()
        threshold = max(c.weight_shift_ll, c.weight_shift_frac * self._apart_ll)
        moved = hidden and len(old) > 0 and offset - float(np.median(old)) >= threshold
        return self.debounce.update(t_s, moved)
