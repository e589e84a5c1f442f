"""Ctrl-C and SIGTERM for the long commands (``analyze``, ``live``, ``batch``).

:class:`StopGuard` makes SIGTERM behave like Ctrl-C: the *first* SIGINT or SIGTERM raises
:class:`KeyboardInterrupt` (SIGINT) or :class:`Terminated`, a subclass (SIGTERM), in the main
thread, so every ``except KeyboardInterrupt`` path (cancel the batch, keep finished results,
mark a live session incomplete) runs for both. Every later signal is only counted: shutting
the Dask cluster down and writing the final tables are never interrupted half-way and print
no traceback. Inside :func:`deferred` even the first signal waits until the block is done (a
result set or the batch tables are written whole, then the command stops).

Exit status: ``128 + signal number`` (130 for SIGINT, 143 for SIGTERM), the shell convention
that ``timeout``, systemd and ``docker stop`` report. Handlers run only in the main thread,
between bytecodes (https://docs.python.org/3/library/signal.html).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs."""

    signum = signal.SIGTERM


def exit_code(exc: BaseException) -> int:
    """Exit status for an interrupt: 143 for :class:`Terminated`, else 130."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


def stop_word(exc: BaseException) -> str:
    """``terminated`` (SIGTERM) or ``interrupted`` (Ctrl-C), for one-line messages."""
    return "terminated" if isinstance(exc, Terminated) else "interrupted"


class StopGuard:
    """Turns the first SIGINT/SIGTERM into an exception and mutes the ones after it.

    Use once around a whole command (``with StopGuard():``); :func:`current` returns it.
    Outside the main thread it does nothing (only the main thread may install handlers).
    """

    def __init__(self, quiet_after: bool = False) -> None:
        self.quiet_after = quiet_after
        """Once a signal arrived, keep ignoring SIGINT/SIGTERM after the block (the process is
        about to exit: a press while it does must not end it with a traceback or a signal)."""
        self.signum: int | None = None
        self.repeats = 0
        self._defer_depth = 0
        self._pending: int | None = None
        self._old: dict[int, Any] = {}

    @property
    def exit_code(self) -> int | None:
        """128 + the first signal's number, or None if no signal arrived."""
        return None if self.signum is None else 128 + self.signum

    def __enter__(self) -> StopGuard:
        global _CURRENT
        if threading.current_thread() is threading.main_thread():
            self._old = {s: signal.signal(s, self._handle) for s in HANDLED}
            _CURRENT = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _CURRENT
        for s, old in self._old.items():
            signal.signal(s, signal.SIG_IGN if self.quiet_after and self.signum is not None else old)
        self._old = {}
        if _CURRENT is self:
            _CURRENT = None

    @staticmethod
    def exception(signum: int) -> KeyboardInterrupt:
        return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None and self._defer_depth == 0:
            self.signum = signum
            raise self.exception(signum)
        if self.signum is None:  # inside deferred(): raised when the block ends
            self.signum = self._pending = signum
            return
        self.repeats += 1  # later presses: counted, never raised

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A block the first signal does not interrupt; it is raised when the block ends."""
        self._defer_depth += 1
        try:
            yield
        finally:
            self._defer_depth -= 1
        if self._defer_depth == 0 and self._pending is not None:
            signum, self._pending = self._pending, None
            raise self.exception(signum)


_CURRENT: StopGuard | None = None


def current() -> StopGuard | None:
    """The guard of the running command, if any (``main`` installs one)."""
    return _CURRENT


@contextmanager
def deferred() -> Iterator[None]:
    """:meth:`StopGuard.deferred` of the running command's guard (a plain block without one)."""
    if _CURRENT is None:
        yield
        return
    with _CURRENT.deferred():
        yield


def stopped_by() -> KeyboardInterrupt | None:
    """The interrupt the running command received (even if it was swallowed), or None."""
    return None if _CURRENT is None or _CURRENT.signum is None else StopGuard.exception(_CURRENT.signum)
