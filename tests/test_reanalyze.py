"""`analyze` on saved landmarks recomputes the same result without running pose."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from balance_cam.cli import app
from balance_cam.io.results import write_outputs
from tests.conftest import analyzed


def test_saved_landmarks_give_the_same_trials_and_can_go_to_history(tmp_path):
    result, series = analyzed("pose2sim_cam04.mp4")
    write_outputs(tmp_path, "cam04", result, series)
    runner = CliRunner()
    db = tmp_path / "h.db"
    res = runner.invoke(app, ["analyze", str(tmp_path / "cam04.landmarks.npz"), "--json",
                              "--athlete", "Zed", "--db", str(db)])  # fmt: skip
    assert res.exit_code == 0, res.output
    again = json.loads(res.stdout)
    assert [(t["stance"], t["start_s"], t["end_s"], t["stop_reason"]) for t in again["trials"]] == [
        (t.stance, round(t.start_s, 6), round(t.end_s, 6), t.stop_reason) for t in result.trials
    ]
    assert again["trials"][0]["sway"]["angle_rms_deg"] == round(result.trials[0].sway.angle_rms_deg, 6)
    from balance_cam.io.history import History

    with History(db) as h:
        assert [s["athlete"] for s in h.sessions()] == ["Zed"]


def test_saved_landmarks_refuse_video_only_options(tmp_path):
    result, series = analyzed("pose2sim_cam04.mp4")
    write_outputs(tmp_path, "cam04", result, series)
    res = CliRunner().invoke(app, ["analyze", str(tmp_path / "cam04.landmarks.npz"), "--annotate",
                                   str(tmp_path / "x.mp4")])  # fmt: skip
    assert res.exit_code == 2
