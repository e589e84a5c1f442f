"""BESS error detectors and counting (:mod:`balance_cam.core.bess`) against synthetic landmark
series with known truth (:mod:`balance_cam.testing.landmarks`).

Truth times are the mid-times of the injected movements (minimum-jerk, 0.3-0.4 s); detections
lie within 0.2 s of them. Noise 0.005 and 0.01 leg lengths per landmark per frame.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance_cam.core.analyzer import measure_trial
from balance_cam.core.bess import MAX_ERRORS, bess_masks, bess_score
from balance_cam.core.config import AnalysisConfig, TestConfig
from balance_cam.core.posture import episodes
from balance_cam.core.stops import TrialSpan
from balance_cam.testing.landmarks import Keyframe, SynthConfig, make_trial

NOISES = [0.005, 0.01]
BESS = AnalysisConfig().with_options(test=TestConfig.of(protocol="bess-single"))


def score(keys=(), noise=0.005, seed=0, duration_s=20.0, arms="hips", stance="left", reason="time_limit",
          end_s=None):  # fmt: skip
    s = make_trial(SynthConfig(duration_s=duration_s, noise_ll=noise, keyframes=tuple(keys), seed=seed,
                               arms=arms, stance=stance)).series  # fmt: skip
    m = bess_masks(s.t_s, s.pixels(), s.world[..., :3].astype(np.float64), stance, BESS)  # type: ignore[arg-type]
    span = TrialSpan(stance, 0.0, float(s.t_s[-1]) if end_s is None else end_s, reason)  # type: ignore[arg-type]
    return m, bess_score(m, span, BESS)


def onsets(result, kind):
    return [e.t_s for e in result.events if kind in e.kinds]


def test_bess_config_is_20_s_eyes_closed_hands_on_hips():
    assert BESS.stance.limit_s == 20.0
    assert (BESS.test.condition, BESS.test.hands_on_hips) == ("eyes-closed", True)
    with pytest.raises(ValueError, match="eyes closed and hands on hips"):
        TestConfig("eyes-open", "firm", "bess-single", True)
    with pytest.raises(ValueError, match="--limit 30 does not apply"):
        AnalysisConfig().with_options(limit_s=30.0, test=BESS.test)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("seed", range(2))
def test_quiet_trial_has_no_errors(noise, seed):
    m, r = score(noise=noise, seed=seed, stance="left" if seed % 2 else "right")
    assert r.errors == 0 and r.max_reason is None
    assert not m.hands_off.any() and not m.hip.any() and not m.foot.any()


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("pose", ["out", "overhead", "hang", "chest"])
def test_hands_off_hips(noise, pose):
    keys = (Keyframe("arms", 3.0, 0.4, pose, "right"), Keyframe("arms", 6.0, 0.4, "hips", "right"))
    m, r = score(keys, noise)
    assert r.errors == 1 and r.events[0].kinds == ("hands_off_hips",)
    assert abs(r.events[0].t_s - 3.2) <= 0.2
    ((a, b),) = episodes(m.t_s, m.hands_off, 0.2)
    assert abs(a - 3.2) <= 0.2 and abs(b - 6.2) <= 0.2


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize(("param", "value", "kind"), [
    ("flexion", 45.0, "hip"), ("abduction", 40.0, "hip"), ("pitch", 12.0, "foot"), ("pitch", -12.0, "foot"),
])  # fmt: skip
def test_hip_hike_and_heel_or_forefoot_lift(noise, param, value, kind):
    rest = 20.0 if param == "flexion" else 0.0
    keys = (Keyframe(param, 5.0, 0.4, value), Keyframe(param, 7.0, 0.4, rest))
    _m, r = score(keys, noise, seed=1)
    assert r.errors == 1 and r.events[0].kinds == (kind,)
    assert abs(r.events[0].t_s - 5.2) <= 0.2


def test_small_movements_are_not_errors():
    """Flexion and abduction combine into one thigh elevation in the image, so one at a time."""
    keys = (Keyframe("flexion", 4.0, 0.4, 25.0), Keyframe("flexion", 6.0, 0.4, 20.0),
            Keyframe("abduction", 8.0, 0.4, 15.0), Keyframe("abduction", 10.0, 0.4, 0.0),
            Keyframe("pitch", 12.0, 0.4, 4.0), Keyframe("lean", 15.0, 0.5, 8.0))  # fmt: skip
    assert score(keys, 0.01, seed=2)[1].errors == 0


def test_simultaneous_errors_count_once():
    keys = (Keyframe("arms", 5.0, 0.4, "out"), Keyframe("flexion", 5.1, 0.4, 50.0),
            Keyframe("pitch", 5.2, 0.3, 10.0))  # fmt: skip
    _m, r = score(keys, 0.005, duration_s=10)
    assert r.errors == 1 and set(r.events[0].kinds) == {"hands_off_hips", "hip", "foot"}


@pytest.mark.parametrize("noise", NOISES)
def test_seven_errors_within_one_and_timed(noise):
    kinds = [("arms", "out", "hips"), ("flexion", 50.0, 20.0), ("pitch", 12.0, 0.0)]
    keys, truth = [], []
    for k in range(7):
        param, bad, good = kinds[k % 3]
        t0 = 1.5 + 2.6 * k
        keys += [Keyframe(param, t0, 0.4, bad), Keyframe(param, t0 + 1.2, 0.4, good)]
        truth.append(t0 + 0.2)
    _m, r = score(keys, noise, seed=3)
    assert abs(r.errors - 7) <= 1
    t = np.array([e.t_s for e in r.events])
    assert np.max(np.min(np.abs(t[:, None] - np.array(truth)[None]), axis=0)) <= 0.2


def test_out_of_position_longer_than_5_s_adds_errors():
    keys = (Keyframe("arms", 3.0, 0.4, "out", "left"), Keyframe("arms", 15.0, 0.4, "hips", "left"))
    _m, r = score(keys, 0.005)
    assert [e.kinds for e in r.events] == [("hands_off_hips",), ("out_of_position",), ("out_of_position",)]
    assert r.errors == 3


def test_a_step_is_an_error_and_the_rest_of_the_20_s_is_out_of_position():
    _m, r = score((), 0.005, duration_s=12.0, reason="touchdown", end_s=12.0)
    assert [(e.kind, round(e.t_s, 2)) for e in r.events] == [("step", 12.0), ("out_of_position", 17.0)]
    assert r.errors == 2
    _m, early = score((), 0.005, duration_s=3.0, reason="touchdown", end_s=3.0)
    assert early.errors == MAX_ERRORS and early.max_reason == "under_5s_in_position"


def test_at_most_10_errors():
    keys = []
    for k in range(13):
        t0 = 0.8 + 1.45 * k
        keys += [Keyframe("arms", t0, 0.3, "out", "right"), Keyframe("arms", t0 + 0.7, 0.3, "hips", "right")]
    _m, r = score(keys, 0.005)
    assert abs(len(r.events) - 13) <= 1 and r.errors == MAX_ERRORS


def test_never_in_position_scores_10():
    _m, r = score((), 0.005, arms="out", duration_s=10)
    assert r.errors == MAX_ERRORS and r.max_reason == "never_in_position"


@pytest.mark.parametrize("seed", range(8))
def test_bess_errors_between_0_and_10_in_the_trial(seed):
    rng = np.random.default_rng(seed)
    params = [("arms", lambda: str(rng.choice(["out", "hips", "overhead", "hang"]))),
              ("flexion", lambda: float(rng.uniform(0, 70))),
              ("abduction", lambda: float(rng.uniform(0, 50))),
              ("pitch", lambda: float(rng.uniform(-15, 15))),
              ("lean", lambda: float(rng.uniform(-25, 25)))]  # fmt: skip
    keys = []
    for _ in range(int(rng.integers(0, 12))):
        name, draw = params[int(rng.integers(len(params)))]
        keys.append(Keyframe(name, float(rng.uniform(0, 19)), float(rng.uniform(0.2, 0.8)), draw()))
    s = make_trial(SynthConfig(duration_s=20, noise_ll=float(rng.choice(NOISES)), keyframes=tuple(keys),
                               seed=seed)).series  # fmt: skip
    end = float(rng.uniform(1.0, 19.9))
    reason = str(rng.choice(["touchdown", "time_limit", "stance_foot_moved", "lost_tracking"]))
    trial = measure_trial(s.between(0, end), TrialSpan("left", 0.0, end, reason), 0, BESS)  # type: ignore[arg-type]
    assert trial.errors is not None and 0 <= trial.errors <= MAX_ERRORS
    assert trial.protocol == "bess-single" and trial.condition == "eyes-closed"
    assert 0 <= trial.stable_s <= trial.hold_s


def test_only_the_first_20_s_are_scored():
    keys = (Keyframe("arms", 22.0, 0.4, "out", "left"), Keyframe("arms", 24.0, 0.4, "hips", "left"))
    assert score(keys, 0.005, duration_s=30)[1].errors == 0
