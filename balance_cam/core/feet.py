"""Per-foot tracking primitives of the stance state machine (:mod:`balance_cam.core.stance`).

:class:`FootTracker` follows one ankle: its speed over a short window, since when it stands
still, and its displacement from a rest position, in leg lengths; :class:`Debounce` remembers
since when a condition has held. Both are online (one frame at a time) and know nothing of
cameras: positions come in as pixels and leave as leg lengths.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

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
        self.still_at: np.ndarray | None = None  # where the foot stood when it became still
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
            # Stillness began when the window that is now still began, where the foot then was.
            if self.still_since is None:
                self.still_since, self.still_at = t0, p0
        else:
            self.still_since = self.still_at = None

    def still_for(self, t_s: float) -> float:
        return 0.0 if self.still_since is None else t_s - self.still_since

    def settled_away(self, t_s: float, settle_s: float, away_ll: float) -> bool:
        """Still for ``settle_s`` at a place at least ``away_ll`` from rest, having already been
        there when the stillness began (a slow lift passing through is not a new rest)."""
        if self.still_at is None or self.rest is None or self.still_for(t_s) < settle_s:
            return False
        return float(np.linalg.norm(self.still_at - self.rest) / self.length_px) >= away_ll

    def displacement(self, ref: np.ndarray | None = None) -> float:
        """Distance from ``ref`` (default: the rest position) in leg lengths."""
        ref = self.rest if ref is None else ref
        return float(np.linalg.norm(self.pos - ref) / self.length_px) if ref is not None else 0.0

    def forget(self) -> None:
        self.hist.clear()
        self.still_since = self.still_at = None


def labels_crossed(
    stance_px: np.ndarray, raised_px: np.ndarray, stance_ref_px: np.ndarray, length_px: float, move_ll: float
) -> bool:
    """During a trial: the model has put the two legs' labels the other way round, perhaps over
    several frames (MediaPipe does so with a leg held out sideways), when the "raised" ankle
    stands where the stance ankle stood (within ``move_ll`` leg lengths) while the "stance"
    ankle is more than ``move_ll`` away from there."""
    near = float(np.linalg.norm(raised_px - stance_ref_px)) / length_px
    away = float(np.linalg.norm(stance_px - stance_ref_px)) / length_px
    return near < move_ll < away


def both_jumped(now_px: Sequence[np.ndarray], last_px: Sequence[np.ndarray], length_px: float,
                move_ll: float) -> bool:  # fmt: skip
    """Both ankles moved more than ``move_ll`` leg lengths since the last frame: not feet (a
    planted foot does not jump, and a raised one not at the same instant) but the model placing
    both ankles somewhere between the legs for a frame or two; such a frame is not used."""
    moved = [float(np.linalg.norm(a - b)) / length_px for a, b in zip(now_px, last_px, strict=True)]
    return min(moved) > move_ll


class Touchdown:
    """The raised foot seen down: below ``touchdown_height_ll`` frame after frame for
    ``touchdown_confirm_s`` (one frame reading above does not break the run: a foot set down
    reads around the threshold; two do), and standing still for ``touchdown_still_s``.
    :attr:`since`, the event time, is when the foot stopped, as seen on the run's first frame
    with the foot still (a frame of the run reading just above counts: the run is what says
    "down"), so a confirmed touchdown always has its time."""

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self._run = Debounce(cfg.touchdown_confirm_s)
        self._misses = 0
        self.since: float | None = None
        self.brief_since: float | None = None

    def update(self, t_s: float, on_floor: bool, still_since: float | None, raised: bool) -> bool:
        """Feed one frame: the raised foot seen below the threshold, since when it is still
        (None: moving or not seen), and whether it is clearly raised. True once confirmed."""
        self._misses = 0 if on_floor else self._misses + 1
        run = self._run.update(t_s, on_floor or (self._run.since is not None and self._misses < 2))
        if self._run.since is None:
            self.since = None
        elif self.since is None and still_since is not None:  # also on a tolerated miss
            self.since = still_since
        still = still_since is not None and t_s - still_since >= self.cfg.touchdown_still_s - 1e-9
        if self.since is not None and still:
            self.brief_since = self.since
        elif raised:
            self.brief_since = None
        return run and still

    def before_step(self, step_s: float) -> float | None:
        """When the stance foot started moving at ``step_s``: the time the raised foot was seen
        down and still (however briefly) within ``touchdown_step_s`` before, without being
        clearly raised since (a touchdown, then a step), else None."""
        b = self.brief_since
        return b if b is not None and 0.0 <= step_s - b <= self.cfg.touchdown_step_s else None

    def reset(self) -> None:
        self._run.reset()
        self._misses, self.since, self.brief_since = 0, None, None


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
