"""``balance-cam batch --scheduler`` on a real Dask cluster: a scheduler and two workers
started as separate processes on 127.0.0.1 (free ports), one worker killed mid-run.

Every video must still be analysed, and appear exactly once in the output folder and in
the combined tables. Real MediaPipe on short sample clips.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import sample

pytestmark = pytest.mark.slow
ENV = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
CLIPS = ["pose_1.mp4", "pose2sim_cam01.mp4", "pose2sim_cam04.mp4"]


def _start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """A process in its own session (so it and its children can be killed together)."""
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=ENV, start_new_session=True,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)  # fmt: skip


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    """(scheduler address, {worker name: process}) of a fresh local cluster."""
    from distributed import Client

    info = tmp_path / "scheduler.json"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                     "--no-dashboard", "--scheduler-file", str(info)], tmp_path,
                    tmp_path / "scheduler.log")]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        workers = {}
        for name in ("wA", "wB"):
            workers[name] = _start(["distributed.cli.dask_worker", address, "--name", name,
                                    "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1",
                                    "--no-dashboard", "--death-timeout", "120"], tmp_path,
                                   tmp_path / f"{name}.log")  # fmt: skip
            procs.append(workers[name])
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for proc in reversed(procs):
            _kill(proc)


def _busy_worker(address: str, out: Path, timeout_s: float = 300) -> str:
    """Name of a worker running a video, once at least one result is written."""
    from distributed import Client

    with Client(address, timeout=30) as client:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(out.glob("*.landmarks.npz")):
                names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
                busy = [names[a] for a, keys in client.processing().items() if keys and a in names]
                if busy:
                    return busy[0]
            time.sleep(0.1)
    raise AssertionError("no worker was busy after the first result")


def test_batch_on_a_dask_cluster_survives_a_killed_worker(tmp_path: Path, dask_cluster) -> None:  # noqa: ANN001
    address, workers = dask_cluster
    videos = tmp_path / "videos"
    videos.mkdir()
    stems = [f"p{i}_{'L' if i % 2 else 'R'}_{i}" for i in range(7)]
    for i, stem in enumerate(stems):
        (videos / f"{stem}.mp4").symlink_to(sample(CLIPS[i % len(CLIPS)]))
    out = tmp_path / "out"
    batch = subprocess.Popen(
        [sys.executable, "-m", "balance_cam.cli", "batch", str(videos), "--out", str(out),
         "--scheduler", address, "--name-pattern", "{athlete}_{leg}_{trial}", "--quiet"],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        victim = _busy_worker(address, out)
        done_before = len(list(out.glob("*.landmarks.npz")))
        _kill(workers[victim])
        stdout, stderr = batch.communicate(timeout=600)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert done_before < len(stems), "the worker was killed after the batch had finished"
    assert batch.returncode == 0, stderr
    assert "Traceback" not in stderr
    results = sorted(p.name.removesuffix(".json") for p in out.glob("*.json")
                     if not p.name.startswith("batch_"))  # fmt: skip
    assert results == sorted(stems)
    table = pd.read_csv(out / "batch_videos.csv")
    assert sorted(table["stem"]) == sorted(stems) and set(table["status"]) == {"ok"}
    trials = pd.read_csv(out / "batch_trials.csv")
    for stem in stems:
        recorded = json.loads((out / f"{stem}.json").read_text())
        assert len(recorded["trials"]) == (trials["stem"] == stem).sum()
    assert json.loads((out / "batch_run.json").read_text())["ok"] == len(stems)
    assert f"{len(stems)} ok" in stdout
