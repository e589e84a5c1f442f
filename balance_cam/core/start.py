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
  ``time_limit`` at ``limit_s`` if that came first). The detector goes on as after any
  touchdown (both feet's places taken where they stand, the next lift timed), and the trial's
  end is taken from the frames that follow (:meth:`LowStart.release`): once the foot has stood
  still for ``confirm_s`` and stopped coming down, or ``touchdown_step_s`` after the descent
  began, or when the next trial starts (no later than its start), the shot or the video ends.
  The end is the first frame from the descent's onset (where it first read ``lift_on_ll`` from
  where it stood) with its image height within half of ``touchdown_drop_ll`` of its lowest
  level since (:meth:`LowStart.arrived_s`, the rule of
  :meth:`~balance_cam.core.touchdown.Touchdown.arrived_s`); timed at the onset, a lowering of a
  few tenths of a second came that much early. A foot
  does not go below the floor; a staggered foot moved into line is lifted first, which times
  a lift as before. The price: a foot standing on a step, higher than the other from the first
  frame, then put down to the floor without being raised first reads as a hold from the start.
- **Untimed** (:meth:`LowStart.untimed`, :func:`untimed_warning`): a shot (or video) that ends
  with the candidate still standing (raised low at its rests, on at least half of the frames,
  never seen to come down or go up) gives no trial, and the result says so: a hold with the
  foot held low cut in and out, and a staggered stance under a camera tilted down, look the
  same in one camera's landmarks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.skeleton import SIDES, Side, other
from balance_cam.core.stance_features import Reference, StanceFeatures, event_height_ll, height_ll
from balance_cam.core.stops import StopReason, TrialSpan
from balance_cam.core.touchdown import coming_down


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
    on every frame, :meth:`came_down` when a lift of it is confirmed; the detector then ends the
    trial where the descent began and :meth:`hold` keeps it until :meth:`release` returns it with
    its end (:meth:`got_down`, :meth:`arrived_s`); :meth:`untimed` when a shot ends.
    The candidate is lost when a rest shows it under ``lift_off_ll`` (the lift's own
    hysteresis); its height is the median over the rests, since a rest follows a foot for the
    first frames it moves.
    """

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self.side: Side | None = None
        self.down_since: float | None = None  # the held trial's foot came down from here
        self.pending: TrialSpan | None = None  # the trial found, its end not yet taken (hold)
        self._raised: Side = "left"  # the held trial's raised foot, and the rest's body axis
        self._up_w = Reference().up_w
        self._rises: deque[tuple[float, float]] = deque(maxlen=1000)
        self._heights: deque[tuple[float, float]] = deque()  # t, image height against level feet
        self._first_t = self._last_t = 0.0  # the candidate's first and latest frame before a trial
        self._frames = self._rests = 0  # frames since the first, and how many of them were rests

    def begin(self, f: StanceFeatures, level: Reference) -> None:
        """First frame with a person: heights against level feet (``level``)."""
        self.side = next((s for s in SIDES if raised_low(self.cfg, height_ll(f, s, level))), None)
        self._first_t, self._last_t, self._frames, self._rests = f.t_s, f.t_s, 1, 0
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
            self._rests += 1

    def came_down(self, side: Side, f: StanceFeatures, rest: Reference) -> bool:
        """``side``'s foot, the candidate, came down by ``lift_on_ll`` from its median height at
        rest, in the image and in world landmarks, to within ``lift_on_ll`` of level."""
        if side != self.side or not self._rises:
            return False
        rise = self._median_rise()
        now = height_ll(f, side, Reference(up_w=rest.up_w))  # against level feet, the rest's body axis
        if not (np.isfinite(rise[1]) and np.isfinite(now[1])):  # one unit throughout: the image's
            rise, now = (rise[0], np.nan), (now[0], np.nan)
        down = min(rise[0] - now[0], event_height_ll(rise) - event_height_ll(now)) >= self.cfg.lift_on_ll
        return raised_low(self.cfg, rise) and down and abs(event_height_ll(now)) < self.cfg.lift_on_ll

    def _median_rise(self) -> tuple[float, float]:
        """The candidate's height at rest (image, world): medians over the rests (world: finite ones)."""
        rises = np.array(self._rises)
        finite_w = np.isfinite(rises[:, 1])
        rise_w = float(np.median(rises[finite_w, 1])) if finite_w.any() else np.nan
        return float(np.median(rises[:, 0])), rise_w

    def untimed(self) -> tuple[Side, float, float] | None:
        """The candidate still standing as the shot or the video ends, with no trial found since the
        first frame with the person: ``(side, first, latest frame's time)`` if its foot read raised
        low (:func:`raised_low`, on its height at rest) and was never seen to come down or go up,
        with both feet still (rests) on at least half of the frames and for ``min_hold_s`` (a
        person walking has few rests). A hold with the foot held low, cut in and cut out, and feet
        staggered in depth under a camera tilted down look the same in one camera's landmarks, so
        nothing is timed; the caller warns (:class:`~balance_cam.core.analyzer.Analyzer`)."""
        if self.side is None or not self._rises:
            return None
        rested = self._rests / self._frames  # the share of frames at rest; about rested * span seconds
        if rested < 0.5 or rested * (self._last_t - self._first_t) < self.cfg.min_hold_s:
            return None
        return (self.side, self._first_t, self._last_t) if raised_low(self.cfg, self._median_rise()) else None

    def record(self, f: StanceFeatures, rest: Reference) -> None:
        """Every frame: the image height against level feet (the rest's body axis) of the
        candidate (the last ``touchdown_step_s`` kept) or, while a trial is held (:meth:`hold`),
        of its raised foot (from ``touchdown_confirm_s`` before its descent on)."""
        side = self._raised if self.pending is not None else self.side
        if side is None or not f.both_seen:
            return
        h = height_ll(f, side, Reference(up_w=rest.up_w if self.pending is None else self._up_w))[0]
        if self.pending is None:
            self._last_t, self._frames = f.t_s, self._frames + 1
        if np.isfinite(h):
            self._heights.append((f.t_s, h))
        since = self.down_since
        keep = f.t_s - self.cfg.touchdown_step_s if since is None else since - self.cfg.touchdown_confirm_s
        while self._heights and self._heights[0][0] < keep:
            self._heights.popleft()

    def hold(self, span: TrialSpan | None, up_w: np.ndarray) -> None:
        """The trial :meth:`came_down` found (``span``, ended where the descent began, ``up_w``
        the rest's body axis): its end is taken from the frames that follow (:meth:`release`)."""
        self.pending, self.side = span, None
        if span is not None:
            self.down_since, self._raised, self._up_w = span.end_s, other(span.stance), up_w

    def release(self, t_s: float, still_s: float, next_start_s: float | None, force: bool = False
                ) -> TrialSpan | None:  # fmt: skip
        """The held trial, ended where its foot got down (:meth:`arrived_s`), once the foot is
        down (:meth:`got_down`; ``still_s``: how long it has stood still), ``touchdown_step_s``
        after the descent began, when the next trial starts (``next_start_s``: no later than
        that) or when the shot or the video ends (``force``); ``time_limit`` at ``limit_s``."""
        span, since = self.pending, self.down_since
        if span is None or since is None:
            return None
        waited = t_s - since >= self.cfg.touchdown_step_s
        if not (force or waited or next_start_s is not None or self.got_down(still_s)):
            return None
        end_s = min(self.arrived_s(), next_start_s if next_start_s is not None else np.inf)
        limit_s = span.start_s + self.cfg.limit_s
        self.pending = self.down_since = None
        self._heights.clear()
        reason: StopReason = "touchdown" if end_s < limit_s else "time_limit"
        return replace(span, end_s=max(span.start_s, min(end_s, limit_s)), stop_reason=reason)

    def got_down(self, still_s: float) -> bool:
        """The foot that came down is down: still for ``confirm_s`` (``still_s``) and no longer
        coming down, as :class:`~balance_cam.core.touchdown.Touchdown` judges it
        (:func:`~balance_cam.core.touchdown.coming_down` over the last ``touchdown_confirm_s``) but
        in the image height alone; too few frames to tell counts as not coming down.
        A foot lowered slower than ``still_ll_s`` reads still on the way down."""
        if still_s < self.cfg.confirm_s:
            return False
        if not self._heights:
            return True
        t_now, span = self._heights[-1][0], self.cfg.touchdown_confirm_s
        window = [(t, h) for t, h in self._heights if t >= t_now - span]
        return not coming_down(window, t_now - span / 2, self.cfg.touchdown_drop_ll)  # None: down

    def arrived_s(self) -> float:
        """Where the foot that came down got down: the first frame from :attr:`down_since` on with
        its image height within half of ``touchdown_drop_ll`` of its level, the lowest of its
        medians over ``touchdown_still_s`` since (the rule of
        :meth:`~balance_cam.core.touchdown.Touchdown.arrived_s`; the lowest, so that a foot that
        touched and rose again is timed at the touch)."""
        assert self.down_since is not None
        since = [(t, h) for t, h in self._heights if t >= self.down_since]
        if not since:
            return self.down_since
        w = self.cfg.touchdown_still_s
        level = min(float(np.median([h for t2, h in since if t - w <= t2 <= t])) for t, _ in since)
        return next((t for t, h in since if h <= level + self.cfg.touchdown_drop_ll / 2), self.down_since)


def raised_low(cfg: StanceConfig, heights_ll: tuple[float, float]) -> bool:
    """A foot at ``heights_ll`` (image, world) above the other foot, against level feet, stands
    ``lift_on_ll`` up in the height the events use (world landmarks when there are any) and at
    least ``lift_off_ll`` up in the image: the candidate for :class:`LowStart`."""
    return event_height_ll(heights_ll) >= cfg.lift_on_ll and heights_ll[0] >= cfg.lift_off_ll


def rise_at_rest_ll(ref: Reference, side: Side) -> tuple[float, float]:
    """How far ``side``'s ankle stood above the other at the rest ``ref`` records (image, world)."""
    sign = 1.0 if side == "left" else -1.0
    return sign * ref.rise_px_ll, sign * ref.rise_w


def untimed_warning(side: Side, first_s: float, last_s: float, shot: int | None) -> str:
    """The result's warning for :meth:`LowStart.untimed` (``shot``: its number, None if not edited)."""
    span = f"{first_s:.1f}-{last_s:.1f} s"
    where = f"shot {shot} ({span})" if shot is not None else span
    return (f"{where}: the {side} foot read slightly raised from the first frame with the person to the "
            "last and was never seen to come down or go up, so nothing was timed. A hold with the foot "
            "held low and feet staggered in depth (camera tilted down) read the same: film the lift and "
            "the touchdown.")  # fmt: skip
