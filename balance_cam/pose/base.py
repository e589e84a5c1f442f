"""The pose-backend interface: what every backend gives the analysis, and what it records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from balance_cam.core.series import PoseFrame


class PoseError(RuntimeError):
    """A pose model could not be loaded or run (one line for the user)."""


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
