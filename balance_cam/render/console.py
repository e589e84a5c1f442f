"""Human-readable printing of results (rich); used by the CLI only.

Laid out for an 80-column terminal: a short trials table (the key numbers of each trial), a
per-side block (left and right next to each other, best trial's sway), the asymmetry and the
verdict. Every number is in the JSON output too (``--json``), with the full set of metrics.

User text (file names, athletes, warnings that quote them) is never parsed as rich markup and
never carries raw control characters to the terminal: :func:`safe` inside markup strings,
``markup=False`` plus :func:`~balance_cam.core.text.terminal_safe` for plain lines.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from balance_cam.core.results import AnalysisResult, SideSummary, Summary
from balance_cam.core.sessions import SideRow
from balance_cam.core.stops import stop_label
from balance_cam.core.summary import DEFAULT_KEY, setup_words
from balance_cam.core.text import count_of, terminal_safe
from balance_cam.core.trends import TrendFit


def safe(text: object) -> str:
    """User text for a string rich parses as markup: control characters and ``[`` escaped."""
    return escape(terminal_safe(text))


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def _table(**kwargs: Any) -> Table:
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left",
                 **kwargs)  # fmt: skip


def _header(result: AnalysisResult) -> str:
    src = result.source
    name = str(src.get("path", "")).rsplit("/", 1)[-1]
    seen = result.frames_with_person
    person = f", person in {seen}" if seen < 0.9 * result.frames_decoded else ""
    return (f"[bold]{safe(name)}[/]  {src.get('width')}×{src.get('height')}, "
            f"{_fmt(src.get('fps'))} fps, {_fmt(src.get('duration_s'))} s, "
            f"{result.frames_decoded} frames{person}")  # fmt: skip


def _int(value: int | None) -> str:
    return "–" if value is None else str(value)


def trials_table(result: AnalysisResult) -> Table:
    """One row per trial: leg stood on, start, hold, stable time, why it stopped, corrections,
    ML sway and velocity (BESS: errors instead of velocity)."""
    bess = any(t.errors is not None for t in result.trials)
    table = _table(title="Trials")
    last = "errors" if bess else "vel cm/s"
    for col in ("#", "leg", "start s", "hold s", "stable", "stopped by", "corr", "ML cm", last):
        table.add_column(col, justify="left" if col in ("leg", "stopped by") else "right",
                         no_wrap=col == "stopped by")  # fmt: skip
    for t in result.trials:
        s = t.sway
        table.add_row(str(t.index + 1), t.stance, _fmt(t.start_s, 2), _fmt(t.hold_s, 2),
                      _fmt(t.stable_s, 2), stop_label(t.stop_reason), _int(t.corrections),
                      _fmt(s.ml_rms_cm), _int(t.errors) if bess else _fmt(s.mean_velocity_cm_s))  # fmt: skip
    return table


def sides_table(summary: Summary) -> Table:
    """Left and right side by side: holds and the sway of each side's best trial."""
    table = _table(title="Per side (sway of the best trial)")
    table.add_column("")
    sides = (summary.left, summary.right)
    for name, side in zip(("left leg", "right leg"), sides, strict=True):
        table.add_column(name, justify="right", style=None if side else "dim")
    rows: tuple[tuple[str, Any], ...] = (
        ("trials", lambda s: str(s.n_trials)),
        ("best hold s", lambda s: _fmt(s.best_hold_s, 2)),
        ("mean hold s", lambda s: _fmt(s.mean_hold_s, 2)),
        ("ML sway RMS cm", lambda s: _fmt(s.sway.ml_rms_cm)),
        ("ML path cm", lambda s: _fmt(s.sway.path_length_cm)),
        ("sway angle RMS°", lambda s: _fmt(s.sway.angle_rms_deg, 2)),
        ("95% ellipse cm²", lambda s: _fmt(s.sway.ellipse95_area_cm2)),
        ("stable s (best)", lambda s: _fmt(s.stable_s, 2)),
        ("corrections", lambda s: _int(s.corrections)),
        ("under 10 s", lambda s: "yes" if s.under_stable_min else "no"),
    )
    if any(s and s.errors is not None for s in sides):
        rows += (("BESS errors", lambda s: _int(s.errors)),)
    for label, cell in rows:
        table.add_row(label, *(cell(s) if s else "–" for s in sides))
    if any(s and s.norm for s in sides):
        table.add_row("age norm s", *(_norm_cell(s) for s in sides))
    return table


def _norm_cell(side: SideSummary | None) -> str:
    if side is None or not side.norm:
        return "–"
    mark = " (below)" if side.norm.get("below_norm") else ""
    return f"{_fmt(side.norm.get('norm_best_s'))}{mark}"


def asymmetry_line(summary: Summary) -> str:
    """Hold and sway asymmetry in one sentence (definitions in :mod:`balance_cam.core.summary`)."""
    if not math.isfinite(summary.hold_asymmetry_pct):
        return "Asymmetry: needs a trial on each leg."
    weaker = f", {summary.weaker_side} weaker" if summary.weaker_side else ""
    return (f"Asymmetry: hold {summary.hold_asymmetry_pct:.0f} %{weaker}; "
            f"ML sway {_fmt(summary.sway_asymmetry_pct, 0)} %.")  # fmt: skip


def print_result(result: AnalysisResult, console: Console | None = None) -> None:
    """Header, test set-up, trials table, per-side block, asymmetry, verdict and warnings."""
    console = console or Console()
    console.print(_header(result))
    if result.trials:
        t = result.trials[0]
        console.print(f"Test: {setup_words(result.summary.test_key, t.hands_on_hips)}", markup=False,
                      highlight=False)  # fmt: skip
        console.print(trials_table(result))
        console.print(sides_table(result.summary))
        console.print(asymmetry_line(result.summary))
    console.print(f"[bold]Verdict:[/] {safe(result.summary.verdict)}")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {safe(w)}")


def print_json(result: AnalysisResult) -> None:
    """The JSON contract on stdout (one document)."""
    sys.stdout.write(result.to_json() + "\n")
    sys.stdout.flush()


def stderr_console() -> Console:
    return Console(stderr=True)


# -- history ----------------------------------------------------------------------------------
def short_setup(key: tuple[str, str, str]) -> str:
    """A test set-up in a few words: ``"eyes closed, foam"``, ``"BESS, firm"``."""
    condition, surface, protocol = key
    return f"{'BESS' if protocol == 'bess-single' else condition.replace('-', ' ')}, {surface}"


def history_table(rows: Sequence[SideRow], athlete: str | None) -> Table:
    """One row per session, set-up and leg: date, athlete, test, trials, best and mean hold,
    stable time and ML sway of the best trial."""
    title = "Balance history" + (f": {safe(athlete)}" if athlete else "")
    table = Table(title=title, title_justify="left")
    for col in ("date", "athlete", "test", "leg", "trials", "best hold s", "mean hold s", "stable s",
                "ML RMS cm"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("date", "athlete", "test", "leg") else "right",
                         no_wrap=col == "date")  # fmt: skip
    for r in rows:
        s = r.side
        table.add_row(r.started_at[:16].replace("T", " "), safe(r.athlete), short_setup(r.test_key),
                      r.stance, str(s.n_trials), _fmt(s.best_hold_s), _fmt(s.mean_hold_s),
                      _fmt(s.stable_s), _fmt(s.sway.ml_rms_cm))  # fmt: skip
    return table


Trends = dict[tuple[str, tuple[str, str, str]], tuple[TrendFit | None, TrendFit | None]]


def trend_lines(trends: Trends) -> list[str]:
    """Per leg and test set-up, the least-squares trend of best hold and ML sway per week, as
    sentences (the set-up named unless it is eyes open, firm, unipedal)."""
    lines = []
    for (side, key), (hold, sway) in trends.items():
        if hold is not None:
            setup = "" if key == DEFAULT_KEY else f" ({short_setup(key)})"
            text = f"{side} leg trend{setup}, {hold.n} sessions: hold {hold.per_week('s')}"
            lines.append(text + (f", ML sway {sway.per_week('cm')}" if sway else ""))
    return lines


def print_history(
    rows: Sequence[SideRow], athlete: str | None, trends: Trends, note: str | None = None,
) -> None:  # fmt: skip
    """The ``history`` command's output: the CSV note on stderr, then the table and trends."""
    if note:
        stderr_console().print(terminal_safe(note), markup=False, highlight=False)
    console = Console()
    if not rows:
        console.print("No trials in the history" + (f" for {terminal_safe(repr(athlete))}." if athlete
                                                     else "."), markup=False, highlight=False)  # fmt: skip
        return
    console.print(history_table(rows, athlete))
    for line in trend_lines(trends):
        console.print(terminal_safe(line), markup=False, highlight=False)


# -- batch and models -------------------------------------------------------------------------
def batch_summary_lines(report: Any, tables_dir: Any) -> list[str]:
    """One summary line with every count, and where the tables are."""
    total_frames = sum(o.frames for o in report.outcomes if o.status != "skipped")
    fps = total_frames / max(report.elapsed_s, 1e-9)
    counts = ", ".join(f"{report.count(s)} {s.replace('_', ' ')}" for s in
                       ("ok", "partial", "skipped", "failed", "not_run") if report.count(s))  # fmt: skip
    return [f"batch: {count_of(report.total, 'video')} on {count_of(report.workers, 'worker')} in "
            f"{report.elapsed_s:.1f} s ({fps:.0f} frames/s): {counts}",
            f"tables: {tables_dir}/batch_{{trials,videos,athletes,errors}}.{{csv,parquet}}"]  # fmt: skip


def models_table(models: Sequence[Any], folder: Any) -> Table:
    """``models list``: every known model with its status, size, sha256 and origin."""
    table = Table(title=safe(f"pose models ({folder})"))
    for col in ("--model", "status", "size", "sha256", "source"):
        table.add_column(col)
    for m in models:
        size = f"{m.size_bytes / 1e6:.1f} MB" if m.size_bytes else ""
        name = m.name + (" (default)" if m.default else "")
        table.add_row(safe(name), m.status, size, m.sha256[:16], safe(m.source))
    return table


def print_lines(lines: Sequence[str], err: bool = False) -> None:
    """Plain lines (never parsed as markup) on stdout or stderr."""
    console = stderr_console() if err else Console()
    for line in lines:
        console.print(terminal_safe(line), markup=False, highlight=False, soft_wrap=True)
