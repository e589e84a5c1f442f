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
from balance_cam.pose.base import MAX_MODEL_THREADS, ModelInfo, PoseError, model_threads
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


def _threaded_pose_class(mp_pose: object, threads: int) -> type:
    """``mediapipe.solutions.pose.Pose`` whose two networks (detector and landmarker) run on
    ``threads`` XNNPACK threads. The legacy API has no such option: the graph's expanded config
    is edited before the graph starts, the way ``SolutionBase`` itself sets its
    ``calculator_params``."""
    from mediapipe.calculators.tensor import inference_calculator_pb2 as icp

    base: type = mp_pose.Pose  # type: ignore[attr-defined]

    class ThreadedPose(base):  # type: ignore[misc, valid-type]
        def _modify_calculator_options(self, config: object, params: object) -> None:
            super()._modify_calculator_options(config, params)
            n = 0
            for node in config.node:  # type: ignore[attr-defined]
                if node.calculator.startswith("InferenceCalculator"):
                    opts = node.options.Extensions[icp.InferenceCalculatorOptions.ext]
                    opts.delegate.xnnpack.num_threads = threads
                    n += 1
            if n == 0:  # pragma: no cover - a mediapipe whose graph changed
                raise PoseError("the pose graph has no inference calculator to set threads on")

    return ThreadedPose


class LegacyPoseBackend:
    """BlazePose full, legacy solutions API. Only one person is supported by this backend.

    ``threads``: the model's inference threads (:func:`~balance_cam.pose.base.model_threads`
    when None); the landmarks are the same for any count."""

    def __init__(
        self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
        threads: int | None = None,
    ) -> None:  # fmt: skip
        self.threads = model_threads() if threads is None else threads
        if not 1 <= self.threads <= MAX_MODEL_THREADS:
            raise PoseError(f"model threads must be 1 to {MAX_MODEL_THREADS}, but got {self.threads}")
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
        self._pose = _threaded_pose_class(mp_pose, self.threads)(
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
