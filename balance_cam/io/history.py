"""Local test history in SQLite (the embedded default store).

One database file, by default ``<user data dir>/balance_cam/history.db`` (``--db`` overrides).
Tables: ``sessions`` (one test: athlete, time, source, whether it completed, the full result
JSON) and ``trials`` (one row per trial with its metrics, and the trial's landmark series as a
compressed ``.npz`` blob). Each finished trial is committed on its own, so a crash or Ctrl-C
never loses a finished trial; an interrupted session stays ``complete = 0``.

The schema is versioned with SQLite's ``PRAGMA user_version``; :data:`MIGRATIONS` brings any
older database up to date when it is opened. A database newer than this code is refused.

Several processes may share one file (``live`` on one camera, ``analyze --athlete`` and a batch
on others), as SQLite recommends (https://sqlite.org/wal.html, /lang_transaction.html):

- **WAL** journal: readers never block the writer nor the writer the readers;
- a **busy timeout** (``busy_timeout_s``): a writer waits that long for another's lock;
- every write is one ``BEGIN IMMEDIATE`` transaction: the write lock is taken, with the busy
  timeout, before the first statement, so a read-then-write transaction never fails at once
  with SQLITE_BUSY on the lock upgrade; Python's implicit (deferred) ``BEGIN`` is switched
  off (``isolation_level=None``). :meth:`History.save_result` stores a whole result in one
  transaction: all of it or nothing.
- **checked on open**: the 16-byte SQLite header, then ``PRAGMA quick_check`` (page and
  b-tree structure; not the contents of records). A damaged file raises
  :class:`HistoryDamaged` naming the first problem, *before* anything is written to it;
  another program's SQLite database is refused as early (:func:`~balance_cam.io.dbfile.check_ours`).

Keeping a result that cannot be stored (lock held too long, damaged or read-only file) is the
callers' job: :mod:`balance_cam.io.unsaved`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from balance_cam.core.results import AnalysisResult, ResultFormatError, Trial
from balance_cam.core.series import LandmarkSeries
from balance_cam.core.text import one_line
from balance_cam.io.dbfile import (  # noqa: F401 - HistoryError and the path are part of this API
    DEFAULT_BUSY_TIMEOUT_S,
    HistoryDamaged,
    HistoryError,
    check_header,
    check_ours,
    default_db_path,
    quick_check,
)
from balance_cam.io.landmarks import load_series, save_series
from balance_cam.io.migrations import (  # noqa: F401 - part of this module's API
    MIGRATIONS,
    QUALITY_COLUMNS,
    SCHEMA_VERSION,
    SWAY_COLUMNS,
)


def _sql(value: Any) -> Any:
    """NaN as NULL (sqlite3 would store NaN as NULL for REAL anyway, but say so), bool as 0/1."""
    if isinstance(value, float) and value != value:
        return None
    return int(value) if isinstance(value, bool) else value


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s.strip(" ;\n")]


class History:
    """A connection to the history database; use as a context manager.

    ``busy_timeout_s``: how long a write waits for another process's lock before it fails with
    ``sqlite3.OperationalError: database is locked``.
    """

    def __init__(self, path: str | Path | None = None,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:  # fmt: skip
        self.path = Path(path) if path else default_db_path()
        if self.path.is_dir():
            raise HistoryError(f"{self.path} is a folder, not a history database file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot create its folder ({exc.strerror or exc})") from None
        check_header(self.path)
        self._depth = 0
        try:
            self.conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot be opened ({one_line(exc)})") from None
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            quick_check(self.conn, self.path)
            check_ours(self.conn, self.path)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")  # persistent; a no-op once set
            self.migrate()
        except HistoryError:
            self.conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise HistoryError(f"{self.path}: not a usable history database ({one_line(exc)})") from exc
        except BaseException:
            self.conn.close()
            raise

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations this database has not seen yet, each with its ``user_version``
        in one ``BEGIN IMMEDIATE`` transaction. The version is read again inside it, so two
        processes opening an old database at once migrate it once. Statements run one by one
        (``executescript`` would commit the open transaction first)."""
        if self.version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: schema {self.version} is newer than this balance-cam ({SCHEMA_VERSION})"
            )
        while self.version < SCHEMA_VERSION:
            with self._tx():
                number = self.version  # another process may have migrated meanwhile
                if number >= SCHEMA_VERSION:
                    break
                for statement in _statements(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def _tx(self) -> Iterator[None]:
        """A write transaction, ``BEGIN IMMEDIATE`` … ``COMMIT``; nested uses join it."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    # -- writing --------------------------------------------------------------------------
    def start_session(self, athlete: str, kind: str, source: str = "", notes: str = "") -> int:
        """Create an (incomplete) session and return its id."""
        from balance_cam._version import __version__

        with self._tx():
            cur = self.conn.execute(
                "INSERT INTO sessions (athlete, started_at, kind, source, tool_version, notes)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (athlete, _now(), kind, source, __version__, notes),
            )
        return int(cur.lastrowid)  # type: ignore[arg-type]

    def add_trial(
        self, session_id: int, trial: Trial, series: LandmarkSeries | None = None
    ) -> None:
        """Store one finished trial (committed at once)."""
        blob = None
        if series is not None:
            buf = io.BytesIO()
            save_series(series, buf)
            blob = buf.getvalue()
        sway = asdict(trial.sway)
        quality = [_sql(getattr(trial, c)) for c in QUALITY_COLUMNS]
        columns = (*SWAY_COLUMNS, *QUALITY_COLUMNS)
        with self._tx():
            self.conn.execute(
                f"INSERT INTO trials (session_id, idx, stance, start_s, end_s, hold_s, stop_reason,"
                f" {', '.join(columns)}, trial_json, landmarks_npz)"
                f" VALUES ({', '.join('?' * (9 + len(columns)))})",
                (session_id, trial.index, trial.stance, trial.start_s, trial.end_s, trial.hold_s,
                 trial.stop_reason, *(sway[c] for c in SWAY_COLUMNS), *quality,
                 json.dumps(trial.to_dict(traces=True)), blob),
            )  # fmt: skip

    def discard_trial(self, session_id: int, index: int) -> None:
        """Delete one stored trial (a live "redo"), committed at once."""
        with self._tx():
            self.conn.execute("DELETE FROM trials WHERE session_id = ? AND idx = ?", (session_id, index))

    def finish_session(
        self, session_id: int, result: AnalysisResult | None, complete: bool
    ) -> None:
        with self._tx():
            self.conn.execute(
                "UPDATE sessions SET finished_at = ?, complete = ?, result_json = ? WHERE id = ?",
                (_now(), int(complete), result.to_json(traces=True) if result else None,
                 session_id),  # fmt: skip
            )

    def save_result(self, result: AnalysisResult, athlete: str = "", kind: str = "analyze") -> int:
        """Store a whole offline result (``analyze`` or ``batch``) as one complete session,
        in one transaction."""
        with self._tx():
            sid = self.start_session(athlete, kind, str(result.source.get("path", "")))
            for trial in result.trials:
                self.add_trial(sid, trial)
            self.finish_session(sid, result, complete=result.complete)
        return sid

    def replace_session(self, session_id: int, result: AnalysisResult, complete: bool) -> None:
        """Replace a stored session's trials and result (completing a live session that was
        kept in a fallback file), in one transaction."""
        with self._tx():
            self.conn.execute("DELETE FROM trials WHERE session_id = ?", (session_id,))
            for trial in result.trials:
                self.add_trial(session_id, trial)
            self.finish_session(session_id, result, complete=complete)

    def session_row(self, session_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT id, athlete, started_at, kind, source, complete FROM sessions"
                                " WHERE id = ?", (session_id,)).fetchone()  # fmt: skip
        return None if row is None else dict(row)

    # -- reading --------------------------------------------------------------------------
    def sessions(self, athlete: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT id, athlete, started_at, finished_at, kind, source, complete, notes"
               " FROM sessions")  # fmt: skip
        args: tuple[Any, ...] = ()
        if athlete is not None:
            sql, args = sql + " WHERE athlete = ?", (athlete,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY started_at, id", args)]

    def trials(self, athlete: str | None = None) -> list[dict[str, Any]]:
        """One dict per trial joined with its session (athlete, started_at, kind, source)."""
        sql = (
            "SELECT s.athlete, s.started_at, s.kind, s.source, s.complete, t.session_id, t.idx,"
            " t.stance, t.start_s, t.end_s, t.hold_s, t.stop_reason,"
            f" {', '.join('t.' + c for c in (*SWAY_COLUMNS, *QUALITY_COLUMNS))}"
            " FROM trials t JOIN sessions s ON s.id = t.session_id"
        )
        args: tuple[Any, ...] = ()
        if athlete is not None:
            sql, args = sql + " WHERE s.athlete = ?", (athlete,)
        sql += " ORDER BY s.started_at, t.session_id, t.idx"
        return [dict(r) for r in self.conn.execute(sql, args)]

    def trial_series(self, session_id: int, index: int) -> LandmarkSeries | None:
        row = self.conn.execute(
            "SELECT landmarks_npz FROM trials WHERE session_id = ? AND idx = ?", (session_id, index)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return load_series(io.BytesIO(row[0]))

    # -- review helpers (report, ``history`` command) --------------------------------------
    def athletes(self) -> list[dict[str, Any]]:
        """Every athlete with their number of sessions and first/last test time."""
        rows = self.conn.execute(
            "SELECT athlete, COUNT(*) AS n_sessions, MIN(started_at) AS first_at,"
            " MAX(started_at) AS last_at FROM sessions GROUP BY athlete ORDER BY athlete"
        )
        return [dict(r) for r in rows]

    def session_results(self, athlete: str) -> list[tuple[dict[str, Any], AnalysisResult | None]]:
        """(session row, stored result or None) for each session of ``athlete``, oldest first."""
        out = []
        for s in self.sessions(athlete):
            row = self.conn.execute("SELECT result_json FROM sessions WHERE id = ?", (s["id"],))
            text = row.fetchone()[0]
            try:
                out.append((s, AnalysisResult.from_json(text) if text else None))
            except ResultFormatError as exc:
                raise HistoryError(f"{self.path}: session {s['id']} has a damaged stored result"
                                   f" ({exc})") from None
        return out

    def session_trials(self, athlete: str | None = None) -> list[tuple[dict[str, Any], list[Trial]]]:
        """(session row, its stored trials in order) for every session (of ``athlete``), oldest
        first; sessions without a trial are included with an empty list."""
        by_session: dict[int, list[Trial]] = {}
        sql = ("SELECT t.session_id, t.trial_json FROM trials t JOIN sessions s ON s.id = t.session_id"
               + (" WHERE s.athlete = ?" if athlete is not None else "") + " ORDER BY t.session_id, t.idx")
        for sid, text in self.conn.execute(sql, (athlete,) if athlete is not None else ()):
            try:
                trial = Trial.from_json(text)
            except ResultFormatError as exc:
                raise HistoryError(f"{self.path}: session {sid} has a damaged stored trial"
                                   f" ({exc})") from None
            by_session.setdefault(sid, []).append(trial)
        return [(s, by_session.get(s["id"], [])) for s in self.sessions(athlete)]

    def set_notes(self, session_id: int, notes: str) -> None:
        """Replace the coach's notes of one session."""
        with self._tx():
            self.conn.execute("UPDATE sessions SET notes = ? WHERE id = ?", (notes, session_id))

    # -- teams (squad page) ----------------------------------------------------------------
    def set_team(self, athlete: str, team: str) -> None:
        """Tag ``athlete`` with ``team`` ("" removes the tag), committed at once."""
        with self._tx():
            self.conn.execute("INSERT INTO athletes (name, team) VALUES (?, ?) ON CONFLICT(name)"
                              " DO UPDATE SET team = excluded.team", (athlete, team))  # fmt: skip

    def teams(self) -> dict[str, str]:
        """The team tag of every athlete who has one."""
        rows = self.conn.execute("SELECT name, team FROM athletes WHERE team != '' ORDER BY name")
        return {r["name"]: r["team"] for r in rows}

    def session_ages(self) -> dict[int, int]:
        """The age recorded with each session's result (``--age``), by session id, where given."""
        rows = self.conn.execute(
            "SELECT id, json_valid(result_json) AS ok, CASE WHEN json_valid(result_json)"
            " THEN json_extract(result_json, '$.config.summary.age') END AS age"
            " FROM sessions WHERE result_json IS NOT NULL")  # fmt: skip
        ages = {}
        for r in rows:
            age = r["age"]
            if not r["ok"] or not (age is None or isinstance(age, int)):
                why = "not JSON" if not r["ok"] else f"the age {age!r} is not a whole number"
                raise HistoryError(f"{self.path}: session {r['id']} has a damaged stored result ({why})")
            if age is not None:
                ages[r["id"]] = age
        return ages
