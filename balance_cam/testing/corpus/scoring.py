"""Scoring an analysis result against a corpus clip's truth: the must-holds of issue 12.

On every generated condition (:data:`EVENT_TOL_S`, :data:`HOLD_TOL_S`):

- **stance side** 100 %: every expected trial is found on the right leg, and no trial is found
  that the truth does not expect (a negative clip has no trial);
- **lift** (the trial's start) and **end** (touchdown, or the stop the truth expects) within
  0.3 s of the truth, 0.5 s under heavy degradation (:attr:`~.recipes.Recipe.heavy`); a found
  end up to the end of a fade to black is also right
  (:attr:`~.truth.ExpectedTrial.end_late_ok_s`);
- **hold** within 0.3 s (the same fade allowance).

Through the handheld camera (:data:`SWAY_VS_STATIC_DEG`): the sway angle RMS is within 0.3° of
the same hold filmed static (:meth:`~.recipes.Recipe.static_twin`), and the result reports the
camera motion: its ``camera`` block's largest shift, zoom range and largest roll agree with the
truth (:meth:`~.truth.CorpusTruth.camera_summary`) within :data:`CAMERA_TOL` (tolerances chosen
for this check, not fitted to a clip: a frame-edge error of about 1 % of the picture).

Edited clips are scored with the within-shot policy (:meth:`~.truth.CorpusTruth.expected` with
``per_shot=True``); the ``shots`` block must find every cut within one frame and no other.
The stop reason is reported and compared, but is not itself a must-hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.testing.corpus.truth import CorpusTruth, ExpectedTrial

EVENT_TOL_S = 0.3
HEAVY_EVENT_TOL_S = 0.5
HOLD_TOL_S = 0.3
SWAY_VS_STATIC_DEG = 0.3
#: Camera block against the truth: largest shift (fraction of the truth's, or of the diagonal,
#: whichever is larger), zoom extremes (absolute), largest roll (degrees).
CAMERA_TOL = {"shift_rel": 0.2, "shift_diag": 0.01, "zoom": 0.03, "roll_deg": 0.5}

NAN = float("nan")
FAILURE_WORDS = {"found": "no trial", "stance": "stance side"}


def _overlap(t: Trial, e: ExpectedTrial) -> float:
    return max(0.0, min(t.end_s, e.end_s + e.end_late_ok_s) - max(t.start_s, e.start_s))


def match_trials(found: Sequence[Trial], expected: Sequence[ExpectedTrial]) -> list[Trial | None]:
    """For each expected trial (in order), the unused found trial overlapping it most, the same
    stance first; None when no found trial overlaps it."""
    used: set[int] = set()
    out: list[Trial | None] = []
    for e in expected:
        cands = [t for t in found if t.index not in used and _overlap(t, e) > 0]
        best = max(cands, key=lambda t: (t.stance == e.stance, _overlap(t, e)), default=None)
        if best is not None:
            used.add(best.index)
        out.append(best)
    return out


@dataclass(frozen=True)
class TrialScore:
    """One expected trial against the found trial matched to it (None: missed)."""

    expected: ExpectedTrial
    found: Trial | None
    tol_s: float
    lift_err_s: float = NAN
    end_err_s: float = NAN
    hold_err_s: float = NAN
    checks: tuple[tuple[str, bool], ...] = ()

    @property
    def ok(self) -> bool:
        return all(ok for _, ok in self.checks)

    @property
    def failures(self) -> list[str]:
        """The failed checks in words: ``no trial``, ``stance side``, ``lift``, ``end``, ``hold``."""
        return [FAILURE_WORDS.get(name, name) for name, ok in self.checks if not ok]

    @property
    def stop_ok(self) -> bool:
        return self.found is not None and self.found.stop_reason == self.expected.stop_reason


def score_trial(e: ExpectedTrial, t: Trial | None, tol_s: float) -> TrialScore:
    """Stance, lift, end and hold checks of one expected trial (see the module docstring)."""
    if t is None:
        return TrialScore(e, None, tol_s, checks=(("found", False),))
    lift, end, hold = t.start_s - e.start_s, t.end_s - e.end_s, t.hold_s - e.hold_s
    late = e.end_late_ok_s
    checks = (("stance", t.stance == e.stance), ("lift", abs(lift) <= tol_s + 1e-9),
              ("end", -tol_s - 1e-9 <= end <= tol_s + late + 1e-9),
              ("hold", -HOLD_TOL_S - 1e-9 <= hold <= HOLD_TOL_S + late + 1e-9))  # fmt: skip
    return TrialScore(e, t, tol_s, lift, end, hold, checks)


@dataclass(frozen=True)
class ClipScore:
    """A whole clip: its expected trials scored, the found trials nobody expected, and (where
    they apply) the camera, shots and handheld-vs-static sway checks as (ok, what) pairs."""

    name: str
    trials: tuple[TrialScore, ...]
    extra: tuple[Trial, ...]
    camera: tuple[bool, str] | None = None
    shots: tuple[bool, str] | None = None
    sway_vs_static: tuple[bool, str] | None = None

    @property
    def failures(self) -> list[str]:
        out = []
        for s in self.trials:
            tag = f"shot {s.expected.shot + 1}: " if len(self.trials) > 1 else ""
            out += [f"{tag}{f}" for f in s.failures]
        if self.extra:
            out.append(f"{len(self.extra)} unexpected trial(s)")
        for name, check in (("camera", self.camera), ("shots", self.shots), ("sway vs static",
                                                                             self.sway_vs_static)):
            if check is not None and not check[0]:
                out.append(name)
        return out

    @property
    def ok(self) -> bool:
        return not self.failures


def camera_check(truth: CorpusTruth, found: Mapping[str, Any] | None) -> tuple[bool, str]:
    """Does the result's ``camera`` block report the true camera motion (:data:`CAMERA_TOL`)?"""
    if not found:
        return False, "no camera block"
    want, tol = truth.camera_summary(), CAMERA_TOL
    shift = float(found.get("max_shift_px", NAN))
    shift_tol = max(tol["shift_rel"] * want.max_shift_px, tol["shift_diag"] * math.hypot(*truth.size_wh))
    zmin, zmax = float(found.get("zoom_min", NAN)), float(found.get("zoom_max", NAN))
    roll = float(found.get("max_abs_roll_deg", NAN))
    ok = (abs(shift - want.max_shift_px) <= shift_tol and abs(zmin - want.zoom_min) <= tol["zoom"]
          and abs(zmax - want.zoom_max) <= tol["zoom"]
          and abs(roll - want.max_abs_roll_deg) <= tol["roll_deg"])  # fmt: skip
    text = (f"shift {shift:.0f}/{want.max_shift_px:.0f} px, zoom {zmin:.2f}–{zmax:.2f}/"
            f"{want.zoom_min:.2f}–{want.zoom_max:.2f}, roll {roll:.1f}/{want.max_abs_roll_deg:.1f}°")
    return bool(ok), text


def shots_check(truth: CorpusTruth, found: Mapping[str, Any] | None) -> tuple[bool, str]:
    """Does the ``shots`` block find every cut within one frame, and no other?"""
    cuts = [float(c) for c in (found or {}).get("cuts_s", [])]
    frame = 1.0 / truth.fps + 1e-6
    hits = sum(any(abs(c - t) <= frame for c in cuts) for t in truth.cuts_s)
    ok = hits == len(truth.cuts_s) == len(cuts)
    shown = ", ".join(f"{c:.2f}" for c in cuts[:6]) + (" …" if len(cuts) > 6 else "")
    want = ", ".join(f"{c:.2f}" for c in truth.cuts_s)
    return ok, f"{len(cuts)} cut(s) [{shown}] / {len(truth.cuts_s)} [{want}]"


def sway_check(handheld: Trial | None, static: Trial | None) -> tuple[bool, str]:
    """Handheld sway angle RMS within :data:`SWAY_VS_STATIC_DEG` of the same hold filmed static."""
    if handheld is None or static is None:
        return False, "no trial to compare" + (" (handheld)" if handheld is None else " (static)")
    a, b = handheld.sway.angle_rms_deg, static.sway.angle_rms_deg
    ok = math.isfinite(a) and math.isfinite(b) and abs(a - b) <= SWAY_VS_STATIC_DEG
    return bool(ok), f"{a:.2f}° handheld vs {b:.2f}° static ({a - b:+.2f}°)"


def score_clip(truth: CorpusTruth, result: AnalysisResult, limit_s: float, heavy: bool = False,
               static: AnalysisResult | None = None, handheld: bool = False) -> ClipScore:  # fmt: skip
    """Score ``result`` against ``truth`` with the within-shot policy; ``static``: the result of
    the same hold filmed static (handheld conditions), ``handheld``: check the camera block."""
    expected = truth.expected(limit_s, per_shot=True)
    tol = HEAVY_EVENT_TOL_S if heavy else EVENT_TOL_S
    matched = match_trials(result.trials, expected)
    scores = tuple(score_trial(e, t, tol) for e, t in zip(expected, matched, strict=True))
    used = {t.index for t in matched if t is not None}
    extra = tuple(t for t in result.trials if t.index not in used)
    camera = camera_check(truth, result.extra.get("camera")) if handheld else None
    shots = shots_check(truth, result.extra.get("shots")) if truth.cuts_s else None
    sway = None
    if static is not None and expected:
        twin = match_trials(static.trials, expected[:1])[0]
        sway = sway_check(matched[0] if matched else None, twin)
    return ClipScore(truth.name, scores, extra, camera, shots, sway)
