"""Left/right summary and the plain-language verdict.

Definitions:

- best hold of a side: the longest ``hold_s`` of that stance leg (clinical "best of 3";
  Springer et al. 2007); mean hold: the mean over that side's trials.
- hold asymmetry (%): ``100 * (best_strong - best_weak) / best_strong`` — how much shorter the
  weaker side holds than the stronger, 0 % for equal sides, 100 % when one side cannot hold.
- sway asymmetry (%): ``100 * (larger - smaller) / larger`` of ``ml_rms_cm`` of each side's
  best trial: how much less the steadier side sways.
- Running-coach rule: a side whose best hold is under ``stable_min_s`` (10 s) is flagged; so
  is a side holding ``asymmetry_flag_pct`` (25 %) shorter than the other. Either means: swap
  an easy run for strength and stability work.
- Norms: eyes-open unipedal stance, best of 3 trials, by age group, from Springer BA, Marin R,
  Cyhan T, Roberts H, Gill NW (2007) "Normative values for the unipedal stance test with eyes
  open and closed", J Geriatr Phys Ther 30(1):8-15, doi:10.1519/00139143-200704000-00003.
  Trials there were capped at 45 s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from balance_cam.core.config import SummaryConfig
from balance_cam.core.results import SideSummary, Summary, Trial

#: Springer et al. (2007): eyes open, best of 3, mean seconds by age group (women, men).
#: The age groups (18-39, 40-49, 50-59, 60-69, 70-79, 80+) match the paper's abstract; the
#: values themselves could not be checked against the paper's table (not openly available),
#: see docs/analysis-checks.md. The paper's oldest group is open-ended ("80+").
SPRINGER_2007_EYES_OPEN_BEST: tuple[tuple[int, int, float, float], ...] = (
    (18, 39, 43.5, 43.2),
    (40, 49, 40.4, 40.1),
    (50, 59, 36.0, 38.1),
    (60, 69, 25.1, 28.7),
    (70, 79, 11.3, 18.3),
    (80, 99, 7.4, 5.6),
)


def norm_for_age(age: int) -> dict[str, object] | None:
    """Springer et al. (2007) eyes-open best-of-3 norm for ``age`` (mean of women and men)."""
    oldest = SPRINGER_2007_EYES_OPEN_BEST[-1][0]
    for lo, hi, women, men in SPRINGER_2007_EYES_OPEN_BEST:
        if lo <= age <= hi or age >= lo == oldest:
            group = f"{lo}+" if lo == oldest else f"{lo}-{hi}"
            return {"age_group": group, "norm_best_s": round((women + men) / 2, 1),
                    "norm_women_s": women, "norm_men_s": men,
                    "reference": "Springer et al. 2007, eyes open, best of 3"}  # fmt: skip
    return None


def asymmetry_pct(strong: float, weak: float) -> float:
    """``100 * (strong - weak) / strong``; NaN when undefined."""
    if not (math.isfinite(strong) and math.isfinite(weak)) or strong <= 0:
        return float("nan")
    return 100.0 * (strong - weak) / strong


def side_summary(trials: Sequence[Trial], stance: str, cfg: SummaryConfig) -> SideSummary | None:
    """Summary of one stance leg, or None when it has no trial."""
    mine = [t for t in trials if t.stance == stance]
    if not mine:
        return None
    best = max(mine, key=lambda t: t.hold_s)
    norm = norm_for_age(cfg.age) if cfg.age is not None else None
    if norm is not None:
        norm = {**norm, "below_norm": best.hold_s < float(norm["norm_best_s"])}  # type: ignore[arg-type]
    return SideSummary(
        stance=stance, n_trials=len(mine), best_hold_s=best.hold_s,
        mean_hold_s=sum(t.hold_s for t in mine) / len(mine), best_trial=best.index,
        sway=best.sway, under_stable_min=best.hold_s < cfg.stable_min_s, norm=norm,
    )  # fmt: skip


def summarize(trials: Sequence[Trial], cfg: SummaryConfig | None = None) -> Summary:
    """Per-side summaries, asymmetries, flags and the verdict sentence."""
    cfg = cfg or SummaryConfig()
    left, right = side_summary(trials, "left", cfg), side_summary(trials, "right", cfg)
    hold_asym = sway_asym = float("nan")
    weaker: str | None = None
    if left and right:
        strong, weak = (left, right) if left.best_hold_s >= right.best_hold_s else (right, left)
        hold_asym = asymmetry_pct(strong.best_hold_s, weak.best_hold_s)
        weaker = weak.stance if hold_asym > 0 else None
        lo, hi = sorted((left.sway.ml_rms_cm, right.sway.ml_rms_cm))
        sway_asym = asymmetry_pct(hi, lo)
    flags = _flags(left, right, hold_asym, weaker, cfg)
    return Summary(left, right, hold_asym, sway_asym, weaker, tuple(f.code for f in flags),
                   _verdict(left, right, flags, cfg))  # fmt: skip


@dataclass(frozen=True)
class Flag:
    """One reason to swap an easy run for strength work; ``code`` is what the JSON lists."""

    kind: Literal["under", "weaker", "below_norm"]
    side: str
    value: float = float("nan")
    """The stable minimum in seconds (``under``) or the asymmetry in percent (``weaker``)."""

    @property
    def code(self) -> str:
        if self.kind == "under":
            return f"{self.side}_under_{self.value:g}s"
        if self.kind == "weaker":
            return f"{self.side}_weaker_by_{self.value:.0f}pct"
        return f"{self.side}_below_age_norm"

    def explain(self, cfg: SummaryConfig) -> str:
        if self.kind == "under":
            return f"{self.side} leg held under {self.value:g} s"
        if self.kind == "weaker":
            return f"{self.side} leg {self.value:.0f}% shorter than the other"
        return f"{self.side} leg below the norm for age {cfg.age}"


def _flags(
    left: SideSummary | None, right: SideSummary | None, hold_asym: float,
    weaker: str | None, cfg: SummaryConfig,
) -> list[Flag]:  # fmt: skip
    flags = [Flag("under", s.stance, cfg.stable_min_s) for s in (left, right) if s and s.under_stable_min]
    if weaker and hold_asym >= cfg.asymmetry_flag_pct:
        flags.append(Flag("weaker", weaker, hold_asym))
    flags += [Flag("below_norm", s.stance) for s in (left, right)
              if s and s.norm and s.norm.get("below_norm")]  # fmt: skip
    return flags


def _verdict(
    left: SideSummary | None, right: SideSummary | None, flags: list[Flag], cfg: SummaryConfig
) -> str:
    if not left and not right:
        return "No single-leg stance was found."
    parts = []
    for s in (left, right):
        if s:
            parts.append(f"{s.stance.capitalize()} leg: best {s.best_hold_s:.1f} s"
                         f" ({s.n_trials} trial{'s' if s.n_trials > 1 else ''}).")  # fmt: skip
    missing = [side for side, s in (("left", left), ("right", right)) if s is None]
    if missing:
        parts.append(f"The {missing[0]} leg was not tested.")
    if flags:
        parts.append("Swap an easy run for strength and stability work: "
                     + "; ".join(f.explain(cfg) for f in flags) + ".")  # fmt: skip
    else:
        parts.append(f"Both tested sides held at least {cfg.stable_min_s:g} s without a clear "
                     "left/right difference.")  # fmt: skip
    return " ".join(parts)
