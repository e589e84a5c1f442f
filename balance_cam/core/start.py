"""A trial already under way when the video (or shot) starts: the lift was not seen.

Pure rules read by :class:`balance_cam.core.stance.StanceDetector` on its first frames:

- **Provisional start** (:func:`raised_at_start`): a foot already raised by ``start_raised_ll``
  in both the image and the world landmarks in the first frames with a person (no double stance
  seen yet, so heights are relative to level feet, camera vertical) starts a provisional trial
  whose lift was not observed (``lift_observed = False``). A staggered stance filmed from above
  can pass too, so the trial is provisional:
- **Misread start** (:func:`misread_start`): if the other foot then leaves while the "raised"
  one stays where it stood (the lift's rule: moved less than ``stance_move_ll`` and less than
  half as far), the start was a staggered stance seen from above: the provisional trial is
  dropped and the real lift is timed.
- **Came down from the start** (:class:`LowStart`): a foot raised less than ``start_raised_ll``
  but at least ``lift_on_ll`` (a foot held low beside the ankle; a shot cut in mid-hold) starts
  no trial, because a staggered stance seen from above looks the same. Its evidence comes when
  it comes *down*: if it stood ``lift_on_ll`` above the other foot (world landmarks; at least
  ``lift_off_ll`` in the image: :func:`raised_low`) in the first frame with a person and stayed
  over ``lift_off_ll`` at every rest since, and a "lift" of it then drops it by ``lift_on_ll``
  or more (image and world, from its median height at rest) to level with the other foot
  (within ``lift_on_ll``), with the other foot in place, it was raised: the trial ran from the
  first frame with the person to where the foot got down (``touchdown``, lift not observed;
  ``time_limit`` at ``limit_s`` if that came first). That time is taken once the foot has
  stood still for ``confirm_s`` (or the person is lost, the shot or the video ends first): the
  first frame from the descent's onset (where it first read ``lift_on_ll`` from where it stood)
  with its image height within half of ``touchdown_drop_ll`` of where it stands
  (:meth:`LowStart.arrived_s`, the rule of :meth:`~balance_cam.core.touchdown.Touchdown.arrived_s`):
  timed at the onset, a lowering of a few tenths of a second came that much early. A foot
  does not go below the floor; a staggered foot moved into line is lifted first, which times
  a lift as before. The price: a foot standing on a step, higher than the other from the first
  frame, then put down to the floor without being raised first reads as a hold from the start.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.skeleton import SIDES, Side
from balance_cam.core.stance_features import Reference, StanceFeatures, event_height_ll, height_ll


def raised_at_start(cfg: StanceConfig, heights_ll: tuple[float, float]) -> bool:
    """A foot at ``heights_ll`` (image, world: :func:`~balance_cam.core.stance_features.height_ll`
    against level feet) counts as raised with no double stance seen: ``start_raised_ll`` in the
    image and in world landmarks (the image alone without them)."""
    return min(heights_ll[0], event_height_ll(heights_ll)) >= cfg.start_raised_ll


def misread_start(
    cfg: StanceConfig, lift_observed: bool, stance_shift_ll: float, raised_shift_ll: float
) -> bool:
    """The provisional trial's "stance" foot has left (``stance_shift_ll`` over ``lift_off_ll``)
    while the "raised" one stayed put (``raised_shift_ll`` from where it stood at the start,
    under ``stance_move_ll`` and half the other's): the start was a staggered stance."""
    if lift_observed or not stance_shift_ll > cfg.lift_off_ll:
        return False
    return raised_shift_ll < min(cfg.stance_move_ll, stance_shift_ll / 2)


class LowStart:
    """The :meth:`came_down` candidate: a foot raised low since the first frame with a person.

    :meth:`begin` on that frame, :meth:`at_rest` at every rest the detector takes, :meth:`record`
    on every frame before a trial, :meth:`came_down` when a lift of it is confirmed (the detector
    then sets :attr:`down_since`), :meth:`got_down` and :meth:`arrived_s` for the trial's end.
    The candidate is lost when a rest shows it under ``lift_off_ll`` (the lift's own
    hysteresis); its height is the median over the rests, since a rest follows a foot for the
    first frames it moves.
    """

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self.side: Side | None = None
        self.down_since: float | None = None  # came down from here: timed when it got down
        self._rises: deque[tuple[float, float]] = deque(maxlen=1000)
        self._heights: deque[tuple[float, float]] = deque()  # t, image height against level feet

    def begin(self, f: StanceFeatures, level: Reference) -> None:
        """First frame with a person: heights against level feet (``level``)."""
        self.side = next((s for s in SIDES if raised_low(self.cfg, height_ll(f, s, level))), None)
        self.down_since = None
        self._rises.clear()
        self._heights.clear()
        if self.side is not None:
            self._rises.append(height_ll(f, self.side, level))

    def at_rest(self, rest: Reference) -> None:
        if self.side is None:
            return
        rise = rise_at_rest_ll(rest, self.side)
        if min(rise[0], event_height_ll(rise)) < self.cfg.lift_off_ll:  # the lift's hysteresis
            self.side = None
        else:
            self._rises.append(rise)

    def came_down(self, side: Side, f: StanceFeatures, rest: Reference) -> bool:
        """``side``'s foot, the candidate, came down by ``lift_on_ll`` from its median height at
        rest, in the image and in world landmarks, to within ``lift_on_ll`` of level."""
        if side != self.side or not self._rises:
            return False
        rises = np.array(self._rises)
        finite_w = np.isfinite(rises[:, 1])
        rise_w = float(np.median(rises[finite_w, 1])) if finite_w.any() else np.nan
        rise = (float(np.median(rises[:, 0])), rise_w)
        now = height_ll(f, side, Reference(up_w=rest.up_w))  # against level feet, the rest's body axis
        if not (np.isfinite(rise[1]) and np.isfinite(now[1])):  # one unit throughout: the image's
            rise, now = (rise[0], np.nan), (now[0], np.nan)
        down = min(rise[0] - now[0], event_height_ll(rise) - event_height_ll(now)) >= self.cfg.lift_on_ll
        return raised_low(self.cfg, rise) and down and abs(event_height_ll(now)) < self.cfg.lift_on_ll


    def record(self, f: StanceFeatures, rest: Reference) -> None:
        """Every frame while the candidate stands: its image height against level feet, kept for
        ``touchdown_confirm_s`` before ``down_since`` (or now) on, the window :meth:`got_down` reads."""
        if self.side is None:
            return
        self._heights.append((f.t_s, height_ll(f, self.side, Reference(up_w=rest.up_w))[0]))
        keep = (f.t_s if self.down_since is None else self.down_since) - self.cfg.touchdown_confirm_s
        while self._heights[0][0] < keep:
            self._heights.popleft()

    def got_down(self, still_s: float) -> bool:
        """The foot that came down (:attr:`down_since`) is down: still for ``confirm_s`` (``still_s``)
        and no longer coming down, the test of :meth:`~balance_cam.core.touchdown.Touchdown.update`
        (over the last ``touchdown_confirm_s``, the newer half's median image height is not half of
        ``touchdown_drop_ll`` below the older half's): a foot lowered slower than ``still_ll_s``
        reads still on the way down."""
        if still_s < self.cfg.confirm_s or not self._heights:
            return False
        t_now, span = self._heights[-1][0], self.cfg.touchdown_confirm_s
        older = [h for t, h in self._heights if t_now - span <= t < t_now - span / 2]
        newer = [h for t, h in self._heights if t >= t_now - span / 2]
        if not older or len(older) + len(newer) < 3:
            return False
        return bool(np.median(older) - np.median(newer) <= self.cfg.touchdown_drop_ll / 2)

    def arrived_s(self) -> float:
        """When the foot that came down got down: the first frame from :attr:`down_since` on
        with its image height within half of ``touchdown_drop_ll`` of its level now (the median
        over the last ``touchdown_still_s``), as :meth:`~balance_cam.core.touchdown.Touchdown.arrived_s`
        times a foot lowered while reading still."""
        assert self.down_since is not None
        since = [(t, h) for t, h in self._heights if t >= self.down_since]
        if not since:
            return self.down_since
        t_now = since[-1][0]
        level = float(np.median([h for t, h in since if t >= t_now - self.cfg.touchdown_still_s]))
        near = level + self.cfg.touchdown_drop_ll / 2
        return next(t for t, h in since if h <= near)


def raised_low(cfg: StanceConfig, heights_ll: tuple[float, float]) -> bool:
    """A foot at ``heights_ll`` (image, world) above the other foot, against level feet, stands
    ``lift_on_ll`` up in the height the events use (world landmarks when there are any) and at
    least ``lift_off_ll`` up in the image: the candidate for :class:`LowStart`."""
    return event_height_ll(heights_ll) >= cfg.lift_on_ll and heights_ll[0] >= cfg.lift_off_ll


def rise_at_rest_ll(ref: Reference, side: Side) -> tuple[float, float]:
    """How far ``side``'s ankle stood above the other at the rest ``ref`` records (image, world)."""
    sign = 1.0 if side == "left" else -1.0
    return sign * ref.rise_px_ll, sign * ref.rise_w
