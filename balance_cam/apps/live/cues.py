"""The cue schedule of the live guided test: which tone or sentence, when (pure, no audio).

The person balancing looks at a fixed point (or has the eyes closed), so every change of the
protocol that matters to them is also beeped or said. :class:`CueSchedule` derives the cues
from the *state changes* of :class:`~balance_cam.apps.live.protocol.GuidedProtocol`, one frame
at a time, from a frozen :class:`ProtocolSnapshot` of it: nothing here reads a clock or plays a
sound, so a list of snapshots gives a list of cues (:func:`schedule`) that tests compare.
Working from snapshots rather than from the strings ``GuidedProtocol.update`` returns also
catches what the keys do (space skips the countdown, ``r`` redoes a trial).

========== ======== ===========================================================================
kind       tone     when / text
========== ======== ===========================================================================
framing    -        framing not OK with the same hint for ``framing_settle_s``: the hint, at
                    most every ``framing_repeat_s``
prompt     tick     countdown starts: "Stand on your left leg. Lift your right foot."
tick       tick     each further second of the countdown
go         go       countdown over
lift       lift     the analyzer detected the lift (the protocol enters ``holding``)
retry      -        the hold ended too short to count: "Too short. Try again."
stop       stop     a trial finished: "Left leg: 23 seconds, foot touched down."
discarded  stop     a trial was discarded (``r``): "Trial discarded."
result     done     plan done, or session over: "All trials done. Left leg: best 23 seconds. ..."
========== ======== ===========================================================================

Each spoken cue has a priority and a maximum age (:data:`SPEECH_POLICY`): the player
(:class:`balance_cam.render.audio.AudioCues`) lets a higher priority interrupt or replace a
lower one and drops a sentence it could not start in time, rather than saying it late.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from balance_cam.apps.live.protocol import GuidedProtocol
from balance_cam.core.results import Trial
from balance_cam.core.stops import counted

CueKind = Literal["framing", "prompt", "tick", "go", "lift", "retry", "stop", "discarded", "result"]
ToneName = Literal["tick", "go", "lift", "stop", "done"]

TONE_OF: dict[str, ToneName] = {"prompt": "tick", "tick": "tick", "go": "go", "lift": "lift",
                                "stop": "stop", "discarded": "stop", "result": "done"}  # fmt: skip

SPOKEN_STOP = {
    "touchdown": "foot touched down", "stance_foot_moved": "stance foot moved",
    "lost_tracking": "you left the picture", "time_limit": "time limit reached",
    "end_of_video": "end of video", "stopped": "stopped", "interrupted": "cut short",
}  # fmt: skip


@dataclass(frozen=True)
class SpeechPolicy:
    """How a spoken cue competes with others: a higher ``priority`` interrupts or replaces a
    lower one; a cue not started within ``max_age_s`` of being issued is dropped (stale)."""

    priority: int
    max_age_s: float


# A prompt is useless once the countdown it introduces is over (3 s); a stop sentence stays
# useful during the rest (5 s); the result is the last thing said and must survive the drain.
SPEECH_POLICY: dict[str, SpeechPolicy] = {
    "framing": SpeechPolicy(1, 2.0), "retry": SpeechPolicy(2, 2.0),
    "prompt": SpeechPolicy(2, 3.0), "discarded": SpeechPolicy(3, 3.0),
    "stop": SpeechPolicy(3, 5.0), "result": SpeechPolicy(4, 30.0),
}  # fmt: skip
_NO_SPEECH = SpeechPolicy(0, 0.0)


@dataclass(frozen=True)
class Cue:
    """One audible event at frame time ``t_s``: a tone (by name) and/or a sentence to say."""

    t_s: float
    kind: CueKind
    text: str = ""

    @property
    def tone(self) -> ToneName | None:
        return TONE_OF.get(self.kind)

    @property
    def priority(self) -> int:
        return SPEECH_POLICY.get(self.kind, _NO_SPEECH).priority if self.text else 0

    @property
    def max_age_s(self) -> float:
        return SPEECH_POLICY.get(self.kind, _NO_SPEECH).max_age_s if self.text else 0.0


@dataclass(frozen=True)
class ProtocolSnapshot:
    """What the cue schedule needs to know of the protocol after one frame's update."""

    phase: str
    leg: str | None
    countdown: int | None
    framing_ok: bool
    framing_hint: str
    n_kept: int
    n_discarded: int
    last_trial: Trial | None = None
    best_s: tuple[tuple[str, float], ...] = ()  # best kept hold per stance leg, in order of first trial

    @classmethod
    def of(cls, protocol: GuidedProtocol, t_s: float) -> ProtocolSnapshot:
        """Snapshot of ``protocol`` at frame time ``t_s``."""
        best: dict[str, float] = {}
        for trial in protocol.kept:
            if counted(trial.stop_reason):  # a hold the session cut short is not the leg's best
                best[trial.stance] = max(best.get(trial.stance, 0.0), trial.hold_s)
        return cls(phase=protocol.phase, leg=protocol.leg,
                   countdown=protocol.view(t_s).countdown if protocol.phase == "countdown" else None,
                   framing_ok=protocol.framing.ok, framing_hint=protocol.framing.hint,
                   n_kept=len(protocol.kept), n_discarded=len(protocol.discarded),
                   last_trial=protocol.last_trial, best_s=tuple(best.items()))  # fmt: skip


_START = ProtocolSnapshot("framing", None, None, False, "", 0, 0)


# -- sentences ----------------------------------------------------------------------------------
def spoken_seconds(hold_s: float) -> str:
    """A hold time as said aloud: one decimal below 10 s ("4.5 seconds"), whole seconds from
    10 s on ("23 seconds", rounded half up), as precise as the screen is for short holds."""
    if not math.isfinite(hold_s):
        return "no time"
    if hold_s < 10.0:
        value = f"{math.floor(hold_s * 10 + 0.5) / 10:.1f}".removesuffix(".0")
    else:
        value = str(math.floor(hold_s + 0.5))
    return f"{value} second" + ("" if value == "1" else "s")


def prompt_sentence(leg: str) -> str:
    other = "right" if leg == "left" else "left"
    return f"Stand on your {leg} leg. Lift your {other} foot."


def stop_sentence(stance: str, hold_s: float, stop_reason: str) -> str:
    """E.g. "Left leg: 23 seconds, foot touched down." """
    reason = SPOKEN_STOP.get(stop_reason, stop_reason.replace("_", " "))
    return f"{stance.capitalize()} leg: {spoken_seconds(hold_s)}, {reason}."


def result_sentence(best_s: Sequence[tuple[str, float]], complete: bool = True) -> str:
    """E.g. "All trials done. Left leg: best 23 seconds. Right leg: best 31 seconds." """
    head = "All trials done." if complete else "Session over."
    if not best_s:
        return f"{head} No trials recorded."
    return " ".join([head, *(f"{leg.capitalize()} leg: best {spoken_seconds(s)}." for leg, s in best_s)])


def framing_sentence(hint: str) -> str:
    """A framing hint as a sentence ("Face the camera: hips ..." → "Face the camera. hips ...")."""
    return hint.replace(" - ", ". ").replace(":", ".")


# -- schedule -----------------------------------------------------------------------------------
class CueSchedule:
    """Turns consecutive protocol snapshots into cues; deterministic (frame times only).

    Beyond the previous snapshot, the only state is the framing-hint rate limit: a hint is
    said once it has stayed the same for ``framing_settle_s`` (a flickering check does not
    chatter), then at most every ``framing_repeat_s`` while it stays the same.
    """

    def __init__(self, framing_settle_s: float = 1.5, framing_repeat_s: float = 8.0) -> None:
        self.framing_settle_s, self.framing_repeat_s = framing_settle_s, framing_repeat_s
        self.prev: ProtocolSnapshot | None = None
        self.cues: list[Cue] = []
        self._hint = ""
        self._hint_since_s = 0.0
        self._hint_said_s: float | None = None
        self._result_said = False

    def step(self, t_s: float, now: ProtocolSnapshot) -> list[Cue]:
        """Cues caused by the change from the previous frame's snapshot to ``now``."""
        prev = self.prev or _START
        out = self._trial_cues(t_s, prev, now) + self._phase_cues(t_s, prev, now)
        out += self._framing_cues(t_s, now)
        self.prev = now
        self.cues += out
        return out

    def finish(self, t_s: float, now: ProtocolSnapshot | None = None) -> list[Cue]:
        """At the session's end: the last trial's cues, then the result if not said yet. A trial
        that ended on the last frame is repeated in the result sentence (the player would
        otherwise drop its stop sentence for the higher-priority result)."""
        out = self.step(t_s, now) if now is not None else []
        snap = now or self.prev
        if not self._result_said and snap is not None:
            self._result_said = True
            text = result_sentence(snap.best_s, complete=snap.phase == "done")
            stops = [c.text for c in out if c.kind == "stop"]
            cue = Cue(t_s, "result", " ".join([*stops[-1:], text]))
            out.append(cue)
            self.cues.append(cue)
        return out

    def _trial_cues(self, t_s: float, prev: ProtocolSnapshot, now: ProtocolSnapshot) -> list[Cue]:
        out = []
        if now.n_discarded > prev.n_discarded:
            out.append(Cue(t_s, "discarded", "Trial discarded."))
        if now.n_kept > prev.n_kept and now.last_trial is not None:
            trial = now.last_trial
            text = stop_sentence(trial.stance, trial.hold_s, trial.stop_reason)
            if prev.leg is not None and prev.leg != trial.stance:
                text += f" That was your {trial.stance} leg."
            out.append(Cue(t_s, "stop", text))
        return out

    def _phase_cues(self, t_s: float, prev: ProtocolSnapshot, now: ProtocolSnapshot) -> list[Cue]:
        p0, p1 = prev.phase, now.phase
        restarted = (now.countdown or 0) > (prev.countdown or 0)  # ``r`` during a countdown
        if p1 == "countdown" and (p0 != "countdown" or restarted):
            return [Cue(t_s, "prompt", prompt_sentence(now.leg or "left"))]
        if p1 == "countdown" and now.countdown is not None and prev.countdown is not None \
                and now.countdown < prev.countdown:  # fmt: skip
            return [Cue(t_s, "tick")]
        if p1 == "go" and p0 == "countdown":
            return [Cue(t_s, "go")]
        if p1 == "holding" and p0 != "holding":
            return [Cue(t_s, "lift")]
        if p1 == "go" and p0 == "holding" and now.n_kept == prev.n_kept:
            return [Cue(t_s, "retry", "Too short. Try again.")]
        if p1 == "done" and p0 != "done" and not self._result_said:
            self._result_said = True
            return [Cue(t_s, "result", result_sentence(now.best_s))]
        return []

    def _framing_cues(self, t_s: float, now: ProtocolSnapshot) -> list[Cue]:
        if now.phase != "framing" or now.framing_ok:
            self._hint, self._hint_said_s = "", None
            return []
        if now.framing_hint != self._hint:
            self._hint, self._hint_since_s, self._hint_said_s = now.framing_hint, t_s, None
        if t_s - self._hint_since_s < self.framing_settle_s:
            return []
        if self._hint_said_s is not None and t_s - self._hint_said_s < self.framing_repeat_s:
            return []
        self._hint_said_s = t_s
        return [Cue(t_s, "framing", framing_sentence(now.framing_hint))]


def schedule(frames: Iterable[tuple[float, ProtocolSnapshot]], end_s: float | None = None) -> list[Cue]:
    """All cues of a session from each frame's (time, snapshot); with ``end_s`` the session's
    end is announced (the result sentence) at that time if the plan did not finish before."""
    sched = CueSchedule()
    for t_s, snap in frames:
        sched.step(t_s, snap)
    if end_s is not None:
        sched.finish(end_s)
    return sched.cues


def all_sentences() -> list[str]:
    """Every kind of sentence the schedule says (for the spoken-prompt WAV test)."""
    return [
        prompt_sentence("left"), prompt_sentence("right"),
        *(stop_sentence("left", 23.4, reason) for reason in SPOKEN_STOP),
        stop_sentence("right", 4.53, "touchdown") + " That was your right leg.",
        "Too short. Try again.", "Trial discarded.",
        framing_sentence("Step back until both feet are in the picture"),
        result_sentence([("left", 23.4), ("right", 31.0)]), result_sentence([], complete=False),
    ]  # fmt: skip
