"""Feet outside the picture and a low frame rate (balance_cam.core.framing): the rules on arrays,
then on real frames.

The real-frame test crops the bottom off the bundled demo (licensed frames, see
sample_videos/SOURCES.md) the way a laptop webcam or a phone held too close frames a person from
the knees up, and runs the real pose model on it: no trial can be timed, and the result says why.
The uncropped clip gives the same person with the feet in the picture and no such warning. The
demo runs at 15 frames/s and says so; the same frames at 30 frames/s do not. A person the model
loses for 0.8 s in the middle of the demo's hold (its landmarks taken out, as MediaPipe drops a
person in the dark) ends the trial and the result says they were seen again; lost for good, it
does not.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from balance_cam.core.framing import (
    ANKLES,
    feet_out_frac,
    feet_out_warning,
    frame_rate_hz,
    in_picture,
    low_frame_rate_warning,
    refound_warnings,
    shows_feet,
)
from balance_cam.core.results import Trial
from balance_cam.core.skeleton import N_LANDMARKS
from tests.conftest import ffmpeg, sample


def frames(n: int, ankle_y: float) -> np.ndarray:
    """(n, 33, 4) landmarks of a person filling the picture, ankles at ``ankle_y``."""
    image = np.full((n, N_LANDMARKS, 4), 0.5)
    image[:, list(ANKLES), 1] = ankle_y
    return image


def test_a_point_is_in_the_picture_inside_the_unit_square_only() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 1.02], [-0.01, 0.5], [np.nan, 0.5]])
    assert in_picture(pts).tolist() == [True, True, False, False, False]


def test_low_visibility_does_not_take_a_foot_out_of_the_picture() -> None:
    image = frames(4, 0.9)
    image[:, ANKLES[0], 3] = 0.1  # a raised foot against the thigh, rated low
    assert shows_feet(image).all()
    assert feet_out_warning(image) is None


def test_the_share_counts_frames_with_a_person_only() -> None:
    image = np.concatenate([frames(3, 1.08), frames(1, 0.9), np.full((6, N_LANDMARKS, 4), np.nan)])
    assert feet_out_frac(image) == pytest.approx(0.75)
    assert "75 %" in (feet_out_warning(image) or "")
    assert np.isnan(feet_out_frac(np.full((2, N_LANDMARKS, 4), np.nan)))
    assert feet_out_warning(frames(4, 1.08), warn_frac=1.0) is None


def test_frame_rate_is_the_median_rate_and_low_rates_are_named() -> None:
    rng = np.random.default_rng(0)
    vfr = np.cumsum(rng.choice([1 / 30, 1 / 30, 1 / 30, 1 / 24, 1 / 60], size=300))  # a phone's VFR
    assert frame_rate_hz(vfr) == pytest.approx(30.0)
    assert np.isnan(frame_rate_hz(np.array([0.0])))
    for fps in (24.0, 30.0, 60.0):
        assert low_frame_rate_warning(np.arange(100) / fps) is None
    for fps in (10.0, 15.0):
        w = low_frame_rate_warning(np.arange(100) / fps)
        assert w is not None and f"{fps:.0f} frames/s" in w and f"{1 / fps:.2f} s" in w


@pytest.fixture(scope="module")
def demo_start(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo's first 8 s (the left-leg lift at ~2 s is in it), whole and cropped at the knees."""
    out = tmp_path_factory.mktemp("framing")
    whole, cropped = out / "whole.mp4", out / "knees_up.mp4"
    ffmpeg("-i", sample("demo_left_right.mp4"), "-t", "8", "-c:v", "libx264", "-crf", "18", whole)
    ffmpeg("-i", whole, "-vf", "crop=iw:330:0:0", "-c:v", "libx264", "-crf", "18", cropped)
    return whole, cropped


def test_a_video_cropped_at_the_knees_says_the_feet_were_outside(demo_start: tuple[Path, Path]) -> None:
    from balance_cam.apps.analyze import analyze_video_series

    whole, cropped = demo_start
    result, series = analyze_video_series(cropped)
    assert result.frames_with_person > 0.9 * result.frames_decoded  # the person is found...
    assert result.trials == ()  # ...but nothing can be timed
    warning = [w for w in result.warnings if "feet were outside the picture" in w]
    assert len(warning) == 1, result.warnings
    assert feet_out_frac(series.image) > 0.9

    result, series = analyze_video_series(whole)
    assert [t.stance for t in result.trials] == ["left"]
    assert not any("outside the picture" in w for w in result.warnings), result.warnings
    assert feet_out_frac(series.image) == 0.0
    assert any("the video has 15 frames/s" in w for w in result.warnings), result.warnings


def test_the_same_frames_at_30_fps_are_not_called_a_low_frame_rate(demo_start: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:  # fmt: skip
    from balance_cam.apps.analyze import analyze_video_series

    fast = tmp_path / "30fps.mp4"
    ffmpeg("-i", demo_start[0], "-vf", "fps=30", "-c:v", "libx264", "-crf", "18", fast)
    result, series = analyze_video_series(fast)
    assert frame_rate_hz(series.t_s) == pytest.approx(30.0, rel=0.01)
    assert [t.stance for t in result.trials] == ["left"]
    assert not any("frames/s" in w for w in result.warnings), result.warnings


def test_a_person_seen_again_soon_after_a_lost_trial_is_named_and_only_then() -> None:
    from balance_cam.core.metrics import SwayMetrics

    t = np.arange(0.0, 12.0, 1 / 30)
    image = frames(len(t), 0.9)
    image[(t > 5.0) & (t < 5.8)] = np.nan  # nobody found for 0.8 s
    image[t >= 9.0, :, 3] = 0.1  # then rated low: not seen
    lost = Trial(0, "left", 1.0, 5.0, "lost_tracking", SwayMetrics.empty())
    (w,) = refound_warnings([lost], t, image, [], 0.5)
    assert "trial 1 (left leg) ended at 5.0 s" in w and "seen again 0.8 s later" in w
    assert refound_warnings([replace(lost, stop_reason="touchdown")], t, image, [], 0.5) == []
    assert refound_warnings([lost], t, image, [5.5], 0.5) == []  # another shot: not the same view
    assert refound_warnings([lost], t, image, [], 0.5, within_s=0.5) == []
    assert refound_warnings([replace(lost, end_s=8.99)], t, image, [], 0.5) == []  # never seen again


@pytest.fixture(scope="module")
def demo_hold(demo_start: tuple[Path, Path]):  # noqa: ANN201
    """The demo's first 8 s through the real model: its landmarks (the left-leg hold runs on)."""
    from balance_cam.apps.analyze import analyze_video_series

    return analyze_video_series(demo_start[0])[1]


def test_a_person_lost_in_a_hold_bridged_briefly_else_ended_and_the_result_says_so(demo_hold) -> None:  # noqa: ANN001
    from balance_cam.core.analyzer import analyze_series

    series = demo_hold
    t = series.t_s
    assert [tr.stance for tr in analyze_series(series).trials] == ["left"]  # the hold runs to the end

    def without(t0: float, t1: float):  # noqa: ANN202
        image, world = series.image.copy(), series.world.copy()
        gone = (t >= t0) & (t < t1)
        image[gone], world[gone] = np.nan, np.nan
        return analyze_series(replace(series, image=image, world=world))

    result = without(5.0, 5.8)  # lost for 0.8 s (over grace_s, within bridge_s), back still on one leg
    (trial,) = result.trials
    assert trial.stance == "left" and trial.stop_reason != "lost_tracking" and trial.end_s > 7.5
    (warning,) = [w for w in result.warnings if "timed through the gap" in w]
    assert "trial 1 (left leg): the person was lost for 0.9 s at 4.9 s" in warning, result.warnings
    assert not any("seen again 0" in w for w in result.warnings), result.warnings

    result = without(5.0, 6.4)  # lost for 1.4 s, longer than bridge_s: the trial ends
    (trial, *_) = result.trials
    assert trial.stance == "left" and trial.stop_reason == "lost_tracking" and 4.8 <= trial.end_s < 5.0
    warning = [w for w in result.warnings if "seen again" in w]
    assert len(warning) == 1 and "trial 1 (left leg) ended at 4.9 s" in warning[0], result.warnings
    assert "1.5 s later" in warning[0]

    result = without(5.0, 9.0)  # lost for good (a fade to black, the person walking out)
    assert [(tr.stance, tr.stop_reason) for tr in result.trials] == [("left", "lost_tracking")]
    assert not any("seen again" in w for w in result.warnings), result.warnings
