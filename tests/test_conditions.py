"""Test set-up and balance quality everywhere the result goes: the JSON contract (schema 1.2,
1.0/1.1 files still read), history migration 4 from older databases, the history CSV and
trends per set-up, batch name fields and tables, the console (no pose model: synthetic trials)."""

from __future__ import annotations

import csv
import io
import json
import math
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from balance_cam.apps.batch.inputs import BatchError, NamePattern, condition_of, config_for
from balance_cam.apps.batch.runner import make_tasks
from balance_cam.apps.batch.tables import athletes_table, trials_table
from balance_cam.apps.batch.worker import Outcome
from balance_cam.core.analyzer import measure_trial
from balance_cam.core.config import AnalysisConfig, TestConfig
from balance_cam.core.results import SCHEMA_VERSION, AnalysisResult, SwayMetrics, Trial
from balance_cam.core.sessions import SessionReview, leg_trends, setup_keys, side_rows
from balance_cam.core.stops import TrialSpan
from balance_cam.core.summary import summarize
from balance_cam.io.history import MIGRATIONS, QUALITY_COLUMNS, History
from balance_cam.io.history import SCHEMA_VERSION as DB_VERSION
from balance_cam.render.console import print_result, trend_lines
from balance_cam.testing.landmarks import Keyframe, SynthConfig, make_trial

DEFAULT = TestConfig()


def quality_trial(test: TestConfig = DEFAULT, stance: str = "left", index: int = 0, seed: int = 0) -> Trial:
    keys = (Keyframe("ml", 3.0, 0.4, 0.06), Keyframe("ml", 6.0, 0.4, 0.0),
            Keyframe("arms", 8.0, 0.4, "out"))  # fmt: skip
    cfg_synth = SynthConfig(duration_s=12, noise_ll=0.005, keyframes=keys, seed=seed, stance=stance)
    s = make_trial(cfg_synth).series
    cfg = AnalysisConfig().with_options(test=test)
    return measure_trial(s, TrialSpan(stance, 0.0, float(s.t_s[-1]), "time_limit"), index, cfg)  # type: ignore[arg-type]


def result_of(trials: tuple[Trial, ...], test: TestConfig = DEFAULT) -> AnalysisResult:
    cfg = AnalysisConfig().with_options(test=test)
    return AnalysisResult(
        source={"path": "clip.mp4", "fps": 30.0, "duration_s": 12.0, "width": 1280, "height": 720}, model={},
        trials=trials, summary=summarize(trials), frames_decoded=360, frames_with_person=360,
        config=cfg.to_dict(), tool_version="0.1.0", created_at="2026-02-01T10:00:00+00:00",
    )  # fmt: skip


# -- contract ---------------------------------------------------------------------------------
def test_contract_round_trip_with_quality_fields():
    bess = TestConfig.of(protocol="bess-single")
    r = result_of((quality_trial(bess), quality_trial(bess, "right", 1, 1)), bess)
    text = r.to_json(traces=True)
    back = AnalysisResult.from_json(text)
    assert back.to_json(traces=True) == text and back.schema_version == SCHEMA_VERSION == "1.3"
    t = json.loads(text)["trials"][0]
    assert (t["condition"], t["surface"], t["protocol"], t["hands_on_hips"]) == (
        "eyes-closed", "firm", "bess-single", True)
    assert t["corrections"] == 2 and len(t["correction_times_s"]) == 2
    assert 0 <= t["stable_s"] <= t["hold_s"] and t["stable_reason"] == "arm_reaction"
    assert [set(x) for x in t["sway_by_third"]] == [{"ml_rms_cm", "mean_velocity_cm_s"}] * 3
    assert set(t["sway_last_first_ratio"]) == {"ml_rms", "mean_velocity"}
    assert 0 <= t["errors"] <= 10 and {"t_s", "kind", "kinds"} <= set(t["error_events"][0])
    assert json.loads(text)["summary"]["condition"] == "eyes-closed"
    unipedal = json.loads(result_of((quality_trial(),)).to_json())["trials"][0]
    assert "errors" not in unipedal  # BESS only


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_results_of_schema_1_0_and_1_1_still_read(version):
    d = json.loads(result_of((quality_trial(),)).to_json(traces=True))
    d["schema_version"] = version
    for t in d["trials"]:
        for key in ("condition", "surface", "protocol", "hands_on_hips", "stable_s", "stable_reason",
                    "corrections", "correction_times_s", "sway_by_third", "sway_last_first_ratio"):
            del t[key]
    for key in ("condition", "surface", "protocol"):
        del d["summary"][key]
    d["summary"]["left"] = {k: v for k, v in d["summary"]["left"].items()
                            if k not in ("stable_s", "corrections")}  # fmt: skip
    if version == "1.1":  # the camera and shots blocks of schema 1.1
        d["camera"], d["shots"] = {"moved": False}, {"count": 1, "cuts_s": []}
    r = AnalysisResult.from_dict(d)
    (t,) = r.trials
    assert (t.condition, t.surface, t.protocol, t.hands_on_hips) == ("eyes-open", "firm", "unipedal", False)
    assert math.isnan(t.stable_s) and t.corrections is None and t.sway_by_third == () and t.errors is None
    assert r.summary.test_key == ("eyes-open", "firm", "unipedal") and math.isnan(r.summary.left.stable_s)
    assert version == "1.0" or r.extra["shots"]["count"] == 1
    assert "stable" not in summarize(r.trials).verdict  # unknown stable time is not claimed


def test_trial_validation_of_quality_fields():
    sway = SwayMetrics.empty()
    with pytest.raises(ValueError, match="stable_s must be between 0 and hold_s"):
        Trial(0, "left", 0.0, 5.0, "touchdown", sway, stable_s=6.0)
    with pytest.raises(ValueError, match="corrections must be >= 0"):
        Trial(0, "left", 0.0, 5.0, "touchdown", sway, corrections=-1)
    with pytest.raises(ValueError, match="errors must be between 0 and 10"):
        Trial(0, "left", 0.0, 5.0, "touchdown", sway, errors=11)


# -- history ----------------------------------------------------------------------------------
@pytest.mark.parametrize("old_version", [2, 3])
def test_history_v2_and_v3_databases_migrate_to_4(tmp_path, old_version):
    db = tmp_path / f"v{old_version}.db"
    old = json.loads(result_of((quality_trial(),)).to_json())["trials"][0]
    for key in ("condition", "surface", "protocol", "hands_on_hips", "stable_s", "corrections"):
        del old[key]  # a trial stored before schema 1.2
    closed = {**old, "condition": "eyes-closed", "stable_s": 4.0, "corrections": 3}
    with sqlite3.connect(db) as conn:
        for sql in MIGRATIONS[:old_version]:
            conn.executescript(sql)
        conn.execute(f"PRAGMA user_version = {old_version}")
        conn.execute("INSERT INTO sessions (id, athlete, started_at, kind, complete)"
                     " VALUES (1, 'Sam', '2026', 'live', 1)")
        for i, t in enumerate((old, closed)):
            conn.execute("INSERT INTO trials (session_id, idx, stance, start_s, end_s, hold_s, stop_reason,"
                         " trial_json) VALUES (1, ?, 'left', 0, 11.9, 11.9, 'time_limit', ?)",
                         (i, json.dumps(t)))  # fmt: skip
    conn.close()
    assert DB_VERSION == len(MIGRATIONS) >= 4
    with History(db) as h:
        assert h.version == DB_VERSION
        rows = h.trials()
        got = [(r["condition"], r["surface"], r["protocol"], r["stable_s"], r["corrections"]) for r in rows]
        assert got == [("eyes-open", "firm", "unipedal", None, None),
                       ("eyes-closed", "firm", "unipedal", 4.0, 3)]
        ((_, trials),) = h.session_trials("Sam")
        assert [t.condition for t in trials] == ["eyes-open", "eyes-closed"]


def test_history_stores_quality_and_the_csv_has_it(tmp_path):
    from balance_cam.io.files import write_csv

    bess = TestConfig.of(protocol="bess-single", surface="foam")
    with History(tmp_path / "h.db") as h:
        h.save_result(result_of((quality_trial(bess),), bess), athlete="Sam")
        rows = h.trials("Sam")
    path = write_csv(tmp_path / "h.csv", rows)
    (row,) = list(csv.DictReader(path.open(encoding="utf-8")))
    assert set(QUALITY_COLUMNS) <= set(row)
    assert (row["condition"], row["surface"], row["protocol"], row["hands_on_hips"]) == (
        "eyes-closed", "foam", "bess-single", "1")
    assert int(row["corrections"]) == 2 and 0 <= int(row["errors"]) <= 10 and float(row["stable_s"]) > 0


def test_trends_join_only_sessions_of_the_same_set_up():
    closed = TestConfig.of("eyes-closed")
    reviews = []
    for week, (test, hold) in enumerate([(DEFAULT, 30.0), (closed, 8.0), (DEFAULT, 32.0), (closed, 9.0)]):
        t = replace(quality_trial(test), end_s=hold, stable_s=min(hold, 5.0))
        session = {"id": week, "athlete": "Sam", "started_at": f"2026-01-{1 + 7 * week:02d}"}
        reviews.append(SessionReview.of(session, [t]))
    rows = side_rows(reviews)
    assert setup_keys(rows) == [("eyes-open", "firm", "unipedal"), ("eyes-closed", "firm", "unipedal")]
    open_fit, _ = leg_trends(rows, "left")
    closed_fit, _ = leg_trends(rows, "left", closed.key)
    assert open_fit.n == closed_fit.n == 2
    assert open_fit.slope_per_week == pytest.approx(1.0) and closed_fit.slope_per_week == pytest.approx(0.5)
    lines = trend_lines({("left", k): leg_trends(rows, "left", k) for k in setup_keys(rows)})
    assert lines[0].startswith("left leg trend, 2 sessions: hold +1.00 s/week")
    assert lines[1].startswith("left leg trend (eyes closed, firm), 2 sessions: hold +0.50 s/week")


# -- batch ------------------------------------------------------------------------------------
def test_condition_is_a_name_field_that_sets_the_video_set_up(tmp_path):
    p = NamePattern.compile("{athlete}_{leg}_{condition}")
    assert p.parse("sam_L_EC") == {"athlete": "sam", "leg": "L", "condition": "EC"}
    assert [condition_of(x) for x in ("EO", "ec", "eyes-closed", "closed", "x")] == [
        "eyes-open", "eyes-closed", "eyes-closed", "eyes-closed", None]
    base = AnalysisConfig()
    assert config_for(base, {"condition": "EC"}).test.condition == "eyes-closed"
    assert config_for(base, {"athlete": "sam"}) is base
    with pytest.raises(BatchError, match="'blind' in the file name is not a condition"):
        config_for(base, {"condition": "blind"}, "sam_L_blind.mp4")
    bess = base.with_options(test=TestConfig.of(protocol="bess-single"))
    with pytest.raises(BatchError, match="eyes closed and hands on hips"):
        config_for(bess, {"condition": "EO"}, "x.mp4")
    for name in ("sam_L_EO.mp4", "sam_R_EC.mp4"):
        (tmp_path / name).write_bytes(b"x")
    tasks = make_tasks(sorted(tmp_path.glob("*.mp4")), tmp_path / "out", base, name_pattern=p)
    assert {Path(t.path).name: t.config.test.condition for t in tasks} == {
        "sam_L_EO.mp4": "eyes-open", "sam_R_EC.mp4": "eyes-closed"}


def test_batch_tables_carry_quality_and_never_mix_conditions():
    closed = TestConfig.of("eyes-closed")
    outcomes = [
        Outcome("/v/sam_L_EO.mp4", "sam_L_EO", "ok", {"athlete": "sam", "condition": "EO"},
                result=result_of((quality_trial(),))),
        Outcome("/v/sam_L_EC.mp4", "sam_L_EC", "ok", {"athlete": "sam", "condition": "EC"},
                result=result_of((replace(quality_trial(closed), end_s=6.0, stable_s=4.0),), closed)),
        Outcome("/v/sam_R_EC.mp4", "sam_R_EC", "failed", {"athlete": "sam", "condition": "EC"},
                error_kind="corrupt", reason="cannot decode video"),
    ]  # fmt: skip
    names = ("athlete", "condition")
    trials = trials_table(outcomes, names)
    assert list(trials.columns).count("condition") == 1
    assert list(trials["condition"]) == ["eyes-closed", "eyes-open"]  # spelled out, sorted by file
    assert {"stable_s", "corrections", "errors", "third1_ml_rms_cm", "last_first_ml_rms_ratio"} <= set(trials)
    assert str(trials["corrections"].dtype) == "Int64"
    athletes = athletes_table(outcomes, names)
    assert list(zip(athletes["athlete"], athletes["condition"], strict=True)) == [
        ("sam", "eyes-closed"), ("sam", "eyes-open")]
    ec, eo = athletes.iloc[0], athletes.iloc[1]
    assert ec["left_best_hold_s"] == pytest.approx(6.0)
    assert eo["left_best_hold_s"] == pytest.approx(12 - 1 / 30)
    assert ec["left_stable_s"] == pytest.approx(4.0) and "eyes closed" in ec["verdict"]
    assert int(athletes["n_videos"].sum()) == 3 and int(athletes["n_failed"].sum()) == 1


# -- console ----------------------------------------------------------------------------------
def test_console_shows_set_up_stable_time_and_bess_errors():
    bess = TestConfig.of(protocol="bess-single")
    buf = io.StringIO()
    print_result(result_of((quality_trial(bess), quality_trial(bess, "right", 1, 2)), bess),
                 Console(file=buf, width=80, color_system=None))  # fmt: skip
    text = buf.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for needle in ("Test: BESS single-leg stance (eyes closed, hands on hips), firm surface", "stable",
                   "corr", "errors", "BESS errors", "stable s (best)", "corrections"):
        assert needle in text, needle
    assert np.isfinite(quality_trial().stable_s)


# -- live -------------------------------------------------------------------------------------
def test_live_instructions_name_the_set_up():
    from balance_cam.apps.live.protocol import GuidedProtocol, posture_words

    assert posture_words(DEFAULT) == ""
    words = posture_words(TestConfig.of(protocol="bess-single", surface="foam"))
    assert words == "hands on hips, on the foam pad, close your eyes at the beep"
    protocol = GuidedProtocol(("left",), 1, posture=words)
    protocol.skip(0.0)  # start the countdown
    assert protocol.view(0.5).detail == ("Stand on your LEFT leg, lift your RIGHT foot - hands on hips, "
                                         "on the foam pad, close your eyes at the beep")  # fmt: skip
