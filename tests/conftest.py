"""Shared fixtures. Real clips live in ``sample_videos/`` (see its SOURCES.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

os.environ.setdefault("GLOG_minloglevel", "2")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = ROOT / "test-artifacts"


def sample(name: str) -> Path:
    path = SAMPLES / name
    assert path.exists(), f"missing sample clip {path}"
    return path


@cache
def analyzed(name: str):  # noqa: ANN201
    """(result, series) of ``analyze`` on a sample clip, computed once per test session."""
    from balance_cam.apps.analyze import analyze_video_series

    return analyze_video_series(sample(name))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    """``analyze sample_videos/demo_left_right.mp4 --out DIR`` (the README's command) as a
    process, once per session: (stdout, the result JSON, its ``.landmarks.npz``)."""
    import json
    import sys

    out = tmp_path_factory.mktemp("demo") / "result"
    cmd = [sys.executable, "-m", "balance_cam.cli", "analyze", str(sample("demo_left_right.mp4")),
           "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result_json = next(out.glob("*.json"))
    return proc.stdout, json.loads(result_json.read_text()), next(out.glob("*.landmarks.npz"))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def need_ffmpeg() -> str:
    """ffmpeg's path; a failure in CI (where scripts/test.sh installs it), else a skip."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("ffmpeg is required in CI (scripts/test.sh installs it)")
        pytest.skip("ffmpeg is not installed")
    return exe


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly (overwriting outputs); raises on failure."""
    subprocess.run([need_ffmpeg(), "-v", "error", "-y", *map(str, args)], check=True)
