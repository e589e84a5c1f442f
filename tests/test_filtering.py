"""Cleaning (:mod:`balance_cam.core.filtering`): gap filling, resampling, filters, leg-swap guard."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_cam.core.butterworth import butter_lowpass_sos, sosfiltfilt
from balance_cam.core.filtering import (
    LegSwapGuard,
    OneEuroFilter,
    fill_gaps,
    lowpass_zero_phase,
    median_rate_hz,
    resample_uniform,
)
from balance_cam.core.skeleton import N_LANDMARKS, idx

nan = float("nan")


# -- fill_gaps ----------------------------------------------------------------------------
def test_fill_gaps_fills_short_gaps_linearly_and_leaves_long_ones():
    t = np.arange(20) / 10.0
    x = 3.0 * t + 1.0
    x[[5, 6]] = nan  # good samples around it at 0.4 s and 0.7 s: a 0.3 s span
    x[[10, 11, 12, 13]] = nan  # span 0.9 -> 1.4 s: 0.5 s

    filled = fill_gaps(t, x, max_gap_s=0.3)

    np.testing.assert_allclose(filled[[5, 6]], 3.0 * t[[5, 6]] + 1.0)
    assert np.isnan(filled[10:14]).all() and np.isnan(filled).sum() == 4
    assert np.isnan(fill_gaps(t, x, max_gap_s=0.2)).sum() == 6
    assert not np.isnan(fill_gaps(t, x, max_gap_s=0.5)).any()
    assert np.isnan(x).sum() == 6  # the input is not modified


def test_fill_gaps_does_not_extrapolate_edges_and_treats_columns_apart():
    t = np.arange(6) / 30.0
    x = np.column_stack([[nan, 1, 2, nan, 4, nan], [0, 1, nan, nan, nan, 5]]).astype(float)
    filled = fill_gaps(t, x, max_gap_s=0.1)
    np.testing.assert_allclose(filled[:, 0], [nan, 1, 2, 3, 4, nan])
    np.testing.assert_allclose(filled[:, 1], [0, 1, nan, nan, nan, 5])  # span 0.133 s > 0.1 s


def test_fill_gaps_with_too_few_samples_returns_input():
    t = np.arange(3) / 30.0
    np.testing.assert_array_equal(fill_gaps(t, np.array([nan, 2.0, nan]), 1.0), [nan, 2.0, nan])
    assert fill_gaps(np.zeros(0), np.zeros((0, 3)), 1.0).shape == (0, 3)


# -- resampling ---------------------------------------------------------------------------
def test_resample_uniform_on_irregular_times():
    t = np.array([0.0, 0.03, 0.1, 0.12, 0.2])
    x = np.column_stack([2.0 * t + 1.0, -t])
    grid, xu = resample_uniform(t, x, fs_hz=50.0)
    np.testing.assert_allclose(grid, np.arange(11) * 0.02)
    np.testing.assert_allclose(xu, np.column_stack([2.0 * grid + 1.0, -grid]), atol=1e-12)
    grid1, x1 = resample_uniform(t, 2.0 * t, 25.0)
    assert x1.shape == grid1.shape == (6,)


def test_median_rate_is_robust_to_a_dropped_frame():
    assert median_rate_hz(np.array([0.0, 0.04, 0.08, 0.2, 0.24])) == pytest.approx(25.0)
    assert math.isnan(median_rate_hz(np.array([0.0])))


# -- zero-phase low-pass ------------------------------------------------------------------
def _amplitude_and_phase(y: np.ndarray, t: np.ndarray, f_hz: float) -> tuple[float, float]:
    """Least-squares fit of a sine at ``f_hz`` to the middle half (away from the edges)."""
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    basis = np.column_stack([np.sin(2 * np.pi * f_hz * t[mid]), np.cos(2 * np.pi * f_hz * t[mid])])
    (s, c), *_ = np.linalg.lstsq(basis, y[mid], rcond=None)
    return math.hypot(s, c), math.atan2(c, s)


@pytest.mark.parametrize(("f_hz", "gain"), [(1.0, 1.0), (5.0, 0.5), (15.0, 0.0)])
def test_lowpass_gain_with_filtfilt_is_squared_butterworth(f_hz, gain):
    # A 4th-order Butterworth is -3 dB (1/sqrt 2) at the cut-off; run forwards and backwards
    # the gain is squared: 0.5 at 5 Hz; at 3x the cut-off 1 / (1 + 3^8) ~ 1.5e-4.
    fs = 100.0
    t = np.arange(1000) / fs
    y = lowpass_zero_phase(np.sin(2 * np.pi * f_hz * t + 0.3), fs, cutoff_hz=5.0)
    amp, phase = _amplitude_and_phase(y, t, f_hz)
    expected = 1.0 / (1.0 + (f_hz / 5.0) ** 8)
    assert amp == pytest.approx(expected, abs=0.005)
    assert amp == pytest.approx(gain, abs=0.01)
    if amp > 0.1:  # zero phase: the filtered sine is not shifted in time
        assert phase == pytest.approx(0.3, abs=0.005)


def test_lowpass_columns_low_rate_and_short_series():
    fs = 8.0  # Nyquist 4 Hz < 5 Hz cut-off: clamped to 0.8 x Nyquist, no error
    t = np.arange(80) / fs
    x = np.column_stack([np.sin(2 * np.pi * 0.5 * t), np.cos(2 * np.pi * 0.5 * t)])
    y = lowpass_zero_phase(x, fs, 5.0)
    assert y.shape == x.shape and np.all(np.isfinite(y))
    np.testing.assert_allclose(y[20:60], x[20:60], atol=0.01)
    short = np.arange(10.0)
    np.testing.assert_array_equal(lowpass_zero_phase(short, 30.0, 5.0), short)


@pytest.mark.parametrize("order", [2, 4, 6])
@pytest.mark.parametrize("wn", [0.02, 0.1667, 0.3333, 0.8])
def test_butterworth_design_and_zero_phase_filter_equal_scipy(order, wn):
    """The numpy Butterworth (no scipy.signal import at run time, issue 17) is SciPy's."""
    signal = pytest.importorskip("scipy.signal")
    ours = butter_lowpass_sos(order, wn)
    np.testing.assert_allclose(ours, signal.butter(order, wn, output="sos"), rtol=0, atol=1e-12)
    rng = np.random.default_rng(order)
    for x in (rng.normal(size=(900, 3)).cumsum(axis=0), rng.normal(size=3 * (order + 1) + 1)):
        expected = signal.sosfiltfilt(signal.butter(order, wn, output="sos"), x, axis=0)
        np.testing.assert_allclose(sosfiltfilt(ours, x), expected, rtol=1e-10, atol=1e-10)


def test_butterworth_refuses_odd_orders_bad_cutoffs_and_short_signals():
    for order, wn in ((3, 0.3), (0, 0.3), (4, 0.0), (4, 1.0), (4, float("nan"))):
        with pytest.raises(ValueError):
            butter_lowpass_sos(order, wn)
    with pytest.raises(ValueError, match="more than 15 samples"):
        sosfiltfilt(butter_lowpass_sos(4, 0.3), np.zeros(15))


def test_metrics_do_not_import_scipy_signal():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from balance_cam.core.filtering import lowpass_zero_phase; "
            "lowpass_zero_phase(np.zeros(200), 30.0, 5.0); print('scipy.signal' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- One-Euro -----------------------------------------------------------------------------
def _step_response(fps: float, t_end: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    t = np.arange(int(round(t_end * fps)) + 1) / fps
    y = np.array([float(f(ti, 1.0 if ti >= 0.5 else 0.0)) for ti in t])
    return t, y


def test_one_euro_is_frame_rate_independent():
    tau = 1.0 / (2 * np.pi * 1.0)
    probe_t = np.array([0.6, 0.7, 0.8, 1.0])
    responses = []
    for fps in (25.0, 30000 / 1001, 60.0):
        t, y = _step_response(fps)
        responses.append(np.interp(probe_t, t, y))
    responses = np.array(responses)
    continuous = 1.0 - np.exp(-(probe_t - 0.5) / tau)
    assert np.ptp(responses, axis=0).max() < 0.06
    np.testing.assert_allclose(responses, np.broadcast_to(continuous, responses.shape), atol=0.08)
    # A per-frame exponential filter with one fixed alpha differs grossly between rates.
    naive = [1 - (1 - 0.2) ** round((0.7 - 0.5) * fps) for fps in (25.0, 60.0)]
    assert abs(naive[0] - naive[1]) > 0.2


def test_one_euro_constant_nan_and_speed_adaptation():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    assert [float(f(k / 30, 2.0)) for k in range(5)] == [2.0] * 5
    assert np.isnan(f(5 / 30, nan))
    after = float(f(6 / 30, 3.0))
    assert 2.0 < after < 2.5  # continues from its state, does not jump to the new value
    slow, fast = OneEuroFilter(1.0, beta=0.0), OneEuroFilter(1.0, beta=5.0)
    ramp = [(k / 30, 0.1 * k) for k in range(30)]
    lag_slow = ramp[-1][1] - float([slow(t, x) for t, x in ramp][-1])
    lag_fast = ramp[-1][1] - float([fast(t, x) for t, x in ramp][-1])
    assert 0 < lag_fast < lag_slow / 2


# -- leg-swap guard -----------------------------------------------------------------------
def skeleton(left_x: float = 400.0, right_x: float = 500.0) -> np.ndarray:
    """(33, 2) pixels of a person facing the camera: hips at y 500, knees 700, ankles 900."""
    px = np.full((N_LANDMARKS, 2), 300.0)
    for side, x in (("left", left_x), ("right", right_x)):
        px[idx(side, "hip")] = (x, 500.0)
        px[idx(side, "knee")] = (x, 700.0)
        for joint in ("ankle", "heel", "foot_index"):
            px[idx(side, joint)] = (x, 900.0)
    return px


def swapped(px: np.ndarray) -> np.ndarray:
    out = px.copy()
    for joint in ("hip", "knee", "ankle", "heel", "foot_index"):
        pair = [idx("left", joint), idx("right", joint)]
        out[pair] = px[pair[::-1]]
    return out


def test_leg_swap_guard_undoes_a_three_frame_swap():
    guard = LegSwapGuard()
    truth = [skeleton(400 + k, 500 + k) for k in range(12)]
    seen = [swapped(p) if 5 <= k <= 7 else p for k, p in enumerate(truth)]

    out = [guard(p) for p in seen]

    assert [flag for _, flag in out] == [k in (5, 6, 7) for k in range(12)]
    ankle = idx("left", "ankle")
    np.testing.assert_allclose([o[ankle] for o, _ in out], [p[ankle] for p in truth])
    assert guard.swaps == 3


def test_leg_swap_guard_leaves_a_slow_genuine_crossing_alone():
    guard = LegSwapGuard()
    # The left leg walks across the right one over 2 s at 30 frames/s (3.3 px per frame).
    frames = [skeleton(left_x=400.0 + 200.0 * k / 60, right_x=500.0) for k in range(61)]
    flags = [guard(p)[1] for p in frames]
    assert not any(flags) and guard.swaps == 0


def test_leg_swap_guard_waits_for_visible_legs():
    guard = LegSwapGuard()
    hidden = skeleton()
    hidden[idx("right", "ankle")] = nan
    assert guard(hidden)[1] is False  # nothing to compare with yet
    assert guard(skeleton())[1] is False
    assert guard(swapped(skeleton()))[1] is True
