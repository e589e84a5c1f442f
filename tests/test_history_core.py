"""The SQLite history's core (:mod:`balance_cam.io.history`): migrations, storage, crash safety."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from balance_cam.core.results import AnalysisResult, SwayMetrics, Trial
from balance_cam.core.series import LandmarkSeries
from balance_cam.core.summary import summarize
from balance_cam.io.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError


def trial(i: int, stance: str, start_s: float, hold_s: float) -> Trial:
    sway = replace(SwayMetrics.empty(), ml_rms_cm=1.5 + i, angle_rms_deg=0.5, n_samples=30)
    return Trial(i, stance, start_s, start_s + hold_s, "touchdown", sway)


def result(trials: tuple[Trial, ...], complete: bool = True) -> AnalysisResult:
    return AnalysisResult(
        source={"path": "clip.mp4"}, model={}, trials=trials, summary=summarize(trials),
        frames_decoded=300, frames_with_person=300, config={}, tool_version="0.1.0",
        created_at="2026-01-01T00:00:00+00:00", complete=complete,
    )  # fmt: skip


def test_fresh_database_has_the_current_schema(tmp_path):
    with History(tmp_path / "sub" / "h.db") as h:
        assert h.version == SCHEMA_VERSION == len(MIGRATIONS)
        cols = {r[1] for r in h.conn.execute("PRAGMA table_info(sessions)")}
        assert {"athlete", "started_at", "complete", "result_json", "notes"} <= cols


def test_old_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO sessions (athlete, started_at, kind) VALUES ('ann', '2025', 'live')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with History(path) as h:
        assert h.version == SCHEMA_VERSION
        rows = h.sessions()
        assert [(r["athlete"], r["kind"], r["notes"]) for r in rows] == [("ann", "live", "")]


def test_newer_or_foreign_databases_are_refused(tmp_path):
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer than this balance-cam"):
        History(newer)
    text = tmp_path / "notes.db"
    text.write_text("not a database " * 100)
    with pytest.raises(HistoryError, match="not a usable history database"):
        History(text)
    for name, sql in (("app.db", "CREATE TABLE notes (x)"),  # another program's: left as it was
                      ("versioned.db", "CREATE TABLE users (x); PRAGMA user_version = 1"),
                      ("sessions.db", "CREATE TABLE sessions (id, user); CREATE TABLE trials (x);"
                                      " PRAGMA user_version = 2")):
        other = tmp_path / name
        conn = sqlite3.connect(other)
        conn.executescript(sql)
        conn.close()
        before = other.read_bytes()
        refused = "a SQLite database of another program .tables: (notes|users|sessions, trials)"
        with pytest.raises(HistoryError, match=refused):
            History(other)
        assert other.read_bytes() == before and not (tmp_path / f"{name}-wal").exists()


def test_save_result_round_trip(tmp_path):
    trials = (trial(0, "left", 1.0, 12.0), trial(1, "right", 20.0, 8.5))
    with History(tmp_path / "h.db") as h:
        sid = h.save_result(result(trials), athlete="ann")
        rows = h.trials(athlete="ann")
        assert [(r["stance"], r["hold_s"], r["ml_rms_cm"]) for r in rows] == [
            ("left", 12.0, 1.5), ("right", 8.5, 2.5)]
        assert rows[0]["path_length_cm"] is None  # NaN metrics are stored as NULL
        (session,) = h.sessions("ann")
        assert session["id"] == sid and session["complete"] == 1
        text = h.conn.execute("SELECT result_json FROM sessions WHERE id = ?", (sid,)).fetchone()[0]
        assert AnalysisResult.from_json(text).trials[1].hold_s == 8.5
        assert h.trials(athlete="bob") == []


def test_finished_trials_survive_an_interrupted_session(tmp_path):
    path = tmp_path / "h.db"
    n = 30
    series = LandmarkSeries(np.arange(n) / 30, np.full((n, 33, 4), 0.5, np.float32),
                            np.zeros((n, 33, 4), np.float32), 640, 480)  # fmt: skip
    h = History(path)
    sid = h.start_session("ann", "live")
    h.add_trial(sid, trial(0, "left", 0.0, 1.0), series)
    # No finish_session, no close: the process dies here.
    with History(path) as other:
        (session,) = other.sessions()
        assert session["complete"] == 0 and session["finished_at"] is None
        assert len(other.trials()) == 1
        np.testing.assert_array_equal(other.trial_series(sid, 0).image, series.image)
        assert other.trial_series(sid, 5) is None
    h.close()


def test_discarded_trial_is_gone_and_others_stay(tmp_path):
    with History(tmp_path / "h.db") as h:
        sid = h.start_session("ann", "live")
        h.add_trial(sid, trial(0, "left", 0.0, 5.0))
        h.add_trial(sid, trial(1, "left", 8.0, 3.0))
        h.discard_trial(sid, 0)
        assert [t["idx"] for t in h.trials()] == [1]


def test_a_damaged_stored_trial_or_result_is_one_history_error(tmp_path):
    """A row another tool (or a bad disk) changed is named, not a traceback from deep inside."""
    path = tmp_path / "h.db"
    with History(path) as h:
        sid = h.save_result(result((trial(0, "left", 1.0, 12.0),)), athlete="ann")
        h.conn.execute("UPDATE trials SET trial_json = '{\"index\": 0}' WHERE session_id = ?", (sid,))
        h.conn.execute("UPDATE sessions SET result_json = '[1]' WHERE id = ?", (sid,))
        h.conn.commit()
    with History(path) as h:
        with pytest.raises(HistoryError, match=f"session {sid} has a damaged stored trial .the field 'stanc"):
            h.session_trials("ann")
        with pytest.raises(HistoryError, match=f"session {sid} has a damaged stored result .a JSON array"):
            h.session_results("ann")
