"""What the corpus expects of a correct analysis: trials timed within shots, a fade ending the
trial, the true camera motion in the analysis's own convention, and the must-hold scoring
(:mod:`balance_cam.testing.corpus.truth`, :mod:`balance_cam.testing.corpus.scoring`).

Pure except for the source tracks (pose_1 and pose2sim_cam02, shared with ``test_corpus.py``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from balance_cam.core.camera import make_motion
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.testing import corpus as cp
from balance_cam.testing.corpus import scoring

SMALL = {"width_px": 180, "fps": 15.0}
F = cp.LEG_OUT_FRAME


def _cut_pieces(tail: tuple[cp.Piece, ...]) -> tuple[cp.Piece, ...]:
    return (cp.Piece("cam02", 1.0, cp.TWO_FEET_FRAME), cp.Piece("cam02", (F - 6) / 60, 6, F, "play"),
            cp.Piece("cam02", 1.5, F), cp.Piece("pose_1", 1.5, 0, 119, "pingpong"), *tail)  # fmt: skip


def _cuts_truth(**kw: object) -> cp.CorpusTruth:
    """cam02 (lift, hold) → pose_1 (hold) → cam02 (hold, touchdown): two cuts in one hold."""
    tail = (cp.Piece("cam02", 1.5, F), cp.Piece("cam02", (78 - F) / 60 + 1e-6, F, 78, "play"),
            cp.Piece("cam02", 1.0, 78))  # fmt: skip
    return cp.plan(cp.Recipe("cuts", _cut_pieces(tail), aspect_hw=16 / 9, **SMALL, **kw)).truth  # type: ignore[arg-type]


# -- expected trials ----------------------------------------------------------------------------
def test_a_hold_is_split_at_every_cut_into_shot_trials() -> None:
    truth = _cuts_truth()
    whole = truth.expected()
    parts = truth.expected(45.0, per_shot=True)
    dt = 1 / truth.fps
    c0, c1 = truth.cuts_s
    assert [p.shot for p in parts] == [0, 1, 2]
    assert [p.stop_reason for p in parts] == ["end_of_shot", "end_of_shot", "touchdown"]
    assert [p.lift_observed for p in parts] == [True, False, False]
    assert parts[0].start_s == whole.start_s and parts[0].end_s == pytest.approx(c0 - dt)
    assert parts[1].start_s == c0 and parts[1].end_s == pytest.approx(c1 - dt)
    assert parts[2].start_s == c1 and parts[2].end_s == whole.end_s == truth.touchdown_s
    assert sum(p.hold_s for p in parts) == pytest.approx(whole.hold_s - 2 * dt)
    for p in parts[:2]:  # the last frame of each shot is a frame with the foot up
        assert truth.foot_up[int(round(p.end_s * truth.fps))]


def test_the_time_limit_applies_to_each_shot_trial() -> None:
    parts = _cuts_truth().expected(1.0, per_shot=True)
    assert [p.stop_reason for p in parts] == ["time_limit"] * 3
    assert all(p.hold_s == pytest.approx(1.0) for p in parts)


def test_without_cuts_the_shot_trials_are_the_one_trial() -> None:
    truth = cp.plan(cp.pose1_hold("p", 4.0, **SMALL)).truth
    assert truth.expected(45.0, per_shot=True) == (truth.expected(),)
    assert cp.plan(cp.two_feet("n", "cam02", 2.0, **SMALL)).truth.expected(per_shot=True) == ()


def test_a_fade_to_black_ends_the_last_shot_trial_at_the_last_full_frame() -> None:
    r = cp.Recipe("fade", _cut_pieces(()), fade_out_s=0.5, black_tail_s=0.5, aspect_hw=16 / 9, **SMALL)
    truth = cp.plan(r).truth
    first, last = truth.expected(45.0, per_shot=True)
    assert first.stop_reason == "end_of_shot" and first.end_late_ok_s == 0.0
    assert last.stop_reason == "lost_tracking" and last.end_s == truth.fade_s[0] == truth.end_s
    assert last.end_late_ok_s == pytest.approx(truth.fade_s[1] - truth.fade_s[0])
    assert last.start_s == truth.cuts_s[0] and not last.lift_observed
    i = int(round(last.end_s * truth.fps))
    assert truth.gain[i] == 1.0 > truth.gain[i + 1]


# -- camera truth ---------------------------------------------------------------------------------
def test_true_camera_motion_maps_background_points_onto_the_shot_reference() -> None:
    truth = _cuts_truth(camera=cp.HandheldCamera(zoom_keys=(1.0, 1.1), seed=3))
    to_ref, shot = truth.camera_to_ref(), truth.shot
    rng = np.random.default_rng(0)
    for i in range(0, truth.n_frames, 5):
        ref = int(np.flatnonzero(shot == shot[i])[0])
        p = rng.uniform(100, 900, 2)  # any source point of the background
        seen = truth.camera_transform[i] @ [*p, 1.0]
        assert to_ref[i] @ [*seen, 1.0] == pytest.approx(truth.camera_transform[ref] @ [*p, 1.0], abs=1e-6)
    for s in np.unique(shot):
        assert np.allclose(to_ref[np.flatnonzero(shot == s)[0]], np.eye(3)[:2])


@pytest.mark.parametrize("mirror", [False, True])
def test_true_camera_motion_has_the_zoom_and_roll_of_the_path(mirror: bool) -> None:
    r = cp.pose2sim_hold("cam", "cam02", 8.0, hold_frame=cp.LOW_FOOT_FRAME, pre_s=1.0, post_s=1.0,
                         camera=cp.HandheldCamera(seed=2), mirror=mirror, **SMALL)  # fmt: skip
    truth = cp.plan(r).truth
    motions = [make_motion(m, truth.size_wh) for m in truth.camera_to_ref()]
    zoom = np.array([m.zoom_ratio for m in motions])
    roll = np.array([m.roll_deg for m in motions])
    assert zoom == pytest.approx(truth.zoom / truth.zoom[0])
    assert roll == pytest.approx((-1 if mirror else 1) * (truth.roll_deg[0] - truth.roll_deg), abs=1e-9)
    summary = truth.camera_summary()
    assert summary.zoom_min == pytest.approx(truth.zoom.min() / truth.zoom[0])
    assert summary.max_abs_roll_deg == pytest.approx(np.abs(truth.roll_deg - truth.roll_deg[0]).max())
    assert summary.max_shift_px > 0.02 * np.hypot(*truth.size_wh)
    still = cp.plan(r.static_twin()).truth.camera_summary()
    assert still.max_shift_px == pytest.approx(0.0, abs=1e-6) and still.zoom_max == pytest.approx(1.0)


def test_static_twin_keeps_the_timeline_and_the_sway() -> None:
    r = cp.baseline_conditions()[6]
    twin = r.static_twin()
    assert r.camera is not None and twin.camera is None and twin.pieces == r.pieces
    t = np.arange(0, r.duration_s, 0.1)
    assert np.array_equal(twin.sway_signal().angle_deg(t), r.sway_signal().angle_deg(t))


# -- scoring ----------------------------------------------------------------------------------------
def _trial(start: float, end: float, stance: str = "left", reason: str = "touchdown", index: int = 0,
           rms: float = 1.0) -> Trial:  # fmt: skip
    return Trial(index, stance, start, end, reason, replace(SwayMetrics.empty(), angle_rms_deg=rms))


EXP = cp.ExpectedTrial("left", 3.0, 20.0, "touchdown", True)


@pytest.mark.parametrize(("start", "end", "tol", "fails"), [
    (3.0, 20.0, 0.3, []), (3.29, 20.1, 0.3, []), (3.31, 20.0, 0.3, ["lift", "hold"]),
    (3.0, 20.31, 0.3, ["end", "hold"]), (2.8, 20.2, 0.3, ["hold"]), (3.45, 20.45, 0.5, []),
    (3.0, 5.0, 0.5, ["end", "hold"]),
])  # fmt: skip
def test_score_trial_checks_lift_end_and_hold_within_the_tolerance(start: float, end: float, tol: float,
                                                                   fails: list[str]) -> None:  # fmt: skip
    assert scoring.score_trial(EXP, _trial(start, end), tol).failures == fails


def test_score_trial_wrong_leg_missing_trial_and_fade_allowance() -> None:
    assert scoring.score_trial(EXP, _trial(3.0, 20.0, "right"), 0.3).failures == ["stance side"]
    assert scoring.score_trial(EXP, None, 0.3).failures == ["no trial"]
    faded = replace(EXP, stop_reason="lost_tracking", end_late_ok_s=0.5)
    assert scoring.score_trial(faded, _trial(3.0, 20.7, reason="lost_tracking"), 0.3).ok
    assert not scoring.score_trial(faded, _trial(3.0, 20.9, reason="lost_tracking"), 0.3).ok


def test_match_trials_prefers_the_same_leg_and_needs_an_overlap() -> None:
    shots = (replace(EXP, end_s=10.0, stop_reason="end_of_shot"), replace(EXP, start_s=10.1, shot=1))
    found = [_trial(4.0, 9.0, "right", index=0), _trial(3.0, 8.0, index=1), _trial(10.1, 20.0, index=2),
             _trial(25.0, 30.0, index=3)]  # fmt: skip
    assert [t.index if t else None for t in scoring.match_trials(found, shots)] == [1, 2]
    assert scoring.match_trials(found[3:], shots) == [None, None]


def test_camera_shots_and_sway_checks() -> None:
    r = cp.pose2sim_hold("cam", "cam02", 6.0, hold_frame=cp.LOW_FOOT_FRAME, pre_s=1.0, post_s=1.0,
                         camera=cp.HandheldCamera(seed=1), **SMALL)  # fmt: skip
    truth = cp.plan(r).truth
    block = truth.camera_summary().to_dict()
    assert scoring.camera_check(truth, block)[0]
    assert not scoring.camera_check(truth, {**block, "zoom_min": 1.0})[0]
    assert not scoring.camera_check(truth, None)[0]
    still = cp.plan(r.static_twin()).truth
    assert scoring.camera_check(still, {"max_shift_px": 3.0, "zoom_min": 0.99, "zoom_max": 1.01,
                                        "max_abs_roll_deg": 0.2})[0]  # fmt: skip
    cuts = _cuts_truth()
    dt = 1 / cuts.fps
    assert scoring.shots_check(cuts, {"count": 3, "cuts_s": [c + dt for c in cuts.cuts_s]})[0]
    assert not scoring.shots_check(cuts, {"count": 2, "cuts_s": list(cuts.cuts_s[:1])})[0]
    assert not scoring.shots_check(cuts, {"count": 4, "cuts_s": [*cuts.cuts_s, 5.0]})[0]
    assert scoring.sway_check(_trial(3, 9, rms=1.2), _trial(3, 9, rms=1.45))[0]
    assert not scoring.sway_check(_trial(3, 9, rms=1.2), _trial(3, 9, rms=1.55))[0]
    assert not scoring.sway_check(None, _trial(3, 9))[0]
