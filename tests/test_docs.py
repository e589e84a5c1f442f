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


def test_accuracy_rerun_keeps_the_hand_written_sections():
    """docs/accuracy.md is rewritten by benchmarks/accuracy.py, but its closing sections
    (real-world robustness, where the method is weak) are written by hand: the script takes
    them from the doc as it is, so a rerun cannot revert them."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "benchmarks"))  # as tests/test_validation.py imports it
    import accuracy

    doc = (root / "docs" / "accuracy.md").read_text(encoding="utf-8")
    kept = accuracy.hand_written(root / "docs" / "accuracy.md")
    assert kept.startswith("## 5. Real-world robustness") and doc.rstrip("\n").endswith(kept)
    assert "## Where the method is weak" in kept and "held-out" in kept
    source = (root / "benchmarks" / "accuracy.py").read_text(encoding="utf-8")
    assert "## Where the method is weak" not in source  # one copy of the text: the doc's
