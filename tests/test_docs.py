"""Docs built from docstrings stay current, so the definitions have one source of truth."""

from balance_cam.render import definitions as docgen


def test_definitions_doc_is_current():
    assert docgen.main(["--check"]) == 0, "run: python -m balance_cam.render.definitions"


def test_every_config_field_is_documented():
    from balance_cam.core import config

    for cls in (config.StanceConfig, config.SwayConfig, config.SummaryConfig, config.TestConfig,
                config.QualityConfig, config.BessConfig):
        docs = docgen.field_docs(cls)
        missing = [f for f in cls.__dataclass_fields__ if f not in docs]
        assert not missing, f"{cls.__name__}: undocumented {missing}"


def test_accuracy_doc_ends_with_the_generator_s_text():
    """docs/accuracy.md is rewritten by benchmarks/accuracy.py: its hand-written closing
    sections (robustness, where the method is weak) live in that script and must match the
    doc, or the next run of the script silently reverts them."""
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("bc_accuracy_bench", root / "benchmarks" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.modules.pop(spec.name, None)
    doc = (root / "docs" / "accuracy.md").read_text(encoding="utf-8")
    assert doc.endswith("\n".join([bench.ROBUSTNESS, bench.LIMITS]) + "\n"), \
        "edit ROBUSTNESS/LIMITS in benchmarks/accuracy.py and docs/accuracy.md alike"
