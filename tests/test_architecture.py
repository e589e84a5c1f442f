"""The package's layers, read from every module's imports (including those inside functions).

core → io → pose → render → apps → cli: a module may import its own layer and the layers below,
never one above; the core imports the standard library and numpy only; there is no
import circle anywhere; no module is longer than 400 lines. See docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "balance_cam"

#: Layer of each top-level part of the package; lower numbers sit lower in the house.
LAYERS = {"_version": 0, "core": 0, "io": 1, "vision": 1, "pose": 2, "render": 3, "apps": 4,
          "testing": 4, "cli": 5, "__init__": 6}  # fmt: skip
CORE_ALLOWED_THIRD_PARTY = {"numpy"}  # scipy.signal cost ~0.9 s of every analyze (core/butterworth.py)
MAX_LINES = 400


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


def imports_of(path: Path) -> set[str]:
    """Every module name an ``import`` or ``from … import`` in the file names, at any depth;
    ``from pkg import name`` counts as ``pkg.name`` when that is a module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES)
    return found


GRAPH = {m: {i for i in imports_of(p) if i in MODULES and i != m} for m, p in MODULES.items()}


def test_every_part_has_a_layer() -> None:
    unknown = {m.split(".")[1] for m in MODULES if "." in m} - set(LAYERS)
    assert not unknown, f"add these parts of the package to LAYERS: {sorted(unknown)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_goes_up(module: str) -> None:
    up = sorted(i for i in GRAPH[module] if layer_of(i) > layer_of(module))
    assert not up, f"{module} (layer {layer_of(module)}) imports higher layers: {up}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("balance_cam.core")))
def test_core_imports_numpy_and_stdlib_only(module: str) -> None:
    outside = {i.split(".")[0] for i in imports_of(MODULES[module])} - {"balance_cam", "__future__"}
    bad = sorted(outside - CORE_ALLOWED_THIRD_PARTY - set(sys.stdlib_module_names))
    banned = {"sqlite3"} & outside
    assert not bad and not banned, f"{module} imports {bad + sorted(banned)}"
    assert all(i.startswith(("balance_cam.core", "balance_cam._version")) for i in GRAPH[module])


def test_nothing_outside_testing_imports_it() -> None:
    """``testing`` is test material (synthetic clips, the robustness corpus): tests and benchmarks
    use it, the product never does."""
    bad = sorted(f"{m} -> {i}" for m, deps in GRAPH.items() if not m.startswith("balance_cam.testing")
                 for i in deps if i.startswith("balance_cam.testing"))  # fmt: skip
    assert not bad, f"the package imports its test material: {bad}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle() -> None:
    # a package's __init__ re-exporting its own modules is not a circle of code
    graph = {m: {i for i in deps if not (m.startswith(i + ".") and MODULES[i].name == "__init__.py")}
             for m, deps in GRAPH.items()}  # fmt: skip
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_short(module: str) -> None:
    n = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module} has {n} lines (at most {MAX_LINES}): split it by job"


def test_cli_only_parses_and_calls() -> None:
    """The CLI holds no presentation or domain code: no rich, pandas, numpy or cv2 there."""
    outside = {i.split(".")[0] for i in imports_of(MODULES["balance_cam.cli"])}
    assert not outside & {"rich", "pandas", "numpy", "cv2", "av", "sqlite3", "distributed"}
