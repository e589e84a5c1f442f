"""Human-readable printing of results (rich tables); used by the CLI only."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from balance_cam.results import AnalysisResult


def _fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def print_result(result: AnalysisResult, console: Console | None = None) -> None:
    """Trials table, per-side summary and verdict."""
    console = console or Console()
    src = result.source
    console.print(f"[bold]{src.get('path', '')}[/]  {src.get('width')}×{src.get('height')}, "
                  f"{_fmt(src.get('fps', float('nan')))} fps, {_fmt(src.get('duration_s', float('nan')))} s")  # fmt: skip
    table = Table(title="Trials", title_justify="left")
    for col in ("#", "stance", "start s", "end s", "hold s", "stop", "ML RMS cm", "ML range cm",
                "path cm", "vel cm/s", "angle RMS °", "ellipse cm²"):  # fmt: skip
        table.add_column(col, justify="right" if col not in ("stance", "stop") else "left")
    for t in result.trials:
        s = t.sway
        table.add_row(str(t.index + 1), t.stance, _fmt(t.start_s, 2), _fmt(t.end_s, 2),
                      _fmt(t.hold_s, 2), t.stop_reason.replace("_", " "), _fmt(s.ml_rms_cm),
                      _fmt(s.ml_range_cm), _fmt(s.path_length_cm), _fmt(s.mean_velocity_cm_s),
                      _fmt(s.angle_rms_deg, 2), _fmt(s.ellipse95_area_cm2))  # fmt: skip
    if result.trials:
        console.print(table)
    console.print(f"[bold]Verdict:[/] {result.summary.verdict}")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
