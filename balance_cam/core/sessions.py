"""Stored sessions summarised: the per-leg points of an athlete's history, and their trends.

A session's per-leg numbers are :func:`balance_cam.core.summary.summarize` over its stored
trials, the same definitions as a fresh analysis (best of the leg's trials, the sway of that
best trial, asymmetry); nothing is recomputed on table rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balance_cam.core.results import SideSummary, Summary, Trial
from balance_cam.core.summary import summarize
from balance_cam.core.trends import TrendFit, days_since, linear_trend


@dataclass(frozen=True)
class SessionReview:
    """One stored session: its history row, its trials and their left/right summary."""

    session: dict[str, Any]
    trials: tuple[Trial, ...]
    summary: Summary

    @classmethod
    def of(cls, session: dict[str, Any], trials: Sequence[Trial]) -> SessionReview:
        return cls(session, tuple(trials), summarize(trials))

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

    @property
    def best_hold_s(self) -> float:
        return self.side.best_hold_s

    @property
    def ml_rms_cm(self) -> float:
        return self.side.sway.ml_rms_cm


def side_rows(reviews: Sequence[SessionReview]) -> list[SideRow]:
    """One row per session and tested leg, in the sessions' order."""
    return [SideRow(r.session["athlete"], r.session["id"], r.session["started_at"], stance, side)
            for r in reviews for stance, side in sorted(r.sides.items())]  # fmt: skip


def leg_trends(rows: Sequence[SideRow], stance: str) -> tuple[TrendFit | None, TrendFit | None]:
    """Least-squares trends (:func:`~balance_cam.core.trends.linear_trend`) of one leg's best
    hold and ML sway over its sessions."""
    mine = [r for r in rows if r.stance == stance]
    days = days_since([r.started_at for r in mine])
    return (linear_trend(days, [r.best_hold_s for r in mine]),
            linear_trend(days, [r.ml_rms_cm for r in mine]))  # fmt: skip
