"""Trends over sessions: a least-squares straight line per week.

:func:`linear_trend` fits ``value = intercept + slope_per_day * day`` by ordinary least squares
over the sessions' days (:func:`days_since`); the history table and the report's trend plots
say the slope per week (e.g. "+1.25 s/week").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrendFit:
    """Least-squares straight line ``value = intercept + slope_per_day * day``."""

    slope_per_day: float
    intercept: float
    n: int

    @property
    def slope_per_week(self) -> float:
        return 7.0 * self.slope_per_day

    def per_week(self, unit: str) -> str:
        """The slope as text, e.g. ``"+1.25 s/week"`` (never ``"-0.00"``)."""
        slope = round(self.slope_per_week, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        return f"{slope:+.2f} {unit}/week"


def linear_trend(
    days: Sequence[float] | np.ndarray, values: Sequence[float | None] | np.ndarray
) -> TrendFit | None:
    """Ordinary least-squares trend of ``values`` over ``days`` (NaN and None ignored); None with
    fewer than two finite points or no spread in time."""
    d = np.asarray(days, dtype=np.float64)
    v = np.array([np.nan if x is None else x for x in values], dtype=np.float64)
    keep = np.isfinite(d) & np.isfinite(v)
    d, v = d[keep], v[keep]
    if len(d) < 2 or np.ptp(d) <= 0:
        return None
    slope, intercept = np.polyfit(d, v, 1)
    return TrendFit(float(slope), float(intercept), len(d))


def days_since(timestamps: Sequence[str], origin: str | None = None) -> list[float]:
    """ISO-8601 times as days after ``origin`` (default: the earliest of them)."""
    times = [dt.datetime.fromisoformat(t) for t in timestamps]
    if not times:
        return []
    t0 = dt.datetime.fromisoformat(origin) if origin else min(times)
    return [(t - t0).total_seconds() / 86400.0 for t in times]
