"""Local test history in SQLite (the embedded default store).

One database file, by default ``<user data dir>/balance_cam/history.db`` (``--db`` overrides).
Tables: ``sessions`` (one test: athlete, time, source, whether it completed, the full result
JSON) and ``trials`` (one row per trial with its metrics, and the trial's landmark series as a
compressed ``.npz`` blob). Each finished trial is committed on its own, so a crash or Ctrl-C
never loses a finished trial; an interrupted session stays ``complete = 0``.

The schema is versioned with SQLite's ``PRAGMA user_version``; :data:`MIGRATIONS` brings any
older database up to date when it is opened. A database newer than this code is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from balance_cam.core.results import AnalysisResult, SwayMetrics, Trial
from balance_cam.core.series import LandmarkSeries
from balance_cam.io.landmarks import load_series, save_series

#: The sway columns of schema 1, frozen here because migration 1 creates them.
_V1_SWAY = (
    "ml_rms_cm", "ml_range_cm", "path_length_cm", "mean_velocity_cm_s", "angle_rms_deg",
    "angle_range_deg", "ap_rms_cm", "ap_range_cm", "ellipse95_area_cm2", "ml_rms_ll",
    "path_length_ll",
)  # fmt: skip
#: One column per :class:`~balance_cam.core.results.SwayMetrics` field (a test checks that the
#: migrations create exactly these: a new metric needs a migration that adds its column).
SWAY_COLUMNS = tuple(f.name for f in fields(SwayMetrics))

MIGRATIONS: tuple[str, ...] = (
    # 1: first schema
    f"""
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        finished_at TEXT,
        kind TEXT NOT NULL,            -- 'live', 'analyze' or 'batch'
        source TEXT NOT NULL DEFAULT '',
        complete INTEGER NOT NULL DEFAULT 0,
        tool_version TEXT NOT NULL DEFAULT '',
        result_json TEXT
    );
    CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        stance TEXT NOT NULL CHECK (stance IN ('left', 'right')),
        start_s REAL NOT NULL, end_s REAL NOT NULL, hold_s REAL NOT NULL,
        stop_reason TEXT NOT NULL,
        {", ".join(f"{c} REAL" for c in _V1_SWAY)},
        trial_json TEXT NOT NULL,
        landmarks_npz BLOB
    );
    CREATE INDEX trials_session ON trials(session_id);
    CREATE INDEX sessions_athlete ON sessions(athlete, started_at);
    """,
    # 2: free-text notes per session (coach comments)
    "ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';",
    # 3: every sway metric has its column (filled from the stored trial JSON)
    """
    ALTER TABLE trials ADD COLUMN ml_range_ll REAL;
    ALTER TABLE trials ADD COLUMN mean_velocity_ll_s REAL;
    ALTER TABLE trials ADD COLUMN cm_per_leg_length REAL;
    ALTER TABLE trials ADD COLUMN scale_source TEXT;
    ALTER TABLE trials ADD COLUMN n_samples INTEGER;
    ALTER TABLE trials ADD COLUMN fs_hz REAL;
    UPDATE trials SET ml_range_ll = json_extract(trial_json, '$.sway.ml_range_ll'),
        mean_velocity_ll_s = json_extract(trial_json, '$.sway.mean_velocity_ll_s'),
        cm_per_leg_length = json_extract(trial_json, '$.sway.cm_per_leg_length'),
        scale_source = json_extract(trial_json, '$.sway.scale_source'),
        n_samples = json_extract(trial_json, '$.sway.n_samples'),
        fs_hz = json_extract(trial_json, '$.sway.fs_hz');
    """,
    # 4: test set-up and balance quality per trial (trials stored before keep the defaults:
    #    eyes open, firm, unipedal, arms free; unknown quality stays NULL)
    """
    ALTER TABLE trials ADD COLUMN condition TEXT NOT NULL DEFAULT 'eyes-open';
    ALTER TABLE trials ADD COLUMN surface TEXT NOT NULL DEFAULT 'firm';
    ALTER TABLE trials ADD COLUMN protocol TEXT NOT NULL DEFAULT 'unipedal';
    ALTER TABLE trials ADD COLUMN hands_on_hips INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE trials ADD COLUMN stable_s REAL;
    ALTER TABLE trials ADD COLUMN corrections INTEGER;
    ALTER TABLE trials ADD COLUMN errors INTEGER;
    UPDATE trials SET condition = COALESCE(json_extract(trial_json, '$.condition'), condition),
        surface = COALESCE(json_extract(trial_json, '$.surface'), surface),
        protocol = COALESCE(json_extract(trial_json, '$.protocol'), protocol),
        hands_on_hips = COALESCE(json_extract(trial_json, '$.hands_on_hips'), hands_on_hips),
        stable_s = json_extract(trial_json, '$.stable_s'),
        corrections = json_extract(trial_json, '$.corrections'),
        errors = json_extract(trial_json, '$.errors');
    """,
    # 5: team tags, one per athlete (the squad page filters on them)
    """
    CREATE TABLE athletes (
        name TEXT PRIMARY KEY,          -- as in sessions.athlete
        team TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO athletes (name) SELECT DISTINCT athlete FROM sessions;
    """,
)
#: The test set-up and quality columns of migration 4, filled from each :class:`Trial`.
QUALITY_COLUMNS = ("condition", "surface", "protocol", "hands_on_hips", "stable_s", "corrections", "errors")
SCHEMA_VERSION = len(MIGRATIONS)


def _sql(value: Any) -> Any:
    """NaN as NULL (sqlite3 would store NaN as NULL for REAL anyway, but say so), bool as 0/1."""
    if isinstance(value, float) and value != value:
        return None
    return int(value) if isinstance(value, bool) else value


class HistoryError(RuntimeError):
    """The history database cannot be used (one line for the user)."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("balance_cam", appauthor=False)) / "history.db"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class History:
    """A connection to the history database; use as a context manager."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30)
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise HistoryError(f"{self.path}: not a usable history database ({exc})") from exc
        except HistoryError:
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
        """Apply the migrations this database has not seen yet."""
        version = self.version
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: schema {version} is newer than this balance-cam ({SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            with self._tx():
                self.conn.executescript("BEGIN;" + MIGRATIONS[number] + ";")
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def _tx(self) -> Iterator[None]:
        try:
            yield
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

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
        """Store a whole offline result (``analyze`` or ``batch``) as one complete session."""
        sid = self.start_session(athlete, kind, str(result.source.get("path", "")))
        for trial in result.trials:
            self.add_trial(sid, trial)
        self.finish_session(sid, result, complete=result.complete)
        return sid

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
            out.append((s, AnalysisResult.from_json(text) if text else None))
        return out

    def session_trials(self, athlete: str | None = None) -> list[tuple[dict[str, Any], list[Trial]]]:
        """(session row, its stored trials in order) for every session (of ``athlete``), oldest
        first; sessions without a trial are included with an empty list."""
        by_session: dict[int, list[Trial]] = {}
        sql = ("SELECT t.session_id, t.trial_json FROM trials t JOIN sessions s ON s.id = t.session_id"
               + (" WHERE s.athlete = ?" if athlete is not None else "") + " ORDER BY t.session_id, t.idx")
        for sid, text in self.conn.execute(sql, (athlete,) if athlete is not None else ()):
            by_session.setdefault(sid, []).append(Trial.from_dict(json.loads(text)))
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
        rows = self.conn.execute("SELECT id, json_extract(result_json, '$.config.summary.age') AS age"
                                 " FROM sessions WHERE result_json IS NOT NULL")  # fmt: skip
        return {r["id"]: int(r["age"]) for r in rows if r["age"] is not None}
