"""Why a trial ended: the stop reasons, and the one table of the words used for each.

The rule behind each reason is written in :mod:`balance_cam.core.stance` (``hands_off_hips``:
:mod:`balance_cam.core.quality`); this module only
names them. Tables, overlays and reports take their words from :data:`STOP_WORDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from balance_cam.core.skeleton import Side

StopReason = Literal[
    "touchdown", "stance_foot_moved", "lost_tracking", "time_limit", "end_of_video", "stopped",
    "end_of_shot", "hands_off_hips", "interrupted",
]
STOP_REASONS: tuple[str, ...] = get_args(StopReason)
UNFINISHED: frozenset[str] = frozenset({"interrupted"})
"""Trials the test did not finish: a live session quit, interrupted (Ctrl-C, SIGTERM) or broken
off by an error during the hold. They stay in the result, with their time, but no summary,
flag, verdict, norm or squad ranking counts them (:func:`counted`): a hold cut short by the
session is not the athlete's hold. ``stopped`` (the operator pressed space to end the trial)
is a finished trial."""


@dataclass(frozen=True)
class StopWords:
    """How people are told why a trial stopped."""

    label: str
    """A few words for tables, the live banner and the annotated video ("foot down")."""
    phrase: str
    """A phrase for reports and spoken results ("the raised foot touched down")."""


STOP_WORDS: dict[str, StopWords] = {
    "touchdown": StopWords("foot down", "raised foot touched down"),
    "stance_foot_moved": StopWords("stance moved", "stance foot moved"),
    "lost_tracking": StopWords("lost", "person lost from view"),
    "time_limit": StopWords("time limit", "time limit reached"),
    "end_of_video": StopWords("video end", "video ended while still holding"),
    "stopped": StopWords("stopped", "stopped by the operator"),
    "end_of_shot": StopWords("cut", "the video cut to another shot"),
    "hands_off_hips": StopWords("hands off hips", "hands left the hips (hands-on-hips test)"),
    "interrupted": StopWords("cut short", "the session ended during the hold (not counted)"),
}


def stop_label(reason: str) -> str:
    """The short words for ``reason`` (the reason itself when unknown, e.g. from a newer file)."""
    words = STOP_WORDS.get(reason)
    return words.label if words else reason.replace("_", " ")


def stop_phrase(reason: str) -> str:
    """The phrase for ``reason`` (the reason itself when unknown)."""
    words = STOP_WORDS.get(reason)
    return words.phrase if words else reason.replace("_", " ")


def counted(reason: str) -> bool:
    """Whether a trial that ended for ``reason`` counts in summaries (:data:`UNFINISHED`)."""
    return reason not in UNFINISHED


@dataclass(frozen=True)
class TrialSpan:
    """One detected single-leg stance: which leg stood, when, and why it ended."""

    stance: Side
    start_s: float
    end_s: float
    stop_reason: StopReason
    lift_observed: bool = True
    """False when the foot was already up in the first frames with a person (hold is a lower bound)."""

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s
