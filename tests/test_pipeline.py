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


class _FailingAt:
    """The real model, failing at one frame (a model that breaks mid-video)."""

    def __init__(self, backend, fail_at: int) -> None:
        self.backend, self.fail_at, self.calls = backend, fail_at, 0
        self.info = backend.info

    def process(self, rgb, t_ms):
        self.calls += 1
        if self.calls == self.fail_at:
            from balance_cam.pose.base import PoseError

            raise PoseError("the model broke")
        return self.backend.process(rgb, t_ms)

    def reset(self) -> None:
        self.backend.reset()

    def close(self) -> None:
        self.backend.close()


def _stage_threads() -> list[str]:
    import threading

    names = ("frame-reader", "pose-model")
    return [t.name for t in threading.enumerate() if t.name in names and t.is_alive()]


@pytest.mark.parametrize("where", ["model", "callback"])
def test_an_error_in_any_stage_reaches_the_caller_and_stops_every_thread(where: str) -> None:
    """Three stages (reader, model, analyzer): an error in the model thread or in the caller's
    per-frame callback is raised in the caller, after the frames before it were analysed, and
    no stage thread is left running."""
    import time

    from balance_cam.apps.analyze import run
    from balance_cam.core.analyzer import Analyzer
    from balance_cam.core.config import AnalysisConfig
    from balance_cam.io.sources import open_video
    from balance_cam.pose.base import PoseError
    from balance_cam.pose.factory import create_backend

    info, frames = open_video(ROOT / "sample_videos" / "pose_1.mp4")
    analyzer = Analyzer(info.width, info.height, AnalysisConfig())
    backend = _FailingAt(create_backend("full"), 8 if where == "model" else 0)
    seen: list[int] = []

    def on_frame(frame, step) -> None:
        seen.append(frame.index)
        if where == "callback" and frame.index == 7:
            raise KeyboardInterrupt

    expected = PoseError if where == "model" else KeyboardInterrupt
    try:
        with pytest.raises(expected):
            run(frames, backend, analyzer, on_frame, threaded=True)
    finally:
        backend.close()
    assert seen == list(range(8 if where == "callback" else 7))
    assert analyzer.frames_seen == len(seen)
    deadline = time.monotonic() + 5.0
    while _stage_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _stage_threads() == []
