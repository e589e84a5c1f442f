"""MediaPipe BlazePose "full" through the legacy ``mediapipe.solutions.pose`` graph.

Runs offline: mediapipe 0.10.21 bundles ``pose_detection.tflite`` and
``pose_landmark_full.tflite`` (``model_complexity=1``). Tracking (video) mode, one person.
MediaPipe's own landmark smoothing is switched off: it assumes 30 frames/s whatever the
video, so balance_cam filters with real timestamps instead (:mod:`balance_cam.core.filtering`).
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.series import PoseFrame
from balance_cam.io.files import sha256_of
from balance_cam.pose.base import ModelInfo, PoseError
from balance_cam.pose.bundle import bundled_tflite
from balance_cam.pose.mp_import import import_mediapipe


def _landmarks_array(landmarks: object) -> np.ndarray:
    return np.array(
        [(lm.x, lm.y, lm.z, lm.visibility) for lm in landmarks.landmark],  # type: ignore[attr-defined]
        dtype=np.float32,
    )


def read_only(image_rgb: np.ndarray) -> np.ndarray:
    """A read-only, C-contiguous view of the frame: MediaPipe then wraps the pixels in its
    ``ImageFrame`` without copying them (``packet_creator.create_image_frame`` copies a writable
    array, and takes a reference to a read-only C-contiguous one). The graph is idle again before
    ``process`` returns, so the frame outlives its use; the caller's array stays writable."""
    view = np.ascontiguousarray(image_rgb).view()
    view.flags.writeable = False
    return view


class LegacyPoseBackend:
    """BlazePose full, legacy solutions API. Only one person is supported by this backend."""

    def __init__(
        self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5
    ) -> None:
        try:
            mp = import_mediapipe()
            from mediapipe.python.solutions import pose as mp_pose
        except ImportError as exc:
            raise PoseError(f"mediapipe with the legacy solutions API is required: {exc}") from exc
        detector, landmarker, _ = bundled_tflite()
        self.info = ModelInfo(
            backend="mediapipe-legacy", name="full", version=mp.__version__,
            sha256=sha256_of(detector, landmarker), multi_person=False,
        )  # fmt: skip
        self._pose = mp_pose.Pose(
            static_image_mode=False, model_complexity=1, smooth_landmarks=False,
            enable_segmentation=False, min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )  # fmt: skip

    def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None:
        res = self._pose.process(read_only(image_rgb))
        if res.pose_landmarks is None or res.pose_world_landmarks is None:
            return None
        return PoseFrame(
            image=_landmarks_array(res.pose_landmarks),
            world=_landmarks_array(res.pose_world_landmarks),
        )

    def reset(self) -> None:
        """Forget the tracking state (start of another video); the model stays loaded."""
        self._pose.reset()

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> LegacyPoseBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
