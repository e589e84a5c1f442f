"""MediaPipe Tasks ``PoseLandmarker`` backend: lite/full/heavy ``.task`` bundles, several people.

Gives the same :class:`~balance_cam.core.series.PoseFrame` as the legacy backend (image landmarks
normalised to [0, 1] with y down, world landmarks in metres, visibility), for the one tested
person chosen by :class:`~balance_cam.pose.select.PersonSelector` when ``num_poses > 1``.

Running modes. ``"video"`` (default) calls ``detect_for_video`` synchronously: the landmarks
returned belong to the frame passed in, which is what the analyzer needs (every pose is stored
with its frame's timestamp). ``"live_stream"`` submits with ``detect_async`` and waits for that
frame's result (MediaPipe may drop a frame while busy; ``process`` then returns ``None``).
A live driver that always hands the newest camera frame to ``process`` gets the same
"drop stale frames" behaviour with either mode, so both modes give the same landmarks.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from balance_cam.core.series import PoseFrame
from balance_cam.pose.base import ModelInfo, PoseError
from balance_cam.pose.mp_import import import_mediapipe
from balance_cam.pose.select import PersonSelector, SelectConfig

log = logging.getLogger(__name__)
DEFAULT_NUM_POSES = 3
_LIVE_WAIT_S = 5.0


@dataclass(frozen=True)
class TasksModelInfo(ModelInfo):
    """:class:`ModelInfo` plus the multi-person settings, all recorded in every result."""

    file: str = ""
    num_poses: int = 1
    person: str = "auto"
    running_mode: str = "video"

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(), "file": self.file, "num_poses": self.num_poses,
            "person": self.person, "running_mode": self.running_mode,
        }  # fmt: skip


def _landmarks(landmarks: list[Any]) -> np.ndarray:
    return np.array([(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks], dtype=np.float32)


class TasksPoseBackend:
    """PoseLandmarker on a ``.task`` bundle (``lite``, ``heavy``, ``full-tasks`` or a path).

    ``num_poses`` people are detected (default 3); ``person`` chooses the tested one
    (see :mod:`balance_cam.pose.select`). After each :meth:`process`, ``last_people`` holds every
    person found in that frame and ``last_index`` the position of the tested one (or ``None``),
    for overlays that show bystanders.
    """

    def __init__(
        self, model: str = "full-tasks", *, num_poses: int = DEFAULT_NUM_POSES,
        person: str = "auto", running_mode: str = "video", models_dir: Path | None = None,
        min_detection_confidence: float = 0.5, min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5, select: SelectConfig | None = None,
    ) -> None:  # fmt: skip
        from balance_cam.pose.registry import REGISTRY, record_first_use, resolve_model, verify_model

        if num_poses < 1:
            raise ValueError(f"num_poses must be >= 1, but got {num_poses}")
        if person.isdigit() and int(person) >= num_poses:
            raise ValueError(f"--person {person}: the model finds at most {num_poses} people, so the "
                             f"index from the left is 0 to {num_poses - 1}")  # fmt: skip
        if running_mode not in ("video", "live_stream"):
            raise ValueError(f"running_mode must be video or live_stream, got {running_mode!r}")
        name, path = resolve_model(model, models_dir)
        hint = REGISTRY[name].install_hint if name in REGISTRY else ""
        digest = verify_model(path, hint)
        self._selector = PersonSelector(select or SelectConfig(person=person))
        self._mode = running_mode
        self._results: dict[int, Any] = {}
        self._ready = threading.Condition()
        self._args = (path, num_poses, (
            min_detection_confidence, min_presence_confidence, min_tracking_confidence))
        self._landmarker = self._create(*self._args)
        record_first_use(path, digest, models_dir)  # only once it has loaded
        mp = import_mediapipe()
        self.info = TasksModelInfo(
            backend="mediapipe-tasks", name=name, version=mp.__version__, sha256=digest,
            multi_person=num_poses > 1, file=path.name, num_poses=num_poses,
            person=self._selector.cfg.person, running_mode=running_mode,
        )  # fmt: skip
        self.last_people: list[PoseFrame] = []
        self.last_index: int | None = None
        self.most_people = 0
        """The most people found in one frame so far (to explain a ``--person`` index never seen)."""

    def _create(self, path: Path, num_poses: int, conf: tuple[float, float, float]) -> Any:
        try:
            import_mediapipe()
            from mediapipe.tasks.python import BaseOptions, vision
        except ImportError as exc:
            raise PoseError(f"the MediaPipe Tasks API is unavailable: {exc}") from exc
        live = self._mode == "live_stream"
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.LIVE_STREAM if live else vision.RunningMode.VIDEO,
            num_poses=num_poses, min_pose_detection_confidence=conf[0],
            min_pose_presence_confidence=conf[1], min_tracking_confidence=conf[2],
            output_segmentation_masks=False, result_callback=self._on_result if live else None,
        )  # fmt: skip
        try:
            return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise PoseError(f"cannot load pose model {path}: {exc}") from exc

    def _on_result(self, result: Any, image: Any, t_ms: int) -> None:
        with self._ready:
            self._results[t_ms] = result
            self._ready.notify_all()

    def _detect(self, image_rgb: np.ndarray, t_ms: int) -> Any:
        mp = import_mediapipe()
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image_rgb))
        if self._mode == "video":
            return self._landmarker.detect_for_video(image, t_ms)
        self._landmarker.detect_async(image, t_ms)
        with self._ready:
            self._ready.wait_for(lambda: t_ms in self._results, timeout=_LIVE_WAIT_S)
            result = self._results.pop(t_ms, None)
            self._results = {k: v for k, v in self._results.items() if k > t_ms}
        return result

    def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None:
        """Landmarks of the tested person in this frame (``t_ms`` strictly increasing)."""
        result = self._detect(image_rgb, t_ms)
        people = [] if result is None else [
            PoseFrame(_landmarks(img), _landmarks(wld))
            for img, wld in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ]  # fmt: skip
        self.last_people = people
        self.most_people = max(self.most_people, len(people))
        if len(people) <= 1 and self.info.num_poses == 1:
            self.last_index = 0 if people else None
        else:
            size_wh = np.array(image_rgb.shape[1::-1], dtype=np.float64)
            self.last_index = self._selector.update(t_ms / 1000.0, [p.image for p in people],
                                                    size_wh)  # fmt: skip
        return None if self.last_index is None else people[self.last_index]

    def reset(self) -> None:
        """Start over for another video: timestamps may restart, people are chosen afresh."""
        self._landmarker.close()
        self._landmarker = self._create(*self._args)
        self._selector = PersonSelector(self._selector.cfg)
        self._results = {}
        self.most_people = 0

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> TasksPoseBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
