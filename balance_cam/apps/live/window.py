"""The live window: one reused display buffer, the overlay drawn in place, keys read back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from balance_cam.apps.errors import AppError
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.protocol import ProtocolView
from balance_cam.core.analyzer import FrameStep
from balance_cam.core.results import AnalysisResult
from balance_cam.io.sources import Frame


class LiveError(AppError):
    """The live session cannot run as asked (one line for the user)."""


# -- window -----------------------------------------------------------------------------------
_KEYS = {32: "space", 27: "esc", ord("q"): "q", ord("Q"): "q", ord("r"): "r", ord("R"): "r"}


class LiveDisplay:
    """The OpenCV window: one reused display buffer, overlay drawn in place, keys read back."""

    WINDOW = "balance-cam live"

    def __init__(self, options: LiveOptions, width_px: int, height_px: int,
                 open_window: bool = True) -> None:  # fmt: skip
        import os
        import sys

        import cv2

        from balance_cam.render import overlay as A
        from balance_cam.render.card import ResultCardAnnotator

        if open_window and sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            raise LiveError("no display to open a window on (DISPLAY is not set); "
                            "use --no-window")  # fmt: skip

        self.scale = min(1.0, options.display_max_px / max(width_px, height_px))
        self.size_wh = (max(1, round(width_px * self.scale)), max(1, round(height_px * self.scale)))
        self.mirror = (not options.is_file) if options.mirror is None else options.mirror
        self._buf = np.empty((self.size_wh[1], self.size_wh[0], 3), np.uint8)
        self._flip = np.empty_like(self._buf) if self.mirror else None
        self.skeleton, self.timer = A.SkeletonAnnotator(), A.TimerAnnotator()
        self.status, self.trace = A.StatusAnnotator(), A.SwayTraceAnnotator()
        self.fps, self.card = A.FpsAnnotator(), ResultCardAnnotator()
        self.limit_s = None
        self._opened = False
        if open_window:  # False: render only (benchmarks)
            try:
                cv2.namedWindow(self.WINDOW, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
            except cv2.error as exc:
                raise LiveError(f"cannot open a window ({exc.err}); use --no-window") from exc
            self._opened = True

    def _frame_bgr(self, rgb: np.ndarray) -> np.ndarray:
        """The frame scaled to the display and converted to BGR once, into the reused buffer."""
        import cv2

        if self.scale < 1.0:
            cv2.resize(rgb, self.size_wh, dst=self._buf, interpolation=cv2.INTER_AREA)
            cv2.cvtColor(self._buf, cv2.COLOR_RGB2BGR, dst=self._buf)
        else:
            cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR, dst=self._buf)
        if self._flip is not None:
            cv2.flip(self._buf, 1, dst=self._flip)
            return self._flip
        return self._buf

    def landmarks_px(self, image_norm: np.ndarray | None) -> np.ndarray | None:
        if image_norm is None:
            return None
        xy = image_norm[:, :2].astype(np.float64) * self.size_wh
        if self.mirror:
            xy[:, 0] = self.size_wh[0] - 1 - xy[:, 0]
        return xy

    def render(
        self, frame: Frame, step: FrameStep, view: ProtocolView, hold_s: float, limit_s: float,
        sway: Iterable[tuple[float, float]], fps: float, dropped: int | None,
    ) -> np.ndarray:  # fmt: skip
        """Draw the live overlay of one frame: the analyzer's step (skeleton, stance leg), the
        protocol's view (banner, countdown), the timer, the sway trace ``(t_s, ml_cm)`` points
        and the frame rate; returns the display image."""
        img = self._frame_bgr(frame.rgb)
        self.skeleton.annotate(img, self.landmarks_px(step.image_norm), step.visibility, step.stance)
        countdown = None if view.countdown is None else str(view.countdown)
        self.timer.annotate(img, hold_s, limit_s, text=countdown)
        points = list(sway)
        if points:
            t, v = zip(*points, strict=True)
            self.trace.annotate(img, t, v)
        self.fps.annotate(img, fps, dropped)
        self.status.annotate(img, view.headline, view.detail, view.tone)
        return img

    def show(self, image_bgr: np.ndarray, wait_ms: int = 1) -> str | None:
        """Show the image and return the key pressed (``"closed"`` when the window was closed)."""
        import cv2

        cv2.imshow(self.WINDOW, image_bgr)
        code = cv2.waitKey(wait_ms)
        if cv2.getWindowProperty(self.WINDOW, cv2.WND_PROP_VISIBLE) < 1:
            return "closed"
        return _KEYS.get(code & 0xFF) if code >= 0 else None

    def show_card(self, result: AnalysisResult, card_s: float,
                  on_shown: Callable[[], None] | None = None) -> None:  # fmt: skip
        """The end-of-session result card over the last frame, until a key or ``card_s``."""
        img = (self._flip if self._flip is not None else self._buf).copy()
        self.card.annotate(img, result.summary, title="Result" if result.complete
                           else "Result (session incomplete)")  # fmt: skip
        deadline = time.monotonic() + card_s
        while time.monotonic() < deadline:
            key = self.show(img, 50)
            if on_shown is not None:
                on_shown()
            if key is not None:
                return

    def close(self) -> None:
        import cv2

        if self._opened:
            cv2.destroyWindow(self.WINDOW)
            cv2.waitKey(1)
            self._opened = False


