"""Frames prepared for the analysis: decoded, with the camera's motion and shot cuts, ahead of pose.

A reader thread decodes the next frames and runs the per-frame picture checks
(:class:`balance_cam.vision.checks.FrameChecks`: camera motion, cuts) while the pose model
works on the current frame, so on two cores the decoder and the checks cost no time (the
model itself uses one core). At most ``lag`` frames are decoded ahead, so memory stays
bounded; order, timestamps and errors (a video damaged part-way) arrive exactly as decoded.
:func:`in_thread` is the one way a stage runs in its own thread (the reader here, the model
in :func:`balance_cam.apps.analyze.run`).

Determinism: the camera-motion estimate masks the person, whose box comes from the pose of an
earlier frame. Frame ``i`` always uses the box of frame ``i - lag`` (the reader waits for it),
threaded or not, so results never depend on timing and equal the sequential path to the last
digit (``threaded=False``, tested).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from balance_cam.core.camera import CameraMotion
from balance_cam.io.sources import Frame

Box = tuple[float, float, float, float]
T = TypeVar("T")
_END = object()


@dataclass(frozen=True)
class PreparedFrame:
    """One decoded frame with what the picture says about the camera and the shot."""

    frame: Frame
    camera: CameraMotion | None
    cut: bool
    blank: bool = False


def person_box(px: np.ndarray | None, vis: np.ndarray | None, min_visibility: float = 0.5) -> Box | None:
    """Bounding box (x0, y0, x1, y1, pixels) of the landmarks seen, or None."""
    if px is None:
        return None
    ok = np.all(np.isfinite(px), axis=1) & (vis >= min_visibility if vis is not None else True)
    if not ok.any():
        return None
    lo, hi = px[ok].min(axis=0), px[ok].max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


class FramePipeline:
    """Iterate for :class:`PreparedFrame`; call :meth:`done` with each frame's person box once
    the frame has been analysed, for every frame in order (threaded, the reader waits for the
    box of frame ``n - lag`` before it prepares frame ``n``)."""

    def __init__(self, frames: Iterable[Frame], checks: Any | None, *, lag: int = 4,
                 threaded: bool = True) -> None:  # fmt: skip
        if lag < 1:
            raise ValueError(f"lag must be at least 1, but got {lag}")
        self._frames, self._checks, self.lag, self.threaded = frames, checks, lag, threaded
        self._boxes: dict[int, Box | None] = {}
        self._done = -1  # highest frame number reported by done()
        self._cond = threading.Condition()
        self._stop = False

    # -- the consumer's side ---------------------------------------------------------------
    def done(self, n: int, box: Box | None) -> None:
        """Frame number ``n`` (0-based position in the input) was analysed; its person box."""
        with self._cond:
            self._boxes[n] = box
            self._done = max(self._done, n)
            self._cond.notify_all()

    def __iter__(self) -> Iterator[PreparedFrame]:
        if not self.threaded:
            return self._sequential()
        return in_thread(self._reading, "frame-reader", on_close=self.stop)

    # -- preparing ---------------------------------------------------------------------------
    def _box_for(self, n: int) -> Box | None:
        with self._cond:
            return self._boxes.pop(n - self.lag, None)

    def _prepare(self, n: int, frame: Frame) -> PreparedFrame:
        if self._checks is None:
            return PreparedFrame(frame, None, False)
        check = self._checks.update(frame.rgb, frame.t_s, self._box_for(n))
        return PreparedFrame(frame, check.camera, check.cut, check.blank)

    def _sequential(self) -> Iterator[PreparedFrame]:
        for n, frame in enumerate(self._frames):
            yield self._prepare(n, frame)

    def _wait_for(self, n: int) -> bool:
        """Block until frame ``n - lag`` was analysed (its box is known); False when stopped."""
        with self._cond:
            while not self._stop and self._done < n - self.lag:
                self._cond.wait(0.1)
            return not self._stop

    def _reading(self) -> Iterator[PreparedFrame]:
        frames = iter(self._frames)
        try:
            for n, frame in enumerate(frames):
                if not self._wait_for(n):
                    return
                yield self._prepare(n, frame)
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    def stop(self) -> None:
        """Stop the reader thread (it ends at its next frame); for a consumer that stops early."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()


@dataclass(frozen=True)
class _Raised:
    error: BaseException


def in_thread(items: Callable[[], Iterator[T]], name: str, *,
              on_close: Callable[[], None] | None = None) -> Generator[T]:  # fmt: skip
    """Run the iterator ``items()`` in a daemon thread and yield what it yields, in order.

    The queue between the two is not bounded here: the producer bounds itself (the frame reader
    waits for the consumer's boxes, ``lag`` frames behind). An exception raised there is raised
    here, at its place in the order. Closing this iterator (or leaving it by an exception)
    calls ``on_close`` (to wake a producer that waits), stops the producer at its next item,
    closes its iterator in its own thread and waits for it (5 s at most)."""
    out: queue.Queue[Any] = queue.Queue()
    halt = threading.Event()

    def produce() -> None:
        source = items()
        try:
            for item in source:
                if halt.is_set():
                    return
                out.put(item)
            out.put(_END)
        except BaseException as exc:  # handed to the consumer, in order
            out.put(_Raised(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def consume() -> Generator[T]:
        worker = threading.Thread(target=produce, name=name, daemon=True)
        worker.start()
        try:
            while (item := out.get()) is not _END:
                if isinstance(item, _Raised):
                    raise item.error
                yield item
        finally:
            halt.set()
            if on_close is not None:
                on_close()
            worker.join(timeout=5.0)

    return consume()
