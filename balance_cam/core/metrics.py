"""Sway metrics of one trial: every definition lives here, one function each.

Sway is the movement of the pelvis (midpoint of the two hip landmarks) relative to the stance
ankle, the camera-based analogue of centre-of-pressure sway on a force plate. Names and
formulas follow Prieto, Myklebust, Hoffmann, Lovett & Myklebust (1996), "Measures of postural
steadiness: differences between healthy young and elderly adults", IEEE Trans Biomed Eng
43(9):956-966, doi:10.1109/10.532130, applied to the mean-removed medio-lateral (ML) signal:

- ``ml_rms``: RDIST_ML = sqrt(mean((x - mean x)^2))
- ``ml_range``: RANGE_ML = max x - min x
- ``path_length``: TOTEX_ML = sum |x[n+1] - x[n]| (ML path length)
- ``mean_velocity``: MVELO_ML = TOTEX_ML / T

The 95 % *prediction* ellipse of the (ML, AP) stabilogram follows Schubert & Kirchner (2014),
"Ellipse area calculations and their applicability in posturography", Gait & Posture
39(1):518-522, doi:10.1016/j.gaitpost.2013.09.001: area = pi * chi2_{0.95,2} * sqrt(det Cov)
with chi2_{0.95,2} = 5.991 (not the 95 % confidence ellipse, which shrinks with N).

The sway angle is the angle of the stance-ankle→pelvis line from the image vertical, in image
pixels (x right, y down), positive towards image-right; it needs no calibration.

Before any metric the trial's signals are gap-filled (gaps up to ``max_gap_s``), resampled to
a uniform grid at the video's median frame rate and low-passed at 5 Hz with a zero-phase
4th-order Butterworth filter (:mod:`balance_cam.core.filtering`). Longer gaps stay missing: they are
neither bridged by the resampling nor counted in path length or in the duration used for
mean velocity. Trials with fewer than 3 samples give NaN.
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.config import SwayConfig
from balance_cam.core.filtering import fill_gaps, lowpass_zero_phase, median_rate_hz, resample_uniform
from balance_cam.core.results import SwayMetrics, SwayTrace
from balance_cam.core.skeleton import HIPS, Side, idx

CHI2_95_2DOF = 5.991464547107979  # scipy.stats.chi2.ppf(0.95, 2)
#: Hip-joint-to-ankle length as a fraction of standing height: thigh 0.245 H + shank 0.246 H
#: (Winter, Biomechanics and Motor Control of Human Movement, 4th ed. 2009, Fig. 4.1).
LEG_LENGTH_PER_HEIGHT = 0.491
MIN_SAMPLES = 3


def pelvis_minus_ankle_px(px: np.ndarray, stance: Side) -> np.ndarray:
    """Pelvis (midpoint of the hips) minus the stance ankle: (..., 2) from (..., 33, 2) pixels.

    The vector all sway measures start from (x: medio-lateral in a frontal view, y down)."""
    hips = px[..., list(HIPS), :].mean(axis=-2)
    ankle: np.ndarray = px[..., idx(stance, "ankle"), :]
    return hips - ankle


def instant_ml_cm(
    px: np.ndarray, stance: Side, leg_length_px: float, world_leg_m: float, height_cm: float | None
) -> float:
    """Medio-lateral sway of one frame in cm, unfiltered (live displays): the same quantity as
    the trial metrics (pixels / leg length × :func:`cm_per_leg_length`), without the trial mean."""
    ml_ll = pelvis_minus_ankle_px(px, stance)[0] / leg_length_px
    return float(ml_ll * cm_per_leg_length(world_leg_m, height_cm)[0])


def rms(x: np.ndarray) -> float:
    """Root mean square about the mean (Prieto 1996 RDIST for one axis); NaN-aware."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean((x - x.mean()) ** 2))) if len(x) else float("nan")


def value_range(x: np.ndarray) -> float:
    """Max minus min (Prieto 1996 RANGE); NaN-aware."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(x.max() - x.min()) if len(x) else float("nan")


def path_length(x: np.ndarray) -> float:
    """Sum of distances between consecutive samples (Prieto 1996 TOTEX) of (N,) or (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 2:
        return float("nan")
    steps = np.diff(x, axis=0)
    d = np.abs(steps) if steps.ndim == 1 else np.linalg.norm(steps, axis=1)
    return float(np.nansum(d))


def mean_velocity(path: float, duration_s: float) -> float:
    """Path length over duration (Prieto 1996 MVELO)."""
    return path / duration_s if duration_s > 0 else float("nan")


def ellipse95_area(xy: np.ndarray) -> float:
    """Area of the 95 % prediction ellipse of (N, 2) points (Schubert & Kirchner 2014)."""
    xy = np.asarray(xy, dtype=np.float64)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if len(xy) < MIN_SAMPLES:
        return float("nan")
    det = float(np.linalg.det(np.cov(xy, rowvar=False)))
    return float(np.pi * CHI2_95_2DOF * np.sqrt(max(det, 0.0)))


def ellipse95(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre (2,), semi-axes (2,) and axis directions (2, 2 columns) of the 95 % prediction
    ellipse, for plotting; consistent with :func:`ellipse95_area`."""
    xy = np.asarray(xy, dtype=np.float64)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    evals, evecs = np.linalg.eigh(np.cov(xy, rowvar=False))
    return xy.mean(axis=0), np.sqrt(np.maximum(evals, 0) * CHI2_95_2DOF), evecs


def sway_angle_deg(d_px: np.ndarray) -> np.ndarray:
    """Angle from vertical of ankle→pelvis vectors (N, 2) in pixels, image y down."""
    return np.degrees(np.arctan2(d_px[:, 0], -d_px[:, 1]))


def cm_per_leg_length(world_leg_m: float, height_cm: float | None) -> tuple[float, str]:
    """Centimetres in one leg length, and where the scale came from.

    With a subject height, leg length = 0.491 × height (Winter 2009); otherwise the stance
    leg's hip→knee→ankle length in MediaPipe world landmarks (metres; MediaPipe scales them to
    an average adult, so an individual's centimetres are approximate, typically ±10 %).
    """
    if height_cm is not None:
        return LEG_LENGTH_PER_HEIGHT * height_cm, "height_cm"
    return 100.0 * world_leg_m, "world_landmarks"


def _clean(t_s: np.ndarray, x: np.ndarray, cfg: SwayConfig) -> tuple[np.ndarray, np.ndarray]:
    """Gap-fill, resample uniformly and zero-phase low-pass (N, D) signals.

    Grid points inside a gap longer than ``cfg.max_gap_s`` are NaN (not a straight line drawn
    across the gap), and each run of valid samples is filtered on its own.
    """
    x = fill_gaps(t_s, x, cfg.max_gap_s)
    keep = np.all(np.isfinite(x), axis=1)  # x is (N, D), also for N = 0
    t_s, x = t_s[keep], x[keep]
    if len(t_s) < MIN_SAMPLES:
        return t_s, x
    fs = median_rate_hz(t_s)
    grid, xu = resample_uniform(t_s, x, fs)
    xu[_in_long_gap(grid, t_s, cfg.max_gap_s)] = np.nan
    return grid, _lowpass_runs(xu, fs, cfg.lowpass_hz)


def uniform_filtered(
    t_s: np.ndarray, x: np.ndarray, lowpass_hz: float, max_gap_s: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """(grid, x) of (N,) or (N, D) signals cleaned as the sway metrics are (gap-filled, resampled
    at the median frame rate, zero-phase low-passed at ``lowpass_hz``; long gaps stay NaN)."""
    x2 = np.asarray(x, dtype=np.float64).reshape(len(t_s), -1)
    grid, out = _clean(np.asarray(t_s, dtype=np.float64), x2, SwayConfig(lowpass_hz, max_gap_s))
    return grid, out.reshape((len(grid), *np.shape(x)[1:]))


def _in_long_gap(grid: np.ndarray, t_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Mask of grid times strictly inside an interval of ``t_s`` longer than ``max_gap_s``."""
    nxt = np.clip(np.searchsorted(t_s, grid, side="right"), 1, len(t_s) - 1)
    prev_t, next_t = t_s[nxt - 1], t_s[nxt]
    return (next_t - prev_t > max_gap_s + 1e-9) & (grid > prev_t + 1e-9) & (grid < next_t - 1e-9)


def _lowpass_runs(x: np.ndarray, fs_hz: float, cutoff_hz: float) -> np.ndarray:
    """:func:`lowpass_zero_phase` applied to each run of NaN-free rows separately."""
    good = np.all(np.isfinite(x), axis=1)
    out = np.full_like(x, np.nan)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], good.astype(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        out[start:stop] = lowpass_zero_phase(x[start:stop], fs_hz, cutoff_hz)
    return out


def _centred(x: np.ndarray) -> np.ndarray:
    """``x`` minus its NaN-aware mean (all-NaN stays NaN, without a warning)."""
    finite = np.isfinite(x)
    return x - x[finite].mean() if finite.any() else x


def sway_metrics(
    t_s: np.ndarray,
    d_px: np.ndarray,
    ap_m: np.ndarray,
    leg_length_px: float,
    world_leg_m: float,
    cfg: SwayConfig | None = None,
) -> tuple[SwayMetrics, SwayTrace]:
    """All sway metrics of one trial.

    ``d_px``: (N, 2) pelvis minus stance ankle in pixels; ``ap_m``: (N,) anterior-posterior
    pelvis-minus-ankle from world landmarks (metres, + towards the camera); ``leg_length_px``
    and ``world_leg_m``: the stance leg's length in pixels and metres.
    """
    cfg = cfg or SwayConfig()
    cm_ll, scale_source = cm_per_leg_length(world_leg_m, cfg.height_cm)
    # Each signal in leg lengths of its own units (pixels / world metres), then one cm scale.
    signals = np.column_stack([d_px / leg_length_px, ap_m / world_leg_m])
    if not np.any(np.isfinite(signals[:, 2])):  # no world landmarks: ML and angle still stand
        grid, s = _clean(np.asarray(t_s, dtype=np.float64), signals[:, :2], cfg)
        s = np.column_stack([s, np.full(len(s), np.nan)])
    else:
        grid, s = _clean(np.asarray(t_s, dtype=np.float64), signals, cfg)
    if len(grid) < MIN_SAMPLES or not np.isfinite(leg_length_px):
        return SwayMetrics.empty(scale_source), SwayTrace.empty()
    ml_ll, ap_ll = s[:, 0], s[:, 2]
    angle = sway_angle_deg(s[:, :2])
    fs_hz = float(1.0 / np.median(np.diff(grid)))
    duration = float(np.isfinite(np.diff(ml_ll)).sum() / fs_hz)  # observed time, gaps excluded
    path_ll = path_length(ml_ll)
    ml_cm, ap_cm = ml_ll * cm_ll, ap_ll * cm_ll
    metrics = SwayMetrics(
        ml_rms_cm=rms(ml_cm), ml_range_cm=value_range(ml_cm),
        path_length_cm=path_ll * cm_ll, mean_velocity_cm_s=mean_velocity(path_ll * cm_ll, duration),
        angle_rms_deg=rms(angle), angle_range_deg=value_range(angle),
        ap_rms_cm=rms(ap_cm), ap_range_cm=value_range(ap_cm),
        ellipse95_area_cm2=ellipse95_area(np.column_stack([ml_cm, ap_cm])),
        ml_rms_ll=rms(ml_ll), ml_range_ll=value_range(ml_ll), path_length_ll=path_ll,
        mean_velocity_ll_s=mean_velocity(path_ll, duration),
        cm_per_leg_length=cm_ll, scale_source=scale_source,
        n_samples=int(np.isfinite(ml_ll).sum()),
        fs_hz=fs_hz,
    )  # fmt: skip
    trace = SwayTrace(grid, _centred(ml_cm), _centred(ap_cm), angle)
    return metrics, trace
