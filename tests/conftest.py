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
