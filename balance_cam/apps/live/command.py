"""``balance-cam live``: run a guided session, then write and print its result like ``analyze``."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from balance_cam.apps.analyze import OutputOptions, emit, output_set
from balance_cam.apps.errors import InterruptedRunError, NoPersonError, PartialResultError
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import LiveOutcome, run_live
from balance_cam.core.config import AnalysisConfig

LEGS = {"left": ("left",), "right": ("right",), "both": ("left", "right")}


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


def live_command(options: LiveOptions, config: AnalysisConfig, out: OutputOptions) -> LiveOutcome:
    """Run the session; the result is saved (history, ``--out``) and printed before any error
    is raised for a camera that failed mid-test or an interrupt (Ctrl-C or SIGTERM)."""
    from balance_cam.apps.signals import exit_code, stop_word, stopped_by

    check_live(options, out)
    if out.out_dir is not None:
        options = replace(options, fallback_dirs=(Path(out.out_dir),))
    bell = (lambda cue: sys.stderr.write("\a")) if sys.stderr.isatty() and not out.json_out else None
    outcome = run_live(options, config, on_cue=bell)
    result = outcome.result
    if result.frames_with_person == 0 and not outcome.interrupted:
        raise NoPersonError(f"{options.camera}: no person detected in {result.frames_decoded} frames")
    stem = Path(options.camera).stem if options.is_file else f"live_{outcome.session_id}"
    emit(result, outcome.series, stem, out)
    saved = _saved_line(outcome)
    if outcome.error:
        raise PartialResultError(f"{outcome.error}; {saved} (incomplete)")
    if outcome.interrupted:
        stop = stopped_by() or KeyboardInterrupt()
        raise InterruptedRunError(f"{stop_word(stop)}; {saved} (incomplete)", exit_code(stop))
    if not out.json_out:
        from balance_cam.render.console import print_lines

        print_lines([saved + ("" if result.complete else " (incomplete)")], err=True)
    return outcome


def _saved_line(outcome: LiveOutcome) -> str:
    n = len(outcome.result.trials)
    if outcome.fallback is not None:
        return f"{n} finished trial(s) kept in {outcome.fallback} (the history could not be written)"
    return f"{n} finished trial(s) saved as session {outcome.session_id} in {outcome.db_path}"
