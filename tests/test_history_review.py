"""History for review: migrations of old databases, per-session sides, trends, CSV, CLI, report."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

from balance_cam.apps.review import athlete_report_html
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.core.sessions import SessionReview, side_rows
from balance_cam.core.trends import days_since, linear_trend
from balance_cam.io.history import MIGRATIONS, SCHEMA_VERSION, SWAY_COLUMNS, History, HistoryError
from tests.test_report import two_sided


def test_old_database_is_migrated_when_opened(tmp_path):
    db = tmp_path / "v1.db"
    with sqlite3.connect(db) as conn:  # a database written by schema version 1
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO sessions (athlete, started_at, kind, source, complete)"
                     " VALUES ('Sam', '2026-01-05T09:00:00+00:00', 'analyze', 'a.mp4', 1)")  # fmt: skip
    conn.close()
    with History(db) as h:
        assert h.version == SCHEMA_VERSION >= 2
        (s,) = h.sessions("Sam")
        assert s["source"] == "a.mp4" and s["notes"] == ""  # column added by migration 2
        h.set_notes(s["id"], "felt tired")
        assert h.sessions("Sam")[0]["notes"] == "felt tired"
    with History(db) as h:  # reopening is a no-op
        assert h.version == SCHEMA_VERSION


def test_every_sway_metric_has_a_history_column(tmp_path):
    """SWAY_COLUMNS follows SwayMetrics; the migrations must create exactly those columns."""
    with History(tmp_path / "h.db") as h:
        columns = {r[1] for r in h.conn.execute("PRAGMA table_info(trials)")}
    assert set(SWAY_COLUMNS) <= columns, f"add a migration for {set(SWAY_COLUMNS) - columns}"


def test_migration_3_fills_the_new_sway_columns_from_stored_trials(tmp_path):
    db = tmp_path / "v2.db"
    trial = two_sided().trials[0]
    with sqlite3.connect(db) as conn:
        for sql in MIGRATIONS[:2]:
            conn.executescript(sql)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO sessions (id, athlete, started_at, kind) VALUES (1, 'Sam', '2026', 'live')")
        conn.execute("INSERT INTO trials (session_id, idx, stance, start_s, end_s, hold_s, stop_reason,"
                     " trial_json) VALUES (1, 0, ?, 0, 1, 1, 'touchdown', ?)",
                     (trial.stance, json.dumps(trial.to_dict())))  # fmt: skip
    conn.close()
    with History(db) as h:
        (row,) = h.trials()
    assert row["fs_hz"] == pytest.approx(trial.sway.fs_hz) and row["n_samples"] == trial.sway.n_samples
    assert row["scale_source"] == trial.sway.scale_source


def test_newer_database_is_refused(tmp_path):
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer than this balance-cam"):
        History(db)


def _trial(index, stance, hold_s, ml_rms_cm):
    sway = dataclasses.replace(SwayMetrics.empty(), ml_rms_cm=ml_rms_cm)
    return Trial(index=index, stance=stance, start_s=0.0, end_s=hold_s, stop_reason="touchdown", sway=sway)


def test_side_rows_take_the_best_trial_per_leg():
    s1 = {"id": 1, "athlete": "Sam", "started_at": "2026-01-05T09:00:00+00:00"}
    s2 = {"id": 2, "athlete": "Sam", "started_at": "2026-01-12T09:00:00+00:00"}
    reviews = [SessionReview.of(s1, [_trial(0, "left", 8.0, 2.0), _trial(1, "left", 12.0, 3.0),
                                     _trial(2, "right", 5.0, 4.0)]),
               SessionReview.of(s2, [_trial(0, "left", 15.0, 1.5)])]  # fmt: skip
    rows = side_rows(reviews)
    assert [(r.session_id, r.stance, r.side.n_trials) for r in rows] == [
        (1, "left", 2), (1, "right", 1), (2, "left", 1)]  # fmt: skip
    assert rows[0].best_hold_s == 12.0 and rows[0].side.mean_hold_s == 10.0
    assert rows[0].ml_rms_cm == 3.0  # sway of the best (longest) trial
    assert reviews[0].summary.hold_asymmetry_pct == pytest.approx(100 * (12 - 5) / 12)


def test_linear_trend_per_week():
    days = days_since(["2026-01-05T09:00:00+00:00", "2026-01-12T09:00:00+00:00",
                       "2026-01-19T21:00:00+00:00"])  # fmt: skip
    assert days == pytest.approx([0.0, 7.0, 14.5])
    fit = linear_trend(days, [10.0 + 2.0 * d / 7 for d in days])
    assert fit.slope_per_week == pytest.approx(2.0) and fit.intercept == pytest.approx(10.0)
    assert linear_trend([0.0], [1.0]) is None and linear_trend([1.0, 1.0], [1.0, 2.0]) is None
    assert linear_trend([0.0, 7.0, 14.0], [1.0, float("nan"), 3.0]).n == 2


@pytest.fixture()
def squad_db(tmp_path):
    """Three weekly tests of "Sam" (holds rising 1 s/week on the left) and one of "Alex"."""
    result = two_sided()
    db = tmp_path / "history.db"
    with History(db) as h:
        for week in range(3):
            trials = tuple(dataclasses.replace(t, end_s=t.end_s + (week if t.stance == "left" else 0))
                           for t in result.trials)  # fmt: skip
            sid = h.save_result(dataclasses.replace(result, trials=trials), athlete="Sam")
            h.conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?",
                           (f"2026-01-{5 + 7 * week:02d}T09:00:00+00:00", sid))  # fmt: skip
        h.save_result(result, athlete="Alex")
        h.conn.commit()
    return db


def test_history_cli_table_trends_and_csv(squad_db, tmp_path):
    from balance_cam.cli import app

    out = tmp_path / "sam.csv"
    res = CliRunner().invoke(app, ["history", "--athlete", "Sam", "--db", str(squad_db),
                                   "--csv", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "left leg trend, 3 sessions: hold +1.00 s/week" in res.output
    assert "right leg trend, 3 sessions: hold +0.00 s/week" in res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3 * len(two_sided().trials)
    assert {r["athlete"] for r in rows} == {"Sam"}
    left = [float(r["hold_s"]) for r in rows if r["stance"] == "left"]
    assert left == pytest.approx([left[0], left[0] + 1, left[0] + 2])
    everyone = CliRunner().invoke(app, ["history", "--db", str(squad_db)])
    assert "Alex" in everyone.output and "Sam" in everyone.output


def test_history_cli_bad_database_is_one_line(tmp_path):
    from balance_cam.cli import app

    bad = tmp_path / "not.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    res = CliRunner().invoke(app, ["history", "--db", str(bad)])
    assert res.exit_code == 2 and "not a usable history database" in res.output
    assert "Traceback" not in res.output


def test_athlete_report_trends_and_latest_session(squad_db):
    html = athlete_report_html(squad_db, "Sam")
    assert "Balance history: Sam" in html and "3 sessions" in html
    assert "left trend +1.00 s/week" in html and "right trend +0.00 s/week" in html
    assert html.count("<tr><td class=\"l\">2026-01-") == 3
    assert "Latest test, 2026-01-19" in html
    # latest session detail: its verdict and plots; Alex's session is not shown
    assert len(re.findall(r"<svg\b", html)) == 2 + 1 + 2 * len(two_sided().trials)
    assert "+1.0 s" in html  # left leg change since the previous session


def test_athlete_report_cli_unknown_athlete(squad_db, tmp_path):
    from balance_cam.cli import app

    res = CliRunner().invoke(app, ["report", "--athlete", "Nobody", "--db", str(squad_db),
                                   "--out", str(tmp_path / "x.html")])  # fmt: skip
    assert res.exit_code == 2 and "no sessions for athlete 'Nobody'" in res.output
