"""The pipelined source (decode and picture checks in a reader thread, issue 17) gives exactly the
sequential path's results: same trials, same metrics to the last digit, same landmarks.

Real pose model on real and generated clips: a still 1080×1920 lab camera (pose2sim cam01) and a
handheld clip whose camera-motion estimate uses the person box of earlier frames (the one place
where timing could leak into the result).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance_cam.apps.analyze import analyze_video_series
from balance_cam.testing import corpus as cp

ROOT = Path(__file__).resolve().parents[1]

HANDHELD = cp.pose1_hold("pipeline handheld", 6.0, camera=cp.HandheldCamera(seed=1701), fps=15.0, seed=1701)


@pytest.fixture(scope="module")
def handheld_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipeline") / "handheld.mp4"
    cp.make_clip(HANDHELD, path)
    return path


@pytest.mark.parametrize("which", ["pose2sim_cam01", "handheld"])
def test_threaded_equals_sequential_to_the_last_digit(which: str, handheld_clip: Path) -> None:
    path = ROOT / "sample_videos" / "pose2sim_cam01.mp4" if which == "pose2sim_cam01" else handheld_clip
    a, sa = analyze_video_series(path, threaded=True)
    b, sb = analyze_video_series(path, threaded=False)
    assert a.trials, "the clip should give a trial"
    da, db = a.to_dict(traces=True), b.to_dict(traces=True)
    for d in (da, db):
        d.pop("created_at", None)
    assert da == db
    np.testing.assert_array_equal(sa.image, sb.image)
    np.testing.assert_array_equal(sa.to_ref, sb.to_ref)
    if which == "handheld":
        assert a.extra["camera"]["max_shift_px"] > 5  # the camera did move
