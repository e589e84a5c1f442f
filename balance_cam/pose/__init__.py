"""Pose backends: one interface, implementations imported lazily.

``create_backend("full")`` gives the legacy MediaPipe BlazePose "full" model that ships
inside the pinned mediapipe wheel (offline). Other names are resolved by
:func:`balance_cam.pose.base.create_backend`.
"""

from balance_cam.pose.base import ModelInfo, PoseBackend, PoseError, create_backend

__all__ = ["ModelInfo", "PoseBackend", "PoseError", "create_backend"]
