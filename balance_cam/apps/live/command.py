"""``balance-cam live``: run a guided session with its audible cues, then write and print its
result like ``analyze``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from balance_cam.apps.analyze import OutputOptions, emit
from balance_cam.apps.errors import InterruptedRunError, NoPersonError, PartialResultError
from balance_cam.apps.live.cues import Cue
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import LiveOutcome, run_live
from balance_cam.core.config import AnalysisConfig
from balance_cam.render.audio import AudioCues

LEGS = {"left": ("left",), "right": ("right",), "both": ("left", "right")}
DRAIN_S = 8.0
"""At the end, the pending sentence (the result) may take this long to finish."""


def warn(message: str) -> None:
    """One warning line on stderr (never on stdout, which may carry the JSON)."""
    print(f"balance-cam: warning: {message}", file=sys.stderr, flush=True)


class Warnings:
    """Warning lines held back until the session runs (so a session that cannot start, e.g.
    without a camera, still says one line only: its error), then printed as they come."""

    def __init__(self) -> None:
        self.pending: list[str] | None = []

    def __call__(self, message: str) -> None:
        if self.pending is None:
            warn(message)
        else:
            self.pending.append(message)

    def started(self) -> None:
        for message in self.pending or []:
            warn(message)
        self.pending = None


CueSink = Callable[[Cue], None]


def open_audio(voice: bool, sound: bool, json_out: bool,
               warnings: Callable[[str], None] = warn) -> tuple[AudioCues, CueSink]:  # fmt: skip
    """The session's audio and the cue callback: tones and speech where a device exists (one
    warning line otherwise); without any, the terminal bell on tone cues (e.g. over ssh) when
    stderr is a terminal."""
    audio = AudioCues.open(voice=voice, sound=sound, warn=warnings)
    if audio.active or not sound or json_out or not sys.stderr.isatty():
        return audio, audio

    def bell(cue: Cue) -> None:
        if cue.tone is not None:
            sys.stderr.write("\a")
            sys.stderr.flush()

    return audio, bell


def live_command(options: LiveOptions, config: AnalysisConfig, out: OutputOptions, *,
                 voice: bool = True, sound: bool = True) -> LiveOutcome:  # fmt: skip
    """Run the session with its audible cues; the result is saved (history, ``--out``) and
    printed before any error is raised for a camera that failed mid-test or an interrupt."""
    warnings = Warnings()
    audio, on_cue = open_audio(voice, sound, out.json_out, warnings)
    try:
        outcome = run_live(options, config, on_cue=on_cue, on_start=warnings.started)
    finally:
        audio.close(drain_s=DRAIN_S)  # lets the result sentence finish
    result = outcome.result
    if out.team is not None:
        from balance_cam.io.history import History

        with History(outcome.db_path) as h:
            h.set_team(options.athlete, out.team)
    if result.frames_with_person == 0 and not outcome.interrupted:
        raise NoPersonError(f"{options.camera}: no person detected in {result.frames_decoded} frames")
    stem = Path(options.camera).stem if options.is_file else f"live_{outcome.session_id}"
    emit(result, outcome.series, stem, out)
    saved = (f"{len(result.trials)} finished trial(s) saved as session {outcome.session_id} "
             f"in {outcome.db_path}")  # fmt: skip
    if outcome.error:
        raise PartialResultError(f"{outcome.error}; {saved} (incomplete)")
    if outcome.interrupted:
        raise InterruptedRunError(f"interrupted; {saved} (incomplete)")
    if not out.json_out:
        from balance_cam.render.console import print_lines

        print_lines([saved + ("" if result.complete else " (incomplete)")], err=True)
    return outcome
