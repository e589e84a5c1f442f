"""Per-side summary, asymmetry, flags, age norms and verdict (:mod:`balance_cam.core.summary`)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from balance_cam.core.config import SummaryConfig
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.core.summary import (
    SPRINGER_2007_EYES_OPEN_BEST,
    asymmetry_pct,
    norm_for_age,
    side_summary,
    summarize,
)


def sway(ml_rms_cm: float) -> SwayMetrics:
    return replace(SwayMetrics.empty(), ml_rms_cm=ml_rms_cm, n_samples=100)


def trial(i: int, stance: str, hold_s: float, ml_rms_cm: float = 1.0, start_s: float = 0.0):
    return Trial(i, stance, start_s, start_s + hold_s, "touchdown", sway(ml_rms_cm))


def test_best_and_mean_hold_per_side():
    trials = [trial(0, "left", 12.0, 1.5), trial(1, "left", 20.0, 1.1), trial(2, "left", 7.0),
              trial(3, "right", 30.0, 0.9)]  # fmt: skip
    left = side_summary(trials, "left", SummaryConfig())
    assert left.n_trials == 3 and left.best_hold_s == 20.0 and left.best_trial == 1
    assert left.mean_hold_s == pytest.approx(13.0)
    assert left.sway.ml_rms_cm == 1.1  # sway of the best (longest) trial
    assert left.under_stable_min is False
    assert side_summary(trials, "right", SummaryConfig()).n_trials == 1
    assert side_summary(trials[:3], "right", SummaryConfig()) is None


def test_asymmetry_definition():
    assert asymmetry_pct(20.0, 15.0) == pytest.approx(25.0)
    assert asymmetry_pct(20.0, 20.0) == 0.0
    assert asymmetry_pct(20.0, 0.0) == 100.0
    assert math.isnan(asymmetry_pct(0.0, 0.0)) and math.isnan(asymmetry_pct(float("nan"), 1.0))


def test_summary_of_a_weaker_right_side():
    s = summarize([trial(0, "left", 40.0, 1.0), trial(1, "right", 8.0, 2.0)])
    assert s.hold_asymmetry_pct == pytest.approx(80.0)
    assert s.sway_asymmetry_pct == pytest.approx(50.0)  # (2.0 - 1.0) / 2.0
    assert s.weaker_side == "right"
    assert s.flags == ("right_under_10s", "right_weaker_by_80pct")
    assert s.verdict == (
        "Left leg: best 40.0 s (1 trial). Right leg: best 8.0 s (1 trial). Swap an easy run for "
        "strength and stability work: right leg held under 10 s; right leg 80% shorter than the "
        "other."
    )


def test_ten_second_rule_is_a_strict_under():
    s = summarize([trial(0, "left", 10.0), trial(1, "right", 9.99)])
    assert s.flags == ("right_under_10s",)
    assert s.left.under_stable_min is False and s.right.under_stable_min is True


def test_balanced_sides_and_missing_side():
    s = summarize([trial(0, "left", 30.0), trial(1, "right", 28.0), trial(2, "right", 25.0)])
    assert s.flags == () and s.weaker_side == "right"
    assert s.verdict.endswith("Both tested sides held at least 10 s without a clear left/right "
                              "difference.")  # fmt: skip
    assert "(2 trials)" in s.verdict
    one = summarize([trial(0, "right", 15.0)])
    assert one.left is None and math.isnan(one.hold_asymmetry_pct) and one.weaker_side is None
    assert "The left leg was not tested." in one.verdict
    assert summarize([]).verdict == "No single-leg stance was found."


def test_norms_by_age_group():
    groups = [(lo, hi) for lo, hi, *_ in SPRINGER_2007_EYES_OPEN_BEST]
    assert groups[0][0] == 18 and all(b[0] == a[1] + 1 for a, b in zip(groups[:-1], groups[1:], strict=True))
    means = [(w + m) / 2 for _, _, w, m in SPRINGER_2007_EYES_OPEN_BEST]
    assert means == sorted(means, reverse=True)  # norms fall with age
    assert all(w <= 45 and m <= 45 for *_, w, m in SPRINGER_2007_EYES_OPEN_BEST)  # 45 s cap
    n = norm_for_age(65)
    assert n["age_group"] == "60-69"
    assert n["norm_best_s"] == pytest.approx(round((n["norm_women_s"] + n["norm_men_s"]) / 2, 1))
    assert norm_for_age(17) is None
    assert norm_for_age(85)["age_group"] == norm_for_age(104)["age_group"] == "80+"  # open-ended


def test_age_norm_flags_and_explains():
    cfg = SummaryConfig(age=75)
    norm = norm_for_age(75)["norm_best_s"]
    s = summarize([trial(0, "left", norm + 1.0), trial(1, "right", norm - 1.0)], cfg)
    assert s.left.norm["below_norm"] is False and s.right.norm["below_norm"] is True
    assert "right_below_age_norm" in s.flags
    assert "right leg below the norm for age 75" in s.verdict
