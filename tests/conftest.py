"""Shared fixtures. Real clips live in ``sample_videos/`` (see its SOURCES.md)."""

from __future__ import annotations

import os
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
    from balance_cam.analysis import analyze_video_series

    return analyze_video_series(sample(name))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
