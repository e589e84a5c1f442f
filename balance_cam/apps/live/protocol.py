"""The guided protocol of the live test: framing check, which leg next, countdown, rest.

Pure: driven by frame times and the analyzer's state, never the wall clock, camera or window.
Protocol (clinical unipedal stance test, best of N per leg, e.g. Springer et al. 2007):
framing check (hips, knees and both ankles visible, body large enough) → for each planned
trial, legs alternating: prompt "stand on your LEFT leg, lift your RIGHT foot" (with the set-up:
"hands on hips", "close your eyes at the beep") → countdown →
"go" → holding (timer) → stopped (reason) → rest → next. A trial that reaches the time
limit ends that leg's remaining trials (its best cannot improve). Timing always starts at the
lift the analyzer detects (back-dated to the frame the foot left the floor), never at the
countdown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from balance_cam.core.config import TestConfig
from balance_cam.core.framing import in_picture
from balance_cam.core.results import Trial
from balance_cam.core.skeleton import ANKLES, INDEX, Side, idx, other
from balance_cam.core.stops import counted, stop_label

Phase = Literal["framing", "countdown", "go", "holding", "stopped", "done"]
Tone = Literal["info", "good", "warn", "bad"]


# -- framing check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Framing:
    """Whether the whole body is usable for the test, and what to tell the person if not."""

    ok: bool
    hint: str
    height_frac: float = float("nan")  # head-to-heel height as a fraction of the image height


_NEEDED = tuple(idx(s, j) for s in ("left", "right") for j in ("hip", "knee", "ankle"))
_TOP = (INDEX["nose"], INDEX["left_shoulder"], INDEX["right_shoulder"])
_BOTTOM = tuple(idx(s, j) for s in ("left", "right") for j in ("ankle", "heel", "foot_index"))


def framing_check(
    image_norm: np.ndarray | None, min_visibility: float = 0.5,
    min_height_frac: float = 0.45, max_height_frac: float = 0.97,
) -> Framing:  # fmt: skip
    """Check one frame's landmarks (33, 4: x, y normalised, y down; z; visibility).

    OK when hips, knees and ankles are visible inside the image and the body (nose to lowest
    foot point) spans ``min_height_frac``..``max_height_frac`` of the image height.
    """
    if image_norm is None or not np.all(np.isfinite(image_norm[:, :2])):
        return Framing(False, "Step into the picture: whole body, facing the camera")
    xy, vis = image_norm[:, :2], image_norm[:, 3]
    inside = in_picture(xy) & (vis >= min_visibility)  # the geometric rule of core/framing.py
    height = float(xy[list(_BOTTOM), 1].max() - xy[list(_TOP), 1].min())
    if not inside[list(ANKLES)].all():
        return Framing(False, "Step back until both feet are in the picture", height)
    if not inside[list(_NEEDED)].all():
        return Framing(False, "Face the camera: hips and knees must be visible", height)
    if xy[list(_TOP), 1].min() < 0.0:
        return Framing(False, "Step back: your head is cut off", height)
    if height < min_height_frac:
        return Framing(False, "Come a little closer to the camera", height)
    if height > max_height_frac:
        return Framing(False, "Step back a little", height)
    return Framing(True, "Good - hold still", height)


# -- guided protocol --------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtocolView:
    """What the overlay shows about the protocol this frame."""

    phase: Phase
    headline: str
    detail: str
    tone: Tone
    leg: Side | None
    countdown: int | None = None


def posture_words(test: TestConfig) -> str:
    """What to add to the instruction for the test set-up: hands on hips, eyes closed, foam.

    Eyes closed: the person cannot see the screen, so the sound cues (``go`` at the lift
    prompt, ``stop`` at each stop, ``done`` with the result) carry the session; close the eyes
    after the countdown's "go"."""
    parts = []
    if test.hands_on_hips:
        parts.append("hands on hips")
    if test.surface == "foam":
        parts.append("on the foam pad")
    if test.condition == "eyes-closed":
        parts.append("close your eyes at the beep")
    return ", ".join(parts)


def trial_plan(legs: Sequence[Side], trials_per_leg: int) -> list[Side]:
    """Planned stance legs in order: legs alternate trial by trial (L, R, L, R, ...)."""
    return [leg for _ in range(trials_per_leg) for leg in legs]


class GuidedProtocol:
    """The guidance state machine, driven by frame times (never the wall clock).

    It does not detect anything: :meth:`update` gets the analyzer's state and the trials the
    analyzer finished, and decides what to ask for next.
    """

    def __init__(self, legs: Sequence[Side] = ("left", "right"), trials_per_leg: int = 3,
                 countdown_s: float = 3.0, rest_s: float = 5.0,
                 framing_hold_s: float = 1.0, posture: str = "") -> None:  # fmt: skip
        self.posture = posture
        """Added to every instruction, e.g. "hands on hips, eyes closed" (:func:`posture_words`)."""
        if trials_per_leg < 1:
            raise ValueError(f"trials per leg must be at least 1, but got {trials_per_leg}")
        self.plan: list[Side] = trial_plan(legs, trials_per_leg)
        self.countdown_s, self.rest_s, self.framing_hold_s = countdown_s, rest_s, framing_hold_s
        self.phase: Phase = "framing"
        self.since_s = 0.0
        self.framed_since: float | None = None
        self.framing = Framing(False, "Step into the picture")
        self.last_trial: Trial | None = None
        self.kept: list[Trial] = []
        self.discarded: list[int] = []
        self.discard_next = False
        self.note = ""
        self._t_prev = 0.0

    @property
    def leg(self) -> Side | None:
        """The stance leg asked for now (None when the plan is done)."""
        return self.plan[0] if self.plan else None

    def _go(self, phase: Phase, t_s: float) -> None:
        self.phase, self.since_s = phase, t_s

    def update(self, t_s: float, framing: Framing, detector_state: str,
               new_trials: Sequence[Trial] = ()) -> list[str]:  # fmt: skip
        """Advance one frame; returns cues for sound (``tick``, ``go``, ``stop``, ``done``)."""
        self.framing = framing
        cues = [c for trial in new_trials for c in self._on_trial(trial, t_s)]
        if self.phase == "holding" and detector_state != "holding" and not new_trials:
            self.note = "Too short to count - try again"
            self._go("go", t_s)
        elif detector_state == "holding" and (self.phase in ("framing", "countdown", "go") or new_trials):
            self._go("holding", t_s)  # with new_trials: the next trial began as the last one's end came
        cues += self._advance(t_s, framing)
        self._t_prev = t_s
        return cues

    def _advance(self, t_s: float, framing: Framing) -> list[str]:
        if self.phase == "framing":
            if not framing.ok:
                self.framed_since = None
            elif self.framed_since is None:  # not `or`: a framing start at t = 0.0 is a start
                self.framed_since = t_s
            if self.framed_since is not None and t_s - self.framed_since >= self.framing_hold_s:
                return self._start_countdown(t_s)
        elif self.phase == "countdown":
            t_prev = max(self._t_prev, self.since_s)
            left_before = math.ceil(self.countdown_s - (t_prev - self.since_s))
            left_now = math.ceil(self.countdown_s - (t_s - self.since_s))
            if left_now <= 0:
                self._go("go", t_s)
                return ["go"]
            if left_now < left_before:
                return ["tick"]
        elif self.phase == "stopped" and t_s - self.since_s >= self.rest_s:
            return self.skip(t_s)
        return []

    def _start_countdown(self, t_s: float) -> list[str]:
        if self.leg is None:
            self._go("done", t_s)
            return ["done"]
        self.note = ""
        self._go("countdown", t_s)
        return ["tick"]

    def _on_trial(self, trial: Trial, t_s: float) -> list[str]:
        if self.discard_next:
            self.discard_next = False
            self.discarded.append(trial.index)
            self.note = "Trial discarded - again"
            self._go("stopped", t_s)
            return ["stop"]
        self.kept.append(trial)
        self.last_trial = trial
        asked = self.leg
        if trial.stance in self.plan and counted(trial.stop_reason):  # a cut-short hold is not a done trial
            self.plan.remove(trial.stance)
        if trial.stop_reason == "time_limit":  # best cannot improve: skip the rest of that leg
            self.plan = [leg for leg in self.plan if leg != trial.stance]
        self.note = "" if asked in (None, trial.stance) else (
            f"That was your {trial.stance.upper()} leg")  # fmt: skip
        self._go("stopped", t_s)
        return ["stop"]

    # -- keys -----------------------------------------------------------------------------
    def skip(self, t_s: float) -> list[str]:
        """Space: start now / skip the countdown / skip the rest."""
        if self.phase in ("framing", "stopped"):
            return self._start_countdown(t_s)
        if self.phase == "countdown":
            self._go("go", t_s)
            return ["go"]
        return []

    def redo(self, t_s: float) -> Trial | None:
        """``r``: discard the running trial when it ends, or the last finished one (returned)."""
        if self.phase == "holding":
            self.discard_next = True
            return None
        if self.last_trial is None or self.last_trial not in self.kept:
            return None
        trial = self.last_trial
        self.kept.remove(trial)
        self.discarded.append(trial.index)
        self.plan.insert(0, trial.stance)  # type: ignore[arg-type]
        self.last_trial = None
        self.note = f"Trial {trial.index + 1} discarded"
        self._start_countdown(t_s)
        return trial

    # -- view -----------------------------------------------------------------------------
    def view(self, t_s: float, hold_s: float = 0.0) -> ProtocolView:
        """Headline, instruction and colour of the state banner."""
        leg = self.leg
        ask = (f"Stand on your {leg.upper()} leg, lift your {other(leg).upper()} foot"
               + (f" - {self.posture}" if self.posture else "") if leg else "")  # fmt: skip
        p = self.phase
        if p == "framing":
            return ProtocolView(p, "getting ready", self.framing.hint,
                                "good" if self.framing.ok else "warn", leg)  # fmt: skip
        if p == "countdown":
            n = max(1, math.ceil(self.countdown_s - (t_s - self.since_s)))
            return ProtocolView(p, f"get ready: {n}", ask, "info", leg, countdown=n)
        if p == "go":
            return ProtocolView(p, "go - lift your foot", self.note or ask, "info", leg)
        if p == "holding":
            return ProtocolView(p, "holding", "Keep still - stand tall", "good", leg)
        if p == "stopped":
            t = self.last_trial
            head = (f"stopped: {stop_label(t.stop_reason)}, {t.hold_s:.1f} s"
                    if t is not None and not self.discard_next and t in self.kept
                    else "stopped")  # fmt: skip
            rest = max(0, math.ceil(self.rest_s - (t_s - self.since_s)))
            detail = self.note or (f"Rest {rest} s - next: {leg.upper()} leg" if leg
                                   else "All trials done")  # fmt: skip
            return ProtocolView(p, head, detail, "warn", leg)
        return ProtocolView(p, "done", "Press any key to close", "info", None)


