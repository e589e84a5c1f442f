"""Evidence of a touchdown during a trial (:mod:`balance_cam.core.stance`), one class per kind,
each defining its evidence: the raised foot seen down and still (:class:`Touchdown`, which also
keeps a brief touch for a step that follows); seen to come down a long way and stand still
with the weight moved onto it (:class:`Landing`); seen standing level with the stance foot, as
at rest, for a second (:class:`Level`: a foot slid or stepped on the floor, never lifted); and,
while it is hidden, the weight shift a touchdown causes (:class:`WeightShift`). Online, one
frame at a time, in leg lengths and seconds.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.feet import Debounce
from balance_cam.core.stance_features import event_height_ll


class Touchdown:
    """The raised foot seen down, and standing still for ``touchdown_still_s``.

    *Down* is either of:

    - **come down**: below ``touchdown_height_ll`` above the stance foot, at least
      ``touchdown_drop_ll`` below the median of its own heights over the last
      ``touchdown_window_s`` before it went below, and moved in the picture by
      ``touchdown_moved_frac`` of that drop from where it stood highest in that window (a leg
      held out sideways, motionless, whose world height drifts down has not come down). These
      are taken on the first frame below and kept until the foot is clearly raised again, at
      ``lift_on_ll`` for ``confirm_s`` (one frame of a set-down foot reading up is jitter; a
      dip with no heights before it, on the first frame the foot is seen in the trial, is not
      down by this rule and is forgotten when the foot is back above the threshold). A foot
      held a few centimetres up beside the stance ankle for the whole hold (the clinical
      posture) reads below the
      threshold in world landmarks now and then but never comes down from anywhere, so it is
      not down; a foot set down from any height above ``touchdown_height_ll +
      touchdown_drop_ll`` is, however slowly. Once it has been down by this rule for
      ``confirm_s``, the foot stays down up to ``touchdown_height_ll + touchdown_drop_ll``
      (hysteresis: world landmarks of a foot set down jitter by a few centimetres around the
      threshold) while both its world and its image height are ``touchdown_drop_ll`` below
      where it came down from; one frame outside the band does not let go, two do (one low
      frame of a foot held at 7 cm does not start the band, and a leg held out sideways,
      still in the picture, whose world height drifts down, is not held down by it);
    - **back where it stood**: within ``lift_off_ll`` of its rest position before the lift (the
      caller passes ``at_rest``; only when the lift was seen), which also catches a low foot
      set down where the world height misreads it as up.

    Down must hold frame after frame for ``touchdown_confirm_s`` (one frame reading otherwise
    does not break the run: a foot set down reads around the threshold; two do).
    :attr:`since`, the event time, is when the foot stopped, as seen on the run's first frame
    with the foot still (a frame of the run reading just above counts: the run is what says
    "down"), so a confirmed touchdown always has its time. A stillness that began more than
    ``speed_window_s + touchdown_confirm_s`` before the run and is then broken by the foot moving
    during it was a hover, not the stop (a raised foot held motionless for the whole hold, whose
    first frame of coming down already reads below): the time is taken again when the foot next
    stands still. A touchdown is confirmed only once the foot has stopped coming down (over the
    last ``touchdown_confirm_s``, the newer half's median heights, event and image, not both
    more than half of ``touchdown_drop_ll`` below the older half's); a foot whose still spell
    began before it was down (lowered more slowly than ``still_ll_s``, which reads still all
    the way down, or the slow end of an ordinary lowering) is timed where its image height got
    within half of ``touchdown_drop_ll`` of where it stands when the time is taken
    (:meth:`arrived_s`; the end of a lowering slower than about 0.13 leg lengths/s is confirmed,
    and timed, before the foot is quite down). Heights are the raised foot's above the stance
    foot, so a stance ankle rising just after a set-down (a heel lift) reads as the foot still
    coming down and can time the touchdown later (up to 0.3-0.4 s on synthetic numbers; no
    corpus touchdown moved)."""

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self._run = Debounce(cfg.touchdown_confirm_s)
        self._misses = 0
        self._heights: deque[tuple[float, float, float, float, float]] = deque()  # t, heights, x, y
        self._before: np.ndarray | None = None  # median heights it came down from, where it stood highest
        self._below = Debounce(cfg.confirm_s)  # come down below the threshold, for how long
        self._up = Debounce(cfg.confirm_s)  # clearly raised again, for how long
        self._held = False  # down long enough for the band above the threshold to hold it
        self._out = 0  # frames in a row neither below nor in the band
        self.since: float | None = None
        self.brief_since: float | None = None

    def _is_down(self, t_s: float, h: float, h_px: float, pos_px: np.ndarray, length_px: float,
                 at_rest: bool) -> bool:  # fmt: skip
        """Record this frame's height of the raised foot (:func:`event_height_ll`; NaN: not seen),
        its image height and image position, and say whether it is down by either rule above."""
        if not np.isfinite(h):
            return at_rest
        c = self.cfg
        unknown = self._before is not None and np.isnan(self._before[0])
        if self._up.update(t_s, h >= c.lift_on_ll) or (unknown and h >= c.touchdown_height_ll):
            self._before = None  # clearly raised again, or up from a dip with nothing before it
        elif h < c.touchdown_height_ll and self._before is None:  # just went below: what it came down from
            self._before = np.full(4, np.nan)
            if self._heights:
                hist = np.array([v for _, *v in self._heights])
                highest = hist[np.nanargmax(hist[:, 0]), 2:] if np.isfinite(hist[:, 0]).any() else np.nan
                self._before = np.r_[np.median(hist[:, :2], axis=0), highest]
        self._heights.append((t_s, h, h_px, float(pos_px[0]), float(pos_px[1])))
        while self._heights[0][0] < t_s - c.touchdown_window_s:
            self._heights.popleft()
        drop = drop_px = moved = -np.inf
        if self._before is not None:
            drop, drop_px = self._before[:2] - (h, h_px)
            moved = float(np.linalg.norm(pos_px - self._before[2:])) / length_px
            moved = moved if np.isfinite(moved) else np.inf  # position unknown: the heights decide
        below = bool(h < c.touchdown_height_ll and drop >= c.touchdown_drop_ll
                     and moved >= c.touchdown_moved_frac * drop)  # fmt: skip
        in_band = (self._held and h < c.touchdown_height_ll + c.touchdown_drop_ll
                   and drop >= c.touchdown_drop_ll and drop_px >= c.touchdown_drop_ll)  # fmt: skip
        self._out = 0 if below or in_band else self._out + 1  # one frame out does not let go
        self._held = (self._held or self._below.update(t_s, below)) and self._out < 2
        return below or in_band or at_rest

    def update(self, t_s: float, heights_ll: tuple[float, float] | None, still_since: float | None,
               at_rest: bool = False, pos_px: np.ndarray | None = None,
               length_px: float = float("nan")) -> bool:  # fmt: skip
        """Feed one frame: the raised foot's heights above the stance foot (image, world:
        :func:`~balance_cam.core.stance_features.height_ll`, leg lengths; None when not seen),
        since when it is still (None: moving or not seen), and whether it is back at its rest
        position; ``pos_px``: its image position and ``length_px`` the leg length, both in
        pixels (None or NaN: unknown, taken as moved). True once the touchdown is confirmed."""
        h, h_px = (np.nan, np.nan) if heights_ll is None else (event_height_ll(heights_ll), heights_ll[0])
        pos = np.full(2, np.nan) if pos_px is None else np.asarray(pos_px, dtype=np.float64)
        on_floor = self._is_down(t_s, h, h_px, pos, length_px, at_rest)
        raised = bool(h >= self.cfg.lift_on_ll)
        self._misses = 0 if on_floor else self._misses + 1
        run = self._run.update(t_s, on_floor or (self._run.since is not None and self._misses < 2))
        c, run_s = self.cfg, self._run.since
        hovered = self.since is not None and run_s is not None and \
            self.since < run_s - c.speed_window_s - c.touchdown_confirm_s
        if hovered and heights_ll is not None and still_since is None:
            self.since = self.brief_since = None  # still since before it read down, now moving: a hover
        elif run_s is None:
            self.since = None
        elif self.since is None and still_since is not None:  # also on a tolerated miss
            self.since = still_since
        still = still_since is not None and t_s - still_since >= self.cfg.touchdown_still_s - 1e-9
        if self.since is not None and still:
            self.brief_since = self.since
        elif raised:
            self.brief_since = None
        return run and still and not self._descending()

    def _both_heights(self, from_s: float) -> list[tuple[float, float, float]]:
        """(time, event height, image height) of the frames from ``from_s`` on (the event
        height is the world one when given, else the image one: :func:`event_height_ll`)."""
        return [(t, h, hp) for t, h, hp, *_ in self._heights if t >= from_s - 1e-9 and np.isfinite(hp)]

    def _level_ll(self) -> np.ndarray:
        """The foot's (event, image) heights now: medians over the last ``touchdown_still_s``."""
        recent = self._both_heights(self._heights[-1][0] - self.cfg.touchdown_still_s)
        return np.median([v[1:] for v in recent], axis=0) if recent else np.full(2, np.nan)

    def _lowered_still(self, since: float, level: np.ndarray) -> bool:
        """The foot came down while reading still: the medians of its first three heights from
        ``since`` on are at least ``touchdown_drop_ll`` above its ``level`` now
        (:meth:`_level_ll`), in the event height
        (world landmarks when given; else both checks are the image's) *and* in the image: the
        still spell began before the foot was down. Either alone also moves after real
        touchdowns: the world height of a set-down foot lags the picture by up to 0.16 leg
        lengths, and the image height, relative to the stance foot, moves with a stance foot
        that steps. A foot whose heights have not come down since keeps its time."""
        first = self._both_heights(since)[:3]
        if not first:
            return False
        came = np.median([v[1:] for v in first], axis=0) - level
        return bool((came >= self.cfg.touchdown_drop_ll).all())

    def _descending(self) -> bool:
        """Still coming down: over the last ``touchdown_confirm_s`` (at least three frames) the
        median heights of the newer half are more than half of ``touchdown_drop_ll`` below the
        older half's, in the event height and in the image. It sees a foot coming down faster
        than about ``touchdown_drop_ll`` per ``touchdown_confirm_s`` (0.13 leg lengths/s); a
        slower end of a lowering is taken as arrived."""
        c = self.cfg
        if not self._heights:
            return False
        t_now = self._heights[-1][0]
        window = self._both_heights(t_now - c.touchdown_confirm_s)
        return bool(coming_down(window, t_now - c.touchdown_confirm_s / 2, c.touchdown_drop_ll))

    def _arrived_from(self, since: float) -> float:
        """``since``, or, for a foot that came down while reading still (a foot lowered more
        slowly than ``still_ll_s`` reads still all the way down, so ``since`` can be when the
        lowering began, or when it was last held still in the air), the first frame from then
        on with its image height within half of ``touchdown_drop_ll`` of its level now."""
        if not self._heights:
            return since
        level = self._level_ll()
        if not self._lowered_still(since, level):
            return since
        near = float(level[1]) + self.cfg.touchdown_drop_ll / 2
        return next((t for t, _, hp in self._both_heights(since) if hp <= near), since)

    def arrived_s(self) -> float | None:
        """The touchdown's time: :attr:`since`, or where the foot got down if it came down while
        reading still (:meth:`_arrived_from`)."""
        return None if self.since is None else self._arrived_from(self.since)

    def before_step(self, step_s: float | None) -> float | None:
        """When the stance foot started moving at ``step_s``: the time the raised foot was seen
        down and still (however briefly; where it got down, as :meth:`arrived_s`, unless that is
        after ``step_s``: then when its stillness began) within ``touchdown_step_s`` before,
        without being clearly raised since (a touchdown, then a step), else None."""
        if self.brief_since is None or step_s is None:
            return None
        b = self._arrived_from(self.brief_since)
        b = b if b <= step_s else self.brief_since  # still coming down when the step began
        return b if 0.0 <= step_s - b <= self.cfg.touchdown_step_s else None

    def reset(self) -> None:
        self._run.reset()
        self._heights.clear()
        self._before = None
        self._below.reset()
        self._up.reset()
        self._held = False
        self._out = 0
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
        old = [v for t, v in self._offsets if t <= t_s - c.weight_shift_s] if hidden else []
        self._offsets.append((t_s, offset))
        while self._offsets and self._offsets[0][0] < t_s - c.weight_shift_window_s:
            self._offsets.popleft()
        threshold = max(c.weight_shift_ll, c.weight_shift_frac * self._apart_ll)
        moved = len(old) > 0 and offset - float(np.median(old)) >= threshold  # only while hidden
        return self.debounce.update(t_s, moved)

    def shift_ll(self, offset_ll: float) -> float:
        """How far ``offset_ll`` lies towards the raised side from the median offset so far (NaN: none)."""
        if not self._offsets:
            return float("nan")
        return self._sign * offset_ll - float(np.median([v for _, v in self._offsets]))


class Landing:
    """The raised foot seen to come down a long way and stand there, with the weight moved onto it.

    The raised foot standing still for ``landing_still_s``, where (medians over its last
    ``landing_still_s`` against its medians over the trial's frames before it stopped, at most
    ``touchdown_window_s + landing_still_s`` of them, leaving out the last ``speed_window_s``)
    its image height above the stance foot has dropped by ``landing_drop_ll`` and stays level
    (10th to 90th percentile within half of it), its world height has dropped as much when
    world landmarks are given (without them the image decides), and the pelvis
    has moved ``landing_shift_ll`` towards the side where the foot now stands. This is the double
    stance seen after a real touchdown by a camera behind or above the person: the world
    landmarks and the image put a set-down foot 0.05-0.15 and 0.2-0.4 leg lengths "up", so
    :class:`Touchdown` does not find it, but the pelvis, over the stance ankle through a
    single-leg hold, moves a quarter of a leg length towards the foot that took the weight.
    :attr:`since`: the first still frame with the foot already within half of
    ``landing_drop_ll`` of where it now stands (a foot lowered more slowly than ``still_ll_s``
    counts as still all the way down: the landing is when it got there, not when it began).
    """

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self._frames: deque[tuple[float, ...]] = deque()  # t, image and world height, pelvis, raised x
        self._before: tuple[float | None, np.ndarray] = (None, np.full(3, np.nan))  # still since, medians
        self.since: float | None = None

    def update(self, t_s: float, heights_ll: tuple[float, float] | None, still_since: float | None,
               pelvis_ll: float, raised_ll: float) -> bool:  # fmt: skip
        """Feed one frame: the raised foot's (image, world) heights above the stance foot (None:
        not seen), since when it is still, and the pelvis's and the raised ankle's image x minus
        the stance ankle's (leg lengths). True once a landing is seen (:attr:`since` set)."""
        c = self.cfg
        if heights_ll is None or not np.isfinite(pelvis_ll):
            return False
        self._frames.append((t_s, *heights_ll, pelvis_ll, raised_ll))
        while self._frames[0][0] < t_s - c.touchdown_window_s - 2 * c.landing_still_s:
            self._frames.popleft()
        if still_since is None or t_s - still_since < c.landing_still_s - 1e-9:
            return False
        if self._before[0] != still_since:  # once per still spell
            v = np.array([f for f in self._frames if f[0] < still_since - c.speed_window_s])
            ok = len(v) >= 3 and v[0, 0] <= still_since - c.landing_still_s
            medians = np.array([_median(v[:, k]) for k in (1, 2, 3)]) if ok else np.full(3, np.nan)
            self._before = (still_since, medians)
        before = self._before[1]
        if np.isnan(before[0]):  # nothing before the stop to have come down from
            return False
        recent = list(itertools.takewhile(lambda f: f[0] >= t_s - c.landing_still_s, reversed(self._frames)))
        now = np.array(recent)
        drop = [before[k - 1] - _median(now[:, k]) for k in (1, 2)]  # NaN world: not given
        side = 1.0 if _median(now[:, 4]) >= 0 else -1.0
        shift = side * (_median(now[:, 3]) - before[2])
        dropped = drop[0] >= c.landing_drop_ll and not drop[1] < c.landing_drop_ll
        img = now[np.isfinite(now[:, 1]), 1]
        spread = float(np.percentile(img, 90) - np.percentile(img, 10)) if img.size else np.inf
        level = spread <= c.landing_drop_ll / 2
        if dropped and level and shift >= c.landing_shift_ll:
            near = _median(now[:, 1]) + c.landing_drop_ll / 2  # the foot already (about) where it stands
            self.since = next(f[0] for f in self._frames if f[0] >= still_since and f[1] <= near)
        return self.since is not None

    def reset(self) -> None:
        self._frames.clear()
        self._before = (None, np.full(3, np.nan))
        self.since = None


class Level:
    """The raised foot seen standing where a foot at rest stands: still, with its image height
    and (when given) its world height above the stance foot both within ``lift_off_ll`` of the
    double stance seen before the lift (the heights are against it), frame after frame for
    ``level_s``. This is a foot slid or stepped to a new place on the floor (adjusting the feet
    before a test), which the lift's rule, a displacement in any direction, takes for a lift:
    it never came down from anywhere, so :class:`Touchdown` and :class:`Landing` do not end that
    trial. :attr:`since`: the first frame of the run (still and level). :attr:`lifted`: since the
    trial began the foot was hidden, or read ``lift_on_ll`` up, or stood outside the level band
    (``lift_off_ll``, image or world, either way) for ``min_hold_s``; if not, it never left the
    floor for longer than a step and the caller drops the trial. A foot held low
    is not level in the image (held beside the ankle it is ~0.08 leg lengths up from the front, and
    in front of the stance foot from above), so world landmarks reading it on the floor do not end
    its hold."""

    def __init__(self, cfg: StanceConfig) -> None:
        self.cfg = cfg
        self._run = Debounce(cfg.level_s)
        self.since: float | None = None
        self.lifted = False
        self._off = Debounce(cfg.min_hold_s)  # outside the level band, for how long

    def update(self, t_s: float, heights_ll: tuple[float, float] | None, still_since: float | None) -> bool:
        """Feed one frame: the raised foot's (image, world) heights (None: not seen) and since when
        it is still. True once it has stood level for ``level_s`` (:attr:`since` set)."""
        level, off, on = False, self.cfg.lift_off_ll, self.cfg.lift_on_ll
        size = None if heights_ll is None else max(abs(heights_ll[0]), abs(np.nan_to_num(heights_ll[1])))
        up = size is None or size >= on or self._off.update(t_s, size >= off)  # hidden: it may be up
        self.lifted = self.lifted or up
        if size is not None and still_since is not None:
            level = size < off  # NaN world: the image alone
        if self._run.update(t_s, level):
            self.since = self._run.since
        return self.since is not None

    def reset(self) -> None:
        self._run.reset()
        self._off.reset()
        self.since, self.lifted = None, False


def coming_down(window: Sequence[tuple[float, ...]], mid_s: float, drop_ll: float) -> bool | None:
    """Still coming down, over ``window`` (rows of time and heights, the last
    ``touchdown_confirm_s``): the median heights of its newer half (from ``mid_s``) are more than
    half of ``drop_ll`` below the older half's, in every height. None: too few frames to tell
    (under three, or a half empty). Read by :class:`Touchdown` and
    :meth:`balance_cam.core.start.LowStart.got_down`."""
    older = [v[1:] for v in window if v[0] < mid_s]
    newer = [v[1:] for v in window if v[0] >= mid_s]
    if len(window) < 3 or not older or not newer:
        return None
    return bool((np.median(older, axis=0) - np.median(newer, axis=0) > drop_ll / 2).all())


def _median(x: np.ndarray) -> float:
    """Median of the finite values (NaN if none)."""
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")
