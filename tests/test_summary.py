"""Per-side summary, asymmetry, flags, age norms and verdict (:mod:`balance_cam.core.summary`)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from balance_cam.core.config import SummaryConfig
from balance_cam.core.norms import norm_for
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.core.summary import (
    asymmetry_pct,
    by_test,
    side_summary,
    summarize,
    summarize_by_test,
)


def sway(ml_rms_cm: float) -> SwayMetrics:
    return replace(SwayMetrics.empty(), ml_rms_cm=ml_rms_cm, n_samples=100)


def trial(i: int, stance: str, hold_s: float, ml_rms_cm: float = 1.0, start_s: float = 0.0, **kw):
    return Trial(i, stance, start_s, start_s + hold_s, "touchdown", sway(ml_rms_cm), **kw)


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
        "Unipedal stance, eyes open, firm surface. Left leg: held 40.0 s (1 trial). Right leg: "
        "held 8.0 s (1 trial). Swap an easy run for strength and stability work: right leg held "
        "under 10 s; right leg 80% shorter than the other."
    )


def test_ten_second_rule_is_a_strict_under():
    s = summarize([trial(0, "left", 10.0), trial(1, "right", 9.99)])
    assert s.flags == ("right_under_10s",)
    assert s.left.under_stable_min is False and s.right.under_stable_min is True


def test_balanced_sides_and_missing_side():
    s = summarize([trial(0, "left", 30.0), trial(1, "right", 28.0), trial(2, "right", 25.0)])
    assert s.flags == () and s.weaker_side == "right"
    assert s.verdict.endswith("Both sides held at least 10 s without a clear left/right difference.")
    assert "(2 trials)" in s.verdict
    one = summarize([trial(0, "right", 15.0)])
    assert one.left is None and math.isnan(one.hold_asymmetry_pct) and one.weaker_side is None
    assert "The left leg was not tested." in one.verdict
    assert one.verdict.endswith("The right leg held at least 10 s; test the left leg to compare.")
    assert "Both" not in one.verdict
    assert summarize([]).verdict == "No single-leg stance was found."


def test_age_norm_flags_and_explains():
    cfg = SummaryConfig(age=75)
    norm = norm_for(75).value_s  # eyes open, best of 3
    s = summarize([trial(0, "left", norm + 1.0), trial(1, "right", norm - 1.0)], cfg)
    assert s.left.norm["below_norm"] is False and s.right.norm["below_norm"] is True
    assert s.left.norm["norm_best_s"] == 21.5 and s.left.norm["best"]["source"] == "S1"
    assert "right_below_age_norm" in s.flags
    assert "right leg below the eyes-open norm for age 75 (21.5 s, best of 3)" in s.verdict


def test_eyes_closed_is_compared_with_eyes_closed_norms_only():
    eo = summarize([trial(0, "left", 14.0), trial(1, "right", 13.0)], SummaryConfig(age=45))
    ec = summarize([trial(0, "left", 14.0, condition="eyes-closed"),
                    trial(1, "right", 13.0, condition="eyes-closed")], SummaryConfig(age=45))  # fmt: skip
    assert eo.left.norm["norm_best_s"] == 41.9 and ec.left.norm["norm_best_s"] == 12.75
    assert eo.left.norm["norm_best_s"] != ec.left.norm["norm_best_s"]
    assert ec.verdict.startswith("Unipedal stance, eyes closed, firm surface.")
    assert eo.verdict.startswith("Unipedal stance, eyes open, firm surface.")
    assert ec.condition == "eyes-closed" and ec.flags == ()  # 14 s eyes closed is at norm; no 10-s rule
    assert "right_below_age_norm" in eo.flags and "left_under_10s" not in ec.flags


def test_mixed_set_ups_are_never_summarised_together():
    trials = [trial(0, "left", 20.0), trial(1, "left", 5.0, condition="eyes-closed"),
              trial(2, "right", 18.0, surface="foam")]  # fmt: skip
    with pytest.raises(ValueError, match="one test set-up at a time"):
        summarize(trials)
    assert list(by_test(trials)) == [("eyes-open", "firm", "unipedal"), ("eyes-closed", "firm", "unipedal"),
                                     ("eyes-open", "foam", "unipedal")]  # fmt: skip
    summaries = summarize_by_test(trials, SummaryConfig(age=30))
    assert [x.test_key for x in summaries] == list(by_test(trials))
    assert summaries[2].left is None and summaries[2].right.norm is None  # no norm on foam


def test_verdict_reports_stable_time_and_bess_errors():
    s = summarize([trial(0, "left", 32.0, stable_s=18.0), trial(1, "right", 30.0, stable_s=30.0)])
    assert "Left leg: held 32.0 s (1 trial); stable for the first 18.0 s." in s.verdict
    assert "Right leg: held 30.0 s (1 trial); stable throughout." in s.verdict
    assert s.left.stable_s == 18.0
    bess = dict(condition="eyes-closed", protocol="bess-single", hands_on_hips=True)
    b = summarize([trial(0, "left", 20.0, errors=3, **bess), trial(1, "left", 20.0, errors=1, **bess),
                   trial(2, "right", 20.0, errors=4, **bess)])  # fmt: skip
    assert b.left.errors == 1 and b.left.best_trial == 1  # fewest errors
    assert b.verdict.startswith("BESS single-leg stance (eyes closed, hands on hips), firm surface. "
                                "Left leg: 1 BESS error (held 20.0 s; 2 trials).")  # fmt: skip


def test_a_hold_cut_short_by_the_session_counts_nowhere_but_is_named():
    """``interrupted`` (a live session quit or stopped by a signal mid-hold): no side summary,
    no flag, and the verdict says the leg's hold was cut short, not that it was not tested."""
    import dataclasses

    cut = dataclasses.replace(trial(1, "right", 3.6), stop_reason="interrupted")
    s = summarize([trial(0, "left", 21.0), cut])
    assert s.right is None and s.flags == () and math.isnan(s.hold_asymmetry_pct)
    assert "The right leg's hold was cut short when the session ended (not counted)." in s.verdict
    assert "not tested" not in s.verdict
    only = dataclasses.replace(cut, condition="eyes-closed", surface="foam")
    alone = summarize([only])
    assert (alone.condition, alone.surface) == ("eyes-closed", "foam")  # the set-up tested, not the default
    assert "cut short" in alone.verdict and "No single-leg stance" not in alone.verdict
    assert [s.verdict for s in summarize_by_test([only])] == [alone.verdict]  # the history's view too
