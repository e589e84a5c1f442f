"""Feet outside the picture (balance_cam.core.framing): the rule on arrays, then on real frames.

The real-frame test crops the bottom off the bundled demo (licensed frames, see
sample_videos/SOURCES.md) the way a laptop webcam or a phone held too close frames a person from
the knees up, and runs the real pose model on it: no trial can be timed, and the result says why.
The uncropped clip gives the same person with the feet in the picture and no such warning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance_cam.core.framing import ANKLES, feet_out_frac, feet_out_warning, in_picture, shows_feet
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
