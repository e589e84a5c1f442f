"""What the picture itself says, beside the pose: the camera's own motion and shot cuts (OpenCV).

:class:`balance_cam.vision.checks.FrameChecks` runs both once per frame on one small grey
copy of the frame; the analysis core applies the result (:mod:`balance_cam.core.camera`).
"""
