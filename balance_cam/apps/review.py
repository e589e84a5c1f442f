"""Reviewing stored tests: the ``history`` and ``report`` commands.

Sessions are read from the history and summarised by :mod:`balance_cam.core.sessions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from balance_cam.core.sessions import SessionReview, leg_trends, side_rows
from balance_cam.io.files import write_csv
from balance_cam.io.history import History, default_db_path


def load_reviews(db: str | Path | None, athlete: str | None = None) -> list[SessionReview]:
    """Every session (of ``athlete``) in the history, oldest first, with its summary."""
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
    note = None
    if csv is not None:
        with History(db) as h:
            trials = h.trials(athlete)
        note = f"{write_csv(csv, trials)} ({len(trials)} trials)"
    rows = side_rows(load_reviews(db, athlete))
    trends = {s: leg_trends(rows, s) for s in ("left", "right")} if athlete else {}
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
