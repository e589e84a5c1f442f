"""The JSON contract (:mod:`balance_cam.core.results`): round trip, NaN as null, schema version."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from balance_cam.core.config import AnalysisConfig, SummaryConfig
from balance_cam.core.results import (
    SCHEMA_VERSION,
    AnalysisResult,
    ResultFormatError,
    SwayMetrics,
    SwayTrace,
    Trial,
)
from balance_cam.core.summary import summarize

REQUIRED_SWAY = ("ml_rms_cm", "ml_range_cm", "path_length_cm", "mean_velocity_cm_s",
                 "angle_rms_deg", "angle_range_deg", "ellipse95_area_cm2")  # fmt: skip


def make_result() -> AnalysisResult:
    sway = replace(SwayMetrics.empty(), ml_rms_cm=1.25, ml_range_cm=4.5, path_length_cm=30.0,
                   mean_velocity_cm_s=2.0, angle_rms_deg=0.75, angle_range_deg=3.0,
                   ellipse95_area_cm2=float("nan"), cm_per_leg_length=88.0, n_samples=450,
                   fs_hz=30.0)  # fmt: skip
    trace = SwayTrace(np.array([0.0, 1 / 30]), np.array([0.1, float("nan")]),
                      np.array([0.0, 0.2]), np.array([0.5, 0.25]))  # fmt: skip
    trials = (Trial(0, "left", 1.5, 16.5, "touchdown", sway, start_frame=45, end_frame=495,
                    trace=trace),
              Trial(1, "right", 20.0, 26.0, "end_of_video", sway, lift_observed=False))  # fmt: skip
    return AnalysisResult(
        source={"path": "clip.mp4", "fps": 30.0, "frames": 900, "duration_s": 30.0,
                "width": 1080, "height": 1920, "rotation": 90},
        model={"backend": "mediapipe-legacy", "name": "full"}, trials=trials,
        summary=summarize(trials, SummaryConfig(age=50)), frames_decoded=900,
        frames_with_person=880, config=AnalysisConfig().to_dict(), tool_version="0.1.0",
        created_at="2026-01-01T00:00:00+00:00", warnings=("something odd",), complete=False,
        extra={"batch": {"file": 3}},
    )  # fmt: skip


def test_json_round_trip_is_lossless():
    r = make_result()
    text = r.to_json(traces=True)
    back = AnalysisResult.from_json(text)
    assert back.to_json(traces=True) == text
    assert back.trials[0].hold_s == 15.0 and back.trials[1].lift_observed is False
    assert back.summary.verdict == r.summary.verdict and back.summary.flags == r.summary.flags
    assert back.extra == {"batch": {"file": 3}} and back.complete is False
    np.testing.assert_array_equal(back.trials[0].trace.ml_cm, [0.1, np.nan])


def test_json_contract_fields_and_nan_as_null():
    d = json.loads(make_result().to_json())
    assert d["schema_version"] == SCHEMA_VERSION and d["tool_version"] == "0.1.0"
    assert set(d["source"]) >= {"path", "fps", "frames", "duration_s", "width", "height",
                                "rotation"}  # fmt: skip
    t = d["trials"][0]
    assert (t["stance"], t["start_s"], t["end_s"], t["hold_s"], t["stop_reason"]) == (
        "left", 1.5, 16.5, 15.0, "touchdown")
    assert set(REQUIRED_SWAY) <= set(t["sway"])
    assert t["sway"]["ellipse95_area_cm2"] is None  # NaN is written as null
    assert "trace" not in t  # traces only on request
    assert d["summary"]["left"]["best_hold_s"] == 15.0 and "verdict" in d["summary"]
    assert d["batch"] == {"file": 3}
    assert "NaN" not in make_result().to_json(traces=True)


def test_schema_major_version_is_checked():
    d = json.loads(make_result().to_json())
    d["schema_version"] = "1.7"  # minor additions stay readable
    assert AnalysisResult.from_dict(d).schema_version == "1.7"
    d["schema_version"] = "2.0"
    with pytest.raises(ValueError, match="schema 2.0 is not readable"):
        AnalysisResult.from_dict(d)
    del d["schema_version"]
    with pytest.raises(ValueError, match="not readable"):
        AnalysisResult.from_dict(d)


def test_a_damaged_result_is_one_format_error_naming_what_is_wrong():
    good = json.loads(make_result().to_json())
    cases = [("[1, 2]", "a JSON array, not an object"), (7, "not JSON text .a int"), ("{bad", "not JSON"),
             (json.dumps({k: v for k, v in good.items() if k != "summary"}), "field .summary. is missing"),
             (json.dumps({**good, "trials": [{**good["trials"][0], "stance": "both"}]}), "stance must be"),
             (json.dumps({**good, "trials": 3}), "'trials' is a JSON number, not array"),
             (json.dumps({**good, "source": "clip.mp4"}), "'source' is a JSON string, not object"),
             (json.dumps({**good, "complete": 1}), "'complete' is a JSON number, not boolean"),
             (json.dumps({**good, "frames_decoded": True}), "'frames_decoded' is a JSON boolean, not number"),
             (json.dumps({**good, "trials": [7]}), "trial 1 is a JSON number, not object"),
             ("[" * 100_000, "nested too deeply"),
             ('{"schema_version": "1.3", "source": ' + "[" * 100_000, "nested too deeply")]  # fmt: skip
    for text, message in cases:
        with pytest.raises(ResultFormatError, match=message):
            AnalysisResult.from_json(text)


def test_trial_validation():
    sway = SwayMetrics.empty()
    with pytest.raises(ValueError, match="stance must be 'left' or 'right'"):
        Trial(0, "both", 0.0, 1.0, "touchdown", sway)
    with pytest.raises(ValueError, match="before start_s"):
        Trial(0, "left", 2.0, 1.0, "touchdown", sway)
    assert math.isnan(SwayMetrics.empty().ml_rms_cm) and SwayMetrics.empty().n_samples == 0
