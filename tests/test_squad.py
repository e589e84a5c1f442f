"""The squad view: per-athlete rows (core), loading and filters (app), the page and its CSV,
team tags (migration, CLI), and agreement with ``balance-cam history`` on the same database."""

from __future__ import annotations

import csv
import dataclasses
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from balance_cam.apps.review import athlete_matches, load_squad
from balance_cam.cli import app
from balance_cam.core.config import SummaryConfig
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.core.sessions import SessionReview, attention_order, squad_row
from balance_cam.io.history import MIGRATIONS, SCHEMA_VERSION, History
from balance_cam.render.squad import SORT_SCRIPT, athlete_page_name, script_hash

XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid")'


def trial(i: int, stance: str, hold_s: float, ml_cm: float = 1.0) -> Trial:
    sway = dataclasses.replace(SwayMetrics.empty(), ml_rms_cm=ml_cm)
    return Trial(i, stance, 0.0, hold_s, "touchdown", sway)


#: name -> sessions (date, trials as (stance, hold_s, ml_rms_cm)), oldest first
SQUAD = {
    "Sam": [("2026-01-05", [("left", 20, 1.5), ("left", 21, 1.4), ("right", 22, 1.4)]),
            ("2026-01-12", [("left", 24, 1.3), ("right", 25, 1.2)]),
            ("2026-01-19", [("left", 26, 1.2), ("right", 27, 1.1), ("right", 26.5, 1.0)])],
    "Alex": [("2026-01-06", [("left", 30, 1.0), ("right", 12, 2.5)]),
             ("2026-01-13", [("left", 31, 1.0), ("right", 8, 3.0), ("right", 7.5, 3.2)])],
    XSS: [("2026-01-07", [("left", 15, 1.8)])],
    FORMULA: [("2026-01-08", [("left", 18, 1.1), ("right", 17, 1.2)]),
              ("2026-01-15", [("left", 14, 1.6), ("right", 17.5, 1.2)])],
}  # fmt: skip
TEAMS = {"Sam": "juniors", "Alex": "juniors", XSS: "seniors"}


def make_squad_db(db: Path) -> Path:
    with History(db) as h:
        for name, sessions in SQUAD.items():
            for date, trials in sessions:
                sid = h.start_session(name, "analyze", "clip.mp4")
                for i, (stance, hold_s, ml_cm) in enumerate(trials):
                    h.add_trial(sid, trial(i, stance, hold_s, ml_cm))
                h.finish_session(sid, None, complete=True)
                h.conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?",
                               (f"{date}T09:00:00+00:00", sid))  # fmt: skip
        h.conn.commit()
        for name, team in TEAMS.items():
            h.set_team(name, team)
    return db


@pytest.fixture()
def squad_db(tmp_path: Path) -> Path:
    return make_squad_db(tmp_path / "history.db")


def reviews_of(name: str, cfg: SummaryConfig | None = None) -> list[SessionReview]:
    return [SessionReview.of({"id": k, "athlete": name, "started_at": f"{date}T09:00:00+00:00"},
                             [trial(i, *t) for i, t in enumerate(trials)], cfg)
            for k, (date, trials) in enumerate(SQUAD[name])]  # fmt: skip


# -- core -----------------------------------------------------------------------------------
def test_squad_row_takes_each_legs_latest_session_and_flags_what_needs_attention() -> None:
    alex = squad_row("Alex", "juniors", reviews_of("Alex"))
    right = alex.legs["right"]
    assert right.best_hold_s == 8.0 and right.previous_hold_s == 12.0 and right.personal_best_s == 12.0
    assert right.side.sway.ml_rms_cm == 3.0  # sway of that session's best trial
    assert right.holds_s == (12.0, 8.0) and right.days == (0.0, 7.0)
    assert alex.hold_asymmetry_pct == pytest.approx(100 * (31 - 8) / 31) and alex.weaker_side == "right"
    assert alex.sway_asymmetry_pct == pytest.approx(100 * (3.0 - 1.0) / 3.0)
    assert [f.code for f in alex.flags] == ["right_under_10s", "right_worse_than_last_by_33pct",
                                           "right_weaker_by_74pct"]  # fmt: skip
    assert [f.words for f in alex.flags] == ["right under 10 s", "right 33 % worse than last session",
                                            "right 74 % weaker"]  # fmt: skip
    assert alex.attention == 3 + 2 + 2
    sam = squad_row("Sam", "juniors", reviews_of("Sam"))
    assert sam.flags == () and sam.legs["left"].best_hold_s == 26.0 and sam.n_sessions == 3
    one_leg = squad_row(XSS, "", reviews_of(XSS))
    assert [f.code for f in one_leg.flags] == ["right_not_tested"] and "right" not in one_leg.legs
    old = squad_row("Sam", "", reviews_of("Sam", SummaryConfig(age=75)))  # norm for 70-79: 14.8 s
    assert [f.kind for f in old.flags] == []
    older = squad_row("Sam", "", reviews_of("Sam", SummaryConfig(age=85)))  # 80+: 6.5 s
    assert older.flags == ()
    alex_old = squad_row("Alex", "", reviews_of("Alex", SummaryConfig(age=75)))
    assert "right_below_age_norm" in [f.code for f in alex_old.flags]


def test_attention_order_puts_who_needs_it_first() -> None:
    rows = [squad_row(n, "", reviews_of(n)) for n in SQUAD]
    assert [r.athlete for r in attention_order(rows)] == ["Alex", FORMULA, XSS, "Sam"]


def test_athlete_patterns() -> None:
    assert athlete_matches("Sam Smith", "sam") and athlete_matches("Sam Smith", "*SMITH")
    assert not athlete_matches("Sam Smith", "a*") and athlete_matches("Alex", None)
    assert athlete_matches("Alex", "[AB]*") and not athlete_matches("Sam", "[AB]*")


# -- app: loading, filters, history ---------------------------------------------------------
def test_load_squad_filters_by_pattern_and_team(squad_db: Path) -> None:
    assert [r.athlete for r in load_squad(squad_db)] == ["Alex", FORMULA, XSS, "Sam"]
    assert [r.athlete for r in load_squad(squad_db, team="juniors")] == ["Alex", "Sam"]
    assert [r.athlete for r in load_squad(squad_db, athlete="s*")] == ["Sam"]
    assert [r.team for r in load_squad(squad_db, athlete="script")] == ["seniors"]
    assert load_squad(squad_db, team="nobody") == []


def test_migration_5_adds_team_tags_to_an_old_database(tmp_path: Path) -> None:
    db = tmp_path / "v3.db"
    with sqlite3.connect(db) as conn:  # the schema before team tags
        for sql in MIGRATIONS[:3]:
            conn.executescript(sql)
        conn.execute("PRAGMA user_version = 3")
        conn.execute("INSERT INTO sessions (athlete, started_at, kind) VALUES ('Sam', '2026-01-05', 'live')")
    conn.close()
    with History(db) as h:
        assert h.version == SCHEMA_VERSION and h.teams() == {}
        assert [r[0] for r in h.conn.execute("SELECT name FROM athletes")] == ["Sam"]
        h.set_team("Sam", "juniors")
        h.set_team("Sam", "seniors")  # one team per athlete: replaced
        assert h.teams() == {"Sam": "seniors"}


def test_set_team_cli_and_team_option_errors(squad_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["history", "--db", str(squad_db), "--athlete", FORMULA, "--set-team", "U18"])
    assert res.exit_code == 0, res.output
    assert [r.team for r in load_squad(squad_db, team="U18")] == ["U18"]
    res = runner.invoke(app, ["history", "--db", str(squad_db), "--athlete", "Nobody", "--set-team", "x"])
    assert res.exit_code == 2 and "no sessions for athlete 'Nobody'" in res.output
    res = runner.invoke(app, ["history", "--db", str(squad_db), "--set-team", "x"])
    assert res.exit_code == 2 and "--set-team needs --athlete" in res.output
    res = runner.invoke(app, ["analyze", "clip.mp4", "--team", "x"])
    assert res.exit_code == 2 and "--team needs --athlete" in res.output
    res = runner.invoke(app, ["batch", "clip.mp4", "--out", str(tmp_path / "b"), "--athlete", "Sam"])
    assert res.exit_code == 2 and "--athlete needs --save-history" in res.output
    res = runner.invoke(app, ["report", "--squad", "--db", str(squad_db), "--team", "nobody",
                              "--out", str(tmp_path / "s.html")])  # fmt: skip
    assert res.exit_code == 2 and "no athletes in the history matching team 'nobody'" in res.output


def history_latest_best(db: Path, tmp_path: Path) -> dict[tuple[str, str], float]:
    """Per (athlete, leg): the best hold of the leg's most recent session, from
    ``balance-cam history --csv`` (one row per stored trial)."""
    out = tmp_path / "history.csv"
    res = CliRunner().invoke(app, ["history", "--db", str(db), "--csv", str(out)])
    assert res.exit_code == 0, res.output
    latest: dict[tuple[str, str], tuple[str, float]] = {}
    for r in csv.DictReader(out.open(encoding="utf-8")):
        name = r["athlete"].removeprefix("'")  # a formula-like name is quoted for spreadsheets
        key, when, hold = (name, r["stance"]), r["started_at"], float(r["hold_s"])
        if key not in latest or when > latest[key][0]:
            latest[key] = (when, hold)
        elif when == latest[key][0]:
            latest[key] = (when, max(hold, latest[key][1]))
    return {k: v for k, (_, v) in latest.items()}


def test_squad_cli_page_csv_and_athlete_pages_agree_with_history(squad_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "squad.html"
    res = CliRunner().invoke(app, ["report", "--squad", "--out", str(out), "--db", str(squad_db)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [str(out), str(out.with_suffix(".csv")),
                                       f"4 athlete report(s) in {tmp_path / 'squad_athletes'}"]  # fmt: skip
    rows = list(csv.DictReader(out.with_suffix(".csv").open(encoding="utf-8")))
    names = [r["athlete"] for r in rows]
    assert names == ["Alex", "'" + FORMULA, XSS, "Sam"]  # the formula is quoted for spreadsheets
    want = history_latest_best(squad_db, tmp_path)
    for r in rows:
        name = r["athlete"].removeprefix("'")
        for leg in ("left", "right"):
            got = float(r[f"{leg}_best_s"]) if r[f"{leg}_best_s"] else None
            assert got == (pytest.approx(want[(name, leg)]) if (name, leg) in want else None), (name, leg)
        page = tmp_path / r["report"]
        assert page.is_file() and page.name == athlete_page_name(name)
        assert "Balance history" in page.read_text(encoding="utf-8")
    html = out.read_text(encoding="utf-8")
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"script-src '{script_hash(SORT_SCRIPT)}'" in html  # that script only, by its hash
    assert html.count("<svg") == 7  # a sparkline per tested leg


def test_athlete_page_names_are_safe_and_distinct() -> None:
    names = [XSS, FORMULA, "", "Sam", "sam", "../../etc/passwd", "Zoë Ünal"]
    files = [athlete_page_name(n) for n in names]
    assert len(set(files)) == len(files)
    assert all(f.endswith(".html") and "/" not in f and ".." not in f.removesuffix(".html") for f in files)


@pytest.mark.slow
def test_team_option_of_analyze_tags_the_athlete(tmp_path: Path) -> None:
    from balance_cam.io.landmarks import save_series
    from tests.conftest import analyzed

    _, series = analyzed("pose_1.mp4")
    npz = tmp_path / "pose_1.landmarks.npz"
    save_series(series, npz)
    db = tmp_path / "h.db"
    res = CliRunner().invoke(app, ["analyze", str(npz), "--json", "--athlete", "Kim", "--team", "U18",
                                   "--db", str(db)])  # fmt: skip
    assert res.exit_code == 0, res.output
    with History(db) as h:
        assert h.teams() == {"Kim": "U18"} and len(h.sessions("Kim")) == 1
