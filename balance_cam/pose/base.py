"""The pose-backend interface and the factory that picks one by model name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from balance_cam.core.series import PoseFrame


class PoseError(RuntimeError):
    """A pose model could not be loaded or run."""


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
    (video/tracking mode); a backend keeps one model instance for its lifetime.
    """

    info: ModelInfo

    def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None: ...

    def close(self) -> None: ...


def sha256_of(*paths: str | Path) -> str:
    """Hex sha256 over the bytes of ``paths``, in order."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def create_backend(model: str = "full", **kwargs: object) -> PoseBackend:
    """Make a backend for ``model``.

    ``"full"`` (default) and ``"legacy"`` use the legacy ``mediapipe.solutions.pose`` graph with
    the model bundled in the mediapipe wheel (one person only). Any other value goes to the
    Tasks API backend (:mod:`balance_cam.pose.tasks`): ``lite``, ``heavy``, ``full-tasks``
    (bundles in the models folder, see :mod:`balance_cam.pose.registry`) or a path to a ``.task``
    file; keyword arguments such as ``person`` and ``num_poses`` are passed on.
    """
    if model in ("full", "legacy", "legacy-full"):
        from balance_cam.pose.mediapipe_legacy import LegacyPoseBackend

        return LegacyPoseBackend(**kwargs)  # type: ignore[arg-type]
    try:
        from balance_cam.pose.tasks import TasksPoseBackend
    except ImportError as exc:  # pragma: no cover - depends on what is installed
        raise PoseError(
            f"model {model!r} needs the Tasks backend, which is unavailable: {exc}"
        ) from exc
    return TasksPoseBackend(model, **kwargs)  # type: ignore[arg-type]
