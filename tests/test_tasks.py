"""The Tasks API backend on the bundle built offline: loads, sane landmarks on real frames,
agrees with the legacy backend, live-stream mode, and what every result records.

Agreement tolerance (stated here and in docs/models.md): on pose2sim_cam03 (1088x1920, 60 fps)
the hip/knee/ankle pixel positions of the two backends differ by at most 8 px in median and
30 px at the 95th percentile (about 1.5 % of the image height; measured 3.5 px and 12-15 px),
and the analysis finds the same trials (same stance leg, start and end within 50 ms).
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from balance_cam.core.skeleton import idx
from balance_cam.io.files import sha256_of
from balance_cam.pose.install import build_full_bundle
from balance_cam.pose.registry import ModelError
from tests.conftest import analyzed, sample

LEGS = [idx(s, j) for s in ("left", "right") for j in ("hip", "knee", "ankle")]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    build_full_bundle(folder)
    return folder


def _frames(clip: str, n: int) -> list:
    from balance_cam.io.sources import iter_frames

    return list(islice(iter_frames(sample(clip)), n))


@pytest.mark.slow
def test_built_bundle_gives_sane_landmarks_on_real_frames(models_dir: Path) -> None:
    from balance_cam.pose.tasks import TasksPoseBackend

    frames = _frames("pose_1.mp4", 15)  # a woman standing on her left leg, facing the camera
    with TasksPoseBackend("full-tasks", models_dir=models_dir, num_poses=1) as backend:
        poses = [backend.process(f.rgb, int(f.t_s * 1000)) for f in frames]
    assert all(p is not None for p in poses)
    img = np.stack([p.image for p in poses])
    world = np.stack([p.world for p in poses])
    assert img.shape == (15, 33, 4) and world.shape == (15, 33, 4)
    assert np.all((img[:, LEGS, :2] > 0) & (img[:, LEGS, :2] < 1))
    assert np.all(img[:, LEGS, 3] > 0.5)  # legs visible
    for side in ("left", "right"):  # image y points down: hip above knee above ankle
        hip, knee = img[:, idx(side, "hip"), 1], img[:, idx(side, "knee"), 1]
        assert np.all(hip < knee)
    assert np.all(img[:, idx("right", "ankle"), 1] < img[:, idx("left", "ankle"), 1])  # raised
    hips_m = world[:, [idx("left", "hip"), idx("right", "hip")], :3].mean(axis=1)
    assert np.all(np.abs(hips_m) < 0.05)  # world origin at the hip midpoint
    thigh_m = np.linalg.norm(world[:, idx("left", "hip"), :3] - world[:, idx("left", "knee"), :3],
                             axis=1)  # fmt: skip
    assert np.all((thigh_m > 0.25) & (thigh_m < 0.6))  # metres, human-sized


@pytest.mark.slow
def test_tasks_and_legacy_agree_on_a_sample_clip(models_dir: Path) -> None:
    from balance_cam.apps.analyze import analyze_video_series
    from balance_cam.pose.tasks import TasksPoseBackend

    legacy, legacy_series = analyzed("pose2sim_cam03.mp4")
    with TasksPoseBackend("full-tasks", models_dir=models_dir) as backend:  # defaults: 3 people
        tasks, tasks_series = analyze_video_series(sample("pose2sim_cam03.mp4"), backend=backend)
    err = np.abs(legacy_series.pixels()[:, LEGS] - tasks_series.pixels()[:, LEGS])
    assert np.isfinite(err).mean() > 0.95
    assert np.nanmedian(err) <= 8.0
    assert np.nanpercentile(err, 95) <= 30.0
    assert len(legacy.trials) == len(tasks.trials) >= 1
    for a, b in zip(legacy.trials, tasks.trials, strict=True):
        assert a.stance == b.stance
        assert abs(a.start_s - b.start_s) <= 0.05 and abs(a.end_s - b.end_s) <= 0.05
    assert tasks.model["backend"] == "mediapipe-tasks" and tasks.model["name"] == "full-tasks"
    assert tasks.model["sha256"] == sha256_of(models_dir / "pose_landmarker_full.task")
    assert tasks.model["version"] == "0.10.21" and tasks.model["num_poses"] == 3
    assert legacy.model["backend"] == "mediapipe-legacy" and legacy.model["multi_person"] is False


@pytest.mark.slow
def test_live_stream_mode_gives_the_landmarks_of_each_frame(models_dir: Path) -> None:
    from balance_cam.pose.tasks import TasksPoseBackend

    frames = _frames("pose_1.mp4", 8)
    out = {}
    for mode in ("video", "live_stream"):
        with TasksPoseBackend("full-tasks", models_dir=models_dir, num_poses=1,
                              running_mode=mode) as backend:  # fmt: skip
            out[mode] = [backend.process(f.rgb, int(f.t_s * 1000)) for f in frames]
            assert backend.info.running_mode == mode
    for a, b in zip(out["video"], out["live_stream"], strict=True):
        assert a is not None and b is not None
        assert np.abs(a.image[LEGS, :2] - b.image[LEGS, :2]).max() < 1e-3


def test_reset_allows_a_second_video_from_time_zero(models_dir: Path) -> None:
    from balance_cam.pose.tasks import TasksPoseBackend

    frames = _frames("pose_1.mp4", 3)
    with TasksPoseBackend("full-tasks", models_dir=models_dir, num_poses=1) as backend:
        first = [backend.process(f.rgb, int(f.t_s * 1000)) for f in frames]
        backend.reset()
        second = [backend.process(f.rgb, int(f.t_s * 1000)) for f in frames]
    assert all(p is not None for p in first + second)
    assert np.abs(first[0].image[LEGS, :2] - second[0].image[LEGS, :2]).max() < 1e-4


def test_factory_routes_names_and_reports_missing_or_broken_bundles(tmp_path: Path,
                                                                     models_dir: Path) -> None:  # fmt: skip
    from balance_cam.pose.factory import create_backend

    with pytest.raises(ModelError, match="^model lite is not installed; run balance-cam models "
                       "download lite$"):  # fmt: skip
        create_backend("lite", models_dir=tmp_path)
    broken = tmp_path / "broken.task"
    broken.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: not a pose bundle
    with pytest.raises(Exception, match="cannot load pose model") as info:
        create_backend(str(broken))
    assert isinstance(info.value, RuntimeError)
    backend = create_backend(str(models_dir / "pose_landmarker_full.task"), num_poses=2)
    try:
        assert backend.info.name == "pose_landmarker_full.task"
        assert backend.info.to_dict()["multi_person"] is True
    finally:
        backend.close()
