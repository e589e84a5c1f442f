"""Springer et al. (2007) norms (:mod:`balance_cam.core.norms`): lookups, statuses, consistency."""

from __future__ import annotations

import pytest

from balance_cam.core.norms import GROUPS, SOURCES, SPRINGER_2007, norm_for, side_norm


def rows(condition, statistic):
    return [r for r in SPRINGER_2007 if r.condition == condition and r.statistic == statistic]


def test_every_condition_and_statistic_has_the_six_age_groups_and_every_value_a_source():
    for cond in ("eyes-open", "eyes-closed"):
        for stat in ("best_of_3", "mean_of_3"):
            assert [(r.age_lo, r.age_hi) for r in rows(cond, stat)] == list(GROUPS)
    cells = [c for r in SPRINGER_2007 for c in (r.women, r.men, r.combined) if c is not None]
    assert cells and all(c.source in SOURCES for c in cells)
    assert all(c.value_s <= 45.0 or c.status == "unverified" for c in cells)  # 45-s cap


@pytest.mark.parametrize(("age", "group", "value"), [
    (18, "18-39", 44.7), (39.9, "18-39", 44.7), (40, "40-49", 41.9), (55, "50-59", 41.2),
    (69, "60-69", 32.1), (70, "70-79", 21.5), (80, "80+", 9.4), (104, "80+", 9.4),
])  # fmt: skip
def test_eyes_open_best_of_3_total(age, group, value):
    n = norm_for(age)
    assert n is not None and n.age_group == group and n.value_s == value and n.status == "secondary"


def test_eyes_closed_best_of_3():
    assert norm_for(25, "eyes-closed", "best_of_3", "women").value_s == 13.1
    assert norm_for(25, "eyes-closed", "best_of_3", "men").value_s == 16.9
    c = norm_for(25, "eyes-closed")
    assert c.value_s == 15.0 and c.status == "derived"


def test_no_norm_under_18_for_missing_cells_or_unverified_values():
    assert norm_for(17.9) is None
    assert norm_for(30, "eyes-closed", "mean_of_3") is None
    assert norm_for(30, "eyes-open", "mean_of_3", "women") is None  # unverified
    n = norm_for(30, "eyes-open", "mean_of_3", "women", allow_unverified=True)
    assert n.value_s == 43.5 and n.status == "unverified" and n.source == "U-snapshot"


def test_mean_of_3_below_best_of_3_and_eyes_closed_below_eyes_open():
    for best, mean, closed in zip(rows("eyes-open", "best_of_3"), rows("eyes-open", "mean_of_3"),
                                  rows("eyes-closed", "best_of_3"), strict=True):  # fmt: skip
        for sex in ("women", "men"):
            assert mean.value(sex).value_s <= best.value(sex).value_s
            assert closed.value(sex).value_s < best.value(sex).value_s


def test_sex_values_agree_with_the_total_row():
    for r in rows("eyes-open", "best_of_3"):
        assert abs((r.women.value_s + r.men.value_s) / 2 - r.combined.value_s) <= 0.3


def test_side_norm_compares_best_with_best_for_the_condition():
    eo, ec = side_norm(45, "eyes-open", 30.0, 25.0), side_norm(45, "eyes-closed", 30.0, 25.0)
    assert eo["norm_best_s"] == 41.9 and eo["below_norm"] is True and eo["condition"] == "eyes-open"
    assert ec["norm_best_s"] == 12.75 and ec["below_norm"] is False and ec["best"]["status"] == "derived"
    assert eo["mean"] is None and eo["below_mean_norm"] is None  # no checked mean-of-3 value
    assert side_norm(12, "eyes-open", 30.0, 25.0) is None
