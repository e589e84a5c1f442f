"""Single-leg stance detection: an online state machine fed one frame at a time.

The same :class:`StanceDetector` runs in ``analyze``, ``batch`` and ``live``, so all three find
the same trials. It follows the clinical unipedal stance test (e.g. Springer et al. 2007):
timing starts when one foot leaves the floor and stops when the raised foot touches down,
the stance foot moves, the person is lost, or the time limit is reached.

Everything is scale-free: image distances are divided by the leg length ``L`` (hip→knee→ankle
in pixels, running median), world distances by the same length in world landmarks; speeds are
in leg lengths per second; durations in seconds. Positions are used as MediaPipe gives them
(``euro_min_cutoff_hz`` says why).

Per foot: a rest position, a speed and a still time (:class:`~balance_cam.core.feet.FootTracker`).
A foot's *height* above the other foot is measured relative to the double-stance
configuration seen before the lift (so a staggered stance or an oblique camera gives no
offset): in MediaPipe world landmarks along the body axis seen at rest (hip midpoint minus
ankle midpoint), which does not depend on the camera's viewpoint, or in the image (vertical,
``y`` down) when world landmarks are missing. A foot is *clearly raised* at ``lift_on_ll``.

Landmarks have roles, each with its own visibility rule (:mod:`balance_cam.core.stance_features`):
before a trial the pelvis (both hips) and *both* ankles must be seen (visibility ≥
``min_visibility``); during a trial only the pelvis and the *stance* ankle must be. A raised
foot that is hidden or rated low (against the thigh in tree pose, behind the stance leg) never
ends a trial. Positions are in the camera-stabilised image when the caller gives the camera's
motion (:class:`balance_cam.core.analyzer.Analyzer`), so a planted foot that moves with the
background has not moved.

Events (hysteresis and debouncing; every event time is back-dated to its onset):

- **lift** (both ankles and the pelvis seen): one foot leaves its rest position (displacement ≥
  ``lift_on_ll``, in any direction: an oblique camera may see a raised foot move sideways more
  than up) while the other stays where it stood (moved less than ``stance_move_ll`` and less
  than half as far), with the pelvis above it (``upright_min_ll``), for ``confirm_s``; the trial
  starts when the displacement first exceeded ``lift_off_ll``.
- **touchdown** needs evidence (:mod:`balance_cam.core.touchdown`, which defines each): the
  raised foot *seen* (visibility ≥ ``min_visibility``) down and still (:class:`Touchdown`);
  seen down and still more briefly, then the stance foot moving within ``touchdown_step_s``
  (a touch, then a step); seen to come down a long way and stand still with the pelvis moved
  towards it (:class:`Landing`); standing level, as at rest, for ``level_s`` (:class:`Level`:
  slid on the floor); or, while it is hidden, the pelvis moving towards the raised side
  (:class:`WeightShift`). The trial ends when the foot got down (or when the shift began).
- **stance foot moved** (stance ankle seen): the stance ankle stays ``stance_move_ll`` from where it
  stood (twice that in the ``stance_settle_s`` after an observed lift: ``feet.settled_at``) for
  ``stance_move_confirm_s``: any end found then is this step; alone, it ends at ``stance_move_alone_s``.
- **lost tracking**: the pelvis or the *stance* ankle (not a hidden raised foot) not seen for more
  than ``grace_s`` in a trial, unless, up to ``bridge_s``, the first frame back shows the hold going
  on (:mod:`balance_cam.core.gaps`); the trial ends at the last frame they were seen (a fade to
  black or the person walking out: at the last frame with the person).
- **end of shot**: the video cuts to another shot (:meth:`StanceDetector.new_shot`); the trial
  ends at its last tracked frame and nothing (rest positions, reference, leg length) carries
  over into the new shot.
- **time limit** (``limit_s`` after the start, whatever is seen; 20 s under ``--protocol bess-single``)
  and **end of video**.
- **hands off hips** (only with ``--hands-on-hips``, unipedal test): a hand off its hip for 0.2 s
  (wrist over 0.40 leg lengths from it, or elbow straighter than 150°) ends the trial at the onset,
  applied when it is measured (:func:`balance_cam.core.quality.hands_on_hips_stop`). Otherwise arm
  movement never ends a trial.

A trial already under way in the first frames with a person starts provisionally, or (a foot held
low) is found when that foot comes down, with its lift not observed (``lift_observed = False``;
:mod:`balance_cam.core.start` gives the rules).
Single-leg phases shorter than ``min_hold_s`` (walking steps) are dropped.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from balance_cam.core import feet
from balance_cam.core.config import StanceConfig
from balance_cam.core.feet import Debounce, FootTracker, StanceStep
from balance_cam.core.gaps import holds_through_gap
from balance_cam.core.skeleton import SIDES, Side, other
from balance_cam.core.stance_features import (
    ANKLES,
    FeatureTracker,
    Reference,
    RestAxis,
    StanceFeatures,
    foot_height_ll,
    height_ll,
    reference_at,
)
from balance_cam.core.start import LowStart, misread_start, raised_at_start
from balance_cam.core.stops import StopReason, TrialSpan
from balance_cam.core.touchdown import Landing, Level, Touchdown, WeightShift

State = Literal["no_person", "ready", "holding", "wait_foot_down"]


class StanceDetector:
    """Online detector: call :meth:`update` for every frame, :meth:`finish` at the end.

    ``update`` returns a :class:`TrialSpan` on the frame where a trial is confirmed to have
    ended (its ``end_s`` may be earlier: events are back-dated to their onset; one found when a
    low foot came down, :class:`~balance_cam.core.start.LowStart`, can come as the next begins).
    """

    def __init__(self, config: StanceConfig | None = None) -> None:
        self.cfg = c = config or StanceConfig()
        self.state: State = "no_person"
        self.stance: Side | None = None
        self.start_s: float | None = None
        self.lift_observed = True
        self.last_features: StanceFeatures | None = None
        self._tracker = FeatureTracker(c)
        self._feet = {s: FootTracker(c.speed_window_s, c.still_ll_s) for s in SIDES}
        self._ref = Reference()
        self._rest_axis = RestAxis(c.rest_window_s)
        self._lift = {s: Debounce(c.confirm_s) for s in SIDES}
        self._touch, self._landing, self._level = Touchdown(c), Landing(c), Level(c)
        self._last_ankles_px: list[np.ndarray] | None = None
        self._moved, self._leaving = StanceStep(c), Debounce(c.confirm_s)  # the stance foot's step; leaving
        self._shift, self._start_lifted, self._lost_s = WeightShift(c), Debounce(c.confirm_s), 0.0
        self._stance_ref: np.ndarray | None = None
        self._settled = True  # the stance foot's place taken again after the lift (stance_settle_s)
        self._raised_ref: np.ndarray | None = None
        self._raised_rest: np.ndarray | None = None
        self._start_ref = Reference()
        self._shift_onset: float | None = None  # when the stance foot began to leave
        self._last_rest_t: float | None = None
        self._first_valid_t: float | None = None
        self._last_valid_t: float | None = None
        self._lost_since: float | None = None
        self._over = False  # past limit_s: the trial is reported and its end watched for, silently
        self.low = LowStart(c)  # a foot raised low since the first frame; the caller reads .untimed()

    def update(
        self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None,
        world: np.ndarray | None = None,
    ) -> TrialSpan | None:  # fmt: skip
        """Feed one frame: pixels (33, 2), visibility (33,), world landmarks (33, 3) or None."""
        out = self._step(t_s, px, vis, world)
        return out if out is not None or self.low.pending is None else self._release(t_s)

    def _release(self, t_s: float, force: bool = False) -> TrialSpan | None:
        """The trial :class:`~balance_cam.core.start.LowStart` holds, once its end is known."""
        assert self.low.pending is not None
        still_s = self._feet[other(self.low.pending.stance)].still_for(t_s)
        return self.low.release(t_s, still_s, self.start_s if self.state == "holding" else None, force)

    def _step(self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None,
              world: np.ndarray | None) -> TrialSpan | None:  # fmt: skip
        self.last_features = f = self._tracker(t_s, px, vis, world)  # scale-free signals
        self.low.record(f, self._ref)
        holding = self.state == "holding" or self._over
        tracked = f.sees(self.stance) if holding and self.stance else f.both_seen
        if tracked and holding and f.both_seen and f.ankle_px is not None:
            # against the last frame seen, used or not (a 2-frame glitch must not become the yardstick)
            last, self._last_ankles_px = self._last_ankles_px, [p.copy() for p in f.ankle_px]
            move = self.cfg.stance_move_ll
            tracked = last is None or not feet.both_jumped(f.ankle_px, last, f.leg_length_px, move)
        else:
            self._last_ankles_px = None
        if not tracked:
            return self._on_invalid(t_s)
        assert f.ankle_px is not None
        self._first_valid_t = t_s if self._first_valid_t is None else self._first_valid_t
        before_gap, lost_s = self._last_valid_t, self._lost_s
        self._lost_since, self._last_valid_t, self._lost_s = None, t_s, 0.0
        for side, pos in zip(SIDES, f.ankle_px, strict=True):
            if f.sees(side):
                self._feet[side].update(t_s, pos, f.leg_length_px)
            else:  # a hidden raised foot: its speed and stillness start afresh when it reappears
                self._feet[side].forget()
        if holding:
            if lost_s > self.cfg.grace_s and before_gap is not None and not self._held_through(f):
                return self._end(before_gap, "lost_tracking")
            return self._check_holding(f)
        if self.state == "no_person":
            return self._check_start(f)
        if self.state == "wait_foot_down":
            self._check_feet_down(f)
            return None
        return self._check_lift(f)

    def _update_rest(self, f: StanceFeatures) -> None:
        """While both feet stand still, they define rest positions (follow, reset or keep:
        :func:`~balance_cam.core.feet.follow_rest`) and the reference."""
        c, pair = self.cfg, list(self._feet.values())
        if feet.follow_rest(pair, f.t_s, self._last_rest_t, c.confirm_s, c.resettle_s, c.lift_off_ll,
                            c.rest_tau_s):  # fmt: skip
            self._last_rest_t = f.t_s
            self._ref = reference_at(f, self._rest_axis.update(f.t_s, f.body_axis_w, self._ref.up_w))
            self.low.at_rest(self._ref)

    def _check_start(self, f: StanceFeatures) -> TrialSpan | None:
        """First frames with a person: ready, or already on one leg (lift not observed)."""
        assert self._first_valid_t is not None
        raised = next((s for s in SIDES if raised_at_start(self.cfg, height_ll(f, s, self._ref))), None)
        if self._start_lifted.update(f.t_s, raised is not None, since=self._first_valid_t):
            assert raised is not None
            self._start_trial(f, other(raised), self._first_valid_t, lift_observed=False)
            up = self._ref.up_w if f.body_axis_w is None else f.body_axis_w
            self._start_ref = reference_at(f, up)  # the double stance, if the start is misread
        elif raised is None:
            self._start_lifted.reset()
            self._enter_ready(f)
            self.low.begin(f, self._ref)
        return None

    def _enter_ready(self, f: StanceFeatures) -> None:
        self.state, self.low.side = "ready", None
        self._ref = Reference()
        self._rest_axis.clear()
        self._last_rest_t = None
        for foot in self._feet.values():
            foot.rest, foot.moved_since = foot.pos.copy(), None
        for d in self._lift.values():
            d.reset()

    def _check_feet_down(self, f: StanceFeatures) -> None:
        raised = any(foot_height_ll(f, s, self._ref) >= self.cfg.lift_on_ll for s in SIDES)
        if not raised and feet.all_still(list(self._feet.values()), f.t_s, self.cfg.confirm_s):
            self._enter_ready(f)

    def _check_lift(self, f: StanceFeatures) -> TrialSpan | None:
        c = self.cfg
        self._update_rest(f)
        for side in SIDES:
            lifted = feet.lifting(self._feet[side], self._feet[other(side)], f.t_s, c.lift_on_ll,
                                  c.lift_off_ll, c.stance_move_ll, c.confirm_s)  # fmt: skip
            upright = f.pelvis_height_ll[SIDES.index(other(side))] >= c.upright_min_ll
            if not self._lift[side].update(f.t_s, lifted and upright):
                continue
            if self.low.came_down(side, f, self._ref):  # raised all along: held until it got down
                self.state, self.stance, self.start_s = "holding", other(side), self._first_valid_t
                self.lift_observed, self._ref = False, reference_at(f, self._ref.up_w)  # both feet down now
                self.low.hold(self._end(self._lift[side].since or f.t_s, "touchdown"), self._ref.up_w)
            else:
                self._start_trial(f, other(side), self._feet[side].moved_since or f.t_s, lift_observed=True)
            return None
        return None

    def _start_trial(self, f: StanceFeatures, stance: Side, start_s: float, lift_observed: bool) -> None:
        self.state, self.stance, self.start_s, self._over = "holding", stance, start_s, False
        self.lift_observed, self.low.side = lift_observed, None  # no untimed hold before a trial
        rest = self._feet[stance].rest
        self._stance_ref = (rest if rest is not None else self._feet[stance].pos).copy()
        self._settled = not lift_observed  # stance_settle_s: no weight comes on after an unseen lift
        self._raised_ref = self._feet[other(stance)].pos.copy()
        raised_rest = self._feet[other(stance)].rest
        self._raised_rest = None if raised_rest is None else raised_rest.copy()
        raised_at = raised_rest if raised_rest is not None else self._raised_ref
        apart_px = float(raised_at[0] - self._stance_ref[0])
        self._shift.start(1.0 if apart_px >= 0 else -1.0,
                          abs(apart_px) / f.leg_length_px if raised_rest is not None else 0.0)
        self._reset_evidence()

    def _check_holding(self, f: StanceFeatures) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None
        c = self.cfg
        if f.t_s - self.start_s >= c.limit_s and not self._over:
            return self._reach_limit()
        raised = other(self.stance)
        foot = self._feet[raised]
        assert self._stance_ref is not None and self._raised_ref is not None
        if not self._settled and f.t_s - self.start_s >= c.stance_settle_s:
            self._settled, self._stance_ref = feet.settled_at(  # still by now, or at twice the wait anyway
                self._feet[self.stance], self._stance_ref, c.stance_move_ll,
                force=f.t_s - self.start_s >= 2 * c.stance_settle_s)
        shift = self._feet[self.stance].displacement(self._stance_ref)
        if shift <= c.lift_off_ll:
            self._shift_onset = None
        elif self._shift_onset is None:
            self._shift_onset = f.t_s
        seen, rest = f.sees(raised), self._raised_rest
        heights, still_since = (height_ll(f, raised, self._ref), foot.still_since) if seen else (None, None)
        touchdown = self._touch.update(
            f.t_s, heights, still_since,
            seen and rest is not None and foot.displacement(rest) < c.lift_off_ll,
            foot.pos if seen else None, f.leg_length_px)
        assert f.ankle_px is not None
        stance_x, pelvis_ll = f.ankle_px[SIDES.index(self.stance)][0], f.pelvis_over_ll(self.stance)
        shifted = self._shift.update(f.t_s, pelvis_ll, hidden=not seen)
        landed = self._landing.update(f.t_s, heights, still_since, pelvis_ll,
                                      (foot.pos[0] - stance_x) / f.leg_length_px)  # fmt: skip
        level = self._level.update(f.t_s, heights, still_since)
        leaving = self._leaving.update(f.t_s, shift > c.stance_move_ll)  # as quick as a lift
        misread = misread_start(c, self.lift_observed, shift, foot.displacement(self._raised_ref))
        if (touchdown or landed or leaving) and misread and not self._over and self._moved.end is None:
            # The provisional "raised" foot stood all along (a staggered stance seen from above)
            # and the foot now leaving is the one lifting: time that lift instead, with both
            # feet's rest and the height reference where they stood at the start.
            self._feet[raised].rest = self._raised_ref.copy()
            self._feet[self.stance].rest = self._stance_ref.copy()
            self._ref = self._start_ref
            self._start_trial(f, raised, self._shift_onset or f.t_s, lift_observed=True)
            return None
        if touchdown:
            return self._end(self._touch.arrived_s(), "touchdown")  # type: ignore[arg-type]
        if landed:  # seen standing lower, with the weight on it: a touchdown the heights missed
            return self._end(self._landing.since, "touchdown")  # type: ignore[arg-type]
        if level:  # standing as at rest: never seen raised (slid or stepped on the floor) is no trial
            return self._end(self._level.since if self._level.lifted else self.start_s, "touchdown")  # type: ignore[arg-type]
        if shifted:  # the raised foot is hidden, but the pelvis moved as a touchdown moves it
            return self._end(self._shift.since, "touchdown")  # type: ignore[arg-type]
        away = shift > c.stance_move_ll * (1 if self._settled else 2)  # judged after the other ends
        if self._moved.update(f.t_s, away, self._touch.before_step):
            return self._end(f.t_s, "stance_foot_moved")  # the step's end (StanceStep.first)
        return None

    def _held_through(self, f: StanceFeatures) -> bool:
        """Back after a gap over ``grace_s``: the hold went on (:mod:`balance_cam.core.gaps`)."""
        assert self.stance is not None
        raised = other(self.stance)
        return holds_through_gap(
            self.cfg, self._feet[self.stance].displacement(self._stance_ref), self._settled,
            foot_height_ll(f, raised, self._ref) if f.sees(raised) else None,
            self._shift.shift_ll(f.pelvis_over_ll(self.stance)))  # fmt: skip

    def _on_invalid(self, t_s: float) -> TrialSpan | None:
        for foot in self._feet.values():
            foot.forget()
        self._lost_since = t_s if self._lost_since is None else self._lost_since
        self._lost_s = t_s - self._lost_since  # first to latest frame without the person, as grace_s counts
        if self._over and self._lost_s > self.cfg.grace_s:
            return self._end(t_s, "lost_tracking")
        if self.state == "holding":
            assert self.start_s is not None
            over = t_s - self.start_s >= self.cfg.limit_s
            if over and self._lost_s <= self.cfg.grace_s:
                return self._reach_limit()
            if over or self._lost_s > self.cfg.bridge_s:  # lost past grace_s at the limit: not seen to hold
                return self._end(self._last_valid_t or self._lost_since, "lost_tracking")
            return None
        if self.state != "no_person" and self._lost_s > self.cfg.grace_s:
            self.state = "wait_foot_down"
        return None

    def _reach_limit(self) -> TrialSpan | None:
        """Reported at ``limit_s``; the foot may still be up: its end is watched for, silently.
        A step confirmed before it is the end instead (:class:`~balance_cam.core.feet.StanceStep`)."""
        assert self.stance is not None and self.start_s is not None
        if self._moved.end is not None:
            return self._end(*self._moved.end)
        self.state, self._over = "wait_foot_down", True
        return TrialSpan(self.stance, self.start_s, self.start_s + self.cfg.limit_s, "time_limit",
                         self.lift_observed)  # fmt: skip

    def _end(self, end_s: float, reason: StopReason) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None
        end_s, reason = self._moved.first(end_s, reason)
        span = TrialSpan(self.stance, self.start_s, max(end_s, self.start_s), reason,
                         self.lift_observed)  # fmt: skip
        over, self._over = self._over, False  # past the limit: reported there already
        self.state, self.stance, self.start_s = "wait_foot_down", None, None
        self._reset_evidence()
        return span if span.hold_s >= self.cfg.min_hold_s and not over else None

    def _reset_evidence(self) -> None:
        for d in (self._touch, self._landing, self._level, self._moved, self._leaving, self._shift.debounce):
            d.reset()
        for lift in self._lift.values():
            lift.reset()
        self._shift_onset = None

    def finish(self, t_end_s: float, reason: StopReason = "end_of_video") -> TrialSpan | None:
        """Close a trial still running at the end of the input (or when the user stops)."""
        if self.low.pending is not None:
            return self._release(t_end_s, force=True)
        if self.state != "holding":
            return None
        down_s = self._touch.before_step(self._moved.since)
        if down_s is not None:  # pending evidence is judged as in _check_holding: down, then a step
            return self._end(down_s, "touchdown")
        if self._touch.since is not None:
            return self._end(self._touch.arrived_s(), "touchdown")  # type: ignore[arg-type]
        if self._shift.since is not None:
            return self._end(self._shift.since, "touchdown")
        if self._moved.since is not None:
            return self._end(self._moved.since, "stance_foot_moved")
        if self._lost_since is not None and self._last_valid_t is not None:
            lost_reason: StopReason = "lost_tracking" if reason == "end_of_video" else reason
            return self._end(self._last_valid_t, lost_reason)
        return self._end(t_end_s, reason)

    def labels_crossed(self, px: np.ndarray) -> bool:
        """This frame's (33, 2) pixels have the legs' labels crossed against the running trial
        (:func:`~balance_cam.core.feet.labels_crossed`); the caller swaps them back."""
        f, stance = self.last_features, self.stance
        if stance is None or self._stance_ref is None or f is None or not f.valid:
            return False
        a, b = (px[ANKLES[SIDES.index(stance)]], px[ANKLES[SIDES.index(other(stance))]])
        return feet.labels_crossed(a, b, self._stance_ref, f.leg_length_px, self.cfg.stance_move_ll)

    def new_shot(self) -> TrialSpan | None:
        """The video cut to another shot: a running trial ends at the last frame it was tracked
        (``end_of_shot``), and nothing (rest positions, reference, leg length) carries over."""
        span = self._release(self._last_valid_t or 0.0, force=True) if self.low.pending is not None else None
        if self.state == "holding" and self._last_valid_t is not None:
            span = self._end(self._last_valid_t, "end_of_shot")
        self.__init__(self.cfg)  # type: ignore[misc]
        return span

    def elapsed_s(self, t_s: float) -> float:
        """Hold time so far of the running trial (0 when none)."""
        return 0.0 if self.start_s is None else min(t_s - self.start_s, self.cfg.limit_s)
