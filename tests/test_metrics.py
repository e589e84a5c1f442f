"""Sway metrics (:mod:`balance_cam.core.metrics`) against hand-computed values on synthetic series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_cam.core.config import SwayConfig
from balance_cam.core.metrics import (
    CHI2_95_2DOF,
    LEG_LENGTH_PER_HEIGHT,
    cm_per_leg_length,
    ellipse95,
    ellipse95_area,
    mean_velocity,
    path_length,
    rms,
    sway_angle_deg,
    sway_metrics,
    value_range,
)

nan = float("nan")


# -- one-line definitions -----------------------------------------------------------------
def test_rms_is_about_the_mean_and_ignores_nan():
    assert rms(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(math.sqrt(1.25))
    assert rms(np.array([1.0, nan, 3.0])) == pytest.approx(1.0)
    assert rms(np.array([5.0, 5.0])) == 0.0
    assert math.isnan(rms(np.array([]))) and math.isnan(rms(np.array([nan])))


def test_range_and_path_length():
    assert value_range(np.array([3.0, -1.0, nan, 2.0])) == 4.0
    assert math.isnan(value_range(np.array([nan, nan])))
    assert path_length(np.array([0.0, 1.0, 3.0, 2.0])) == 4.0
    assert path_length(np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 0.0]])) == 9.0
    # A NaN sample removes the two steps touching it, nothing else.
    assert path_length(np.array([0.0, 1.0, nan, 5.0, 6.0])) == 2.0
    assert math.isnan(path_length(np.array([1.0])))


def test_mean_velocity():
    assert mean_velocity(10.0, 4.0) == 2.5
    assert math.isnan(mean_velocity(10.0, 0.0))


def test_chi2_constant_is_the_95_percent_quantile_for_two_dof():
    # chi-square with 2 dof is exponential: P(X <= c) = 1 - exp(-c / 2).
    assert pytest.approx(-2.0 * math.log(0.05), rel=1e-12) == CHI2_95_2DOF


def test_ellipse_area_exact_for_a_symmetric_point_set():
    a, b = 3.0, 1.0
    pts = np.array([[a, 0], [-a, 0], [0, b], [0, -b]], dtype=float)
    # Sample covariance (ddof 1): diag(2a²/3, 2b²/3); area = pi * chi2 * sqrt(det).
    expected = math.pi * CHI2_95_2DOF * (2 * a * b / 3)
    assert ellipse95_area(pts) == pytest.approx(expected)
    assert ellipse95_area(pts + [10.0, -4.0]) == pytest.approx(expected)  # translation-free
    assert ellipse95_area(np.vstack([pts, [[nan, 1.0]]])) == pytest.approx(expected)
    assert math.isnan(ellipse95_area(pts[:2]))
    assert ellipse95_area(np.column_stack([np.arange(5.0), 2 * np.arange(5.0)])) == 0.0


def test_prediction_ellipse_holds_95_percent_of_a_gaussian_sample():
    rng = np.random.default_rng(7)
    cov = np.array([[4.0, 1.5], [1.5, 1.0]])
    xy = rng.multivariate_normal([2.0, -1.0], cov, size=40_000)

    centre, semi, axes = ellipse95(xy)
    local = (xy - centre) @ axes  # coordinates along the ellipse's own axes
    inside = np.sum((local / semi) ** 2, axis=1) <= 1.0

    assert inside.mean() == pytest.approx(0.95, abs=0.005)
    assert ellipse95_area(xy) == pytest.approx(math.pi * semi.prod(), rel=1e-9)
    true_area = math.pi * CHI2_95_2DOF * math.sqrt(np.linalg.det(cov))
    assert ellipse95_area(xy) == pytest.approx(true_area, rel=0.02)


def test_sway_angle_sign_and_value():
    # Ankle -> pelvis vectors in pixels, image y down: the pelvis is above (negative y).
    d = np.array([[0.0, -100.0], [100.0, -100.0], [-100.0, -100.0], [10.0, -100.0]])
    np.testing.assert_allclose(sway_angle_deg(d), [0.0, 45.0, -45.0, math.degrees(math.atan(0.1))])


def test_leg_length_scale_from_height_or_world_landmarks():
    # Winter (2009) segment lengths: thigh 0.245 H + shank 0.246 H (hip joint to ankle).
    assert pytest.approx(0.245 + 0.246) == LEG_LENGTH_PER_HEIGHT
    assert cm_per_leg_length(0.85, None) == (pytest.approx(85.0), "world_landmarks")
    assert cm_per_leg_length(0.85, 180.0) == (pytest.approx(88.38), "height_cm")


# -- sway_metrics end to end --------------------------------------------------------------
LEG_PX, RADIUS_PX, WORLD_LEG_M = 400.0, 420.0, 0.9
THETA_DEG, F_ML_HZ, AP_M, F_AP_HZ, T_S = 2.0, 0.5, 0.01, 0.3, 10.0


def synthetic_trial(t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pelvis rotating about the stance ankle by 2° sin(2π 0.5 t), AP 1 cm sin(2π 0.3 t)."""
    theta = np.radians(THETA_DEG) * np.sin(2 * np.pi * F_ML_HZ * t_s)
    d_px = np.column_stack([RADIUS_PX * np.sin(theta), -RADIUS_PX * np.cos(theta)])
    return d_px, AP_M * np.sin(2 * np.pi * F_AP_HZ * t_s)


def expected_ml_amplitude_cm(cm_per_ll: float) -> float:
    return RADIUS_PX * math.sin(math.radians(THETA_DEG)) / LEG_PX * cm_per_ll


def uniform_times(fps: float) -> np.ndarray:
    return np.arange(int(round(T_S * fps)) + 1) / fps


def vfr_times(fps: float, seed: int = 3) -> np.ndarray:
    """Frame times jittered by up to ±40 % of a frame interval (irregular phone timing)."""
    t = uniform_times(fps)
    jitter = np.random.default_rng(seed).uniform(-0.4, 0.4, len(t)) / fps
    jitter[[0, -1]] = 0.0
    return t + jitter


@pytest.mark.parametrize("times", [uniform_times(25), uniform_times(30000 / 1001),
                                   uniform_times(30), uniform_times(60), vfr_times(30)],
                         ids=["25", "29.97", "30", "60", "vfr30"])  # fmt: skip
def test_sway_metrics_recover_a_known_sine_at_any_frame_rate(times):
    d_px, ap_m = synthetic_trial(times)
    m, trace = sway_metrics(times, d_px, ap_m, LEG_PX, WORLD_LEG_M)

    a_cm = expected_ml_amplitude_cm(100 * WORLD_LEG_M)
    assert m.scale_source == "world_landmarks" and m.cm_per_leg_length == pytest.approx(90.0)
    assert m.ml_rms_cm == pytest.approx(a_cm / math.sqrt(2), rel=0.01)
    assert m.ml_range_cm == pytest.approx(2 * a_cm, rel=0.01)
    assert m.path_length_cm == pytest.approx(4 * a_cm * F_ML_HZ * T_S, rel=0.02)
    assert m.mean_velocity_cm_s == pytest.approx(4 * a_cm * F_ML_HZ, rel=0.02)
    assert m.angle_rms_deg == pytest.approx(THETA_DEG / math.sqrt(2), rel=0.01)
    assert m.angle_range_deg == pytest.approx(2 * THETA_DEG, rel=0.01)
    assert m.ap_rms_cm == pytest.approx(100 * AP_M / math.sqrt(2), rel=0.02)
    # Uncorrelated sines: Cov = diag(a²/2, b²/2); ellipse area = pi chi2 a b / 2.
    assert m.ellipse95_area_cm2 == pytest.approx(math.pi * CHI2_95_2DOF * a_cm * 100 * AP_M / 2,
                                                 rel=0.03)  # fmt: skip
    assert m.ml_rms_ll == pytest.approx(m.ml_rms_cm / 90.0)
    assert m.n_samples == len(trace.t_s) and np.all(np.diff(trace.t_s) > 0)
    assert abs(np.mean(trace.ml_cm)) < 1e-9


def test_height_rescales_ml_and_ap_alike():
    t = uniform_times(30)
    d_px, ap_m = synthetic_trial(t)
    world, _ = sway_metrics(t, d_px, ap_m, LEG_PX, WORLD_LEG_M)
    tall, _ = sway_metrics(t, d_px, ap_m, LEG_PX, WORLD_LEG_M, SwayConfig(height_cm=190.0))

    ratio = LEG_LENGTH_PER_HEIGHT * 190.0 / (100 * WORLD_LEG_M)
    assert tall.scale_source == "height_cm"
    assert tall.ml_rms_cm == pytest.approx(world.ml_rms_cm * ratio, rel=1e-9)
    assert tall.ap_rms_cm == pytest.approx(world.ap_rms_cm * ratio, rel=1e-9)
    assert tall.ellipse95_area_cm2 == pytest.approx(world.ellipse95_area_cm2 * ratio**2, rel=1e-9)
    assert tall.angle_rms_deg == pytest.approx(world.angle_rms_deg)  # needs no scale
    assert tall.ml_rms_ll == pytest.approx(world.ml_rms_ll)


def _with_gap(t: np.ndarray, d_px: np.ndarray, ap_m: np.ndarray, start_s: float, stop_s: float):
    gap = (t > start_s) & (t < stop_s)
    d_px, ap_m = d_px.copy(), ap_m.copy()
    d_px[gap], ap_m[gap] = nan, nan
    return d_px, ap_m, gap


def test_short_gap_is_filled():
    t = uniform_times(30)
    d_px, ap_m = synthetic_trial(t)
    ref, _ = sway_metrics(t, d_px, ap_m, LEG_PX, WORLD_LEG_M)
    d_gap, ap_gap, gap = _with_gap(t, d_px, ap_m, 4.0, 4.3)  # 8 frames missing, 0.3 s

    m, trace = sway_metrics(t, d_gap, ap_gap, LEG_PX, WORLD_LEG_M)

    assert gap.sum() == 8
    assert np.all(np.isfinite(trace.ml_cm)) and m.n_samples == len(t)
    for name in ("ml_rms_cm", "path_length_cm", "angle_rms_deg", "ellipse95_area_cm2"):
        assert getattr(m, name) == pytest.approx(getattr(ref, name), rel=0.02), name


def test_long_gap_is_neither_filled_nor_bridged():
    t = uniform_times(30)
    d_px, ap_m = synthetic_trial(t)
    # 1 s gap over exactly half an ML cycle: the signal is 0 at both ends, so a straight line
    # across the gap would hide 2 amplitudes of path and bias the mean velocity by 10 %.
    d_gap, ap_gap, gap = _with_gap(t, d_px, ap_m, 2.0, 3.0)

    m, trace = sway_metrics(t, d_gap, ap_gap, LEG_PX, WORLD_LEG_M)

    a_cm = expected_ml_amplitude_cm(90.0)
    inside = (trace.t_s > 2.05) & (trace.t_s < 2.95)
    assert inside.sum() > 20 and np.all(np.isnan(trace.ml_cm[inside]))
    assert m.n_samples == len(t) - gap.sum()
    assert m.path_length_cm == pytest.approx(4 * a_cm * F_ML_HZ * (T_S - 1.0), rel=0.03)
    assert m.mean_velocity_cm_s == pytest.approx(4 * a_cm * F_ML_HZ, rel=0.03)
    assert m.ml_rms_cm == pytest.approx(a_cm / math.sqrt(2), rel=0.03)
    assert m.angle_range_deg == pytest.approx(2 * THETA_DEG, rel=0.02)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_too_short_trials_give_nan_without_error(n):
    t = np.arange(n) / 30.0
    d_px, ap_m = synthetic_trial(t)
    m, trace = sway_metrics(t, d_px.reshape(n, 2), ap_m, LEG_PX, WORLD_LEG_M)
    assert m.n_samples == 0 and len(trace.t_s) == 0
    for name in ("ml_rms_cm", "path_length_cm", "mean_velocity_cm_s", "angle_rms_deg",
                 "ellipse95_area_cm2"):  # fmt: skip
        assert math.isnan(getattr(m, name)), name


def test_three_samples_is_the_documented_minimum():
    t = np.arange(3) / 30.0
    d_px, ap_m = synthetic_trial(t + 0.5)
    m, _ = sway_metrics(t, d_px, ap_m, LEG_PX, WORLD_LEG_M)
    assert m.n_samples == 3 and np.isfinite(m.ml_range_cm) and np.isfinite(m.angle_rms_deg)


def test_all_missing_or_unknown_leg_length_gives_nan():
    t = uniform_times(30)
    d_px, ap_m = synthetic_trial(t)
    m, _ = sway_metrics(t, np.full_like(d_px, nan), np.full_like(ap_m, nan), LEG_PX, WORLD_LEG_M)
    assert math.isnan(m.ml_rms_cm) and m.n_samples == 0
    m, _ = sway_metrics(t, d_px, ap_m, nan, WORLD_LEG_M)
    assert math.isnan(m.ml_rms_cm)


def test_pelvis_minus_ankle_and_instant_ml_cm():
    from balance_cam.core.metrics import instant_ml_cm, pelvis_minus_ankle_px
    from balance_cam.core.skeleton import idx

    px = np.zeros((33, 2))
    px[idx("left", "hip")], px[idx("right", "hip")] = (530, 400), (470, 400)  # pelvis at x 500
    px[idx("left", "ankle")], px[idx("right", "ankle")] = (490, 800), (460, 800)
    np.testing.assert_allclose(pelvis_minus_ankle_px(px, "left"), (10, -400))
    np.testing.assert_allclose(pelvis_minus_ankle_px(px[None], "right"), [(40, -400)])
    # 10 px of a 400 px leg; leg 0.9 m in world landmarks, or 0.491 × 180 cm from the height
    assert instant_ml_cm(px, "left", 400.0, 0.9, None) == pytest.approx(2.25)
    assert instant_ml_cm(px, "left", 400.0, 0.9, 180.0) == pytest.approx(10 / 400 * 0.491 * 180)
