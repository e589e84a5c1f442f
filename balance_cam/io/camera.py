"""Live camera source: ``cv2.VideoCapture`` read by a thread that keeps only the newest frame.

The pose model (~50 frames/s on one core at 640x480) can be slower than a camera. A reader
thread grabs frames as fast as the camera delivers them and overwrites one slot; the consumer
always gets the newest frame, so latency never builds up. Frames overwritten before anyone
took them are counted in :attr:`CameraSource.dropped`.

Timing: each frame's time is its **capture** time, taken in the reader thread right after
``grab()`` returns (``time.monotonic``), or the driver's buffer timestamp
(``CAP_PROP_POS_MSEC``) when the camera provides one that increases. It is never the wall
clock after pose processing, so processing delays do not stretch a hold.

Errors are one line for the user: :class:`CameraError` when no camera answers or it is busy,
:class:`CameraDisconnected` when it stops delivering frames mid-session.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from balance_cam.io.sources import Frame, SourceError

log = logging.getLogger(__name__)


class CameraError(SourceError):
    """The camera cannot be used (no camera, busy, no permission); one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "camera")


class CameraDisconnected(CameraError):
    """The camera stopped delivering frames during a session (unplugged, driver error)."""


CaptureFactory = Callable[..., Any]


def _default_factory(index: int) -> Any:
    import cv2

    level = cv2.getLogLevel()
    cv2.setLogLevel(0)  # silent: our own message says what is wrong, not V4L2 warnings
    try:
        api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        return cv2.VideoCapture(index, api)
    finally:
        cv2.setLogLevel(level)


def _device_exists(index: int) -> bool | None:
    """Whether the camera's device node exists (Linux), None where that cannot be told."""
    return Path(f"/dev/video{index}").exists() if sys.platform.startswith("linux") else None


def _not_opened_message(index: int) -> str:
    if _device_exists(index) is False:
        return f"no camera at index {index} (/dev/video{index} does not exist); is one connected?"
    return (f"camera {index} could not be opened: it may be in use by another program, "
            "or access is not permitted")  # fmt: skip


class CameraSource:
    """Frames of one camera, newest first; iterate for :class:`~balance_cam.io.sources.Frame`.

    Use as a context manager (``with CameraSource(0) as cam: for frame in cam: ...``).
    ``Frame.index`` counts every captured frame (gaps mean dropped frames) and ``Frame.t_s``
    is the capture time in seconds from the first frame.

    Args:
        index: camera index (0 = default camera).
        width_px, height_px: requested capture size (the camera may pick another).
        stall_timeout_s: no new frame for this long means the camera is gone.
        capture_factory: ``factory(index) -> VideoCapture``-like object (tests pass a fake).
    """

    def __init__(self, index: int = 0, width_px: int = 640, height_px: int = 480,
                 stall_timeout_s: float = 2.0,
                 capture_factory: CaptureFactory | None = None) -> None:  # fmt: skip
        self.index = index
        self.size_request_wh = (width_px, height_px)
        self.stall_timeout_s = stall_timeout_s
        self._factory = capture_factory or _default_factory
        self._cap: Any = None
        self._cond = threading.Condition()
        self._slot: tuple[int, float, np.ndarray] | None = None
        self._taken = True
        self._error: str | None = None
        self._stop = threading.Event()
        self._release_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._use_driver_clock: bool | None = None
        self._t0: float | None = None
        self.captured = 0
        self.dropped = 0
        self.width_px = self.height_px = 0
        self.nominal_fps = 0.0

    # -- lifecycle ------------------------------------------------------------------------
    def open(self) -> CameraSource:
        """Open the camera and read one frame; raises :class:`CameraError` with the reason.
        A source runs once: after :meth:`close` make a new one (a reader still finishing a
        slow grab may hold the old capture)."""
        import cv2

        if self._thread is not None:
            raise RuntimeError("a CameraSource is opened once; make a new one to open the camera again")
        cap = self._factory(self.index)
        if cap is None or not cap.isOpened():
            raise CameraError(_not_opened_message(self.index))
        self._cap = cap
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size_request_wh[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size_request_wh[1])
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        ok, bgr = cap.read()
        if not ok or bgr is None:
            cap.release()
            raise CameraError(f"camera {self.index} opened but gives no frames: it may be in use "
                              "by another program")  # fmt: skip
        self.height_px, self.width_px = bgr.shape[:2]
        self.nominal_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._thread = threading.Thread(target=self._read_loop, name="camera-reader", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the reader thread and release the camera (safe to call twice). A reader still
        inside a slow ``grab`` after 2 s releases the camera itself when the grab returns: the
        capture is never released under it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            if self._thread.is_alive():
                return
        self._release()

    def _release(self) -> None:
        with self._release_lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None

    def __enter__(self) -> CameraSource:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def info(self) -> dict[str, object]:
        """What the result records as ``source`` for a camera session."""
        return {"path": f"camera:{self.index}", "camera": self.index, "width": self.width_px,
                "height": self.height_px, "fps": round(self.nominal_fps, 3), "rotation": 0,
                "codec": "camera"}  # fmt: skip

    # -- reader thread --------------------------------------------------------------------
    def _capture_time_s(self, t_mono: float) -> float:
        import cv2

        if self._use_driver_clock is not False:
            msec = float(self._cap.get(cv2.CAP_PROP_POS_MSEC) or 0.0)
            if self._use_driver_clock is None:
                self._use_driver_clock = msec > 0
            if self._use_driver_clock:
                return msec / 1000.0
        return t_mono

    def _read_loop(self) -> None:
        try:
            self._read_frames()
        finally:
            if self._stop.is_set():  # close() has returned or is waiting: the camera is ours to free
                self._release()

    def _read_frames(self) -> None:
        last_ok = time.monotonic()
        while not self._stop.is_set():
            ok = self._cap.grab()
            now = time.monotonic()
            if self._stop.is_set():  # closed during the grab (the camera is released on return)
                return
            if ok:
                ok, bgr = self._cap.retrieve()
            if not ok:
                if now - last_ok > self.stall_timeout_s:
                    self._fail(self._stopped_message())
                    return
                time.sleep(0.01)
                continue
            last_ok = now
            self._publish(self._capture_time_s(now), bgr)

    def _publish(self, t_abs_s: float, bgr: np.ndarray) -> None:
        import cv2

        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)  # the one colour conversion, off the main thread
        with self._cond:
            if self._t0 is None:
                self._t0 = t_abs_s
            t_s = t_abs_s - self._t0
            if self._slot is not None and t_s <= self._slot[1]:
                return  # a driver clock that does not increase: keep the frame we have
            if not self._taken:
                self.dropped += 1
            self._slot = (self.captured, t_s, rgb)
            self.captured += 1
            self._taken = False
            self._cond.notify_all()

    def _stopped_message(self) -> str:
        return (f"camera {self.index} stopped delivering frames for {self.stall_timeout_s:g} s "
                "(unplugged, or taken by another program)")  # fmt: skip

    def _fail(self, message: str) -> None:
        with self._cond:
            self._error = message
            self._cond.notify_all()

    # -- consumer -------------------------------------------------------------------------
    def next_frame(self) -> Frame:
        """Block until a frame newer than the last one taken arrives and return it.

        Raises :class:`CameraDisconnected` when the camera failed or stalled.
        """
        deadline = time.monotonic() + self.stall_timeout_s + 0.5  # the reader usually says first
        with self._cond:
            while self._taken and self._error is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CameraDisconnected(self._stopped_message())
                self._cond.wait(remaining)
            if self._taken and self._error is not None:
                raise CameraDisconnected(self._error)
            assert self._slot is not None
            self._taken = True
            index, t_s, rgb = self._slot
        return Frame(index, t_s, rgb)

    def __iter__(self) -> Iterator[Frame]:
        while True:
            yield self.next_frame()
