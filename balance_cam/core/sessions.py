"""Stored sessions summarised: the per-leg points of an athlete's history, and their trends.

A session's per-leg numbers are :func:`balance_cam.core.summary.summarize` over its stored
trials, the same definitions as a fresh analysis (best of the leg's trials, the sway of that
best trial, asymmetry); nothing is recomputed on table rows. Like with like: a session is
summarised per test set-up (condition, surface, protocol), and a trend only joins sessions of
the same set-up, so an eyes-closed hold never sits on an eyes-open trend line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balance_cam.core.results import SideSummary, Summary, Trial
from balance_cam.core.summary import DEFAULT_KEY, SetupKey, summarize, summarize_by_test
from balance_cam.core.trends import TrendFit, days_since, linear_trend


@dataclass(frozen=True)
class SessionReview:
    """One stored session: its history row, its trials and their left/right summaries (one per
    test set-up; a session normally has one)."""

    session: dict[str, Any]
    trials: tuple[Trial, ...]
    summaries: tuple[Summary, ...]

    @classmethod
    def of(cls, session: dict[str, Any], trials: Sequence[Trial]) -> SessionReview:
        return cls(session, tuple(trials), tuple(summarize_by_test(trials)) or (summarize([]),))

    @property
    def summary(self) -> Summary:
        """The summary of the session's (first) set-up."""
        return self.summaries[0]

    @property
    def sides(self) -> dict[str, SideSummary]:
        """The legs tested in this session, by stance."""
        return {s.stance: s for s in (self.summary.left, self.summary.right) if s is not None}


@dataclass(frozen=True)
class SideRow:
    """One (session, stance leg) point of an athlete's history: a table row and a trend point."""

    athlete: str
    session_id: int
    started_at: str
    stance: str
    side: SideSummary
    test_key: SetupKey = DEFAULT_KEY

    @property
    def best_hold_s(self) -> float:
        return self.side.best_hold_s

    @property
    def ml_rms_cm(self) -> float:
        return self.side.sway.ml_rms_cm


def side_rows(reviews: Sequence[SessionReview]) -> list[SideRow]:
    """One row per session, test set-up and tested leg, in the sessions' order."""
    return [SideRow(r.session["athlete"], r.session["id"], r.session["started_at"], side.stance, side,
                    summary.test_key)
            for r in reviews for summary in r.summaries
            for side in (summary.left, summary.right) if side is not None]  # fmt: skip


def setup_keys(rows: Sequence[SideRow]) -> list[SetupKey]:
    """The test set-ups present in ``rows``, in order of first appearance."""
    return list(dict.fromkeys(r.test_key for r in rows))


def leg_trends(
    rows: Sequence[SideRow], stance: str, key: SetupKey = DEFAULT_KEY
) -> tuple[TrendFit | None, TrendFit | None]:
    """Least-squares trends (:func:`~balance_cam.core.trends.linear_trend`) of one leg's best
    hold and ML sway over its sessions of one test set-up."""
    mine = [r for r in rows if r.stance == stance and r.test_key == key]
    days = days_since([r.started_at for r in mine])
    return (linear_trend(days, [r.best_hold_s for r in mine]),
            linear_trend(days, [r.ml_rms_cm for r in mine]))  # fmt: skip
