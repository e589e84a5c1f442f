"""The pose model on more than one thread (issue 17): the same landmarks, to the last bit, as
on one; the thread count chosen at the boundary, from ``$BALANCE_CAM_MODEL_THREADS`` or the
cores; a bad value refused in one line.

Real model, real frames: a 1088×1920 lab camera and the pose_1 clip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance_cam import cli
from balance_cam.io.sources import iter_frames
from balance_cam.pose.base import (
    AUTO_MODEL_THREADS_MAX,
    MODEL_THREADS_ENV,
    PoseError,
    auto_model_threads,
    model_threads,
    usable_cores,
)
from balance_cam.pose.factory import create_backend
from tests.conftest import sample


def _landmarks(clip: str, threads: int, n: int) -> list[np.ndarray | None]:
    backend = create_backend("full", threads=threads)
    assert backend.threads == threads  # type: ignore[attr-defined]
    try:
        out = []
        for f, _ in zip(iter_frames(sample(clip)), range(n), strict=False):
            pose = backend.process(f.rgb, int(round(f.t_s * 1000)))
            out.append(None if pose is None else np.concatenate([pose.image, pose.world]))
        return out
    finally:
        backend.close()


@pytest.mark.parametrize(("clip", "n"), [("pose2sim_cam04.mp4", 60), ("pose_1.mp4", 90)])
def test_two_model_threads_give_the_same_landmarks_to_the_last_bit(clip: str, n: int) -> None:
    one, two = _landmarks(clip, 1, n), _landmarks(clip, 2, n)
    seen = [a is not None for a in one]
    assert sum(seen) >= 0.9 * len(one), "the person should be found in nearly every frame"
    assert seen == [b is not None for b in two]
    for a, b in zip(one, two, strict=True):
        if a is not None:
            assert np.array_equal(a, b)


def test_thread_count_from_the_environment_else_the_default_else_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MODEL_THREADS_ENV, raising=False)
    assert model_threads() == auto_model_threads(usable_cores())
    for cores, auto in ((0, 1), (1, 1), (2, 1), (4, 3), (8, 4), (64, AUTO_MODEL_THREADS_MAX)):
        assert auto_model_threads(cores) == auto  # one core left to the reader thread
    assert model_threads(default=1) == 1
    monkeypatch.setenv(MODEL_THREADS_ENV, " 3 ")
    assert model_threads() == 3 and model_threads(default=1) == 3
    for bad in ("0", "17", "two", "-1", "1.5"):
        monkeypatch.setenv(MODEL_THREADS_ENV, bad)
        with pytest.raises(PoseError, match=MODEL_THREADS_ENV):
            model_threads()


@pytest.mark.parametrize("command", ["analyze", "batch"])
def test_a_bad_thread_count_is_one_error_line_before_any_work(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv(MODEL_THREADS_ENV, "many")
    clip = str(sample("pose_1.mp4"))
    out_dir = str(tmp_path / "o")
    args = ["analyze", clip, "--json"] if command == "analyze" else ["batch", clip, "--out", out_dir]
    code = cli.run(args)
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("balance-cam: error: "), err
    assert MODEL_THREADS_ENV in lines[0]
    assert not (tmp_path / "o").exists()
