"""Build ``docs/definitions.md`` from the code's own docstrings (one source of truth).

The definitions of events, metrics, balance quality, BESS errors, norms, the summary and every
configurable threshold live in the docstrings of :mod:`balance_cam.core.stance`,
:mod:`balance_cam.core.touchdown`, :mod:`balance_cam.core.gaps`, :mod:`balance_cam.core.start`,
:mod:`balance_cam.core.metrics`, :mod:`balance_cam.core.quality`, :mod:`balance_cam.core.posture`,
:mod:`balance_cam.core.bess`, :mod:`balance_cam.core.norms`, :mod:`balance_cam.core.summary`,
:mod:`balance_cam.core.filtering` and :mod:`balance_cam.core.config`; this module collects them
so the docs and the HTML report never drift from the code. ``python -m balance_cam.render.definitions``
rewrites the file; a test checks it is current.
"""

from __future__ import annotations

import ast
import inspect
import sys
from dataclasses import MISSING, fields
from pathlib import Path

from balance_cam.core import (
    bess,
    config,
    filtering,
    gaps,
    metrics,
    norms,
    posture,
    quality,
    stance,
    start,
    summary,
    touchdown,
)

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"


def field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings (the string literal after each field) of a dataclass."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)):  # fmt: skip
            docs[node.target.id] = " ".join(str(nxt.value.value).split())
    return docs


def _config_table(cls: type) -> str:
    docs = field_docs(cls)
    rows = ["| parameter | default | meaning |", "|---|---|---|"]
    for f in fields(cls):
        default = f.default if f.default is not MISSING else "—"
        rows.append(f"| `{f.name}` | {default} | {docs.get(f.name, '')} |")
    return "\n".join(rows)


def _norms_table() -> str:
    """Every Springer et al. (2007) value with its source label and status, then the sources."""
    rows = ["| condition | statistic | age | women | men | combined |", "|---|---|---|---|---|---|"]

    def cell(v: norms.NormValue | None) -> str:
        return "—" if v is None else f"{v.value_s:g} s ({v.source}, {v.status})"

    for r in norms.SPRINGER_2007:
        rows.append(f"| {r.condition} | {r.statistic.replace('_', ' ')} | {r.age_group} | {cell(r.women)} "
                    f"| {cell(r.men)} | {cell(r.combined)} |")  # fmt: skip
    sources = [f"- **{k}**: {v}" for k, v in norms.SOURCES.items()]
    return "\n".join(rows) + "\n\nSources:\n\n" + "\n".join(sources)


def _touchdown_docs() -> str:
    """The module's docstring, then each kind of evidence's own definition."""
    kinds = (touchdown.Touchdown, touchdown.Landing, touchdown.WeightShift)
    each = [f"**{k.__name__}.** " + inspect.cleandoc(k.__doc__ or "") for k in kinds]
    return "\n\n".join([inspect.cleandoc(touchdown.__doc__ or ""), *each])


def render() -> str:
    parts = [
        "# Definitions\n",
        "Generated from the code's docstrings by `python -m balance_cam.render.definitions`; "
        "do not edit by hand.\n",
        "## Trials and events (`balance_cam/core/stance.py`)\n", inspect.cleandoc(stance.__doc__ or ""),
        "\n### Touchdown evidence (`balance_cam/core/touchdown.py`)\n", _touchdown_docs(),
        "\n### A gap inside a hold (`balance_cam/core/gaps.py`)\n", inspect.cleandoc(gaps.__doc__ or ""),
        "\n### A trial under way at the start (`balance_cam/core/start.py`)\n",
        inspect.cleandoc(start.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.StanceConfig),
        "\n## Sway metrics (`balance_cam/core/metrics.py`)\n", inspect.cleandoc(metrics.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.SwayConfig),
        "\n## Test set-up (`balance_cam/core/config.py`)\n",
        inspect.cleandoc(config.TestConfig.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.TestConfig),
        "\n## Balance quality (`balance_cam/core/quality.py`)\n", inspect.cleandoc(quality.__doc__ or ""),
        "\n### Posture signals (`balance_cam/core/posture.py`)\n", inspect.cleandoc(posture.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.QualityConfig),
        "\n## BESS errors (`balance_cam/core/bess.py`)\n", inspect.cleandoc(bess.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.BessConfig),
        "\n## Norms (`balance_cam/core/norms.py`)\n", inspect.cleandoc(norms.__doc__ or ""),
        "\n### Values\n", _norms_table(),
        "\n## Signal cleaning (`balance_cam/core/filtering.py`)\n", inspect.cleandoc(filtering.__doc__ or ""),
        "\n## Left/right summary and verdict (`balance_cam/core/summary.py`)\n",
        inspect.cleandoc(summary.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.SummaryConfig),
    ]  # fmt: skip
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    text = render()
    if argv and "--check" in argv:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is out of date: run python -m balance_cam.render.definitions", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
