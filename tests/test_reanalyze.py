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


def test_a_full_disk_under_out_loses_neither_the_printed_result_nor_the_history(tmp_path, monkeypatch):
    """--out on a full disk: the JSON is still printed, the session still stored, then one line
    naming the folder and a non-zero exit (found with a 300 kB tmpfs; the disk is simulated here,
    the landmarks are real)."""
    import errno

    import balance_cam.apps.analyze as analyze_app
    from balance_cam.io.history import History

    result, series = analyzed("pose2sim_cam04.mp4")
    write_outputs(tmp_path, "cam04", result, series)

    def full_disk(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(analyze_app, "write_outputs", full_disk)
    db, out = tmp_path / "h.db", tmp_path / "full"
    res = CliRunner().invoke(app, ["analyze", str(tmp_path / "cam04.landmarks.npz"), "--json",
                                   "--out", str(out), "--athlete", "Sam", "--db", str(db)])  # fmt: skip
    assert res.exit_code == 2
    printed = json.loads(res.stdout)
    assert [t["stance"] for t in printed["trials"]] == [t.stance for t in result.trials]
    assert f"--out {out}: the result files could not be written: No space left on device" in res.stderr
    assert "Traceback" not in res.output
    with History(db) as h:
        assert [s["athlete"] for s in h.sessions()] == ["Sam"]
