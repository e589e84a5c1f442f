"""Reviewing stored tests: the ``history`` and ``report`` commands, and the squad page.

Sessions are read from the history and summarised by :mod:`balance_cam.core.sessions`; trends
are per test set-up (an eyes-closed session never joins an eyes-open trend).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from balance_cam.core.config import SummaryConfig
from balance_cam.core.sessions import (
    SessionReview,
    SquadRow,
    attention_order,
    leg_trends,
    setup_keys,
    side_rows,
    squad_row,
)
from balance_cam.io.files import write_csv
from balance_cam.io.history import History, HistoryError, default_db_path


def _existing(db: str | Path | None) -> None:
    """A history named with ``--db`` must exist to be read: a mistyped path would otherwise be
    created as an empty database and reported as "no trials"."""
    if db is not None and not Path(db).exists():
        raise HistoryError(f"{db}: no such history database")


def load_reviews(db: str | Path | None, athlete: str | None = None) -> list[SessionReview]:
    """Every session (of ``athlete``) in the history, oldest first, with its summary."""
    _existing(db)
    with History(db) as h:
        stored = h.session_trials(athlete)
    return [SessionReview.of(s, trials) for s, trials in stored]


# -- commands ---------------------------------------------------------------------------------
def history_command(athlete: str | None, csv: Path | None, db: Path | None,
                    imports: Sequence[Path] = ()) -> None:  # fmt: skip
    """``balance-cam history``: the table per session and leg, trends per athlete, CSV;
    ``imports``: fallback files to store first (:func:`~balance_cam.io.unsaved.import_fallback`)."""
    from balance_cam.io.files import check_output_file, refuse_overwriting_inputs
    from balance_cam.render.console import print_history, print_lines

    if csv is not None:
        check_output_file(csv, "--csv")
        refuse_overwriting_inputs({"--csv": csv}, {"--db": db or default_db_path(),
                                                  **{f"--import {p}": p for p in imports}})  # fmt: skip
    for path in imports:
        from balance_cam.io.unsaved import import_fallback

        print_lines([f"imported {path} as session {import_fallback(db, path)}"], err=True)
    _existing(db)  # before --csv opens it
    note = None
    if csv is not None:
        with History(db) as h:
            trials = h.trials(athlete)
        note = f"{write_csv(csv, trials)} ({len(trials)} trials)"
    rows = side_rows(load_reviews(db, athlete))
    trends = ({(s, key): leg_trends(rows, s, key) for key in setup_keys(rows) for s in ("left", "right")}
              if athlete else {})  # fmt: skip
    print_history(rows, athlete, trends, note=note)


def report_command(
    result_json: Path | None, out: Path, *, athlete: str | None, db: Path | None,
    video: Path | None, notes: str,
) -> Path:  # fmt: skip
    """``balance-cam report``: one test from its result JSON, or an athlete's history."""
    from balance_cam.io.files import check_output_file, refuse_overwriting_inputs, write_text
    from balance_cam.io.results import read_result
    from balance_cam.render import report

    check_output_file(out, "--out")
    refuse_overwriting_inputs({"--out": out}, {"RESULT_JSON": result_json, "--video": video,
                                               "--db": db or default_db_path()})  # fmt: skip
    if result_json is not None:
        result = read_result(result_json)
        html = report.render_result_report(result, video=report.find_video(result, result_json, video),
                                           athlete=athlete or "", notes=notes)  # fmt: skip
    elif athlete is not None:
        html = athlete_report_html(db, athlete, video=video)
    else:
        raise ValueError("give a result JSON, or --athlete NAME for a history report")
    return write_text(out, html)


def athlete_report_html(db: str | Path | None, athlete: str, *, video: str | Path | None = None) -> str:
    """The history report of one athlete, from the history database."""
    from balance_cam.render.history_report import render_athlete_report

    reviews = load_reviews(db, athlete)
    if not reviews:
        raise ValueError(f"no sessions for athlete {athlete!r} in the history")
    return render_athlete_report(athlete, reviews, side_rows(reviews), _stored_results(db, athlete),
                                 video=video)  # fmt: skip


def _stored_results(db: str | Path | None, athlete: str) -> dict[int, Any]:
    """The full stored result of each session that has one (for the latest-test view)."""
    with History(db) as h:
        return {s["id"]: res for s, res in h.session_results(athlete) if res is not None}


# -- squad ------------------------------------------------------------------------------------
def set_team_command(athlete: str, team: str, db: Path | None) -> None:
    """``balance-cam history --set-team TEAM --athlete NAME``."""
    from balance_cam.render.console import print_lines

    with History(db) as h:
        if not h.sessions(athlete):
            raise ValueError(f"no sessions for athlete {athlete!r} in the history")
        h.set_team(athlete, team)
    print_lines([f"{athlete}: team {team!r}" if team else f"{athlete}: no team"], err=True)


def athlete_matches(name: str, pattern: str | None) -> bool:
    """``pattern`` as a case-insensitive glob ("sam*", "*[AB]"), or, without ``*?[``, a
    case-insensitive part of the name; None matches everyone."""
    if pattern is None:
        return True
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())
    return pattern.casefold() in name.casefold()


def load_squad(db: str | Path | None, athlete: str | None = None, team: str | None = None) -> list[SquadRow]:
    """One row per athlete in the history (``athlete`` pattern, ``team`` tag), who needs attention
    first. Each session is summarised as ``history`` does, with the age its result was analysed
    with (for the norm flag)."""
    _existing(db)
    with History(db) as h:
        stored, teams, ages = h.session_trials(), h.teams(), h.session_ages()
    by_athlete: dict[str, list[SessionReview]] = {}
    for s, trials in stored:
        cfg = SummaryConfig(age=ages.get(s["id"]))
        by_athlete.setdefault(s["athlete"], []).append(SessionReview.of(s, trials, cfg))
    rows = [squad_row(name, teams.get(name, ""), reviews) for name, reviews in by_athlete.items()
            if athlete_matches(name, athlete) and (team is None or teams.get(name, "") == team)]  # fmt: skip
    return attention_order(rows)


def squad_command(out: Path, *, athlete: str | None, team: str | None, db: Path | None,
                  athlete_pages: bool = True) -> list[Path]:  # fmt: skip
    """``balance-cam report --squad``: the squad page, its CSV (``out`` with ``.csv``) and, in
    ``<out stem>_athletes/``, each athlete's history report the rows link to."""
    from balance_cam.io.files import write_text
    from balance_cam.render.squad import SquadTable, athlete_page_name, render_squad_page

    rows = load_squad(db, athlete, team)
    if not rows:
        what = " and ".join(f for f in (f"athlete {athlete!r}" if athlete else "",
                                        f"team {team!r}" if team else "") if f)  # fmt: skip
        raise ValueError("no athletes in the history" + (f" matching {what}" if what else ""))
    folder = f"{out.stem}_athletes"
    links = {r.athlete: f"{folder}/{athlete_page_name(r.athlete)}" for r in rows} if athlete_pages else {}
    table = SquadTable(rows, links)
    written = [write_text(out, render_squad_page(table, athlete=athlete, team=team)),
               write_csv(out.with_suffix(".csv"), table.csv_rows(), table.csv_columns())]
    for r in rows if athlete_pages else ():
        written.append(write_text(out.parent / links[r.athlete], athlete_report_html(db, r.athlete)))
    return written
