"""A history shared by several processes never loses or doubles a trial, and a damaged one is
never written to.

The concurrency test runs the real CLI: four drivers (``analyze --athlete`` twice, ``live
--camera FILE --no-window`` with and without ``--athlete``) save to one ``--db`` over several
rounds while a fifth process holds an exclusive lock for ``HISTORY_LOCK_S`` seconds (40 by
default, as in the issue). Every trial a run reports ends up exactly once in the history or in
a fallback file named on stderr; ``PRAGMA integrity_check`` is ok; importing the fallbacks
leaves every trial exactly once in the history.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from balance_cam.apps.saving import RecordingHistory, save_or_fallback
from balance_cam.io.history import History, HistoryDamaged, HistoryError
from balance_cam.io.landmarks import save_series
from balance_cam.io.unsaved import import_fallback, read_fallback
from tests.conftest import ROOT, analyzed, sample

LOCK_S = float(os.environ.get("HISTORY_LOCK_S", "40"))
CLI = [sys.executable, "-m", "balance_cam.cli"]
ENV = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
LOCKER = [sys.executable, "-m", "tests.helpers.history_lock"]


def _lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    locker = subprocess.Popen([*LOCKER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


@pytest.fixture(scope="module")
def clip_result():  # noqa: ANN201
    result, series = analyzed("pose_1.mp4")
    assert result.trials
    return result, series


# -- damage ------------------------------------------------------------------------------------
def _history_with_sessions(db: Path, result, series, n: int = 4) -> None:  # noqa: ANN001
    with History(db) as h:
        for i in range(n):
            sid = h.start_session(f"athlete{i}", "live")
            for t in result.trials:
                h.add_trial(sid, t, series)  # the landmarks BLOB fills overflow pages
            h.finish_session(sid, result, True)
        h.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file


def _page_of(db: Path, pagetype: str, name: str) -> int:
    conn = sqlite3.connect(db)
    (page,) = conn.execute("SELECT pageno FROM dbstat WHERE pagetype = ? AND name = ? ORDER BY pageno"
                           " LIMIT 1", (pagetype, name)).fetchone()  # fmt: skip
    conn.close()
    return int(page)


def test_damage_is_refused_in_one_line_and_never_written(tmp_path: Path, clip_result) -> None:  # noqa: ANN001
    result, series = clip_result
    db = tmp_path / "h.db"
    _history_with_sessions(db, result, series)
    page = 4096
    cases = {
        "leaf header": ((_page_of(db, "leaf", "sessions") - 1) * page, b"\xff" * 8, "damaged"),
        "overflow chain": ((_page_of(db, "overflow", "trials") - 1) * page, b"\x00\x00\xff\xff",
                           "damaged"),
        "file header": (0, b"not a db at all!", "no SQLite header"),
    }  # fmt: skip
    for label, (offset, data, message) in cases.items():
        bad = tmp_path / f"{label.replace(' ', '_')}.db"
        shutil.copy(db, bad)
        with bad.open("r+b") as f:
            f.seek(offset)
            f.write(data)
        before = bad.read_bytes()
        with pytest.raises(HistoryDamaged, match=message) as err:
            History(bad)
        assert "\n" not in str(err.value) and str(bad) in str(err.value), label
        lines: list[str] = []
        saved = save_or_fallback(result, bad, warn=lines.append, extra_dirs=[tmp_path / "fb"])
        assert saved.session_id is None and saved.fallback is not None and saved.fallback.exists()
        assert len(lines) == 1 and str(saved.fallback) in lines[0]
        assert bad.read_bytes() == before, f"{label}: the damaged file was written to"
        assert not Path(f"{bad}-wal").exists() or Path(f"{bad}-wal").stat().st_size == 0
        for args in (["history", "--db", str(bad)], ["analyze", str(tmp_path / "x.landmarks.npz"),
                                                     "--athlete", "a", "--db", str(bad)]):  # fmt: skip
            proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, cwd=tmp_path)
            assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
            assert "damaged" in proc.stderr and proc.stdout == ""
        assert bad.read_bytes() == before


def _make_read_only(paths: list[Path]) -> list[list[str]]:
    """Commands that undo it. As root, file modes do not stop writes: the immutable attribute
    (``chattr +i``) does; skipped where that is not possible."""
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        return [["chmod", "755" if p.is_dir() else "644", str(p)] for p in paths]
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True).returncode:
        pytest.skip("cannot make a file read-only for root here (no chattr +i)")
    return [[chattr, "-i", *map(str, paths)]]


def test_db_folder_or_read_only_is_one_line_exit_2_before_the_work(tmp_path: Path, clip_result) -> None:  # noqa: ANN001
    result, series = clip_result
    npz = tmp_path / "clip.landmarks.npz"
    save_series(series, npz)
    folder = tmp_path / "adir"
    folder.mkdir()
    ro = tmp_path / "ro" / "h.db"
    History(ro).close()
    undo = _make_read_only([ro, ro.parent])
    try:
        for db, words in ((folder, "is a folder"), (ro, "read-only")):
            for args in (["analyze", str(npz), "--athlete", "a", "--db", str(db), "--json"],
                         ["live", "--camera", str(npz), "--no-window", "--db", str(db)]):  # fmt: skip
                proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, cwd=tmp_path)
                assert proc.returncode == 2, proc.stderr
                assert len(proc.stderr.splitlines()) == 1 and words in proc.stderr, proc.stderr
                assert proc.stdout == ""  # refused before the work: nothing analysed or printed
        lines: list[str] = []
        saved = save_or_fallback(result, ro, warn=lines.append, extra_dirs=[tmp_path / "fb"])
        assert saved.session_id is None and saved.fallback is not None and len(lines) == 1
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=True)


# -- a lock held too long -----------------------------------------------------------------------
def test_live_session_survives_a_locked_history(tmp_path: Path, clip_result) -> None:  # noqa: ANN001
    """Trials keep coming while another process holds the lock: each call returns within the
    short busy timeout, nothing raises, and the session lands in a fallback file whose import
    completes the partly stored session: every trial once."""
    result, _ = clip_result
    trial = result.trials[0]
    trials = tuple(trial.__class__(**{**trial.__dict__, "index": i}) for i in range(3))
    full = result.__class__(**{**result.__dict__, "trials": trials})
    db = tmp_path / "h.db"
    History(db).close()
    lines: list[str] = []
    with RecordingHistory(db, busy_timeout_s=0.5, warn=lines.append, extra_dirs=[tmp_path]) as rec:
        sid = rec.start_session("anna", "live")
        rec.add_trial(sid, trials[0])  # stored
        locker = _lock(db, 4)
        t0 = time.perf_counter()
        rec.add_trial(sid, trials[1])  # locked: falls back
        rec.add_trial(sid, trials[2])  # already in fallback mode: at once
        assert time.perf_counter() - t0 < 2.0
        rec.finish_session(sid, full, complete=True)
    locker.wait(timeout=30)
    assert rec.fallback is not None and len(lines) == 2 and "database is locked" in lines[0]
    record = read_fallback(rec.fallback)
    assert record["stored"]["trials"] == [0] and record["stored"]["session_id"] == sid
    with History(db) as h:
        assert [r["complete"] for r in h.sessions()] == [0] and len(h.trials()) == 1
    from balance_cam import cli

    assert cli.run(["history", "--db", str(db), "--import", str(rec.fallback)]) == 0
    assert not rec.fallback.exists()
    with History(db) as h:
        assert [(s["id"], s["complete"]) for s in h.sessions()] == [(sid, 1)]
        assert [t["idx"] for t in h.trials()] == [0, 1, 2]


def _driver(args_of_round, rounds: int, log: list) -> threading.Thread:  # noqa: ANN001
    def work() -> None:
        for k in range(rounds):
            args, tag = args_of_round(k)
            proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)
            log.append((tag, proc))

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def _tag(path: str) -> str:
    return Path(path).name.split(".")[0]


@pytest.mark.slow
def test_four_writers_and_a_long_exclusive_lock(tmp_path: Path, clip_result) -> None:  # noqa: ANN001
    _, series = clip_result
    db = tmp_path / "history.db"
    History(db).close()
    npz = tmp_path / "clip.landmarks.npz"
    save_series(series, npz)

    def analyze(p: str):  # noqa: ANN202
        def args(k: int) -> tuple[list[str], str]:
            src = tmp_path / f"{p}-r{k}.landmarks.npz"
            shutil.copy(npz, src)
            return ["analyze", str(src), "--athlete", p, "--db", str(db), "--json"], src.name.split(".")[0]
        return args

    def live(p: str, athlete: bool):  # noqa: ANN202
        def args(k: int) -> tuple[list[str], str]:
            src = tmp_path / f"{p}-r{k}.mp4"
            src.symlink_to(sample("pose_1.mp4"))
            named = ["--athlete", p] if athlete else []
            live = ["live", "--camera", str(src), "--no-window", "--no-voice", "--no-sound"]
            return [*live, "--db", str(db), "--json", *named], src.stem
        return args

    t0 = time.monotonic()
    locker = _lock(db, LOCK_S)
    log: list[tuple[str, subprocess.CompletedProcess[str]]] = []
    rounds = int(LOCK_S // 12) + 3  # analyze waits 10 s per round while locked; the last come after
    live_rounds = max(3, rounds - 2)
    threads = [_driver(analyze("p0"), rounds, log), _driver(analyze("p1"), rounds, log),
               _driver(live("p2", True), live_rounds, log), _driver(live("p3", False), live_rounds, log)]
    for t in threads:
        t.join(timeout=LOCK_S + 600)
    locker.wait(timeout=60)
    assert time.monotonic() - t0 < LOCK_S + 600, "bounded in time"
    expected: dict[str, int] = {}
    fallbacks: list[Path] = []
    for tag, proc in log:
        assert proc.returncode == 0, (tag, proc.stderr)
        expected[tag] = len(json.loads(proc.stdout)["trials"])
        named = [Path(m) for m in re.findall(r"result kept in (\S+) \(import", proc.stderr)]
        assert len(named) <= 1, proc.stderr
        fallbacks += named
        others = [ln for ln in proc.stderr.splitlines() if not ln.startswith("balance-cam: warning: history ")
                  and "finished trial(s)" not in ln]  # fmt: skip
        assert others == [], proc.stderr
    in_db = Counter()
    conn = sqlite3.connect(db)
    sql = "SELECT s.source, t.idx FROM trials t JOIN sessions s ON s.id = t.session_id"
    for source, idx in conn.execute(sql):
        in_db[(_tag(source), idx)] += 1
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT COUNT(*) FROM sessions WHERE kind = 'lock'").fetchone()[0] == 0
    conn.close()
    in_files = Counter()
    for path in fallbacks:
        record = read_fallback(path)
        stored = set((record.get("stored") or {}).get("trials", []))
        for t in record["result"]["trials"]:
            if t["index"] not in stored:
                in_files[(_tag(record["result"]["source"]["path"]), t["index"])] += 1
    want = {(tag, i) for tag, n in expected.items() for i in range(n)}
    assert set(in_db) | set(in_files) == want
    assert all(in_db[k] + in_files[k] == 1 for k in want), (in_db, in_files)
    assert fallbacks and in_db, "the lock forced some fallbacks and the later rounds were saved"
    for path in fallbacks:
        import_fallback(db, path)
    with History(db) as h:
        assert Counter((_tag(t["source"]), t["idx"]) for t in h.trials()) == Counter(dict.fromkeys(want, 1))


def test_import_of_a_missing_or_foreign_file_is_one_line(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.json"
    foreign.write_text("{}")
    with pytest.raises(HistoryError, match="not a balance-cam history fallback file"):
        import_fallback(tmp_path / "h.db", foreign)
    fmt = "balance-cam-history-fallback/1"
    for result in ([1, 2], None, {"trials": "x"}):  # a damaged record: one line, the file is kept
        foreign.write_text(json.dumps({"format": fmt, "result": result}))
        with pytest.raises(HistoryError, match="damaged history fallback file"):
            import_fallback(tmp_path / "h.db", foreign)
        assert foreign.exists()
    newer = {"format": fmt, "result": {"schema_version": "2.0"}}  # a later major schema: says so
    foreign.write_text(json.dumps(newer))
    with pytest.raises(HistoryError, match=r"result schema 2.0 is not readable by schema 1\.\d"):
        import_fallback(tmp_path / "h.db", foreign)
    for stored in ({"session_id": "x", "started_at": "t"}, {"session_id": 3}, [3]):  # names the part
        foreign.write_text(json.dumps({"format": fmt, "result": {}, "stored": stored}))
        with pytest.raises(HistoryError, match="its 'stored' is not a session id"):
            import_fallback(tmp_path / "h.db", foreign)
        assert foreign.exists()


def test_processes_opening_an_old_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    from balance_cam.io.history import MIGRATIONS, SCHEMA_VERSION

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.close()
    code = "import sys; from balance_cam.io.history import History; History(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE, text=True)
             for _ in range(3)]  # fmt: skip
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0], [p.stderr.read() for p in procs if p.stderr]
    with History(db) as h:
        assert h.version == SCHEMA_VERSION


def test_batch_results_the_history_cannot_take_go_to_fallback_files_in_one_line(
    tmp_path: Path, clip_result, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:  # fmt: skip
    from dataclasses import replace

    from balance_cam.apps.batch.runner import save_to_history
    from balance_cam.apps.batch.worker import Outcome

    result, _ = clip_result
    outcomes = [Outcome(f"/v/c{i}.mp4", f"c{i}", "ok",
                        result=replace(result, source={"path": f"/v/c{i}.mp4"})) for i in range(3)]
    db = tmp_path / "h.db"
    History(db).close()
    calls = []

    def locked(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(History, "save_result", locked)
    assert save_to_history(outcomes, tmp_path, db) == 0
    assert len(calls) == 1, "after the first failure the rest do not wait for the lock again"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "3 result(s) kept" in err[0] and "database is locked" in err[0]
    files = sorted((tmp_path / "unsaved").glob("history-unsaved-*.json"))
    assert len(files) == 3
    monkeypatch.undo()
    for f in files:
        import_fallback(db, f)
    with History(db) as h:
        assert sorted(s["source"] for s in h.sessions()) == [f"/v/c{i}.mp4" for i in range(3)]


def test_importing_a_missing_fallback_file_says_no_such_file(tmp_path: Path) -> None:
    from balance_cam.io.history import HistoryError

    with pytest.raises(HistoryError, match=r"nope\.json: no such file$"):
        read_fallback(tmp_path / "nope.json")


def test_reading_a_mistyped_history_path_creates_nothing(tmp_path: Path) -> None:
    """``history`` / ``report --squad`` with a --db that does not exist: one line, exit 2, and no
    empty database left behind (it used to be created and listed as "no trials")."""
    missing = tmp_path / "histroy.db"
    for args in (["history", "--db", str(missing)],
                 ["history", "--db", str(missing), "--csv", str(tmp_path / "t.csv")],
                 ["report", "--squad", "--db", str(missing), "--out", str(tmp_path / "s.html")]):  # fmt: skip
        proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().endswith(f"{missing}: no such history database"), proc.stderr
        assert not missing.exists()


@pytest.fixture
def small_disk(tmp_path: Path):  # noqa: ANN201
    """A 512 KiB file system of its own (tmpfs; needs root, as CI runs)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_under_the_history_says_so_and_the_result_is_kept(
    tmp_path: Path, small_disk: Path, clip_result  # noqa: ANN001
) -> None:  # fmt: skip
    result, _ = clip_result
    db = small_disk / "h.db"
    History(db).close()
    with (small_disk / "filler").open("wb", buffering=0) as f, pytest.raises(OSError):  # to the last block
        while True:
            f.write(b"\0" * 512)
    out = tmp_path / "out"
    saved = save_or_fallback(result, db, athlete="ann", extra_dirs=(out,), warn=lambda _: None)
    assert saved.session_id is None, saved
    assert re.match(r"the disk holding .* is full \(.*disk I/O error", saved.reason), saved.reason
    assert saved.fallback is not None and saved.fallback.parent == out  # the next folder took it
    assert not (small_disk / "unsaved").exists(), "no empty folder left on the full disk"
    (small_disk / "filler").unlink()
    sid = import_fallback(db, saved.fallback)
    with History(db) as h:
        assert [s["id"] for s in h.sessions("ann")] == [sid]
