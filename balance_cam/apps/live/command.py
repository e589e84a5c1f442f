"""``balance-cam live``: run a guided session with its audible cues, then write and print its
result like ``analyze``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from balance_cam.apps.analyze import OutputOptions, emit, output_set
from balance_cam.apps.errors import (
    InterruptedRunError,
    NoPersonError,
    OutputsNotWrittenError,
    PartialResultError,
)
from balance_cam.apps.live.cues import Cue
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import LiveOutcome, run_live
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.stops import counted
from balance_cam.core.text import count_of
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


def check_live(options: LiveOptions, out: OutputOptions) -> None:
    """Before the session: the outputs (never the input file or the database) and the history
    (writable, undamaged); one line and exit 2 otherwise."""
    from balance_cam.apps.saving import check_history
    from balance_cam.io.files import check_output_dir, refuse_overwriting_inputs

    inputs = {"--camera": Path(options.camera) if options.is_file else None, "--db": options.db}
    if out.out_dir is not None:
        check_output_dir(out.out_dir, "--out")
        stem = Path(options.camera).stem if options.is_file else "live"
        refuse_overwriting_inputs(output_set(out.out_dir, stem), inputs)
    check_history(options.db)


def live_command(options: LiveOptions, config: AnalysisConfig, out: OutputOptions, *,
                 voice: bool = True, sound: bool = True) -> LiveOutcome:  # fmt: skip
    """Run the session with its audible cues; the result is saved (history, ``--out``) and
    printed before any error is raised for a camera that failed mid-test or an interrupt
    (Ctrl-C or SIGTERM)."""
    from balance_cam.apps.signals import exit_code, stop_word, stopped_by

    check_live(options, out)
    if out.out_dir is not None:
        options = replace(options, fallback_dirs=(Path(out.out_dir),))
    warnings = Warnings()
    audio, on_cue = open_audio(voice, sound, out.json_out, warnings)
    try:
        outcome = run_live(options, config, on_cue=on_cue, on_start=warnings.started)
    finally:
        audio.close(drain_s=DRAIN_S)  # lets the result sentence finish
    result = outcome.result
    if out.team is not None and outcome.fallback is None:
        from balance_cam.io.history import History

        with History(outcome.db_path) as h:
            h.set_team(options.athlete, out.team)
    if result.frames_with_person == 0 and not outcome.interrupted:
        frames = count_of(result.frames_decoded, "frame")
        raise NoPersonError(f"{options.camera}: no person detected in {frames}")
    stem = Path(options.camera).stem if options.is_file else f"live_{outcome.session_id}"
    unwritten = emit(result, outcome.series, stem, out)
    saved = _saved_line(outcome) + ("" if unwritten is None else f"; {unwritten}")
    if outcome.error:
        raise PartialResultError(f"{outcome.error}; {saved} (incomplete)")
    if outcome.interrupted:
        stop = stopped_by() or KeyboardInterrupt()
        raise InterruptedRunError(f"{stop_word(stop)}; {saved} (incomplete)", exit_code(stop))
    if unwritten is not None:
        raise OutputsNotWrittenError(saved + ("" if result.complete else " (incomplete)"))
    if not out.json_out:
        from balance_cam.render.console import print_lines

        print_lines([saved + ("" if result.complete else " (incomplete)")], err=True)
    return outcome


def _saved_line(outcome: LiveOutcome) -> str:
    trials = outcome.result.trials
    n = sum(counted(t.stop_reason) for t in trials)
    what = f"{n} finished trial(s)"
    if n < len(trials):  # a hold the session cut short is stored too, but not as a finished trial
        what += f" and {len(trials) - n} cut short (not counted)"
    if outcome.fallback is not None:
        return f"{what} kept in {outcome.fallback} (the history could not be written)"
    return f"{what} saved as session {outcome.session_id} in {outcome.db_path}"
