"""The per-frame picture checks: camera motion and shot cuts, from one small grey frame.

:meth:`FrameChecks.update` makes the small grey frame once
(:func:`~balance_cam.vision.small_frame.small_grey`),
feeds it to the cut/fade detector (:class:`~balance_cam.vision.shots.ShotDetector`) and to the
camera-motion estimator (:class:`~balance_cam.vision.camera_motion.CameraMotionEstimator`), and
decides:

- a *cut* is a picture cut that camera tracking did not follow
  (:func:`~balance_cam.vision.shots.confirmed_cut`); the estimator then starts a new shot with
  this frame as its reference;
- a *blank* frame (dark, overexposed or flat) has no usable pose: MediaPipe keeps reporting the
  person 4–9 frames into black, so a trial ending in a fade must end at the last frame with a
  picture (:func:`~balance_cam.vision.shots.pose_usable`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from balance_cam.core.camera import CameraMotion
from balance_cam.vision.camera_motion import CameraMotionEstimator, MotionConfig
from balance_cam.vision.shots import ShotConfig, ShotDetector, confirmed_cut, pose_usable
from balance_cam.vision.small_frame import Box, small_grey


@dataclass(frozen=True)
class PictureCheck:
    """What one frame's picture says: the camera's motion, a cut, no usable picture."""

    camera: CameraMotion | None
    cut: bool
    blank: bool


class FrameChecks:
    """Feed every frame in order; ``stabilise=False`` keeps only the cut and fade checks."""

    def __init__(self, *, stabilise: bool = True, long_side_px: int = 320,
                 motion: MotionConfig | None = None, shots: ShotConfig | None = None) -> None:  # fmt: skip
        self.stabilise, self.long_side_px = stabilise, long_side_px
        self._motion = CameraMotionEstimator(motion) if stabilise else None
        self._shots = ShotDetector(shots)

    def update(self, rgb: np.ndarray, t_s: float, person_box_px: Box | None = None) -> PictureCheck:
        small = small_grey(rgb, self.long_side_px)
        event = self._shots.update(small.grey, t_s)
        motion = self._motion.update(small, t_s, person_box_px) if self._motion is not None else None
        cut = confirmed_cut(event, motion)
        if cut and self._motion is not None:
            self._motion.reset()
            motion = self._motion.update(small, t_s, person_box_px)
        return PictureCheck(motion, cut, not pose_usable(event))
