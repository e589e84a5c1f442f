"""Storing results in the history so that none is ever lost.

:func:`save_or_fallback` (``analyze --athlete``, ``batch --save-history``) stores a whole result
in one transaction or, when that fails, keeps it in a fallback file named in one warning line
(:mod:`balance_cam.io.unsaved`). :class:`RecordingHistory` gives a ``live`` session the same
guarantee trial by trial: its calls never raise, and each waits at most a short busy timeout
so the frame loop does not stall. After the first failure the session is kept in memory and
goes to a fallback file at its end, with the part already stored named so that importing it
completes the session exactly once. :func:`check_history` runs before a command's work.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.text import terminal_safe
from balance_cam.io.dbfile import DEFAULT_BUSY_TIMEOUT_S, check_writable, default_db_path, store_failure
from balance_cam.io.history import History, HistoryError
from balance_cam.io.unsaved import StoredPart, fallback_dirs, fallback_record, write_fallback

Warn = Callable[[str], None]
LIVE_BUSY_TIMEOUT_S = 1.0
"""A live session's writes wait at most this long for another process's lock."""
_FAILURES = (HistoryError, sqlite3.Error, OSError)


def warn_stderr(line: str) -> None:
    sys.stderr.write(f"balance-cam: warning: {terminal_safe(line)}\n")
    sys.stderr.flush()


def check_history(db: str | Path | None) -> Path:
    """Before the work of a command that will store a result: ``--db`` must be a writable
    file and, if it exists, an undamaged history (one line, exit 2 otherwise)."""
    path = check_writable(db)
    if path.exists():  # a new one is made when the first result is stored, not before the work
        History(path, busy_timeout_s=LIVE_BUSY_TIMEOUT_S).close()
    return path


@dataclass(frozen=True)
class Saved:
    """Where a result went: a session of the database, or a fallback file (or, when no
    folder took the file either, stderr)."""

    session_id: int | None
    fallback: Path | None = None
    reason: str = ""


def _keep(record: dict[str, Any], db: Path, extra_dirs: Sequence[Path], warn: Warn) -> Path | None:
    try:
        path = write_fallback(record, fallback_dirs(db, extra_dirs))
    except HistoryError as exc:  # no folder at all: the record still is not lost
        sys.stderr.write(f"balance-cam: error: {record['reason']}; {exc}; the result follows:\n"
                         f"{json.dumps(record)}\n")  # fmt: skip
        return None
    warn(f"history {db} not updated ({record['reason']}); result kept in {path} "
         f"(import it later with: balance-cam history --db {db} --import {path})")  # fmt: skip
    return path


def save_or_fallback(
    result: AnalysisResult, db: str | Path | None, *, athlete: str = "", kind: str = "analyze",
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S, extra_dirs: Sequence[Path] = (),
    warn: Warn = warn_stderr, team: str | None = None,
) -> Saved:  # fmt: skip
    """Store ``result`` in ``db`` (and tag the athlete with ``team`` when given) or, failing
    that, in a fallback file; never raises for the history."""
    path = Path(db) if db else default_db_path()
    try:
        with History(path, busy_timeout_s) as h:
            saved = Saved(h.save_result(result, athlete=athlete, kind=kind))
            if team is not None:
                h.set_team(athlete, team)
            return saved
    except _FAILURES as exc:
        reason = store_failure(exc, path)
    record = fallback_record(result, db=path, reason=reason, athlete=athlete, kind=kind)
    return Saved(None, _keep(record, path, extra_dirs, warn), reason)


class RecordingHistory:
    """For ``live``: History's session methods (``start_session``, ``add_trial``,
    ``discard_trial``, ``finish_session``, ``path``) that never raise.

    Every call is tried on the database with a short busy timeout; on the first failure the
    session switches to fallback for the rest, and :meth:`finish_session` writes the whole
    result to a fallback file naming the part already stored.
    """

    def __init__(self, db: str | Path | None = None, busy_timeout_s: float = LIVE_BUSY_TIMEOUT_S,
                 warn: Warn = warn_stderr, extra_dirs: Sequence[Path] = ()) -> None:  # fmt: skip
        self.path = Path(db) if db else default_db_path()
        self.busy_timeout_s, self.warn, self.extra_dirs = busy_timeout_s, warn, extra_dirs
        self.failed: str | None = None
        self.fallback: Path | None = None
        self._h: History | None = None
        self._athlete, self._kind = "", "live"
        self._stored: StoredPart | None = None

    def __enter__(self) -> RecordingHistory:
        self._try(lambda: setattr(self, "_h", History(self.path, self.busy_timeout_s)))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._h is not None:
            self._h.close()

    def _try(self, action: Callable[[], Any]) -> Any:
        if self.failed is not None:
            return None
        try:
            return action()
        except _FAILURES as exc:
            self.failed = store_failure(exc, self.path)
            self.warn(f"history {self.path} unavailable ({self.failed}); the session goes on and "
                      "will be kept in a fallback file")  # fmt: skip
            return None

    def start_session(self, athlete: str, kind: str, source: str = "", notes: str = "") -> int:
        self._athlete, self._kind = athlete, kind

        def start() -> int:
            assert self._h is not None
            sid = self._h.start_session(athlete, kind, source, notes)
            row = self._h.session_row(sid) or {}
            self._stored = StoredPart(sid, str(row.get("started_at", "")))
            return sid

        return self._try(start) or 0

    def add_trial(self, session_id: int, trial: Trial, series: Any = None) -> None:
        def add() -> None:
            assert self._h is not None and self._stored is not None
            self._h.add_trial(session_id, trial, series)
            self._stored = replace(self._stored, trials=(*self._stored.trials, trial.index))

        self._try(add)

    def discard_trial(self, session_id: int, index: int) -> None:
        def discard() -> None:
            assert self._h is not None and self._stored is not None
            self._h.discard_trial(session_id, index)
            self._stored = replace(self._stored, trials=tuple(i for i in self._stored.trials if i != index))

        self._try(discard)

    def finish_session(self, session_id: int, result: AnalysisResult | None, complete: bool) -> None:
        self._try(lambda: self._h.finish_session(session_id, result, complete))  # type: ignore[union-attr]
        if self.failed is None or result is None:
            return
        record = fallback_record(replace(result, complete=complete), db=self.path, reason=self.failed,
                                 athlete=self._athlete, kind=self._kind, stored=self._stored)  # fmt: skip
        self.fallback = _keep(record, self.path, self.extra_dirs, self.warn)
