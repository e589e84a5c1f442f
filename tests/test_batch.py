"""Batch analysis: file discovery, name patterns, the task function against ``analyze``,
combined tables, history import, and the ``batch`` CLI on a local cluster (real MediaPipe).

The Dask-cluster test with a killed worker is in ``test_batch_dask.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from balance_cam.apps.batch.inputs import BatchError, NamePattern, discover, leg_side, output_stems
from balance_cam.apps.batch.runner import BatchOptions, make_tasks, plan_batch, save_to_history
from balance_cam.apps.batch.tables import athletes_table, errors_table, trials_table, videos_table
from balance_cam.apps.batch.worker import BatchTask, Outcome, analyze_one, looks_like_video
from balance_cam.core.analyzer import analyze_series
from balance_cam.core.config import AnalysisConfig, SummaryConfig
from balance_cam.core.summary import summarize
from tests.conftest import analyzed, sample

CLI = [sys.executable, "-m", "balance_cam.cli"]


# -- names and files ----------------------------------------------------------------------
def test_name_pattern_reads_fields_from_file_names() -> None:
    p = NamePattern.compile("{athlete}_{leg}_{trial}")
    assert p.fields == ("athlete", "leg", "trial")
    assert p.parse("anna-maria_L_3") == {"athlete": "anna-maria", "leg": "L", "trial": "3"}
    assert p.parse("sub/dir/bob_right_1") == {"athlete": "bob", "leg": "right", "trial": "1"}
    assert p.parse("anna_L") is None  # a field missing
    assert p.parse("anna_L_3_retake") is None  # fields never contain the separator


def test_name_pattern_with_folders_and_ignored_parts() -> None:
    p = NamePattern.compile("{athlete}/{}_{leg}")
    assert p.fields == ("athlete", "leg")
    assert p.parse("carla/2024-05-01_R") == {"athlete": "carla", "leg": "R"}
    assert p.parse("2024-05-01_R") is None


def test_a_misspelt_name_field_is_named_before_the_batch_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    assert NamePattern.compile("{athelte}_{Leg}_{trial}_{conditon}").near_misses() == {
        "athelte": "athlete", "Leg": "leg", "conditon": "condition"}  # fmt: skip
    assert NamePattern.compile("{athlete}_{leg}_{trial}_{session}").near_misses() == {}
    assert NamePattern.compile("{athlete}_{athlete_id}_{leg}_{legs}").near_misses() == {}
    with caplog.at_level("WARNING"):
        plan_batch([str(sample("pose_1.mp4"))], BatchOptions(tmp_path / "out", "{athelte}_{}"),
                   AnalysisConfig())  # fmt: skip
    assert "field {athelte} is only a table column; did you mean {athlete}?" in caplog.text


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("plain", "has no field"), ("{a}_{a}", "unique"), ("{athlete}_{hold_s}", "hold_s"),
     ("{athlete}_{leg", "write fields as")],
)  # fmt: skip
def test_bad_name_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(BatchError, match=message):
        NamePattern.compile(pattern)


def test_leg_side_spellings() -> None:
    assert [leg_side(x) for x in ("L", "left", "Lt", "R", "RIGHT", "rt", "x", None)] == [
        "left", "left", "left", "right", "right", "right", None, None]  # fmt: skip


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_folders_globs_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v = tmp_path / "videos"
    a, b, c = _touch(v / "a" / "x.mp4"), _touch(v / "b" / "y.MOV"), _touch(v / "a" / "deep" / "z.mp4")
    _touch(v / "notes.txt")
    _touch(v / ".hidden.mp4")
    _touch(v / "results" / "old.mp4")
    assert discover([v]) == sorted([a, b, c, v / "results" / "old.mp4"])
    assert discover([v], exclude=v / "results") == sorted([a, b, c])
    monkeypatch.chdir(tmp_path)
    assert discover(["videos/**/*.mp4"], exclude="videos/results") == sorted([a, c])
    assert discover(["videos/*/*.mp4"]) == [a, v / "results" / "old.mp4"]
    notes = v / "notes.txt"
    assert discover([notes, a, "videos/a/x.mp4"]) == sorted([notes, a])  # explicit, deduplicated
    with pytest.raises(BatchError, match="no such file or folder"):
        discover(["videos/missing.mp4"])
    with pytest.raises(BatchError, match="no video file matches"):
        discover(["videos/**/*.avi"])


def test_discover_keeps_symlinked_copies(tmp_path: Path) -> None:
    clip = sample("pose_1.mp4")
    for i in range(2):
        (tmp_path / f"copy{i}.mp4").symlink_to(clip)
    assert [p.name for p in discover([tmp_path])] == ["copy0.mp4", "copy1.mp4"]


def test_output_stems_are_relative_and_unique(tmp_path: Path) -> None:
    paths = [tmp_path / "a" / "clip.mp4", tmp_path / "b" / "clip.mp4", tmp_path / "a" / "clip.mov",
             tmp_path / "a" / "other.mp4"]  # fmt: skip
    assert output_stems(paths) == {
        paths[0]: "a/clip.mp4", paths[1]: "b/clip", paths[2]: "a/clip.mov", paths[3]: "a/other",
    }  # fmt: skip


def test_looks_like_video_tells_damaged_from_foreign(tmp_path: Path) -> None:
    head = _touch(tmp_path / "head.mp4", sample("pose2sim_cam01.mp4").read_bytes()[:5000])
    text = _touch(tmp_path / "text.mp4", b"hello, this is not a video\n" * 20)
    assert looks_like_video(head) and looks_like_video(sample("sports2d_demo.mp4"))
    assert not looks_like_video(text)


# -- one video, the same core as `analyze` ------------------------------------------------
def _comparable(result) -> dict:  # noqa: ANN001
    d = result.to_dict(traces=True)
    for key in ("created_at", "batch"):
        d.pop(key, None)
    d["source"] = {k: v for k, v in d["source"].items() if k != "path"}
    return d


@pytest.mark.slow
def test_analyze_one_gives_the_analyze_result_with_a_reused_model(tmp_path: Path) -> None:
    """Two videos through one worker's model (reset in between) equal two fresh `analyze`s."""
    tasks = make_tasks([sample("pose2sim_multiperson_cam01.mp4"), sample("pose2sim_cam01.mp4")],
                       tmp_path, AnalysisConfig())  # fmt: skip
    outcomes = {Path(t.path).name: analyze_one(t) for t in sorted(tasks, key=lambda t: t.stem)}
    for name, outcome in outcomes.items():
        assert outcome.status == "ok", outcome
        written = json.loads((tmp_path / f"{Path(name).stem}.json").read_text())
        expected = analyzed(name)[0]
        assert written["batch"]["input_sha256"] == outcome.sha256
        assert _comparable(outcome.result) == _comparable(replace(expected, trials=tuple(
            replace(t, trace=None) for t in expected.trials)))  # fmt: skip
        assert set(written["files"]) == {"landmarks", "csv", "parquet"}  # the set's commit record
        assert {k: v for k, v in written.items() if k not in ("created_at", "batch", "source", "files")} \
            == {k: v for k, v in expected.to_dict(traces=True).items()
                if k not in ("created_at", "source")}  # fmt: skip
    assert outcomes["pose2sim_cam01.mp4"].result.trials, "the balancing clip has a trial"
    assert (tmp_path / "pose2sim_cam01.frames.parquet").exists()


def test_analyze_one_records_bad_files_without_raising(tmp_path: Path) -> None:
    cases = {
        "empty.mp4": (b"", "empty"),
        "text.mp4": (b"not a video at all\n" * 10, "not_a_video"),
        "cut.mp4": (sample("pose2sim_cam01.mp4").read_bytes()[:20000], "corrupt"),
    }
    for name, (data, kind) in cases.items():
        task = BatchTask(str(_touch(tmp_path / name, data)), Path(name).stem, str(tmp_path / "out"))
        outcome = analyze_one(task)
        assert (outcome.status, outcome.error_kind) == ("failed", kind), outcome
        assert outcome.reason and not outcome.reason.startswith(str(tmp_path))
    gone = analyze_one(BatchTask(str(tmp_path / "gone.mp4"), "gone", str(tmp_path / "out")))
    assert (gone.status, gone.error_kind) == ("failed", "missing")
    assert not (tmp_path / "out").exists()


# -- combined tables ----------------------------------------------------------------------
def _outcome(name: str, stem: str, names: dict[str, str] | None, result=None) -> Outcome:  # noqa: ANN001
    result = result if result is not None else analyzed(name)[0]
    return Outcome(f"/v/{stem}.mp4", stem, "ok", names=names, sha256="0" * 64,
                   frames=result.frames_decoded, result=result)  # fmt: skip


@pytest.mark.slow
def test_tables_rows_and_per_athlete_summary_reuse_summarize() -> None:
    left, series = analyzed("pose2sim_cam01.mp4")
    right = analyze_series(series.mirrored())  # the same balance on the other leg
    assert [t.stance for t in left.trials] == ["left"] and [t.stance for t in right.trials] == ["right"]
    names = ("athlete", "leg", "trial")
    outcomes = [
        _outcome("", "anna_L_1", {"athlete": "anna", "leg": "L", "trial": "1"}, left),
        _outcome("", "anna_R_1", {"athlete": "anna", "leg": "R", "trial": "1"}, right),
        _outcome("", "bob_R_1", {"athlete": "bob", "leg": "R", "trial": "1"}, left),
        Outcome("/v/bob_L_2.mp4", "bob_L_2", "failed", {"athlete": "bob", "leg": "L", "trial": "2"},
                error_kind="corrupt", reason="cannot decode video"),
    ]  # fmt: skip
    trials = trials_table(outcomes, names)
    assert list(trials["stem"]) == ["anna_L_1", "anna_R_1", "bob_R_1"]
    assert list(trials["stance_matches_leg"]) == [True, True, False]
    assert trials.loc[0, "hold_s"] == pytest.approx(left.trials[0].hold_s)
    assert trials.loc[1, "ml_rms_cm"] == pytest.approx(right.trials[0].sway.ml_rms_cm)
    assert {"ellipse95_area_cm2", "path_length_ll", "fs_hz", "trial", "trial_index"} <= set(trials)

    cfg = SummaryConfig(age=30)
    athletes = athletes_table(outcomes, names, cfg).set_index("athlete")
    expected = summarize([left.trials[0], replace(right.trials[0], index=1)], cfg)
    anna = athletes.loc["anna"]
    assert anna["verdict"] == expected.verdict
    assert anna["hold_asymmetry_pct"] == pytest.approx(expected.hold_asymmetry_pct, nan_ok=True)
    assert (anna["left_best_file"], anna["right_best_file"]) == ("anna_L_1", "anna_R_1")
    assert anna["flags"] == "; ".join(expected.flags)
    assert (athletes.loc["bob", "n_videos"], athletes.loc["bob", "n_failed"]) == (2, 1)

    videos = videos_table(outcomes, names)
    assert list(videos["status"]) == ["ok", "ok", "failed", "ok"]  # sorted by file
    assert str(videos["n_trials"].dtype) == "Int64" and pd.isna(videos.loc[2, "n_trials"])
    errors = errors_table(outcomes, names)
    assert errors[["stem", "error_kind", "athlete"]].values.tolist() == [["bob_L_2", "corrupt", "bob"]]


def test_tables_are_well_formed_when_empty() -> None:
    assert list(errors_table([], ("athlete",)).columns) == ["file", "stem", "athlete", "status",
                                                           "error_kind", "reason"]  # fmt: skip
    assert len(trials_table([])) == 0 and "hold_s" in trials_table([]).columns


@pytest.mark.slow
def test_save_to_history_adds_each_result_once(tmp_path: Path) -> None:
    from balance_cam.io.history import History

    result = analyzed("pose2sim_cam01.mp4")[0]
    other = replace(result, source={**result.source, "path": "/v/x.mp4"})
    outcomes = [_outcome("", "anna_L_1", {"athlete": "anna"}, result), _outcome("", "x", None, other)]
    db = tmp_path / "h.db"
    assert save_to_history(outcomes, tmp_path, db) == 2
    assert save_to_history(outcomes, tmp_path, db) == 0
    with History(db) as h:
        rows = h.trials(athlete="anna")
        assert [(r["kind"], r["stance"]) for r in rows] == [("batch", "left")]
        assert len(h.sessions()) == 2


# -- the CLI on a local cluster -----------------------------------------------------------
def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def _faststart_truncated(src: Path, dst: Path, tmp: Path) -> Path:
    """An MP4 damaged part-way: index first (faststart), then cut at 60 % of the bytes."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        if os.environ.get("CI"):
            pytest.fail("ffmpeg is required in CI")
        pytest.skip("ffmpeg not installed")
    full = tmp / "faststart.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(src), "-c", "copy", "-movflags",
                    "+faststart", str(full)], check=True, timeout=120)  # fmt: skip
    data = full.read_bytes()
    return _touch(dst, data[: int(len(data) * 0.6)])


@pytest.mark.slow
def test_batch_cli_bad_files_tables_and_resume(tmp_path: Path) -> None:
    v = tmp_path / "videos"
    v.mkdir()
    shutil.copy(sample("pose_1.mp4"), v / "bob_R_1.mp4")
    shutil.copy(sample("pose2sim_cam01.mp4"), v / "anna_L_1.mp4")
    _touch(v / "anna_L_2.mp4", b"")  # empty
    _touch(v / "anna_L_3.mp4", b"this is a text file\n" * 50)  # not a video
    _touch(v / "carl_L_1.mp4", sample("pose2sim_cam01.mp4").read_bytes()[:30000])  # corrupt
    _faststart_truncated(sample("pose2sim_cam01.mp4"), v / "carl_R_2.mp4", tmp_path)  # partial
    _touch(v / "notes.txt", b"ignored: no video suffix")
    args = ["batch", "videos", "--out", "out", "--name-pattern", "{athlete}_{leg}_{trial}",
            "--workers", "2", "--quiet"]  # fmt: skip

    first = _run(args, tmp_path)
    assert first.returncode == 5, first.stderr
    out = tmp_path / "out"
    errors = pd.read_csv(out / "batch_errors.csv").set_index("stem")
    assert errors["error_kind"].to_dict() == {
        "anna_L_2": "empty", "anna_L_3": "not_a_video", "carl_L_1": "corrupt", "carl_R_2": "partial"}
    assert "traceback" not in first.stderr.lower()
    assert "carl_L_1.mp4: corrupt" in first.stderr  # one line per failed file
    videos = pd.read_parquet(out / "batch_videos.parquet").set_index("stem")
    assert len(videos) == 6 and "notes" not in videos.index
    assert videos.loc["anna_L_1", "status"] == "ok" and videos.loc["carl_R_2", "status"] == "partial"
    assert "lift not seen" in videos.loc["bob_R_1", "warnings"]  # pose_1 starts on one leg
    assert videos.loc["anna_L_1", "warnings"] in ("", None)  # lift seen, one shot, 60 fps, feet in view
    trials = pd.read_csv(out / "batch_trials.csv")
    assert (trials["athlete"] == "anna").any() and set(trials["leg"]) <= {"L", "R"}
    parquet = pd.read_parquet(out / "batch_trials.parquet")
    assert list(parquet.columns) == list(trials.columns) and list(parquet["stem"]) == list(trials["stem"])
    numbers = parquet.select_dtypes("number").columns
    assert "ml_rms_cm" in numbers
    pd.testing.assert_frame_equal(parquet[numbers], trials[numbers], check_dtype=False)
    anna = json.loads((out / "anna_L_1.json").read_text())
    assert anna["trials"][0]["stance"] == "left" and anna["batch"]["names"]["athlete"] == "anna"
    assert (out / "carl_R_2.json").exists() and not (out / "anna_L_2.json").exists()
    assert json.loads((out / "batch_run.json").read_text())["failed"] == 3

    mtime = (out / "bob_R_1.json").stat().st_mtime_ns
    shutil.copy(sample("pose2sim_cam02.mp4"), v / "anna_L_1.mp4")  # changed content
    db = tmp_path / "history.db"
    second = _run([a for a in args if a != "--quiet"] + ["--resume", "--save-history", "--db", str(db)],
                  tmp_path)  # progress bar; also loads the results into the history  # fmt: skip
    assert second.returncode == 5, second.stderr
    assert "6/6" in second.stderr and "4 failed" in second.stderr  # failed or partial
    assert "carl_R_2.mp4: partial" in second.stderr  # one unwrapped line per file
    videos = pd.read_csv(out / "batch_videos.csv").set_index("stem")
    assert videos.loc["bob_R_1", "status"] == "skipped"
    assert videos.loc["carl_R_2", "status"] == "partial"  # skipped, still reported as partial
    assert videos.loc["anna_L_1", "status"] == "ok"  # re-analysed: the file changed
    assert (out / "bob_R_1.json").stat().st_mtime_ns == mtime
    assert json.loads((out / "anna_L_1.json").read_text())["source"]["codec"] == "vp9"
    assert len(pd.read_csv(out / "batch_trials.csv").query("stem == 'bob_R_1'")) >= 1
    from balance_cam.io.history import History

    with History(db) as h:  # ok, skipped (resumed) and partial results; athlete from the name
        sessions = h.sessions()
        assert sorted(Path(s["source"]).name for s in sessions) == ["anna_L_1.mp4", "bob_R_1.mp4",
                                                                    "carl_R_2.mp4"]  # fmt: skip
        assert {s["athlete"] for s in sessions} == {"anna", "bob", "carl"}
        assert {s["kind"] for s in sessions} == {"batch"}
    assert "history: 3 session(s) added" in second.stdout


def test_batch_cli_bad_input_exit_codes(tmp_path: Path) -> None:
    missing = _run(["batch", "nothing_here", "--out", "out"], tmp_path)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    _touch(tmp_path / "v" / "a.mp4")
    bad = _run(["batch", "v", "--out", "out", "--name-pattern", "nofields"], tmp_path)
    assert bad.returncode == 2 and "has no field" in bad.stderr


@pytest.mark.slow
def test_batch_cli_ctrl_c_keeps_finished_results_and_resume_completes(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it."""
    v = tmp_path / "videos"
    v.mkdir()
    stems = [f"clip{i}" for i in range(8)]
    for i, stem in enumerate(stems):
        (v / f"{stem}.mp4").symlink_to(sample(["pose2sim_cam01.mp4", "pose_1.mp4"][i % 2]))
    out = tmp_path / "out"
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.Popen([*CLI, "batch", "videos", "--out", "out", "--workers", "2", "--quiet"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not any(out.glob("*.landmarks.npz")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr, stderr
    videos = pd.read_csv(out / "batch_videos.csv").set_index("stem")
    done = set(videos.index[videos["status"] == "ok"])
    assert done and set(videos["status"]) <= {"ok", "not_run"}, (videos["status"], stderr)
    assert len(videos) == len(stems)
    assert f"{len(done)} ok" in stdout
    for stem in done:  # every finished result is complete and readable
        assert json.loads((out / f"{stem}.json").read_text())["frames_decoded"] > 0
    resumed = _run(["batch", "videos", "--out", "out", "--workers", "2", "--resume", "--quiet"],
                   tmp_path)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    videos = pd.read_csv(out / "batch_videos.csv").set_index("stem")
    assert set(videos.loc[sorted(done), "status"]) == {"skipped"}
    assert set(videos["status"]) <= {"ok", "skipped"} and sorted(videos.index) == stems


@pytest.mark.slow
def test_worker_memory_stays_flat_over_many_videos(tmp_path: Path) -> None:
    """Frames are not kept: eight videos in one worker use no more memory than two."""
    (task,) = make_tasks([sample("pose_1.mp4")], tmp_path, AnalysisConfig())
    rss = [analyze_one(task).worker_rss_mb for _ in range(8)]
    # one 576x576 clip is 120 MB of RGB frames: keeping them would add 600 MB by the end;
    # the allocator's own slack (glibc keeps up to 64 MiB free, fragmentation) is below 150 MB
    assert max(rss[5:]) < max(rss[:3]) + 150, rss


def test_local_worker_count_is_capped_by_cores_and_videos() -> None:
    from balance_cam.apps.batch.cluster import local_worker_count

    assert local_worker_count(None, 10, 2) == 2  # default: one per core
    assert local_worker_count(1000, 10, 2) == 2  # never more than the cores
    assert local_worker_count(4, 3, 8) == 3  # nor than the videos
    assert local_worker_count(2, 0, 2) == 1 and local_worker_count(None, None, 4) == 4


@pytest.mark.slow
def test_batch_with_far_more_workers_than_cores_runs_on_the_cores(tmp_path: Path) -> None:
    v = tmp_path / "videos"
    v.mkdir()
    shutil.copy(sample("pose_1.mp4"), v / "a.mp4")
    proc = _run(["batch", "videos", "--out", "out", "--workers", "1000"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "--workers 1000: this machine has" in proc.stderr and "traceback" not in proc.stderr.lower()
    said = proc.stdout + proc.stderr
    assert "1 video on 1 worker in" in said, said  # one video, one worker
    assert (tmp_path / "out" / "a.json").exists()


def test_save_history_without_an_athlete_name_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Sessions stored with no --athlete and no {athlete} field are anonymous: one warning
    (here, before the missing input ends the run)."""
    from typer.testing import CliRunner

    from balance_cam.cli import app

    base = ["batch", str(tmp_path / "missing.mp4"), "--out", str(tmp_path / "o"), "--save-history",
            "--db", str(tmp_path / "h.db")]  # fmt: skip
    with caplog.at_level("WARNING"):
        assert CliRunner().invoke(app, base).exit_code == 2
        assert "stored without a name" in caplog.text
        caplog.clear()
        assert CliRunner().invoke(app, [*base, "--name-pattern", "{athlete}_{leg}"]).exit_code == 2
        assert "stored without a name" not in caplog.text
