"""Bad option values, outputs over inputs, hostile text and the exit codes of the issue's table,
through the CLI's own entry (:func:`balance_cam.cli.run`, in-process: seconds in all).

Every refusal is one ``balance-cam: error:`` line with exit 2, and happens before the work.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from balance_cam import cli
from balance_cam.apps.batch.tables import write_tables
from balance_cam.apps.batch.worker import Outcome
from balance_cam.io.files import neutralize_cell, write_csv
from balance_cam.io.history import History
from balance_cam.io.landmarks import save_series
from tests.conftest import ROOT, analyzed, sample


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("balance-cam: error: "), err
    assert all(f in lines[0] for f in fragments), (fragments, err)


@pytest.fixture(scope="module")
def npz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Saved landmarks of a real clip: ``analyze`` on them needs no pose model."""
    _, series = analyzed("pose_1.mp4")
    path = tmp_path_factory.mktemp("lm") / "clip.landmarks.npz"
    save_series(series, path)
    return path


# -- option values ----------------------------------------------------------------------------
BAD_VALUES = [
    ("--limit", "0", "(0, 600]"), ("--limit", "-5", "(0, 600]"), ("--limit", "nan", "(0, 600]"),
    ("--limit", "inf", "(0, 600]"), ("--limit", "1e309", "(0, 600]"), ("--limit", "601", "(0, 600]"),
    ("--height-cm", "0", "[50, 250]"), ("--height-cm", "-170", "[50, 250]"),
    ("--height-cm", "10000", "[50, 250]"), ("--height-cm", "nan", "[50, 250]"),
    ("--age", "-3", "[5, 120]"), ("--age", "200", "[5, 120]"), ("--age", "nan", "integer"),
]  # fmt: skip
COMMANDS = {
    "analyze": ["analyze", "clip.mp4"],
    "live": ["live", "--camera", "clip.mp4", "--no-window"],
    "batch": ["batch", "videos", "--out", "out"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("option", "value", "allowed"), BAD_VALUES)
def test_bad_option_values_are_one_line_exit_2(command: str, option: str, value: str, allowed: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, out, err = run([*COMMANDS[command], option, value], capsys)
    assert code == 2 and out == ""
    one_error_line(err, option, allowed)


@pytest.mark.parametrize(("args", "allowed"), [
    (["live", "--trials", "0"], "[1, 10]"), (["live", "--trials", "11"], "[1, 10]"),
    (["batch", "v", "--out", "o", "--workers", "0"], "[1, 1024]"),
    (["models", "download", "lite", "--timeout", "nan"], "(0, 3600]"),
    (["analyze", "clip.mp4", "--bogus"], "No such option"),
    (["batch", "v", "--out", "o", "--tls-cert", "c.pem"], "tls://"),
    (["batch", "v", "--out", "o", "--scheduler", "tls://h:8786", "--tls-cert", "c.pem"], "together"),
])  # fmt: skip
def test_other_bad_values_and_unknown_options(args: list[str], allowed: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, _, err = run(args, capsys)
    assert code == 2
    one_error_line(err, allowed)


def test_dashboard_without_bokeh_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "bokeh", None)  # not installed (it is not a dependency)
    code, _, err = run(["batch", "v", "--out", "o", "--dashboard"], capsys)
    assert code == 2
    one_error_line(err, "--dashboard needs the bokeh package")


def test_good_values_pass(npz: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["analyze", npz, "--limit", "600", "--height-cm", "50", "--age", "120", "--json"]
    code, out, _ = run(args, capsys)
    assert code == 0 and '"limit_s": 600.0' in out


# -- outputs over inputs ------------------------------------------------------------------------
def test_every_writing_command_refuses_to_overwrite_an_input(
    tmp_path: Path, npz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "in.mp4"
    video.write_bytes(sample("pose_1.mp4").read_bytes())
    lm = tmp_path / "clip.landmarks.npz"
    lm.write_bytes(npz.read_bytes())
    db = tmp_path / "h.db"
    History(db).close()
    result = tmp_path / "r.json"
    assert run(["analyze", lm, "--out", tmp_path / "res"], capsys)[0] == 0
    result.write_bytes((tmp_path / "res" / "clip.json").read_bytes())
    (tmp_path / "link.mp4").symlink_to(video)
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "a.mp4").symlink_to(video)
    cases = [
        ["analyze", video, "--annotate", video],
        ["analyze", video, "--annotate", tmp_path / "link.mp4"],  # through a symlink: same inode
        ["analyze", lm, "--out", tmp_path],  # would write clip.landmarks.npz over the input
        ["analyze", lm, "--out", tmp_path / "o", "--athlete", "a", "--db", tmp_path / "o" / "clip.json"],
        ["report", result, "--out", result],
        ["report", result, "--out", tmp_path / "." / "r.json"],
        ["report", "--athlete", "a", "--db", db, "--out", db],
        ["history", "--db", db, "--csv", db],
        ["live", "--camera", video, "--no-window", "--db", tmp_path / "o2" / "in.json",
         "--out", tmp_path / "o2"],
        ["batch", tmp_path / "v", "--out", tmp_path / "v" / "a.mp4"],  # --out a file: refused before work
        ["models", "download", "lite", "--dir", tmp_path, "--force",
         "--url", (tmp_path / "pose_landmarker_lite.task").as_uri()],
    ]  # fmt: skip
    (tmp_path / "pose_landmarker_lite.task").write_bytes(b"a mirror")
    before = {p: p.read_bytes() for p in (video, lm, db, result, tmp_path / "pose_landmarker_lite.task")}
    for args in cases:
        code, out, err = run(args, capsys)
        assert code == 2, (args, err)
        one_error_line(err)
        assert "same file" in err or "not a folder" in err, err
    assert {p: p.read_bytes() for p in before} == before


def test_out_errors_come_before_the_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import balance_cam.apps.analyze as analyze

    monkeypatch.setattr(analyze, "create_backend", lambda *a, **k: pytest.fail("the analysis started"))
    (tmp_path / "file").write_text("x")
    for args in (["analyze", sample("pose_1.mp4"), "--out", tmp_path / "file"],
                 ["analyze", sample("pose_1.mp4"), "--out", tmp_path / "file" / "sub"],
                 ["analyze", sample("pose_1.mp4"), "--annotate", tmp_path]):  # fmt: skip
        code, _, err = run(args, capsys)
        assert code == 2
        one_error_line(err)


# -- exit codes of the table --------------------------------------------------------------
def test_truncated_landmarks_file_is_exit_2(
    tmp_path: Path, npz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = npz.read_bytes()
    for name, cut in (("head.landmarks.npz", data[:5000]), ("tail.landmarks.npz", data[:-10])):
        (tmp_path / name).write_bytes(cut)
        code, _, err = run(["analyze", tmp_path / name], capsys)
        assert code == 2
        one_error_line(err, "not a balance-cam landmarks file")


def test_person_index_beyond_what_the_model_finds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from balance_cam.pose.install import build_full_bundle

    bundle = build_full_bundle(tmp_path)
    code, _, err = run(["analyze", sample("pose2sim_multiperson_cam01.mp4"), "--model", bundle,
                        "--person", "99"], capsys)  # fmt: skip
    assert code == 2 and "no person detected" not in err
    one_error_line(err, "--person 99", "0 to 2")


def test_no_person_for_an_index_never_seen_names_the_people_seen() -> None:
    from balance_cam.apps.analyze import _no_person
    from balance_cam.apps.errors import NoPersonError

    class Backend:
        most_people = 2

    plain = NoPersonError("clip.mp4: no person detected in 100 frames")
    assert "0 to 1" in str(_no_person(plain, Backend(), "2"))  # type: ignore[arg-type]
    assert _no_person(plain, Backend(), "1") is plain  # somebody was there: the plain message


def test_nothing_is_written_beside_a_users_model_nor_recorded_before_it_loads(tmp_path: Path) -> None:
    from balance_cam.pose.base import PoseError
    from balance_cam.pose.install import build_full_bundle
    from balance_cam.pose.registry import read_manifest
    from balance_cam.pose.tasks import TasksPoseBackend

    models = tmp_path / "models"
    bundle = build_full_bundle(models)
    user = tmp_path / "mine"
    user.mkdir()
    (user / "x.task").write_bytes(bundle.read_bytes())
    foreign = user / "manifest.json"
    foreign.write_text('{"x.task": "their own format"}')
    TasksPoseBackend(str(user / "x.task"), models_dir=models).close()
    assert foreign.read_text() == '{"x.task": "their own format"}'
    assert sorted(p.name for p in user.iterdir()) == ["manifest.json", "x.task"]
    (models / "broken.task").write_bytes(b"not a model bundle")
    with pytest.raises(PoseError):
        TasksPoseBackend(str(models / "broken.task"), models_dir=models)
    assert "broken.task" not in read_manifest(models)
    (models / "copy.task").write_bytes(bundle.read_bytes())  # copied in by hand: recorded once loaded
    TasksPoseBackend(str(models / "copy.task"), models_dir=models).close()
    assert read_manifest(models)["copy.task"]["source"] == "recorded on first use"


def test_missing_named_input_is_a_row_of_the_errors_table(tmp_path: Path) -> None:
    from balance_cam.apps.batch.runner import BatchOptions, plan_batch
    from balance_cam.apps.batch.worker import analyze_one
    from balance_cam.core.config import AnalysisConfig

    (tmp_path / "a.mp4").symlink_to(sample("pose_1.mp4"))
    tasks, _ = plan_batch([tmp_path / "a.mp4", tmp_path / "gone.mp4"], BatchOptions(tmp_path / "out"),
                          AnalysisConfig())  # fmt: skip
    assert sorted(Path(t.path).name for t in tasks) == ["a.mp4", "gone.mp4"]
    gone = analyze_one(next(t for t in tasks if t.path.endswith("gone.mp4")))
    assert (gone.status, gone.error_kind) == ("failed", "missing")


def test_speed_benchmark_makes_its_clip_without_ffmpeg(tmp_path: Path) -> None:
    code = ("import sys, shutil; sys.path.insert(0, 'benchmarks'); assert shutil.which('ffmpeg') is None;"
            "import speed, pathlib; p = speed.make_clip(pathlib.Path(sys.argv[1]), 12);"
            "import av; s = av.open(str(p)).streams.video[0]; print(s.width, s.height, s.frames)")
    env = {**os.environ, "PATH": str(tmp_path)}  # no ffmpeg on it
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.mp4")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.split() == ["640", "480", "12"], proc.stderr


# -- hostile text --------------------------------------------------------------------------------
HOSTILE = ("[bold red]BIG[link=http://x]\x1b]8;;http://evil\x1b\\=HYPERLINK(\"http:evil\";\"x\")\n'; DROP"
           "<script>alert(1)</script>")


def test_hostile_names_stay_inert_in_console_history_and_csv(
    tmp_path: Path, npz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / "[bold red]BIG[link=http:x]\u202e.landmarks.npz"
    name.write_bytes(npz.read_bytes())
    db, csv = tmp_path / "h.db", tmp_path / "trials.csv"
    athlete = HOSTILE + "x" * 250
    code, out, err = run(["analyze", name, "--athlete", athlete, "--db", db], capsys)
    assert code == 0, err
    assert "[bold red]BIG[link=http:x]" in out and "\x1b]" not in out and "\u202e" not in out
    code, out, err = run(["history", "--db", db, "--athlete", athlete, "--csv", csv], capsys)
    assert code == 0, err
    assert "\x1b]" not in out + err, repr(out + err)
    assert "BIG[link=http://x]" in out  # shown as text, not a link
    code, out, _ = run(["history", "--db", db, "--athlete", "[/]x"], capsys)  # was a MarkupError
    assert code == 0 and "No trials in the history for '[/]x'." in out
    cells = pd.read_csv(csv)["athlete"].tolist()
    assert cells and set(cells) == {athlete}  # '[' is harmless in a CSV; the newline stays inside the cell
    with sqlite3.connect(db) as conn:  # SQL text is data: the table and the name are intact
        assert conn.execute("SELECT athlete FROM sessions").fetchall() == [(athlete,)]
    html = tmp_path / "squad.html"
    code, _, err = run(["report", "--athlete", athlete, "--db", db, "--out", html], capsys)
    assert code == 0, err
    text = html.read_text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_csv_cells_that_start_like_a_formula_are_neutralised(tmp_path: Path) -> None:
    values = ("=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "-1.5", "+3", 1, "a=b")
    assert [neutralize_cell(v) for v in values] == [
        "'=1+1", "'+cmd", "'-x", "'@SUM(A1)", "'\tx", "-1.5", "+3", 1, "a=b"]
    write_csv(tmp_path / "h.csv", [{"athlete": '=HYPERLINK("http:evil";"x")', "hold_s": -1.5}])
    row = pd.read_csv(tmp_path / "h.csv").iloc[0]
    assert row["athlete"] == "'=HYPERLINK(\"http:evil\";\"x\")" and row["hold_s"] == -1.5
    evil = '=HYPERLINK("http:evil";"x")_L_1'
    outcomes = [Outcome(f"/v/{evil}.mp4", evil, "failed", names={"athlete": evil}, error_kind="corrupt",
                        reason="x\r=cmd|' /C calc'!A0")]  # fmt: skip
    paths = write_tables(tmp_path, outcomes, ("athlete",))
    errors = pd.read_csv(paths["errors.csv"])
    assert len(errors) == 1, "a bare CR must not split the row"
    assert errors.loc[0, "file"].startswith("'=") or errors.loc[0, "file"].startswith("/v/")
    assert errors.loc[0, "athlete"] == "'" + evil and errors.loc[0, "stem"] == "'" + evil
    athletes = pd.read_csv(paths["athletes.csv"])
    assert athletes.loc[0, "athlete"] == "'" + evil
    assert pd.read_parquet(paths["errors.parquet"]).loc[0, "athlete"] == evil  # Parquet keeps the value


def test_a_damaged_row_in_the_history_is_one_line(tmp_path, npz, capsys):
    """``history``, ``report --athlete`` and ``report --squad`` on a history whose stored trial
    or stored result was damaged: one line naming the session, exit 2, no traceback."""
    commands = (["history"], ["report", "--athlete", "ann", "--out", tmp_path / "r.html"],
                ["report", "--squad", "--out", tmp_path / "s.html"])  # fmt: skip
    damages = (("trials", "trial_json", commands), ("sessions", "result_json", commands[1:]))
    for table, column, readers in damages:
        db = tmp_path / f"{column}.db"
        saved = run(["analyze", npz, "--out", tmp_path / column, "--athlete", "ann", "--db", db], capsys)
        assert saved[0] == 0
        conn = sqlite3.connect(db)
        conn.execute(f"UPDATE {table} SET {column} = 'not json'")
        conn.commit()
        conn.close()
        for args in readers:
            code, _, err = run([*args, "--db", db], capsys)
            assert code == 2, (args, err)
            one_error_line(err, f"session 1 has a damaged stored {column.split('_')[0]}", "JSON")
