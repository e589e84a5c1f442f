"""Single-leg stance detection: an online state machine fed one frame at a time.

The same :class:`StanceDetector` runs in ``analyze``, ``batch`` and ``live``, so all three find
the same trials. It follows the clinical unipedal stance test (e.g. Springer et al. 2007):
timing starts when one foot leaves the floor and stops when the raised foot touches down,
the stance foot moves, the person is lost, or the time limit is reached.

Everything is scale-free: image distances are divided by the leg length ``L`` (hip→knee→ankle
in pixels, running median), world distances by the same length in world landmarks; speeds are
in leg lengths per second; durations in seconds. Positions are used as MediaPipe gives them:
the displacement over ``speed_window_s`` that defines a foot's speed is itself a causal
smoother, and an extra One-Euro filter (``euro_min_cutoff_hz``, off by default) delayed the
touchdown and stance-foot events by 50-100 ms on the Pose2Sim clips.

Per foot (ankle landmark) the detector keeps:

- a *rest* position: where the foot last stood still while both feet were down;
- its *speed*: displacement over the last ``speed_window_s`` divided by that time;
- *still*: speed below ``still_ll_s``.

A foot's *height* above the other foot is measured relative to the double-stance
configuration seen before the lift (so a staggered stance or an oblique camera gives no
offset): in MediaPipe world landmarks along the body axis seen at rest (hip midpoint minus
ankle midpoint), which does not depend on the camera's viewpoint, or in the image (vertical,
``y`` down) when world landmarks are missing. A foot is *clearly raised* at ``lift_on_ll``.

Events (hysteresis and debouncing; every event time is back-dated to its onset):

- **lift**: one foot leaves its rest position (displacement ≥ ``lift_on_ll``, in any direction:
  an oblique camera may see a raised foot move sideways more than up) while the other stays
  where it stood (moved less than ``stance_move_ll`` and less than half as far), with the
  pelvis above it (``upright_min_ll``), for ``confirm_s``; the trial starts when the
  displacement first exceeded ``lift_off_ll``.
- **touchdown**: the raised foot stops moving (still for ``touchdown_still_s``) and is not
  clearly raised; the trial ends when it stopped.
- **stance foot moved**: the stance ankle moves ``stance_move_ll`` from where it stood, for
  ``confirm_s``.
- **lost tracking**: hips or ankles missing (visibility below ``min_visibility``) for more
  than ``grace_s``; the trial ends at the last frame they were seen.
- **time limit** and **end of video**.

A foot already raised by ``start_raised_ll`` in both the image and the world landmarks in the
first frames with a person (no double stance seen yet, so heights are relative to level feet)
starts a provisional trial whose lift was not observed (``lift_observed = False``). If instead
the other foot then leaves while the "raised" one stays still, the start was a staggered stance
seen from above: the provisional trial is dropped and the real lift is timed. Single-leg phases shorter
than ``min_hold_s`` (walking steps) are dropped.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.feet import Debounce, FootTracker, leg_length_px
from balance_cam.core.filtering import OneEuroFilter
from balance_cam.core.skeleton import SIDES, Side, idx, other
from balance_cam.core.stops import StopReason

State = Literal["no_person", "ready", "holding", "wait_foot_down"]

_HIPS = (idx("left", "hip"), idx("right", "hip"))
_ANKLES = (idx("left", "ankle"), idx("right", "ankle"))
# Knees are not required: MediaPipe often rates a knee seen from behind as barely visible while
# still placing it well; the leg length is a running median and tolerates an odd frame.
_REQUIRED = (*_HIPS, *_ANKLES)
_DEFAULT_UP = np.array([0.0, -1.0, 0.0])  # world y points down


@dataclass(frozen=True)
class TrialSpan:
    """One detected single-leg stance: which leg stood, when, and why it ended."""

    stance: Side
    start_s: float
    end_s: float
    stop_reason: StopReason
    lift_observed: bool = True
    """False when the foot was already up in the first frames with a person (hold is a lower bound)."""

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class StanceFeatures:
    """Per-frame, scale-free inputs of the state machine (for overlays and debugging)."""

    t_s: float
    valid: bool
    leg_length_px: float = float("nan")
    ankle_px: tuple[np.ndarray, np.ndarray] | None = None  # filtered image position
    ankle_w: tuple[np.ndarray, np.ndarray] | None = None  # filtered world position (m)
    body_axis_w: np.ndarray | None = None  # hip midpoint minus ankle midpoint (m)
    leg_length_w: float = float("nan")
    pelvis_height_ll: tuple[float, float] = (float("nan"), float("nan"))


@dataclass
class _Reference:
    """Double-stance configuration that heights are measured against."""

    rise_px_ll: float = 0.0  # (y_right - y_left) / L at rest
    rise_w: float = 0.0  # (right - left) ankle along the body axis at rest, / L_world
    up_w: np.ndarray = field(default_factory=_DEFAULT_UP.copy)  # unit body axis at rest (up)


class StanceDetector:
    """Online detector: call :meth:`update` for every frame, :meth:`finish` at the end.

    ``update`` returns a :class:`TrialSpan` on the frame where a trial is confirmed to have
    ended (its ``end_s`` may be earlier: events are back-dated to their onset).
    """

    def __init__(self, config: StanceConfig | None = None) -> None:
        self.cfg = c = config or StanceConfig()
        self.state: State = "no_person"
        self.stance: Side | None = None
        self.start_s: float | None = None
        self.lift_observed = True
        self.last_features: StanceFeatures | None = None
        self._lengths: deque[tuple[float, float, float]] = deque()
        cut = c.euro_min_cutoff_hz
        self._pos_filter = OneEuroFilter(cut, c.euro_beta) if cut is not None else None
        self._w_filter = OneEuroFilter(cut, c.euro_beta) if cut is not None else None
        self._feet = {s: FootTracker(c.speed_window_s, c.still_ll_s) for s in SIDES}
        self._ref = _Reference()
        self._rest_axes: deque[tuple[float, np.ndarray]] = deque()
        self._lift = {s: Debounce(c.confirm_s) for s in SIDES}
        self._down = Debounce(c.touchdown_still_s)
        self._moved = Debounce(c.confirm_s)
        self._start_lifted = Debounce(c.confirm_s)
        self._stance_ref: np.ndarray | None = None
        self._raised_ref: np.ndarray | None = None
        self._last_rest_t: float | None = None
        self._first_valid_t: float | None = None
        self._last_valid_t: float | None = None
        self._lost_since: float | None = None

    # -- features -------------------------------------------------------------------------
    def features(
        self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None,
        world: np.ndarray | None = None,
    ) -> StanceFeatures:  # fmt: skip
        """Scale-free signals of one frame (updates the running leg length and filters)."""
        req = list(_REQUIRED)
        if px is None or vis is None or not (
            np.all(vis[req] >= self.cfg.min_visibility) and np.all(np.isfinite(px[req]))
        ):
            return StanceFeatures(t_s, False)
        w = world if world is not None and np.all(np.isfinite(world[req])) else None
        self._lengths.append((t_s, leg_length_px(px), leg_length_px(w) if w is not None else np.nan))
        while self._lengths and self._lengths[0][0] < t_s - self.cfg.leg_length_window_s:
            self._lengths.popleft()
        length = float(np.median([v for _, v, _ in self._lengths]))
        wl = [v for _, _, v in self._lengths if np.isfinite(v)]
        length_w = float(np.median(wl)) if wl else float("nan")
        ankles = self._smooth(self._pos_filter, t_s, px[list(_ANKLES)].reshape(-1), length).reshape(2, 2)
        ankle_w = axis = None
        if w is not None:
            scale_w = length_w if np.isfinite(length_w) else 0.9
            pts = self._smooth(self._w_filter, t_s, w[list(_ANKLES + _HIPS)].reshape(-1), scale_w)
            pts = pts.reshape(4, 3)
            ankle_w, axis = (pts[0], pts[1]), pts[2:].mean(axis=0) - pts[:2].mean(axis=0)
        pelvis_y = float(px[list(_HIPS), 1].mean())
        return StanceFeatures(
            t_s, True, length, (ankles[0], ankles[1]), ankle_w, axis, length_w,
            ((px[_ANKLES[0], 1] - pelvis_y) / length, (px[_ANKLES[1], 1] - pelvis_y) / length),
        )  # fmt: skip

    def _smooth(self, filt: OneEuroFilter | None, t_s: float, x: np.ndarray, length: float) -> np.ndarray:
        """Optional One-Euro smoothing with its speed term in leg lengths per second."""
        if filt is None:
            return x
        filt.beta = self.cfg.euro_beta / length
        return filt(t_s, x)

    def _height_ll(self, f: StanceFeatures, raised: Side) -> tuple[float, float]:
        """Height of ``raised`` above the other foot relative to the reference configuration:
        (image, world) in leg lengths; world is NaN without world landmarks."""
        sign = 1.0 if raised == "left" else -1.0
        assert f.ankle_px is not None
        rise_px = (f.ankle_px[1][1] - f.ankle_px[0][1]) / f.leg_length_px - self._ref.rise_px_ll
        rise_w = np.nan
        if f.ankle_w is not None and np.isfinite(f.leg_length_w):
            up = self._ref.up_w
            rise_w = (np.dot(f.ankle_w[0] - f.ankle_w[1], up) / f.leg_length_w) - self._ref.rise_w
        return sign * float(rise_px), sign * float(rise_w)

    def _clearly_raised(self, f: StanceFeatures, side: Side) -> bool:
        """Height above the other foot ≥ ``lift_on_ll``: in world landmarks when available
        (view-independent), else in the image."""
        h_px, h_w = self._height_ll(f, side)
        return (h_w if np.isfinite(h_w) else h_px) >= self.cfg.lift_on_ll

    # -- state machine --------------------------------------------------------------------
    def update(
        self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None,
        world: np.ndarray | None = None,
    ) -> TrialSpan | None:  # fmt: skip
        """Feed one frame: pixels (33, 2), visibility (33,), world landmarks (33, 3) or None."""
        f = self.features(t_s, px, vis, world)
        self.last_features = f
        if not f.valid:
            return self._on_invalid(t_s)
        assert f.ankle_px is not None
        if self._first_valid_t is None:
            self._first_valid_t = t_s
        self._lost_since = None
        self._last_valid_t = t_s
        for side, pos in zip(SIDES, f.ankle_px, strict=True):
            self._feet[side].update(t_s, pos, f.leg_length_px)
        if self.state == "holding":
            return self._check_holding(f)
        if self.state == "no_person":
            return self._check_start(f)
        if self.state == "wait_foot_down":
            self._check_feet_down(f)
            return None
        self._check_lift(f)
        return None

    def _both_still(self, t_s: float) -> bool:
        return all(foot.still_for(t_s) >= self.cfg.confirm_s for foot in self._feet.values())

    def _update_rest(self, f: StanceFeatures) -> None:
        """While both feet stand still, they define rest positions and the reference."""
        feet = self._feet.values()
        if not self._both_still(f.t_s):
            return
        if any(ft.displacement() >= self.cfg.lift_off_ll for ft in feet):
            # Both feet have settled somewhere new (a step, a wider stance): that is the new rest.
            if min(ft.still_for(f.t_s) for ft in feet) < self.cfg.resettle_s:
                return
            for foot in feet:
                foot.rest = foot.pos.copy()
        dt = f.t_s - self._last_rest_t if self._last_rest_t is not None else 0.0
        alpha = min(1.0, dt / self.cfg.rest_tau_s)
        for foot in feet:
            foot.rest = foot.pos.copy() if foot.rest is None else foot.rest + alpha * (foot.pos - foot.rest)
        self._last_rest_t = f.t_s
        if f.body_axis_w is not None:
            self._rest_axes.append((f.t_s, f.body_axis_w))
            while self._rest_axes[0][0] < f.t_s - self.cfg.rest_window_s:
                self._rest_axes.popleft()
            up = np.mean([a for _, a in self._rest_axes], axis=0)
            self._ref.up_w = up / np.linalg.norm(up)
        self._ref.rise_px_ll = 0.0
        self._ref.rise_w = 0.0
        self._ref.rise_px_ll, self._ref.rise_w = self._height_ll(f, "left")

    def _check_start(self, f: StanceFeatures) -> TrialSpan | None:
        """First frames with a person: ready, or already on one leg (lift not observed)."""
        assert self._first_valid_t is not None
        raised = next((s for s in SIDES if self._raised_at_start(f, s)), None)
        if self._start_lifted.update(f.t_s, raised is not None, since=self._first_valid_t):
            assert raised is not None
            self._start_trial(f, other(raised), self._first_valid_t, lift_observed=False)
        elif raised is None:
            self._start_lifted.reset()
            self._enter_ready(f)
        return None

    def _raised_at_start(self, f: StanceFeatures, side: Side) -> bool:
        """With no double stance seen yet, ``side`` counts as raised if it stands
        ``start_raised_ll`` above the other foot in the image and in world landmarks (camera
        vertical). A staggered stance filmed from above can pass this too: such a trial is
        provisional and is reinterpreted when the other foot lifts (see ``_check_holding``)."""
        h_px, h_w = self._height_ll(f, side)
        return min(h_px, h_w if np.isfinite(h_w) else h_px) >= self.cfg.start_raised_ll

    def _enter_ready(self, f: StanceFeatures) -> None:
        self.state = "ready"
        self._ref = _Reference()
        self._rest_axes.clear()
        self._last_rest_t = None
        for foot in self._feet.values():
            foot.rest = foot.pos.copy()
            foot.moved_since = None
        for d in self._lift.values():
            d.reset()

    def _check_feet_down(self, f: StanceFeatures) -> None:
        if self._both_still(f.t_s) and not any(self._clearly_raised(f, s) for s in SIDES):
            self._enter_ready(f)

    def _check_lift(self, f: StanceFeatures) -> None:
        c = self.cfg
        self._update_rest(f)
        for side in SIDES:
            foot, stance_foot = self._feet[side], self._feet[other(side)]
            disp = foot.displacement()
            if disp <= c.lift_off_ll:
                foot.moved_since = None
            elif foot.moved_since is None or foot.still_for(f.t_s) >= c.confirm_s:
                # Onset of this excursion; a foot that stood still since cannot have lifted before.
                foot.moved_since = f.t_s
            upright = f.pelvis_height_ll[SIDES.index(other(side))] >= c.upright_min_ll
            stance_disp = stance_foot.displacement()
            lifted = (disp >= c.lift_on_ll and stance_disp < c.stance_move_ll
                      and disp > 2 * stance_disp and upright)  # fmt: skip
            if self._lift[side].update(f.t_s, lifted):
                self._start_trial(f, other(side), foot.moved_since or f.t_s, lift_observed=True)
                return

    def _start_trial(self, f: StanceFeatures, stance: Side, start_s: float, lift_observed: bool) -> None:
        self.state, self.stance, self.start_s = "holding", stance, start_s
        self.lift_observed = lift_observed
        rest = self._feet[stance].rest
        self._stance_ref = (rest if rest is not None else self._feet[stance].pos).copy()
        self._raised_ref = self._feet[other(stance)].pos.copy()
        self._down.reset()
        self._moved.reset()
        self._shift_onset: float | None = None
        for d in self._lift.values():
            d.reset()

    def _check_holding(self, f: StanceFeatures) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None
        c = self.cfg
        if f.t_s - self.start_s >= c.limit_s:
            return self._end(self.start_s + c.limit_s, "time_limit")
        raised = other(self.stance)
        foot = self._feet[raised]
        assert self._stance_ref is not None and self._raised_ref is not None
        shift = self._feet[self.stance].displacement(self._stance_ref)
        if shift <= c.lift_off_ll:
            self._shift_onset = None
        elif self._shift_onset is None:
            self._shift_onset = f.t_s
        down = foot.still_for(f.t_s) > 0 and not self._clearly_raised(f, raised)
        touchdown = self._down.update(f.t_s, down, since=foot.still_since)
        moved = self._moved.update(f.t_s, shift > c.stance_move_ll)
        if (touchdown or moved) and self._misread_start(shift, foot):
            # The provisional "raised" foot stood all along (a staggered stance seen from above)
            # and the foot now leaving is the one lifting: time that lift instead.
            self._start_trial(f, raised, self._shift_onset or f.t_s, lift_observed=True)
            return None
        if touchdown:
            return self._end(self._down.since, "touchdown")  # type: ignore[arg-type]
        if moved:
            return self._end(self._moved.since, "stance_foot_moved")  # type: ignore[arg-type]
        return None

    def _misread_start(self, stance_shift: float, raised_foot: FootTracker) -> bool:
        """A provisional trial whose raised foot never moved while the stance foot leaves."""
        assert self._raised_ref is not None
        return (not self.lift_observed and stance_shift > self.cfg.lift_off_ll
                and raised_foot.displacement(self._raised_ref) < self.cfg.lift_off_ll)  # fmt: skip

    def _on_invalid(self, t_s: float) -> TrialSpan | None:
        for foot in self._feet.values():
            foot.forget()
        if self._lost_since is None:
            self._lost_since = t_s
        if self.state == "holding":
            assert self.start_s is not None
            if t_s - self.start_s >= self.cfg.limit_s:
                return self._end(self.start_s + self.cfg.limit_s, "time_limit")
            if t_s - self._lost_since > self.cfg.grace_s:
                return self._end(self._last_valid_t or self._lost_since, "lost_tracking")
            return None
        if self.state != "no_person" and t_s - self._lost_since > self.cfg.grace_s:
            self.state = "wait_foot_down"
        return None

    def _end(self, end_s: float, reason: StopReason) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None
        span = TrialSpan(self.stance, self.start_s, max(end_s, self.start_s), reason,
                         self.lift_observed)  # fmt: skip
        self.state, self.stance, self.start_s = "wait_foot_down", None, None
        self._down.reset()
        self._moved.reset()
        return span if span.hold_s >= self.cfg.min_hold_s else None

    def finish(self, t_end_s: float, reason: StopReason = "end_of_video") -> TrialSpan | None:
        """Close a trial still running at the end of the input (or when the user stops)."""
        if self.state != "holding":
            return None
        if self._down.since is not None:
            return self._end(self._down.since, "touchdown")
        if self._moved.since is not None:
            return self._end(self._moved.since, "stance_foot_moved")
        if self._lost_since is not None and self._last_valid_t is not None:
            lost_reason: StopReason = "lost_tracking" if reason == "end_of_video" else reason
            return self._end(self._last_valid_t, lost_reason)
        return self._end(t_end_s, reason)

    def elapsed_s(self, t_s: float) -> float:
        """Hold time so far of the running trial (0 when none)."""
        return 0.0 if self.start_s is None else min(t_s - self.start_s, self.cfg.limit_s)
