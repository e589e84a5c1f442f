"""Balance Error Scoring System (BESS) errors of one single-leg stance trial, from landmarks.

BESS (Riemann, Guskiewicz & Shields 1999, J Sport Rehabil 8(2):71-82; Guskiewicz, Ross &
Marshall 2001, J Athl Train 36(3):263-273; review: Bell et al. 2011, Sports Health
3(3):287-295, doi:10.1177/1941738111403122; the rule text as given by the NINDS Common Data
Elements BESS form and the standard instruction sheet, the primary papers were not read):
20-s trials, hands on the iliac crests, eyes closed, standing on the non-dominant foot with the
other hip at about 20° of flexion and the knee at about 45°. One error for each of: hands
lifted off the iliac crests; opening the eyes; a step, stumble or fall; moving the hip into
more than 30° of flexion or abduction; lifting the forefoot or heel; remaining out of the
testing position for more than 5 s. Errors committed at the same time count once; a trial
scores at most 10; a subject who cannot hold the testing position for at least 5 s scores 10.
Errors count only once the subject is in the testing position.

What the camera scores (detectors in :mod:`balance_cam.core.posture`, thresholds in
:class:`~balance_cam.core.config.BessConfig` and ``QualityConfig``):

- ``hands_off_hips``: the hands-on-hips detector;
- ``hip``: raised-thigh elevation above ``hip_deg`` (back below ``hip_back_deg``), low-passed;
- ``foot``: stance-foot pitch changed by more than ``pitch_ll`` (heel or forefoot up), in the
  image *and* in the world landmarks when both exist (either alone moves by 0.03-0.06 leg
  lengths on a clip where the foot stays flat);
- ``step``: the trial ended by a touchdown or a stance-foot movement (the stance state
  machine's events, :mod:`balance_cam.core.stance`);
- ``out_of_position``: the union of the above lasting more than 5 s adds one error per further
  full 5 s; so does the rest of the 20 s after a step or a loss of tracking ends the trial
  (a trial that goes on after a step is scored as a new trial);
- **opening the eyes is not scored**: the 33 BlazePose landmarks carry no eyelid state.

Counting: each violation episode (lasting ``min_event_s``) counts once, at its onset; errors
within ``simultaneous_s`` of the last counted one merge into it (listed as its other
``kinds``); counting starts once the subject has been in position for ``min_event_s`` and
covers the next 20 s; the score is capped at 10; it is 10 when the subject was never in
position (``never_in_position``) or, for a trial the subject ended (step, loss of tracking),
in position for less than 5 s in all (``under_5s_in_position``). Reading "at least 5 s" as a
cumulative total, each further full 5 s out of position as one more error, and "simultaneous"
as within 1 s are interpretations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from balance_cam.core.config import BESS_TRIAL_S, AnalysisConfig, BessConfig
from balance_cam.core.posture import (
    episodes,
    foot_pitch_ll,
    hands_off_mask,
    hysteresis,
    lowpassed_at_frames,
    median_leg_length,
    thigh_elevation_deg,
)
from balance_cam.core.results import ErrorEvent
from balance_cam.core.series import LandmarkSeries
from balance_cam.core.skeleton import Side
from balance_cam.core.stops import TrialSpan

MAX_ERRORS = 10
MIN_POSITION_S = 5.0
OUT_OF_POSITION_S = 5.0
STEP_REASONS = frozenset({"touchdown", "stance_foot_moved"})
ENDED_BY_SUBJECT = STEP_REASONS | {"lost_tracking", "hands_off_hips"}
NOT_SCORED = ("eyes_open",)


@dataclass(frozen=True)
class BessMasks:
    """Per-frame violations (N,) of one trial."""

    t_s: np.ndarray
    hands_off: np.ndarray
    hip: np.ndarray
    foot: np.ndarray


@dataclass(frozen=True)
class BessScore:
    """BESS errors of one trial (0-10) and how they were reached."""

    errors: int
    events: tuple[ErrorEvent, ...]
    in_position_s: float
    max_reason: str | None


def foot_mask(
    t_s: np.ndarray, px: np.ndarray, world: np.ndarray | None, stance: Side, cfg: BessConfig,
    lowpass_hz: float,
) -> np.ndarray:  # fmt: skip
    """(N,) heel or forefoot lifted, image and world agreeing (module docstring)."""
    pitches = [foot_pitch_ll(t_s, px, stance, median_leg_length(px, stance), cfg.settle_s)]
    if world is not None and np.isfinite(world).any():
        pitches.append(foot_pitch_ll(t_s, world, stance, median_leg_length(world, stance), cfg.settle_s))
    pf = np.column_stack([lowpassed_at_frames(t_s, p, lowpass_hz) for p in pitches])
    valid = np.isfinite(pf)
    heel = np.where(valid, pf < -cfg.pitch_ll, True).all(axis=1)
    fore = np.where(valid, pf > cfg.pitch_ll, True).all(axis=1)
    return (heel | fore) & valid.any(axis=1)


def bess_masks(
    t_s: np.ndarray, px: np.ndarray, world: np.ndarray | None, stance: Side, config: AnalysisConfig
) -> BessMasks:
    """Per-frame BESS violations of one trial: pixels (N, 33, 2), world (N, 33, 3) or None."""
    t_s = np.asarray(t_s, dtype=np.float64)
    b, q = config.bess, config.quality
    hands = hands_off_mask(px, world, stance, q)
    thigh = lowpassed_at_frames(t_s, thigh_elevation_deg(px, stance), q.lowpass_hz)
    start_off = bool(np.isfinite(thigh[0]) and thigh[0] > b.hip_deg) if len(thigh) else False
    hip = hysteresis(np.nan_to_num(thigh) > b.hip_deg, np.nan_to_num(thigh, nan=90.0) < b.hip_back_deg,
                     start_off)  # fmt: skip
    return BessMasks(t_s, hands, hip, foot_mask(t_s, px, world, stance, b, q.lowpass_hz))


def _merge(events: list[tuple[float, str]], window_s: float) -> list[ErrorEvent]:
    """Errors within ``window_s`` of the last counted one are the same error."""
    counted: list[ErrorEvent] = []
    for t, kind in sorted(events):
        if counted and t - counted[-1].t_s < window_s:
            last = counted[-1]
            if kind not in last.kinds:
                counted[-1] = ErrorEvent(last.t_s, last.kind, (*last.kinds, kind))
            continue
        counted.append(ErrorEvent(t, kind, (kind,)))
    return counted


def _out_of_position(a: float, b: float) -> list[tuple[float, str]]:
    """One ``out_of_position`` error for each further full 5 s of the stretch ``[a, b]``."""
    extra = int(math.floor((b - a) / OUT_OF_POSITION_S - 1e-9))
    return [(a + OUT_OF_POSITION_S * (k + 1), "out_of_position") for k in range(max(0, extra))]


def bess_score(masks: BessMasks, span: TrialSpan, config: AnalysisConfig) -> BessScore:
    """BESS errors (0-10) of one trial from its violations and how it ended (module docstring)."""
    t, min_s = masks.t_s, config.quality.min_event_s
    named = {"hands_off_hips": masks.hands_off, "hip": masks.hip, "foot": masks.foot}
    eps = [(k, a, b) for k, m in named.items() for a, b in episodes(t, m, min_s)]
    out = np.zeros(len(t), dtype=bool)
    for _k, a, b in eps:
        out |= (t >= a) & (t <= b)
    inside = episodes(t, ~out, min_s, bridge_s=0.0)
    if not inside:
        return BessScore(MAX_ERRORS, (), 0.0, "never_in_position")
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    start = inside[0][0]
    window_end = start + BESS_TRIAL_S
    end = min(span.end_s, window_end)
    in_pos = float(sum(max(0.0, min(b + dt, end) - a) for a, b in inside if a < end))
    events = [(a, k) for k, a, _b in eps if start <= a <= end]
    for a, b in episodes(t, out, min_s, bridge_s=min_s):
        if start <= a <= end:
            events += _out_of_position(a, min(b, end))
    if span.stop_reason in STEP_REASONS and span.end_s <= window_end:
        events.append((span.end_s, "step"))
    if span.stop_reason in ENDED_BY_SUBJECT and span.end_s < window_end:
        events += _out_of_position(span.end_s, window_end)
    counted = tuple(_merge(events, config.bess.simultaneous_s))
    if span.stop_reason in ENDED_BY_SUBJECT and in_pos < MIN_POSITION_S:
        return BessScore(MAX_ERRORS, counted, in_pos, "under_5s_in_position")
    return BessScore(min(len(counted), MAX_ERRORS), counted, in_pos, None)


def bess_errors(seg: LandmarkSeries, span: TrialSpan, config: AnalysisConfig) -> dict[str, Any]:
    """The BESS fields of one trial: ``errors``, ``error_events``, ``errors_max_reason``."""
    if len(seg) < 2:
        return {"errors": MAX_ERRORS, "error_events": (), "errors_max_reason": "never_in_position"}
    world = seg.world[..., :3].astype(np.float64)
    score = bess_score(bess_masks(seg.t_s, seg.stabilised_pixels(), world, span.stance, config), span, config)
    return {"errors": score.errors, "error_events": score.events, "errors_max_reason": score.max_reason}
