"""Left/right summary and the plain-language verdict.

Definitions:

- like with like: a summary covers the trials of one test set-up (condition, surface and
  protocol, :func:`by_test`); an eyes-closed hold is never set against an eyes-open one, nor
  against eyes-open norms or trends (:func:`summarize` refuses mixed trials).
- best hold of a side: the longest ``hold_s`` of that stance leg (clinical "best of 3";
  Springer et al. 2007); mean hold: the mean over that side's trials. Under BESS the best trial
  is the one with the fewest errors (then the longest). The side's stable time, corrections and
  BESS errors are those of its best trial.
- hold asymmetry (%): ``100 * (best_strong - best_weak) / best_strong`` — how much shorter the
  weaker side holds than the stronger, 0 % for equal sides, 100 % when one side cannot hold.
- sway asymmetry (%): ``100 * (larger - smaller) / larger`` of ``ml_rms_cm`` of each side's
  best trial: how much less the steadier side sways.
- Running-coach rule (eyes open on a firm surface, unipedal test only: it is an eyes-open rule
  of thumb): a side whose best hold is under ``stable_min_s`` (10 s) is flagged; so is, in any
  set-up, a side holding ``asymmetry_flag_pct`` (25 %) shorter than the other. Either means:
  swap an easy run for strength and stability work.
- Norms (unipedal test on a firm floor, with ``age``): Springer et al. (2007) for the test's
  own condition, eyes open or eyes closed (:mod:`balance_cam.core.norms`, every value with its
  source and status): the best hold against the best-of-3 norm, the mean hold against the
  mean-of-3 norm, each only where a checked value exists. Trials there were capped at 45 s and
  done with arms crossed. No norm is used for foam or for BESS error scores.
- Counted trials: every trial but those the session cut short (``interrupted``:
  :data:`~balance_cam.core.stops.UNFINISHED`), which stay in the result but count nowhere here.
- Verdict: names the set-up, then per side the best hold and how long it stayed stable
  ("held 32.0 s (3 trials); stable for the first 18.0 s"), or under BESS the errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from balance_cam.core.config import SummaryConfig
from balance_cam.core.norms import side_norm
from balance_cam.core.results import SideSummary, Summary, Trial
from balance_cam.core.stops import counted

SetupKey = tuple[str, str, str]
DEFAULT_KEY: SetupKey = ("eyes-open", "firm", "unipedal")


def by_test(trials: Sequence[Trial]) -> dict[SetupKey, list[Trial]]:
    """Trials grouped by (condition, surface, protocol), groups in order of first appearance."""
    groups: dict[SetupKey, list[Trial]] = {}
    for t in trials:
        groups.setdefault(t.test_key, []).append(t)
    return groups


def setup_words(key: SetupKey, hands_on_hips: bool = False) -> str:
    """The set-up in words, e.g. ``"Unipedal stance, eyes closed, firm surface"``."""
    condition, surface, protocol = key
    if protocol == "bess-single":
        return f"BESS single-leg stance (eyes closed, hands on hips), {surface} surface"
    hands = ", hands on hips" if hands_on_hips else ""
    return f"Unipedal stance, {condition.replace('-', ' ')}{hands}, {surface} surface"


def asymmetry_pct(strong: float, weak: float) -> float:
    """``100 * (strong - weak) / strong``; NaN when undefined."""
    if not (math.isfinite(strong) and math.isfinite(weak)) or strong <= 0:
        return float("nan")
    return 100.0 * (strong - weak) / strong


def _best(trials: Sequence[Trial]) -> Trial:
    """The best trial: the longest hold; under BESS the fewest errors, then the longest hold."""
    if all(t.errors is not None for t in trials):
        return min(trials, key=lambda t: (t.errors, -t.hold_s))
    return max(trials, key=lambda t: t.hold_s)


def _applies_ten_s_rule(key: SetupKey) -> bool:
    return key == DEFAULT_KEY


def side_summary(trials: Sequence[Trial], stance: str, cfg: SummaryConfig) -> SideSummary | None:
    """Summary of one stance leg, or None when it has no trial (``trials`` of one set-up)."""
    mine = [t for t in trials if t.stance == stance]
    if not mine:
        return None
    best = _best(mine)
    mean_s = sum(t.hold_s for t in mine) / len(mine)
    condition, surface, protocol = best.test_key
    norm = None
    if cfg.age is not None and surface == "firm" and protocol == "unipedal":
        norm = side_norm(cfg.age, condition, best.hold_s, mean_s)
    return SideSummary(
        stance=stance, n_trials=len(mine), best_hold_s=best.hold_s, mean_hold_s=mean_s,
        best_trial=best.index, sway=best.sway,
        under_stable_min=_applies_ten_s_rule(best.test_key) and best.hold_s < cfg.stable_min_s,
        norm=norm, stable_s=best.stable_s, corrections=best.corrections, errors=best.errors,
    )  # fmt: skip


def summarize(trials: Sequence[Trial], cfg: SummaryConfig | None = None) -> Summary:
    """Per-side summaries, asymmetries, flags and the verdict sentence of the trials of one
    set-up (:func:`by_test`); raises ``ValueError`` for trials of several set-ups."""
    cfg = cfg or SummaryConfig()
    tested = trials
    cut_short = sorted({t.stance for t in tested if not counted(t.stop_reason)})
    trials = [t for t in tested if counted(t.stop_reason)]
    groups = by_test(trials)
    if len(groups) > 1:
        raise ValueError("summarize one test set-up at a time (by_test), but got "
                         + "; ".join(", ".join(k) for k in groups))  # fmt: skip
    key = next(iter(groups), tested[0].test_key if tested else DEFAULT_KEY)  # cut short: still its set-up
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
    hands = any(t.hands_on_hips for t in trials)
    return Summary(left, right, hold_asym, sway_asym, weaker, tuple(f.code for f in flags),
                   _verdict(left, right, flags, cfg, key, hands, cut_short), *key)  # fmt: skip


def summarize_by_test(trials: Sequence[Trial], cfg: SummaryConfig | None = None) -> list[Summary]:
    """One :func:`summarize` per set-up present in ``trials``."""
    finished = [t for t in trials if counted(t.stop_reason)]
    # holds all cut short: still a summary of their set-up, whose verdict says so (as summarize)
    return [summarize(group, cfg) for group in by_test(finished or trials).values()]


@dataclass(frozen=True)
class Flag:
    """One reason to swap an easy run for strength work; ``code`` is what the JSON lists."""

    kind: Literal["under", "weaker", "below_norm"]
    side: str
    value: float = float("nan")
    """The stable minimum in seconds (``under``), the asymmetry in percent (``weaker``) or the
    best-of-3 norm in seconds (``below_norm``)."""
    condition: str = "eyes-open"

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
        return (f"{self.side} leg below the {self.condition} norm for age {cfg.age} "
                f"({self.value:.1f} s, best of 3)")  # fmt: skip


def _flags(
    left: SideSummary | None, right: SideSummary | None, hold_asym: float,
    weaker: str | None, cfg: SummaryConfig,
) -> list[Flag]:  # fmt: skip
    flags = [Flag("under", s.stance, cfg.stable_min_s) for s in (left, right) if s and s.under_stable_min]
    if weaker and hold_asym >= cfg.asymmetry_flag_pct:
        flags.append(Flag("weaker", weaker, hold_asym))
    flags += [Flag("below_norm", s.stance, float(s.norm["norm_best_s"]), str(s.norm["condition"]))
              for s in (left, right) if s and s.norm and s.norm.get("below_norm")]  # fmt: skip
    return flags


def _side_words(s: SideSummary) -> str:
    trials = f"{s.n_trials} trial{'s' if s.n_trials > 1 else ''}"
    if s.errors is not None:
        return (f"{s.stance.capitalize()} leg: {s.errors} BESS error{'' if s.errors == 1 else 's'}"
                f" (held {s.best_hold_s:.1f} s; {trials}).")  # fmt: skip
    text = f"{s.stance.capitalize()} leg: held {s.best_hold_s:.1f} s ({trials})"
    if math.isfinite(s.stable_s) and s.best_hold_s > 0.05:
        stable = "throughout" if s.stable_s >= s.best_hold_s - 0.05 else f"for the first {s.stable_s:.1f} s"
        text += f"; stable {stable}"
    return text + "."


def _verdict(
    left: SideSummary | None, right: SideSummary | None, flags: list[Flag], cfg: SummaryConfig,
    key: SetupKey = DEFAULT_KEY, hands_on_hips: bool = False, cut_short: Sequence[str] = (),
) -> str:  # fmt: skip
    """``cut_short``: the legs with a trial the session cut short (not counted)."""
    missing = [side for side, s in (("left", left), ("right", right)) if s is None]
    gone = [f"The {side} leg's hold was cut short when the session ended (not counted)."
            for side in missing if side in cut_short]  # fmt: skip
    if not left and not right:
        if not gone:
            return "No single-leg stance was found."
        return " ".join([setup_words(key, hands_on_hips) + ".", *gone])
    parts = [setup_words(key, hands_on_hips) + "."]
    parts += [_side_words(s) for s in (left, right) if s]
    if missing:
        parts.append(gone[0] if gone else f"The {missing[0]} leg was not tested.")
    if flags:
        parts.append("Swap an easy run for strength and stability work: "
                     + "; ".join(f.explain(cfg) for f in flags) + ".")  # fmt: skip
    elif missing and _applies_ten_s_rule(key):  # one side: nothing to compare it with
        tested = "right" if missing[0] == "left" else "left"
        parts.append(f"The {tested} leg held at least {cfg.stable_min_s:g} s; test the {missing[0]} leg "
                     "to compare.")  # fmt: skip
    elif missing:
        parts.append(f"Test the {missing[0]} leg to compare.")
    elif _applies_ten_s_rule(key):
        parts.append(f"Both sides held at least {cfg.stable_min_s:g} s without a clear "
                     "left/right difference.")  # fmt: skip
    else:
        parts.append("No clear left/right difference.")
    return " ".join(parts)
