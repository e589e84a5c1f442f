"""The pose-backend interface: what every backend gives the analysis, and what it records."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from balance_cam.core.series import PoseFrame


class PoseError(RuntimeError):
    """A pose model could not be loaded or run (one line for the user)."""


#: Environment variable that sets how many threads the pose model's inference uses.
MODEL_THREADS_ENV = "BALANCE_CAM_MODEL_THREADS"
MAX_MODEL_THREADS = 16
#: At most this many threads by default: BlazePose's 256x256 network gains little beyond it.
AUTO_MODEL_THREADS_MAX = 4


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def auto_model_threads(cores: int) -> int:
    """The default thread count for a model that has ``cores`` cores to itself: all but one
    (left to the reader thread and the analyzer), at least 1, at most
    :data:`AUTO_MODEL_THREADS_MAX`."""
    return max(1, min(AUTO_MODEL_THREADS_MAX, cores - 1))


def model_threads(default: int | None = None) -> int:
    """Threads for the pose model's inference (MediaPipe's XNNPACK delegate).

    ``$BALANCE_CAM_MODEL_THREADS`` when set (1-16; anything else is a :class:`PoseError`), else
    ``default``, else :func:`auto_model_threads` of the usable cores.

    MediaPipe's own default on desktop Linux is one thread (``GetXnnpackDefaultNumThreads``),
    which leaves the cores of a 4- or 8-core laptop idle while the model runs. One core is left
    to the reader thread (decoding, the picture checks) and the analyzer: on two cores, two
    model threads made ``analyze`` *slower* (36.2 against 37.6 frames/s at 1080×1920,
    docs/benchmarks.md), because each parallel operator then waits for the core the decoder
    holds. The landmarks do not depend on the count (XNNPACK splits each operator's output
    between threads, and every output is summed in the same order), which
    ``tests/test_model_threads.py`` checks on real frames. ``batch`` runs one model per core,
    each on one thread, unless this variable says otherwise.
    """
    text = os.environ.get(MODEL_THREADS_ENV, "").strip()
    if text:
        if not text.isdigit() or not 1 <= int(text) <= MAX_MODEL_THREADS:
            raise PoseError(f"{MODEL_THREADS_ENV} must be a whole number from 1 to "
                            f"{MAX_MODEL_THREADS}, but got {text!r}")  # fmt: skip
        return int(text)
    if default is not None:
        return default
    return auto_model_threads(usable_cores())


@dataclass(frozen=True)
class ModelInfo:
    """What produced the landmarks, recorded in every result for reproducibility."""

    backend: str  # "mediapipe-legacy" or "mediapipe-tasks"
    name: str  # "full", "lite", "heavy" or a file name
    version: str  # mediapipe version
    sha256: str  # of the model file(s) actually loaded
    multi_person: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend, "name": self.name, "version": self.version,
            "sha256": self.sha256, "multi_person": self.multi_person,
        }  # fmt: skip


class PoseBackend(Protocol):
    """Turns one RGB frame into the landmarks of the tested person (or ``None``).

    ``process`` is called with frames in time order and strictly increasing ``t_ms``
    (video/tracking mode); a backend keeps one model instance for its lifetime. ``reset``
    forgets the tracking state before another video (the model stays loaded).
    """

    info: ModelInfo

    def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...
