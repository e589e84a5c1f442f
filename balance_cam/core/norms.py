"""Unipedal stance norms: Springer et al. (2007), every value with its source and status.

Springer BA, Marin R, Cyhan T, Roberts H, Gill NW (2007). Normative values for the unipedal
stance test with eyes open and closed. J Geriatr Phys Ther 30(1):8-15,
doi:10.1519/00139143-200704000-00003. 549 healthy adults, barefoot on the limb of their
choice, arms crossed over the chest, the raised foot near (not touching) the stance ankle;
timing stopped when the arms uncrossed, the raised foot touched down or the stance foot moved,
the eyes opened (eyes-closed trials), or at 45 s; three trials per condition; the best and the
mean of the three reported by age group (18-39, 40-49, 50-59, 60-69, 70-79, 80+) and sex.

**The paper's table itself could not be read** (no open copy was available; the abstract
was). Every value therefore carries a status, and comparisons use only trusted ones:

- ``secondary``: quoted by a named secondary source that says it read the paper's table;
- ``derived``: computed here from secondary values (how is stated);
- ``unverified``: no checkable source; kept so the gap stays visible, never used for a verdict.

Best of three is compared with a best hold, mean of three with a mean hold. What could be
checked: the eyes-open best-of-3 Total row (S1) and the eyes-closed best-of-3 values by sex (S3).
What could not: the eyes-open best-of-3 values by sex (except two women's cells, S2), every
mean-of-3 value (the earlier balance_cam table, labelled best of 3, is almost certainly the
paper's mean-of-3 columns: each cell lies below the best-of-3 value for the same age), and the
eyes-closed mean of 3 (not found at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Statistic = Literal["best_of_3", "mean_of_3"]
Status = Literal["secondary", "derived", "unverified"]
Sex = Literal["women", "men", "combined"]

PAPER = "Springer et al. 2007, J Geriatr Phys Ther 30(1):8-15"
#: Short source labels (the JSON carries them) and what each is.
SOURCES: dict[str, str] = {
    "S1": "eyes-open best of 3, Total rows, as transcribed by a public project (the 'Pearl' app, "
          "reference/balance.ts: 'Springer et al. 2007, Table 1, Total rows only: eyes-open best of "
          "3 trials, mean seconds') from the University of Missouri Geriatric Toolkit PDF; the "
          "issue's secondary sources (44, 41, 41, 32, 21, 9 s) are these values truncated",
    "S2": "Heyward & Gibson (2019), Advanced Fitness Assessment and Exercise Prescription, as "
          "quoted by a public project: women eyes open 60-69 = 30.4 s, 80-99 = 10.6 s (statistic "
          "not named there; only best of 3 fits)",
    "S3": "eyes-closed best of 3 by sex, as quoted in a public benchmark methodology ('best-of-3 "
          "eyes-closed means women/men'); 18-39 women 13.1 s also in the Shirley Ryan "
          "AbilityLab summary",
    "D": "unweighted mean of the S3 women and men values (the paper's Total row is n-weighted)",
    "U-snapshot": "balance_cam's earlier SPRINGER_2007_EYES_OPEN_BEST (labelled best of 3, "
                  "provenance undocumented); below the best-of-3 values everywhere, so most "
                  "likely the paper's mean-of-3 columns",
    "U-recall": "values commonly reproduced in clinical summaries, not found in any checkable "
                "source; their women/men means agree with S1 within 0.3 s, but 45.1 s exceeds "
                "the 45-s cap",
}  # fmt: skip
TRUSTED: frozenset[str] = frozenset({"secondary", "derived"})
GROUPS: tuple[tuple[int, int | None], ...] = ((18, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, None))


@dataclass(frozen=True)
class NormValue:
    """One table cell: seconds, its source label (:data:`SOURCES`) and status."""

    value_s: float
    source: str
    status: Status


@dataclass(frozen=True)
class NormRow:
    """One age group of one condition and statistic (``age_hi`` None = open-ended)."""

    condition: str
    statistic: Statistic
    age_lo: int
    age_hi: int | None
    women: NormValue | None
    men: NormValue | None
    combined: NormValue | None

    @property
    def age_group(self) -> str:
        return f"{self.age_lo}+" if self.age_hi is None else f"{self.age_lo}-{self.age_hi}"

    def contains(self, age: float) -> bool:
        return age >= self.age_lo and (self.age_hi is None or age < self.age_hi + 1)

    def value(self, sex: Sex) -> NormValue | None:
        return {"women": self.women, "men": self.men, "combined": self.combined}[sex]


@dataclass(frozen=True)
class NormLookup:
    """One norm found by :func:`norm_for`."""

    value_s: float
    age_group: str
    condition: str
    statistic: Statistic
    sex: Sex
    source: str
    status: Status
    reference: str = PAPER

    def to_dict(self) -> dict[str, object]:
        return {"value_s": self.value_s, "statistic": self.statistic, "status": self.status,
                "source": self.source}  # fmt: skip


def _v(value: float | None, source: str, status: Status) -> NormValue | None:
    return None if value is None else NormValue(value, source, status)


def _rows() -> tuple[NormRow, ...]:
    rows: list[NormRow] = []
    eo_total = (44.7, 41.9, 41.2, 32.1, 21.5, 9.4)  # S1
    eo_women = (45.1, 42.1, 40.9, 30.4, 16.7, 10.6)  # S2 at 60-69 and 80+, else U-recall
    eo_men = (44.4, 41.6, 41.5, 33.8, 25.9, 8.7)  # U-recall
    for (lo, hi), tot, w, m in zip(GROUPS, eo_total, eo_women, eo_men, strict=True):
        s2 = lo in (60, 80)
        rows.append(NormRow("eyes-open", "best_of_3", lo, hi,
                            _v(w, "S2" if s2 else "U-recall", "secondary" if s2 else "unverified"),
                            _v(m, "U-recall", "unverified"), _v(tot, "S1", "secondary")))  # fmt: skip
    eo_mean_w = (43.5, 40.4, 36.0, 25.1, 11.3, 7.4)  # U-snapshot
    eo_mean_m = (43.2, 40.1, 38.1, 28.7, 18.3, 5.6)
    for (lo, hi), w, m in zip(GROUPS, eo_mean_w, eo_mean_m, strict=True):
        rows.append(NormRow("eyes-open", "mean_of_3", lo, hi, _v(w, "U-snapshot", "unverified"),
                            _v(m, "U-snapshot", "unverified"), None))  # fmt: skip
    ec_w = (13.1, 13.5, 7.9, 3.6, 3.7, 2.1)  # S3
    ec_m = (16.9, 12.0, 8.6, 5.1, 2.6, 1.8)
    for (lo, hi), w, m in zip(GROUPS, ec_w, ec_m, strict=True):
        rows.append(NormRow("eyes-closed", "best_of_3", lo, hi, _v(w, "S3", "secondary"),
                            _v(m, "S3", "secondary"), _v(round((w + m) / 2, 2), "D", "derived")))  # fmt: skip
    for lo, hi in GROUPS:  # eyes closed, mean of 3: not found anywhere
        rows.append(NormRow("eyes-closed", "mean_of_3", lo, hi, None, None, None))
    return tuple(rows)


SPRINGER_2007: tuple[NormRow, ...] = _rows()


def norm_for(
    age: float, condition: str = "eyes-open", statistic: Statistic = "best_of_3",
    sex: Sex = "combined", *, allow_unverified: bool = False,
) -> NormLookup | None:  # fmt: skip
    """Springer et al. (2007) norm for ``age`` in years (80 and over share the last group).

    None under 18, for an empty cell (e.g. eyes-closed mean of 3), and for an ``unverified``
    value unless ``allow_unverified``.
    """
    if age < GROUPS[0][0]:
        return None
    for row in SPRINGER_2007:
        if row.condition == condition and row.statistic == statistic and row.contains(age):
            cell = row.value(sex)
            if cell is None or (cell.status not in TRUSTED and not allow_unverified):
                return None
            return NormLookup(cell.value_s, row.age_group, condition, statistic, sex,
                              cell.source, cell.status)  # fmt: skip
    return None


def side_norm(age: int, condition: str, best_s: float, mean_s: float) -> dict[str, object] | None:
    """The norm block of one side: best hold against the best-of-3 norm, mean hold against the
    mean-of-3 norm (each only where a trusted value exists), for the test's condition.

    ``below_norm`` is the best-with-best comparison (None without a trusted best-of-3 norm)."""
    best = norm_for(age, condition, "best_of_3")
    mean = norm_for(age, condition, "mean_of_3")
    if best is None and mean is None:
        return None
    group = (best or mean).age_group  # type: ignore[union-attr]
    return {
        "age_group": group, "condition": condition, "reference": PAPER,
        "norm_best_s": best.value_s if best else None,
        "best": best.to_dict() if best else None,
        "mean": mean.to_dict() if mean else None,
        "below_norm": (best_s < best.value_s) if best else None,
        "below_mean_norm": (mean_s < mean.value_s) if mean else None,
    }  # fmt: skip
