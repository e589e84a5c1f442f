"""Build ``docs/definitions.md`` from the code's own docstrings (one source of truth).

The definitions of events, metrics, the summary and every configurable threshold live in the
docstrings of :mod:`balance_cam.core.stance`, :mod:`balance_cam.core.metrics`,
:mod:`balance_cam.core.summary`, :mod:`balance_cam.core.filtering` and
:mod:`balance_cam.core.config`; this module collects them so the
docs and the HTML report never drift from the code. ``python -m balance_cam.render.definitions`` rewrites
the file; a test checks it is current.
"""

from __future__ import annotations

import ast
import inspect
import sys
from dataclasses import MISSING, fields
from pathlib import Path

from balance_cam.core import config, filtering, metrics, stance, summary

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


def render() -> str:
    parts = [
        "# Definitions\n",
        "Generated from the code's docstrings by `python -m balance_cam.render.definitions`; "
        "do not edit by hand.\n",
        "## Trials and events (`balance_cam/core/stance.py`)\n", inspect.cleandoc(stance.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.StanceConfig),
        "\n## Sway metrics (`balance_cam/core/metrics.py`)\n", inspect.cleandoc(metrics.__doc__ or ""),
        "\n### Parameters\n", _config_table(config.SwayConfig),
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
