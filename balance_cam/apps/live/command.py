"""``balance-cam live``: run a guided session, then write and print its result like ``analyze``."""

from __future__ import annotations

import sys
from pathlib import Path

from balance_cam.apps.analyze import OutputOptions, emit
from balance_cam.apps.errors import InterruptedRunError, NoPersonError, PartialResultError
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import LiveOutcome, run_live
from balance_cam.core.config import AnalysisConfig

LEGS = {"left": ("left",), "right": ("right",), "both": ("left", "right")}


def live_command(options: LiveOptions, config: AnalysisConfig, out: OutputOptions) -> LiveOutcome:
    """Run the session; the result is saved (history, ``--out``) and printed before any error
    is raised for a camera that failed mid-test or an interrupt."""
    bell = (lambda cue: sys.stderr.write("\a")) if sys.stderr.isatty() and not out.json_out else None
    outcome = run_live(options, config, on_cue=bell)
    result = outcome.result
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
