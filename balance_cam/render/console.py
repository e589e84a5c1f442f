"""Human-readable printing of results (rich); used by the CLI only.

Laid out for an 80-column terminal: a short trials table (the key numbers of each trial), a
per-side block (left and right next to each other, best trial's sway), the asymmetry and the
verdict. Every number is in the JSON output too (``--json``), with the full set of metrics.
"""

from __future__ import annotations

import math
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from balance_cam.core.results import AnalysisResult, SideSummary, Summary

#: Short labels of the stop reasons (:data:`balance_cam.core.stance.STOP_REASONS`).
STOP_LABELS = {
    "touchdown": "foot down", "stance_foot_moved": "stance moved", "lost_tracking": "lost",
    "time_limit": "time limit", "end_of_video": "video end", "stopped": "stopped",
}  # fmt: skip


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
    return (f"[bold]{name}[/]  {src.get('width')}×{src.get('height')}, "
            f"{_fmt(src.get('fps'))} fps, {_fmt(src.get('duration_s'))} s, "
            f"{result.frames_decoded} frames{person}")  # fmt: skip


def trials_table(result: AnalysisResult) -> Table:
    """One row per trial: leg stood on, start, hold, why it stopped, ML sway and angle."""
    table = _table(title="Trials")
    for col in ("#", "leg", "start s", "hold s", "stopped by", "ML RMS cm", "angle RMS°",
                "vel cm/s"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("leg", "stopped by") else "right")
    for t in result.trials:
        s = t.sway
        table.add_row(str(t.index + 1), t.stance, _fmt(t.start_s, 2), _fmt(t.hold_s, 2),
                      STOP_LABELS.get(t.stop_reason, t.stop_reason), _fmt(s.ml_rms_cm),
                      _fmt(s.angle_rms_deg, 2), _fmt(s.mean_velocity_cm_s))  # fmt: skip
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
        ("under 10 s", lambda s: "yes" if s.under_stable_min else "no"),
    )
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
    """Header, trials table, per-side block, asymmetry, verdict and warnings."""
    console = console or Console()
    console.print(_header(result))
    if result.trials:
        console.print(trials_table(result))
        console.print(sides_table(result.summary))
        console.print(asymmetry_line(result.summary))
    console.print(f"[bold]Verdict:[/] {result.summary.verdict}")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
