"""Evidence of a touchdown during a trial (:mod:`balance_cam.core.stance`): the raised foot seen
down and still (:class:`Touchdown`), and, while it is hidden, the weight shift a touchdown
causes (:class:`WeightShift`). Online, one frame at a time, in leg lengths and seconds.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.feet import Debounce


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
