"""Stored sessions summarised: the per-leg points of an athlete's history, their trends, and
the squad view (one :class:`SquadRow` per athlete).

A session's per-leg numbers are :func:`balance_cam.core.summary.summarize` over its stored
trials, the same definitions as a fresh analysis (best of the leg's trials, the sway of that
best trial, asymmetry); nothing is recomputed on table rows. Like with like: a session is
summarised per test set-up (condition, surface, protocol), and a trend only joins sessions of
the same set-up, so an eyes-closed hold never sits on an eyes-open trend line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balance_cam.core.config import SummaryConfig
from balance_cam.core.results import SideSummary, Summary, Trial
from balance_cam.core.summary import DEFAULT_KEY, SetupKey, asymmetry_pct, summarize, summarize_by_test
from balance_cam.core.trends import TrendFit, days_since, linear_trend


@dataclass(frozen=True)
class SessionReview:
    """One stored session: its history row, its trials and their left/right summaries (one per
    test set-up; a session normally has one)."""

    session: dict[str, Any]
    trials: tuple[Trial, ...]
    summaries: tuple[Summary, ...]

    @classmethod
    def of(cls, session: dict[str, Any], trials: Sequence[Trial],
           cfg: SummaryConfig | None = None) -> SessionReview:  # fmt: skip
        return cls(session, tuple(trials), tuple(summarize_by_test(trials, cfg)) or (summarize([], cfg),))

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


# -- the squad: one row per athlete ----------------------------------------------------------
WORSE_DROP_PCT = 10.0
"""A leg is "worse than last session" when its best hold dropped by at least this much (%)
from the previous session that tested it."""

#: How much each flag weighs when the squad is sorted "who needs attention first".
ATTENTION_WEIGHT = {"under": 3, "below_norm": 2, "worse": 2, "asymmetric": 2, "untested": 1}


@dataclass(frozen=True)
class LegStatus:
    """Where one leg of an athlete stands: its most recent session's best (the history table's
    row for that session and leg), the previous one, the personal best, and every session's
    best for the sparkline (``days`` since the athlete's first test)."""

    stance: str
    side: SideSummary
    session_id: int
    started_at: str
    condition: str
    previous_hold_s: float
    personal_best_s: float
    days: tuple[float, ...]
    holds_s: tuple[float, ...]

    @property
    def best_hold_s(self) -> float:
        return self.side.best_hold_s

    @property
    def drop_pct(self) -> float:
        """How much shorter the best hold is than in the leg's previous session (%; NaN: none)."""
        prev = self.previous_hold_s
        return 100 * (prev - self.best_hold_s) / prev if math.isfinite(prev) and prev > 0 else float("nan")

    @property
    def worse_than_last(self) -> bool:
        return self.drop_pct >= WORSE_DROP_PCT

    @property
    def below_norm(self) -> bool:
        return bool(self.side.norm and self.side.norm.get("below_norm"))


@dataclass(frozen=True)
class SquadFlag:
    """One reason a coach should look at an athlete: ``kind`` in :data:`ATTENTION_WEIGHT`,
    the leg it concerns, and the number behind it (stable minimum s, drop %, asymmetry %)."""

    kind: str
    side: str
    value: float = float("nan")

    @property
    def code(self) -> str:
        """Machine-readable, as in the result's ``summary.flags`` (e.g. ``left_under_10s``)."""
        return {"under": f"{self.side}_under_{self.value:g}s",
                "worse": f"{self.side}_worse_than_last_by_{self.value:.0f}pct",
                "below_norm": f"{self.side}_below_age_norm",
                "asymmetric": f"{self.side}_weaker_by_{self.value:.0f}pct",
                "untested": f"{self.side}_not_tested"}[self.kind]  # fmt: skip

    @property
    def words(self) -> str:
        """For people, e.g. "left under 10 s", "right 40 % weaker"."""
        return {"under": f"{self.side} under {self.value:g} s",
                "worse": f"{self.side} {self.value:.0f} % worse than last session",
                "below_norm": f"{self.side} below age norm",
                "asymmetric": f"{self.side} {self.value:.0f} % weaker",
                "untested": f"{self.side} not tested"}[self.kind]  # fmt: skip


@dataclass(frozen=True)
class SquadRow:
    """One athlete in the squad view. Asymmetries compare each leg's most recent best (the
    definitions of :mod:`balance_cam.core.summary`); ``flags`` are machine-readable codes."""

    athlete: str
    team: str
    n_sessions: int
    last_at: str
    legs: dict[str, LegStatus]
    hold_asymmetry_pct: float
    sway_asymmetry_pct: float
    weaker_side: str | None
    flags: tuple[SquadFlag, ...]

    @property
    def attention(self) -> int:
        """The weighted number of flags (:data:`ATTENTION_WEIGHT`): higher sorts first."""
        return sum(ATTENTION_WEIGHT[f.kind] for f in self.flags)


def _condition_of(review: SessionReview, trial_index: int) -> str:
    """The test condition (eyes open/closed) of one of a session's trials."""
    return next((str(t.condition) for t in review.trials if t.index == trial_index), "")


def leg_status(reviews: Sequence[SessionReview], stance: str, days: Sequence[float]) -> LegStatus | None:
    """``stance``'s status over ``reviews`` (oldest first, ``days`` each), None if never tested."""
    tested = [(r, d) for r, d in zip(reviews, days, strict=True) if stance in r.sides]
    if not tested:
        return None
    last = tested[-1][0]
    holds = tuple(r.sides[stance].best_hold_s for r, _ in tested)
    return LegStatus(stance, last.sides[stance], last.session["id"], last.session["started_at"],
                     _condition_of(last, last.sides[stance].best_trial),
                     holds[-2] if len(holds) > 1 else float("nan"), max(holds),
                     tuple(d for _, d in tested), holds)  # fmt: skip


def squad_row(athlete: str, team: str, reviews: Sequence[SessionReview],
              cfg: SummaryConfig | None = None) -> SquadRow:  # fmt: skip
    """The squad row of one athlete from their sessions (oldest first)."""
    cfg = cfg or SummaryConfig()
    days = days_since([r.session["started_at"] for r in reviews])
    legs = {s: st for s in ("left", "right") if (st := leg_status(reviews, s, days)) is not None}
    hold_asym = sway_asym = float("nan")
    weaker = None
    if len(legs) == 2:
        strong, weak = sorted(legs.values(), key=lambda st: -st.best_hold_s)
        hold_asym = asymmetry_pct(strong.best_hold_s, weak.best_hold_s)
        weaker = weak.stance if hold_asym > 0 else None
        lo, hi = sorted(st.side.sway.ml_rms_cm for st in legs.values())
        sway_asym = asymmetry_pct(hi, lo)
    flags: list[SquadFlag] = []
    for st in legs.values():
        if st.side.under_stable_min:
            flags.append(SquadFlag("under", st.stance, cfg.stable_min_s))
        if st.worse_than_last:
            flags.append(SquadFlag("worse", st.stance, st.drop_pct))
        if st.below_norm:
            flags.append(SquadFlag("below_norm", st.stance))
    if weaker and hold_asym >= cfg.asymmetry_flag_pct:
        flags.append(SquadFlag("asymmetric", weaker, hold_asym))
    flags += [SquadFlag("untested", s) for s in ("left", "right") if s not in legs]
    return SquadRow(athlete, team, len(reviews), reviews[-1].session["started_at"] if reviews else "",
                    legs, hold_asym, sway_asym, weaker, tuple(flags))  # fmt: skip


def attention_order(rows: Sequence[SquadRow]) -> list[SquadRow]:
    """Who needs attention first: most weighted flags, then the shortest best hold of any leg
    (untested counts as 0 s), then the name."""
    def key(r: SquadRow) -> tuple[float, float, str]:
        shortest = min((st.best_hold_s for st in r.legs.values()), default=0.0)
        return (-r.attention, shortest if math.isfinite(shortest) else 0.0, r.athlete.casefold())

    return sorted(rows, key=key)
