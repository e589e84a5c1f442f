"""The options several commands share (typed, range-checked at the boundary)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def in_range(name: str) -> Callable[[Any], Any]:
    """A typer callback checking an option against :data:`balance_cam.core.limits.RANGES`."""

    def check(value: Any) -> Any:
        from balance_cam.core.limits import check_option

        if value is None:
            return value
        try:
            check_option(name, value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value

    return check


Limit = Annotated[float | None, typer.Option("--limit", callback=in_range("--limit"),
                  help="Trial time limit, seconds (default 45; 30-45 s clinically; BESS: 20).")]
HeightCm = Annotated[float | None, typer.Option("--height-cm", callback=in_range("--height-cm"),
                                                help="Subject height; scales centimetres (else world landmarks).")]
Age = Annotated[int | None, typer.Option("--age", callback=in_range("--age"),
                                         help="Compare holds with Springer et al. 2007 norms.")]
Model = Annotated[str, typer.Option("--model", help="Pose model: full (bundled), lite, heavy or a .task path.")]
Person = Annotated[str | None, typer.Option(
    "--person", help="Tasks models: who is tested among several people: auto (who stands on one "
    "leg), largest, center, or an index from the left (0 = leftmost).")]  # fmt: skip
JsonOut = Annotated[bool, typer.Option("--json", help="Print the result JSON to stdout.")]
DbPath = Annotated[Path | None, typer.Option("--db", help="History database (default: user data dir).")]
Condition = Annotated[str | None, typer.Option(
    "--condition", help="eyes-open (default) or eyes-closed; recorded with every trial.")]
Surface = Annotated[str | None, typer.Option("--surface", help="firm (default) or foam (pad under the foot).")]
Protocol = Annotated[str | None, typer.Option(
    "--protocol", help="unipedal (default) or bess-single: BESS single-leg stance, 20-s trials, eyes "
    "closed, hands on hips, errors counted.")]  # fmt: skip
HandsOnHips = Annotated[bool, typer.Option(
    "--hands-on-hips", help="Unipedal test with hands on the hips: leaving them ends the trial.")]
Team = Annotated[str | None, typer.Option("--team", help="Tag the athlete with this team in the history (squad page).")]


def analysis_config(
    limit: float | None, height_cm: float | None, age: int | None, model: str, condition: str | None = None,
    surface: str | None = None, protocol: str | None = None, hands_on_hips: bool = False,
) -> Any:  # fmt: skip
    from balance_cam.core.config import AnalysisConfig, TestConfig

    test = TestConfig.of(condition, surface, protocol, hands_on_hips)
    return AnalysisConfig().with_options(limit_s=limit, height_cm=height_cm, age=age, model=model, test=test)
