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
