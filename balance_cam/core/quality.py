"""Balance quality within one trial: corrections, stable time, sway by thirds, hands on hips.

Definitions (thresholds in :class:`~balance_cam.core.config.QualityConfig`, all in seconds,
leg lengths, leg lengths per second or degrees; calibrated on synthetic landmark series with
known perturbations, :mod:`balance_cam.testing.landmarks`, see docs/quality.md):

- **Correction**: a burst of pelvis velocity relative to the stance ankle. The medio-lateral
  pelvis-minus-stance-ankle signal (leg lengths, the one the sway metrics use) is cleaned as
  for the sway metrics but low-passed at ``lowpass_hz`` (2 Hz); its speed is the central
  difference. Every run of speed above ``correction_ll_s`` is one candidate, timed at its peak;
  candidates within ``refractory_s`` of the last counted one merge into it. The first
  ``skip_s`` after the lift (the weight shift onto the stance leg, the "dynamic" phase of
  one-leg stance, Jonsson, Seiger & Hirschfeld 2004, Clin Biomech 19(7):688-694) and the last
  ``edge_s`` (filter edge) are not counted. Velocity bursts of the centre of mass are how
  intermittent corrective adjustments show in quiet stance (Loram & Lakie 2002, J Physiol
  540:1111-1124; Bottaro et al. 2005, Hum Mov Sci 24:588-615; both cited from memory), and the
  pelvis is the camera's proxy for the centre of mass.
- **Stable time** ``stable_s``: from the lift to the first loss of balance, never more than
  ``hold_s``: a *large* correction (peak speed ≥ ``large_ll_s``; its onset, where the speed
  first rose past half that), a trunk lean beyond ``lean_deg`` for ``lean_min_s`` (onset where
  the low-passed lean had risen a quarter of the way), or an arm reaction (a wrist
  ``arm_ll`` from where it started, reached at ``arm_speed_ll_s``; onset at half that
  excursion). With the arms free, an arm reaction counts only within
  ``arm_with_correction_s`` of a correction-sized speed peak: a grab for balance moves the
  pelvis too, a deliberate arm movement (arms overhead in tree pose) does not. With hands on
  hips (and under BESS) every fast departure of the hands counts. Nothing in the first
  ``stable_skip_s``, nor a large correction in the last ``edge_s`` (filter edge; the weight
  shift of the touchdown itself). Whether a hand touched a wall or chair cannot be seen.
- **Sway by thirds** (fatigue): the trial's filtered ML sway trace split into three equal
  parts in time; in each, the RMS about that third's mean (Prieto et al. 1996 RDIST) and the
  mean velocity (path length / duration, MVELO), and the last-third to first-third ratio of
  each. Thirds shorter than 1 s give NaN. The first third holds the dynamic phase after the
  lift, so ratios below 1 are expected from settling alone on short trials.
- **Hands on hips** (``--hands-on-hips``, unipedal test): the trial ends at the onset of the
  first hands-off episode (:mod:`balance_cam.core.posture`) lasting ``min_event_s``; hands not
  on the hips at the lift end it at once (hold 0 s). With neither hands-on-hips nor BESS the
  arms are free and arm movement is never an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from balance_cam.core.bess import bess_errors
from balance_cam.core.config import AnalysisConfig, QualityConfig
from balance_cam.core.metrics import pelvis_minus_ankle_px, rms, uniform_filtered
from balance_cam.core.posture import (
    episodes,
    hands_off_mask,
    median_leg_length,
    runs,
    trunk_lean_deg,
    wrist_excursion_ll,
)
from balance_cam.core.results import SwayThird, SwayTrace
from balance_cam.core.series import LandmarkSeries
from balance_cam.core.skeleton import HIPS, Side, idx
from balance_cam.core.stops import TrialSpan

MIN_THIRD_S = 1.0


@dataclass(frozen=True)
class Corrections:
    """Corrections of one trial: how many, when (video time, s), how fast (ll/s)."""

    count: int
    times_s: np.ndarray
    peak_ll_s: np.ndarray


@dataclass(frozen=True)
class Stability:
    """Stable time of one trial and what ended it (``"none"``: nothing did)."""

    stable_s: float
    reason: str
    event_s: float


def ml_ll(seg: LandmarkSeries, stance: Side, min_visibility: float) -> np.ndarray:
    """(N,) medio-lateral pelvis minus stance ankle in leg lengths (stabilised image), NaN
    where the hips or the stance ankle are not seen: the signal of the sway metrics."""
    px = seg.stabilised_pixels()
    vis = seg.image[..., 3]
    bad = (vis[:, list(HIPS)].min(axis=1) < min_visibility) | (
        vis[:, idx(stance, "ankle")] < min_visibility)  # fmt: skip
    out = pelvis_minus_ankle_px(px, stance)[:, 0] / median_leg_length(px, stance)
    out[bad] = np.nan
    return out


def speed_ll_s(t_s: np.ndarray, x_ll: np.ndarray, lowpass_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(grid, |dx/dt|) of the low-passed signal."""
    grid, xf = uniform_filtered(t_s, x_ll, lowpass_hz)
    if len(grid) < 3:
        return grid, np.full(len(grid), np.nan)
    return grid, np.abs(np.gradient(xf, grid))


def speed_peaks(
    grid: np.ndarray, speed: np.ndarray, threshold: float, refractory_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """(times, peaks) of the runs of ``speed > threshold``, merged within ``refractory_s``; a run
    whose maximum is the first or last sample is not a complete peak and is dropped."""
    times: list[float] = []
    peaks: list[float] = []
    for a, b in runs(np.nan_to_num(speed, nan=0.0) > threshold):
        k = a + int(np.nanargmax(speed[a:b]))
        if k == 0 or k == len(speed) - 1:
            continue
        if times and grid[k] - times[-1] < refractory_s:
            if speed[k] > peaks[-1]:
                times[-1], peaks[-1] = float(grid[k]), float(speed[k])
            continue
        times.append(float(grid[k]))
        peaks.append(float(speed[k]))
    return np.array(times), np.array(peaks)


def corrections(t_s: np.ndarray, x_ll: np.ndarray, cfg: QualityConfig) -> Corrections:
    """Corrections of one trial (definition in the module docstring); ``t_s`` starts at the lift."""
    t_s = np.asarray(t_s, dtype=np.float64)
    grid, speed = speed_ll_s(t_s, x_ll, cfg.lowpass_hz)
    if len(grid) == 0:
        return Corrections(0, np.zeros(0), np.zeros(0))
    times, peaks = speed_peaks(grid, speed, cfg.correction_ll_s, cfg.refractory_s)
    keep = (times >= t_s[0] + cfg.skip_s) & (times <= t_s[-1] - cfg.edge_s)
    return Corrections(int(keep.sum()), times[keep], peaks[keep])


def first_sustained(t_s: np.ndarray, mask: np.ndarray, min_s: float) -> float:
    """Start of the first run of ``mask`` lasting at least ``min_s`` (NaN if none)."""
    for a, b in runs(np.asarray(mask, dtype=bool)):
        if t_s[b - 1] - t_s[a] >= min_s - 1e-9:
            return float(t_s[a])
    return float("nan")


def onset_s(t_s: np.ndarray, x: np.ndarray, t_cross: float, limit: float, frac: float) -> float:
    """Back-dated onset of a rise of ``x`` that crossed ``limit`` at ``t_cross``: the last time
    before it with ``x`` below ``pre + frac * (limit - pre)``, ``pre`` the median of ``x``
    1.0-0.5 s before the crossing."""
    win = (t_s >= t_cross - 1.0) & (t_s <= t_cross - 0.5) & np.isfinite(x)
    pre = float(np.median(x[win])) if win.any() else 0.0
    before = (t_s <= t_cross) & np.isfinite(x) & (x < pre + frac * (limit - pre))
    return float(t_s[before][-1]) if before.any() else float(t_cross)


def arm_reactions_s(t_s: np.ndarray, excursion_ll: np.ndarray, cfg: QualityConfig) -> list[float]:
    """Onsets of fast wrist excursions of either arm (``excursion_ll`` (N, 2)), sorted."""
    grid, ex = uniform_filtered(t_s, excursion_ll, 5.0)
    if len(grid) < 3:
        return []
    found = []
    for c in range(ex.shape[1]):
        e = ex[:, c]
        rate = np.abs(np.gradient(e, grid))
        for a, _b in runs(np.nan_to_num(e) > cfg.arm_ll):
            onset = onset_s(grid, e, float(grid[a]), cfg.arm_ll, 0.5)
            seg = (grid >= onset) & (grid <= grid[a])
            if np.nanmax(rate[seg], initial=0.0) >= cfg.arm_speed_ll_s:
                found.append(onset)
    return sorted(found)


def _large_correction(grid: np.ndarray, speed: np.ndarray, t0: float, cfg: QualityConfig) -> float:
    times, _ = speed_peaks(grid, speed, cfg.large_ll_s, 0.0)
    times = times[(times >= t0 + cfg.stable_skip_s) & (times <= grid[-1] - cfg.edge_s)]
    if not len(times):
        return float("nan")
    return max(onset_s(grid, speed, float(times[0]), cfg.large_ll_s, 0.5), t0 + cfg.stable_skip_s)


def stability(
    t_s: np.ndarray, x_ll: np.ndarray, hold_s: float, cfg: QualityConfig, *,
    lean_deg: np.ndarray | None = None, wrist_excursion: np.ndarray | None = None,
    arms_fixed: bool = False,
) -> Stability:  # fmt: skip
    """Stable time of one trial (definition in the module docstring): from ``t_s[0]`` (the
    lift) to the first loss of balance, clipped to ``[0, hold_s]``. Each criterion is used only
    when its signal is given; ``arms_fixed``: hands on hips or BESS."""
    t_s = np.asarray(t_s, dtype=np.float64)
    t0 = float(t_s[0])
    found: list[tuple[float, str]] = []
    grid, speed = speed_ll_s(t_s, x_ll, cfg.lowpass_hz)
    if len(grid):
        found.append((_large_correction(grid, speed, t0, cfg), "large_correction"))
    if lean_deg is not None:
        lgrid, lean = uniform_filtered(t_s, lean_deg, cfg.lowpass_hz)
        t_lean = first_sustained(lgrid, np.nan_to_num(lean) > cfg.lean_deg, cfg.lean_min_s)
        if math.isfinite(t_lean):
            found.append((onset_s(lgrid, lean, t_lean, cfg.lean_deg, 0.25), "trunk_lean"))
    if wrist_excursion is not None:
        peaks = speed_peaks(grid, speed, cfg.correction_ll_s, 0.0)[0] if len(grid) else np.zeros(0)
        for t_arm in arm_reactions_s(t_s, wrist_excursion, cfg):
            near = bool(len(peaks)) and float(np.min(np.abs(peaks - t_arm))) <= cfg.arm_with_correction_s
            if t_arm >= t0 + cfg.stable_skip_s and (arms_fixed or near):
                found.append((t_arm, "arm_reaction"))
                break
    found = [(t, r) for t, r in found if math.isfinite(t)]
    if not found:
        return Stability(float(hold_s), "none", float("nan"))
    event, reason = min(found)
    return Stability(float(np.clip(event - t0, 0.0, hold_s)), reason, event)


def sway_by_third(trace: SwayTrace) -> tuple[tuple[SwayThird, ...], float, float]:
    """(three thirds, last/first ML RMS ratio, last/first mean-velocity ratio) of a trial's
    filtered ML sway trace (cm); NaN when a third is shorter than 1 s."""
    t, x = np.asarray(trace.t_s, dtype=np.float64), np.asarray(trace.ml_cm, dtype=np.float64)
    nan = float("nan")
    if len(t) < 10 or (t[-1] - t[0]) / 3 < MIN_THIRD_S:
        return tuple(SwayThird(nan, nan) for _ in range(3)), nan, nan
    edges = t[0] + (t[-1] - t[0]) * np.arange(4) / 3
    dt = float(np.median(np.diff(t)))
    thirds = []
    for k in range(3):
        seg = x[(t >= edges[k] - 1e-9) & (t <= edges[k + 1] + 1e-9)]
        steps = np.abs(np.diff(seg))
        n = int(np.isfinite(steps).sum())
        thirds.append(SwayThird(rms(seg), float(np.nansum(steps) / (n * dt)) if n else nan))
    first, last = thirds[0], thirds[2]
    return (tuple(thirds), _ratio(last.ml_rms_cm, first.ml_rms_cm),
            _ratio(last.mean_velocity_cm_s, first.mean_velocity_cm_s))  # fmt: skip


def _ratio(a: float, b: float) -> float:
    return a / b if math.isfinite(a) and math.isfinite(b) and b > 0 else float("nan")


def hands_on_hips_stop(seg: LandmarkSeries, span: TrialSpan, config: AnalysisConfig) -> TrialSpan:
    """The unipedal test with hands on hips: the trial ends when the hands leave the hips
    (``hands_off_hips``, module docstring); otherwise ``span`` unchanged."""
    test = config.test
    if not test.hands_on_hips or test.bess or len(seg) < 2:
        return span
    mask = hands_off_mask(seg.stabilised_pixels(), seg.world[..., :3].astype(np.float64), span.stance,
                          config.quality)  # fmt: skip
    eps = episodes(seg.t_s, mask, config.quality.min_event_s)
    if not eps or eps[0][0] >= span.end_s:
        return span
    return replace(span, end_s=max(span.start_s, eps[0][0]), stop_reason="hands_off_hips")


def trial_quality(
    seg: LandmarkSeries, span: TrialSpan, trace: SwayTrace, config: AnalysisConfig
) -> dict[str, Any]:
    """The quality fields of one :class:`~balance_cam.core.results.Trial` (test condition,
    corrections, stable time, sway by thirds and, under BESS, errors)."""
    test, q = config.test, config.quality
    out: dict[str, Any] = {"condition": test.condition, "surface": test.surface,
                           "protocol": test.protocol, "hands_on_hips": test.hands_on_hips}  # fmt: skip
    thirds, rms_ratio, vel_ratio = sway_by_third(trace)
    out.update(sway_by_third=thirds, last_first_ml_rms_ratio=rms_ratio,
               last_first_velocity_ratio=vel_ratio)  # fmt: skip
    if len(seg) < 3:
        return {**out, "stable_s": span.hold_s, "stable_reason": "none", "corrections": 0}
    t = np.asarray(seg.t_s, dtype=np.float64)
    x = ml_ll(seg, span.stance, config.stance.min_visibility)
    found = corrections(t, x, q)
    px = seg.stabilised_pixels()
    st = stability(t, x, span.hold_s, q, lean_deg=trunk_lean_deg(t, px),
                   wrist_excursion=wrist_excursion_ll(t, px, median_leg_length(px, span.stance)),
                   arms_fixed=test.hands_on_hips)  # fmt: skip
    out.update(stable_s=st.stable_s, stable_reason=st.reason, corrections=found.count,
               correction_times_s=tuple(float(v) for v in found.times_s))  # fmt: skip
    if test.bess:
        out.update(bess_errors(seg, span, config))
    return out
