"""Long holds end to end: the real pose model and ``analyze`` on generated corpus clips, held to
issue 12's must-holds (:mod:`balance_cam.testing.corpus.scoring`).

The suite's long-hold tests: clips of 16-37 s at 360 px, 15-30 fps, each with a known truth
(:mod:`balance_cam.testing.corpus`): a static hold with the real lift and touchdown, a handheld
camera (compared with the same hold filmed static, and the result must report the camera's
motion), the raised ankle painted over (pose_1, foot behind the standing leg), and an edited clip
with cuts and a fade to black (timed within shots). The tolerances are the issue's (0.3 s for
lift, end and hold; 0.3° handheld against static sway): they were written against the truth, not
against what the analysis does today. ``benchmarks/robustness.py`` runs the whole corpus.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from balance_cam.apps.analyze import analyze_video_series
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.series import LandmarkSeries
from balance_cam.testing import corpus as cp
from balance_cam.testing.corpus import scoring

pytestmark = pytest.mark.slow

LIMIT_S = AnalysisConfig().stance.limit_s

STATIC = cp.pose2sim_hold("long static hold", "cam02", 18.0, hold_frame=cp.MID_FOOT_FRAME,
                          touchdown="real", pre_s=2.0, post_s=2.0, sway_rms_deg=1.2, fps=30.0, seed=1201,
                          description="foot ~14 cm up beside the leg, real lift and touchdown")  # fmt: skip
LOW_FOOT = cp.pose2sim_hold("low foot hold", "cam01", 12.0, hold_frame=cp.LOW_FOOT_FRAME,
                            pre_s=2.0, post_s=2.0, sway_rms_deg=0.8, fps=15.0, seed=1205,
                            description="foot ~7 cm up beside the stance leg, high oblique view")  # fmt: skip
MOVING_LEG = cp.pose2sim_hold("moving leg hold", "cam04", 12.0, hold="pingpong", pre_s=2.0,
                              post_s=2.0, sway_rms_deg=1.0, fps=15.0, seed=1206,
                              description="raised leg and arms moving, staggered start")  # fmt: skip
HANDHELD = cp.pose2sim_hold("handheld hold", "cam02", 15.0, hold_frame=cp.MID_FOOT_FRAME, pre_s=2.0,
                            post_s=2.0, sway_rms_deg=1.2, fps=20.0, seed=1202,
                            camera=cp.HandheldCamera(seed=1202))  # fmt: skip
HIDDEN = cp.pose1_hold("hidden raised foot", 20.0, hide_raised_foot_s=((6.0, 14.0),), sway_rms_deg=1.2,
                       fps=30.0, seed=1203)  # fmt: skip
EDITED = cp.compilation("edited: cuts and a fade", shot_s=(8.0, 6.0, 8.0), pre_s=2.0, aspect_hw=16 / 9,
                        fps=15.0, seed=1204)  # fmt: skip

GREY = cp.pose2sim_hold("grey leg out", "cam02", 12.0, hold_frame=cp.LEG_OUT_FRAME, grey=True, pre_s=2.0,
                        post_s=2.0, fps=30.0, seed=1207,
                        description="greyscale: the model's first positions settle off")  # fmt: skip
REAR_LEG_OUT = cp.pose2sim_hold("rear leg out", "cam03", 12.0, hold_frame=cp.LEG_OUT_FRAME, pre_s=2.0,
                               post_s=2.0, fps=15.0, seed=1209,
                               description="leg out, seen from behind and above")  # fmt: skip
TEN_FPS = next(r for r in cp.baseline_conditions() if r.name == "10 fps cam01 30 s")
CRF_35 = next(r for r in cp.baseline_conditions() if r.name == "crf 35 cam01 20 s")


@cache
def analysed(recipe: cp.Recipe, work: Path) -> tuple[cp.CorpusTruth, AnalysisResult, LandmarkSeries]:
    """Generate and analyse one clip once per session."""
    path = work / (recipe.name.replace(" ", "_").replace(":", "") + ".mp4")
    truth = cp.make_clip(recipe, path)
    result, series = analyze_video_series(path)
    return truth, result, series


def clip(recipe: cp.Recipe, work: Path) -> tuple[cp.CorpusTruth, AnalysisResult]:
    truth, result, _ = analysed(recipe, work)
    return truth, result


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("long_holds")


def explain(score: scoring.ClipScore, result: AnalysisResult) -> str:
    lines = [f"{score.name}: misses {', '.join(score.failures)}"]
    def span(t: Trial | cp.ExpectedTrial) -> str:
        return f"{t.stance} {t.start_s:.2f}–{t.end_s:.2f} s {t.stop_reason}"

    for s in score.trials:
        found = "nothing" if s.found is None else span(s.found)
        lines.append(f"  expected {span(s.expected)}; found {found}")
    lines += [f"  unexpected: {span(t)}" for t in score.extra]
    for name, check in (("camera", score.camera), ("shots", score.shots), ("sway", score.sway_vs_static)):
        if check is not None:
            lines.append(f"  {name}: {check[1]}")
    lines.append(f"  warnings: {list(result.warnings)}")
    return "\n".join(lines)


def assert_events_hold(score: scoring.ClipScore, result: AnalysisResult) -> None:
    """Stance side, lift, end and hold of every expected trial, and no unexpected trial."""
    bad = [f for s in score.trials for f in s.failures] + (["unexpected trial"] if score.extra else [])
    assert not bad, explain(score, result)


def test_long_static_hold_lift_touchdown_and_hold(work: Path) -> None:
    truth, result = clip(STATIC, work)
    assert truth.lift_observed and truth.stop_reason == "touchdown" and truth.hold_s > 18.0
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)


@pytest.mark.parametrize("recipe", [LOW_FOOT, MOVING_LEG], ids=["low foot", "moving leg"])
def test_low_or_moving_raised_foot_is_timed_to_the_real_touchdown(recipe: cp.Recipe, work: Path) -> None:
    """A foot held a few centimetres up beside the stance leg (world landmarks read it below
    ``touchdown_height_ll`` now and then: it has not come down), and a raised leg swinging
    in a view where the double stance reads as a staggered start: both end at the real
    touchdown."""
    truth, result = clip(recipe, work)
    assert truth.lift_observed and truth.stop_reason == "touchdown"
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)


def test_a_touchdown_read_as_still_up_from_behind_ends_the_hold_when_the_foot_landed(work: Path) -> None:
    """From behind and above (cam03), the leg held out sideways comes down onto a new spot,
    which the model then reads 0.05-0.15 leg lengths up in world landmarks and 0.2-0.4 in the
    image, motionless: no height rule finds that touchdown, and before the landing evidence
    (the foot came down a long way, stands still, the pelvis moved onto it) the trial ran on to
    the end of the video. With this draw of the sway and at 15 frames/s it did; other draws land
    lower and were already timed."""
    truth, result = clip(REAR_LEG_OUT, work)
    assert truth.lift_observed and truth.stop_reason == "touchdown"
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)
    assert result.trials[0].stop_reason == "touchdown"


@pytest.mark.parametrize("recipe", [GREY, TEN_FPS, CRF_35], ids=["grey", "10 fps", "crf 35"])
def test_model_quirks_at_the_start_and_in_world_height_do_not_lose_the_hold(recipe: cp.Recipe,
                                                                              work: Path) -> None:
    """Greyscale: MediaPipe's first positions of both ankles sit 0.07-0.1 leg lengths from where
    they settle, and the set-down foot's heights jitter by 0.1 (the rest must follow both feet
    settling, and one frame reading up must not undo a touchdown). 10 frames/s: the world height
    of a leg held out sideways, motionless in the picture, drifts from 0.13 to 0.03 leg lengths
    (not a touchdown: the foot did not move in the picture). crf 35: the stance ankle slides
    0.2-0.3 leg lengths towards the raised foot for 0.3 s before the legs' labels swap (a
    glitch, not a step: ``stance_move_confirm_s``), and on some machines for 0.9 s, coming
    back to where it stood (``stance_move_alone_s``). Before, all three lost the hold."""
    truth, result = clip(recipe, work)
    assert truth.lift_observed and truth.stop_reason == "touchdown"
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)


def test_handheld_hold_times_match_the_truth_and_the_same_hold_filmed_static(work: Path) -> None:
    truth, result = clip(HANDHELD, work)
    _, static = clip(HANDHELD.static_twin(), work)
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)
    (a,), (b,) = result.trials, static.trials
    assert abs(a.hold_s - b.hold_s) <= 0.3 and a.stance == b.stance


def _roll_deg(m: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(m[..., 1, 0], m[..., 0, 0]))


def test_handheld_stabilisation_follows_the_true_camera_frame_by_frame(work: Path) -> None:
    """The camera motion used to stabilise every frame (``to_ref``: this frame onto the shot's
    first) against the true camera path: roll and zoom within 0.1° and 0.5 %."""
    truth, _, series = analysed(HANDHELD, work)
    assert series.to_ref is not None
    cam = truth.camera_transform
    true_roll = _roll_deg(cam[0]) - _roll_deg(cam)  # to_ref undoes the roll since frame 0
    true_zoom = np.hypot(cam[0][0, 0], cam[0][1, 0]) / np.hypot(cam[:, 0, 0], cam[:, 1, 0])
    roll_err = _roll_deg(series.to_ref) - true_roll
    zoom_err = np.hypot(series.to_ref[:, 0, 0], series.to_ref[:, 1, 0]) / true_zoom - 1
    assert np.ptp(true_roll) > 2.0 and np.ptp(true_zoom) > 0.2  # the camera really moved
    assert float(np.sqrt(np.mean(roll_err**2))) < 0.1, roll_err
    assert float(np.max(np.abs(zoom_err))) < 0.005, zoom_err


SWAY_LIMIT = ("known limit (docs/accuracy.md): on these 360 px clips the model's own jitter differs "
              "between the zoomed, re-sampled handheld picture and the static one by up to 0.8° sway "
              "angle RMS, while the stabilisation errs by < 0.01°")


@pytest.mark.xfail(strict=False, reason=SWAY_LIMIT)
def test_handheld_sway_matches_the_same_hold_filmed_static(work: Path) -> None:
    truth, result = clip(HANDHELD, work)
    _, static = clip(HANDHELD.static_twin(), work)
    score = scoring.score_clip(truth, result, LIMIT_S, static=static, handheld=True)
    assert score.sway_vs_static is not None and score.sway_vs_static[0], explain(score, result)


def test_handheld_result_reports_the_camera_motion(work: Path) -> None:
    """The ``camera`` block gives the largest shift, the zoom range and the largest roll of the
    true camera path (1 → 0.85 → 1.1 zoom, pan, shake, roll up to 2°), relative to the first frame."""
    truth, result = clip(HANDHELD, work)
    want = truth.camera_summary()
    assert want.zoom_min < 0.9 and want.zoom_max > 1.05 and want.max_abs_roll_deg > 1.0
    ok, what = scoring.camera_check(truth, result.extra.get("camera"))
    assert ok, f"camera block {result.extra.get('camera')} against the truth: {what}"


def test_hidden_raised_foot_does_not_end_the_hold(work: Path) -> None:
    """pose_1 on the left leg for 20 s (lift not in the clip), its raised ankle painted over from
    6 to 14 s: the hold runs to the end of the video."""
    truth, result = clip(HIDDEN, work)
    assert truth.hidden.sum() > 200 and truth.stop_reason == "end_of_video"
    assert_events_hold(scoring.score_clip(truth, result, LIMIT_S), result)


def test_edited_clip_is_timed_within_shots_and_the_fade_ends_the_last(work: Path) -> None:
    """Three shots (cam03 with the lift, cam04, pose_1) and a fade to black with the foot up: one
    trial per shot, the first two ending at their cut, the last at the fade; both cuts found."""
    truth, result = clip(EDITED, work)
    score = scoring.score_clip(truth, result, LIMIT_S)
    assert [s.expected.stop_reason for s in score.trials] == ["end_of_shot", "end_of_shot", "lost_tracking"]
    assert_events_hold(score, result)
    assert score.shots is not None and score.shots[0], explain(score, result)
