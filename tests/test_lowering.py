"""A raised foot lowered slowly at the end of a hold (a careful patient, a controlled finish):
the touchdown is when the foot got to the floor, not when the lowering began.

The foot is slower than ``still_ll_s`` (0.3 leg lengths/s) all the way down, so it reads
"still" from the hold into the touchdown; before :meth:`Touchdown.arrived_s` the hold was
timed to where that stillness began (0.4-0.5 s early for a 2 s lowering; a 3 s lowering after
a still hold lost the whole trial or was 0.9 s early). Synthetic skeletons
(:mod:`balance_cam.testing.landmarks`) with sway, MediaPipe-like jitter and a minimum-jerk
lowering; the truth is the first frame with the noiseless raised ankle within 0.01 leg lengths
of the floor.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from balance_cam.core.analyzer import analyze_series
from balance_cam.core.config import AnalysisConfig, StanceConfig
from balance_cam.core.feet import FootTracker
from balance_cam.core.skeleton import idx
from balance_cam.core.touchdown import Touchdown
from balance_cam.testing.landmarks import Keyframe, SynthConfig, make_trial

LIFT_S, HOLD_END_S = 2.0, 20.0


def lowered(lower_s: float, fps: float, seed: int) -> tuple[float, float, SynthConfig]:
    """Double stance, a lift at 2 s (hip 30 deg, knee 90 deg: the ankle 0.32 leg lengths up),
    a hold to 20 s, then the foot lowered to the floor over ``lower_s``; (lift, touchdown, cfg)."""
    keys = (Keyframe("flexion", LIFT_S, 0.4, 30.0), Keyframe("knee", LIFT_S, 0.4, 90.0),
            Keyframe("flexion", HOLD_END_S, lower_s, 0.0),
            Keyframe("knee", HOLD_END_S, lower_s, 0.0))  # fmt: skip
    cfg = SynthConfig(duration_s=HOLD_END_S + lower_s + 3.0, fps=fps, hip_flexion_deg=0.0,
                      knee_flexion_deg=0.0, keyframes=keys, seed=seed)  # fmt: skip
    clean = make_trial(replace(cfg, noise_ll=0.0, sway_ml_ll=0.0, sway_ap_ll=0.0)).series
    up_ll = (clean.world[:, idx("left", "ankle"), 1] - clean.world[:, idx("right", "ankle"), 1]) / cfg.leg_m
    t = clean.t_s
    after = t > HOLD_END_S
    return float(t[np.argmax(up_ll > 0.01)]), float(t[after][np.argmax(up_ll[after] < 0.01)]), cfg


@pytest.mark.parametrize("fps", (15.0, 30.0, 60.0))
@pytest.mark.parametrize("lower_s", (0.3, 1.0, 2.0))
def test_a_foot_lowered_slowly_is_timed_down_when_it_got_there(lower_s: float, fps: float) -> None:
    """0.3 and 1 s lowerings were timed right before too (they stop reading still on the way
    down); the 2 s ones were 0.4-0.5 s early."""
    lift_s, down_s, cfg = lowered(lower_s, fps, seed=int(10 * lower_s + fps))
    (trial,) = analyze_series(make_trial(cfg).series, AnalysisConfig()).trials
    assert trial.stance == "left" and trial.stop_reason == "touchdown"
    assert abs(trial.start_s - lift_s) <= 0.3
    assert abs(trial.end_s - down_s) <= 0.3, (trial.end_s, down_s)


@pytest.mark.parametrize("seed", (0, 1))
def test_a_very_slow_lowering_keeps_its_trial_and_is_timed_a_little_early(seed: int) -> None:
    """3 s to put the foot down (0.1 leg lengths/s): the trial is kept (before, seed 1 lost it
    and seed 0 was timed 0.87 s early), timed up
    to ~0.5 s early: the end of the lowering is slower than ``Touchdown`` sees a foot coming
    down (about 0.13 leg lengths/s), so it is confirmed, and timed, a little before."""
    lift_s, down_s, cfg = lowered(3.0, 30.0, seed)
    (trial,) = analyze_series(make_trial(cfg).series, AnalysisConfig()).trials
    assert trial.stance == "left" and trial.stop_reason == "touchdown"
    assert abs(trial.start_s - lift_s) <= 0.3
    assert -0.6 <= trial.end_s - down_s <= 0.1


def test_a_slow_lowering_then_a_step_is_timed_where_the_foot_got_down() -> None:
    """The foot lowered from 0.25 leg lengths over 1 s (reading still all the way), down at
    2.8 s, and the stance foot moving at 2.9 s, before the touchdown is confirmed: the touch,
    then the step, is timed at 2.8 s (it was the start of the still spell, 1.0 s, or nothing
    once that lay more than ``touchdown_step_s`` before the step)."""
    cfg = StanceConfig()
    touch, foot = Touchdown(cfg), FootTracker(cfg.speed_window_s, cfg.still_ll_s)
    length_px, dt = 300.0, 1 / 30
    for i in range(int(2.9 / dt) + 1):
        t = i * dt
        h = 0.25 * float(np.clip((2.8 - t) / 1.0, 0.0, 1.0))
        pos = np.array([100.0, 500.0 - h * length_px])
        foot.update(t, pos, length_px)
        assert not touch.update(t, (h, h), foot.still_since, False, pos, length_px)
    assert foot.still_since is not None and foot.still_since < 1.0  # "still" since the hold
    down_s = touch.before_step(2.9)
    assert down_s is not None and abs(down_s - 2.8) <= 0.1
