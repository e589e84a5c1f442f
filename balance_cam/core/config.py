"""Typed, frozen configuration with documented defaults.

Every threshold is in seconds or in fractions of the subject's leg length ("_ll"), never in
pixels or frames, so it means the same at any resolution and frame rate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass(frozen=True)
class StanceConfig:
    """Parameters of the stance/event state machine (:mod:`balance_cam.core.stance`).

    Defaults follow clinical unipedal stance protocols (time limit 45 s; the trial stops when
    the raised foot touches down or the stance foot moves) and normal human movement
    (a walking step's single support lasts about 0.4 s, so shorter "holds" are not trials).
    """

    lift_on_ll: float = 0.10
    """A foot must move this far from its rest position to start a trial, and stand this high
    above the other foot to count as raised (leg lengths)."""
    lift_off_ll: float = 0.04
    """Lift onset: the trial starts when the foot first moved this far from rest."""
    confirm_s: float = 0.10
    """A lift or a stance-foot shift must persist this long (debounce)."""
    touchdown_height_ll: float = 0.05
    """A still raised foot is down (touchdown) only below this height above the stance foot,
    relative to the double stance before the lift: a foot held a few centimetres up is not."""
    touchdown_still_s: float = 0.15
    """The raised foot must stand still this long (not raised) to count as touched down; a
    swinging foot pauses for up to ~0.1 s at the top of its swing."""
    min_hold_s: float = 0.5
    """Shorter single-leg phases (walking steps, stumbles) are not reported as trials."""
    stance_move_ll: float = 0.12
    """The stance ankle moving this far from where it stood ends the trial ("stance_foot_moved")."""
    stance_move_confirm_s: float = 0.25
    """The stance ankle must stay that far away this long: a step, not a landmark glitch (over a
    45 s hold, MediaPipe misplaces an ankle for a frame or two now and then)."""
    weight_shift_ll: float = 0.08
    """With the raised foot hidden, the pelvis moving this far towards the raised side (from its
    median so far in the trial) counts as the touchdown's weight shift."""
    weight_shift_frac: float = 0.35
    """... or this fraction of the feet's distance apart at rest, if that is larger."""
    weight_shift_s: float = 0.3
    """The weight shift must last this long."""
    weight_shift_window_s: float = 10.0
    """The pelvis offset's median is taken over at most this much of the trial."""
    upright_min_ll: float = 0.6
    """The pelvis must stand at least this far above the stance ankle for a lift to count."""
    grace_s: float = 0.5
    """Landmarks may be lost this long inside a trial before it ends ("lost_tracking")."""
    limit_s: float = 45.0
    """Time limit of one trial ("time_limit"); clinical protocols use 30-45 s."""
    min_visibility: float = 0.5
    """Landmarks with a lower MediaPipe visibility are treated as missing."""
    leg_length_window_s: float = 1.0
    """The leg length (pixels) is the running median of this many seconds of frames."""
    speed_window_s: float = 0.2
    """Foot speed is the displacement over this long, divided by the time."""
    still_ll_s: float = 0.3
    """A foot slower than this (leg lengths per second) stands still."""
    rest_tau_s: float = 1.0
    """Rest positions follow a still foot with this time constant (exponential average), so
    slow drift is absorbed but a lift, however slow, moves away from them."""
    resettle_s: float = 0.3
    """Both feet standing still this long somewhere new (a step) become the new rest positions."""
    rest_window_s: float = 0.5
    """The body axis (world up) is averaged over this much double stance before a lift."""
    start_raised_ll: float = 0.2
    """A foot already this high (image and world) in the first frames starts a provisional trial
    whose lift was not seen: twice ``lift_on_ll``, because a staggered stance seen from above also
    makes one foot look higher when no double stance has been seen to compare with."""
    euro_min_cutoff_hz: float | None = None
    """Optional One-Euro filter (Casiez et al. 2012) on the event positions: cut-off at rest
    (None = off; the speed window already smooths)."""
    euro_beta: float = 1.0
    """One-Euro speed coefficient, per leg length per second."""


@dataclass(frozen=True)
class SwayConfig:
    """Parameters of the offline sway computation (:mod:`balance_cam.core.metrics`)."""

    lowpass_hz: float = 5.0
    """Zero-phase 4th-order Butterworth low-pass cut-off, as Prieto et al. (1996) used for COP."""
    max_gap_s: float = 0.5
    """Gaps up to this long inside a trial are filled by linear interpolation."""
    height_cm: float | None = None
    """Subject height; when given, centimetres are scaled from it instead of world landmarks."""


@dataclass(frozen=True)
class SummaryConfig:
    """Verdict thresholds (:mod:`balance_cam.core.summary`)."""

    stable_min_s: float = 10.0
    """Running-coach rule: a side that cannot hold 10 s stable is flagged."""
    asymmetry_flag_pct: float = 25.0
    """A side whose best hold is this much shorter than the other side's is flagged."""
    age: int | None = None
    """With an age, holds are compared to Springer et al. (2007) eyes-open norms."""


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything one analysis needs; recorded in the result."""

    stance: StanceConfig = field(default_factory=StanceConfig)
    sway: SwayConfig = field(default_factory=SwayConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    model: str = "full"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def with_options(
        self,
        *,
        limit_s: float | None = None,
        height_cm: float | None = None,
        age: int | None = None,
        model: str | None = None,
    ) -> AnalysisConfig:
        """A copy with the options the CLI exposes replaced where given."""
        cfg = self
        if limit_s is not None:
            cfg = replace(cfg, stance=replace(cfg.stance, limit_s=limit_s))
        if height_cm is not None:
            cfg = replace(cfg, sway=replace(cfg.sway, height_cm=height_cm))
        if age is not None:
            cfg = replace(cfg, summary=replace(cfg.summary, age=age))
        if model is not None:
            cfg = replace(cfg, model=model)
        return cfg
