"""The HTML report of one athlete's history: trends per leg, the sessions, the latest test.

Rendered from already-summarised sessions (:class:`balance_cam.core.sessions.SessionReview` and
their side rows), so it shows exactly the numbers ``balance-cam history`` prints; the page is as
self-contained as the one-test report (:mod:`balance_cam.render.report`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from balance_cam.core.results import AnalysisResult, SideSummary
from balance_cam.core.sessions import SessionReview, SideRow, setup_keys
from balance_cam.core.summary import DEFAULT_KEY
from balance_cam.core.trends import days_since
from balance_cam.render.console import short_setup
from balance_cam.render.report import ResultView, definitions, env, find_video, now_text, result_view


@dataclass(frozen=True)
class SessionRow:
    """One session of an athlete as the history table shows it."""

    session: dict[str, Any]
    date: str
    sides: dict[str, SideSummary]
    hold_asymmetry_pct: float
    verdict: str
    setup: str = ""


def local_date(iso: str) -> str:
    """An ISO-8601 time as local ``YYYY-MM-DD HH:MM``."""
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def _trend_plots(rows: Sequence[SideRow], stable_min_s: float) -> list[Markup]:
    """Hold and sway trends, one pair of plots per test set-up (like with like); the 10-s line
    only on eyes-open firm unipedal plots."""
    from balance_cam.render.plots import trend_svg

    if not rows:
        return []
    days_all = days_since([r.started_at for r in rows])
    plots = []
    for key in setup_keys(rows):
        mine = [(d, r) for d, r in zip(days_all, rows, strict=True) if r.test_key == key]
        days, stances = [d for d, _ in mine], [r.stance for _, r in mine]
        ticks = sorted({(d, local_date(r.started_at)[:10]) for d, r in mine})
        ticks = ticks[:: max(1, math.ceil(len(ticks) / 8))]
        setup = "" if key == DEFAULT_KEY else f", {short_setup(key)}"
        plots += [
            Markup(trend_svg(days, [r.best_hold_s for _, r in mine], stances, f"best hold (s){setup}",
                             unit="s", x_labels=ticks, ref=stable_min_s if key == DEFAULT_KEY else None)),
            Markup(trend_svg(days, [r.ml_rms_cm for _, r in mine], stances, f"ML sway RMS (cm){setup}",
                             unit="cm", x_labels=ticks)),
        ]  # fmt: skip
    return plots


def _session_rows(reviews: Sequence[SessionReview]) -> list[SessionRow]:
    return [SessionRow(r.session, local_date(r.session["started_at"]), r.sides,
                       r.summary.hold_asymmetry_pct, r.summary.verdict, short_setup(r.summary.test_key))
            for r in reviews]  # fmt: skip


def _latest_view(
    reviews: Sequence[SessionReview], results: dict[int, AnalysisResult], video: Path | None
) -> ResultView | None:
    """The full one-test view of the most recent session that stored its result."""
    for r in reversed(reviews):
        res = results.get(r.session["id"])
        if res is not None:
            return result_view(res, video=video or find_video(res, None, None), notes=r.session["notes"],
                               title=f"Latest test, {local_date(r.session['started_at'])}")  # fmt: skip
    return None


def _changes(rows: Sequence[SideRow]) -> dict[str, dict[str, float]]:
    """Per leg, the change of best hold and ML sway from the previous session of the same test
    set-up to the last session."""
    out: dict[str, dict[str, float]] = {}
    for side in ("left", "right"):
        legs = [r for r in rows if r.stance == side]
        mine = [r for r in legs if legs and r.test_key == legs[-1].test_key]
        if len(mine) >= 2:
            prev, last = mine[-2], mine[-1]
            out[side] = {"hold_s": last.best_hold_s - prev.best_hold_s,
                         "ml_rms_cm": last.ml_rms_cm - prev.ml_rms_cm,
                         "last_hold_s": last.best_hold_s}  # fmt: skip
    return out


def render_athlete_report(
    athlete: str, reviews: Sequence[SessionReview], rows: Sequence[SideRow],
    results: dict[int, AnalysisResult], *, video: str | Path | None = None,
) -> str:  # fmt: skip
    """HTML of one athlete's history (``reviews`` oldest first; ``results`` by session id)."""
    latest = _latest_view(reviews, results, Path(video) if video else None)
    stable_min_s = latest.stable_min_s if latest else 10.0
    return env().get_template("athlete.html.j2").render(
        athlete=athlete, rows=_session_rows(reviews), trends=_trend_plots(rows, stable_min_s),
        changes=_changes(rows), latest=latest, generated=now_text(), stable_min_s=stable_min_s,
        definitions=definitions(),
    )  # fmt: skip
