"""Result sets are crash-consistent: companions first, the JSON (listing them) last.

A crash is simulated in-process at every rename of a first write and of an overwrite (``os.replace``
raising, as a kill right before or right after it would leave the folder); a full disk at the
Parquet companion. After each, :func:`verify_result_set` (what ``--resume`` trusts) accepts a
set only when its JSON and all three companions belong to one generation, read from their
contents. Stale temporaries of our own names are removed, nothing else is.
"""

from __future__ import annotations

import errno
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from balance_cam.io import files
from balance_cam.io.files import clean_stale_temps
from balance_cam.io.landmarks import load_series
from balance_cam.io.results import FILES_KEY, read_result, verify_result_set, write_outputs
from tests.conftest import analyzed

COMPANIONS = (".landmarks.npz", ".frames.csv", ".frames.parquet")


@pytest.fixture(scope="module")
def generations():  # noqa: ANN201
    """Two generations of one result set: A (the real clip) and B (every landmark moved)."""
    result, series = analyzed("pose_1.mp4")
    moved = replace(series, image=series.image + np.float32(0.01))
    return {"A": (replace(result, extra={**result.extra, "gen": "A"}), series),
            "B": (replace(result, extra={**result.extra, "gen": "B"}), moved)}  # fmt: skip


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def _crash_at(monkeypatch: pytest.MonkeyPatch, k: int, after: bool) -> None:
    real, calls = os.replace, [0]

    def replace_(src, dst):  # noqa: ANN001, ANN202
        calls[0] += 1
        if calls[0] == k and not after:
            raise Crash
        real(src, dst)
        if calls[0] == k and after:
            raise Crash

    monkeypatch.setattr(files.os, "replace", replace_)


def _generation(out: Path, stem: str, refs: dict) -> set[str | None]:  # noqa: ANN001
    """The generation each file of the set holds, read from its content."""
    found: set[str | None] = {json.loads((out / f"{stem}.json").read_text()).get("gen")}
    img = load_series(out / f"{stem}.landmarks.npz").image
    found.add(next((g for g, (_, s) in refs.items() if np.array_equal(img, s.image, equal_nan=True)), None))
    for table in (pd.read_csv(out / f"{stem}.frames.csv"), pd.read_parquet(out / f"{stem}.frames.parquet")):
        x = table["left_hip_x_px"].to_numpy()
        found.add(next((g for g, (_, s) in refs.items()
                        if np.allclose(x, s.pixels()[:, 23, 0], equal_nan=True)), None))  # fmt: skip
    return found


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("after", [False, True])
def test_a_crash_at_any_rename_never_leaves_a_trusted_half_set(
    k: int, after: bool, generations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:  # fmt: skip
    result_a, series_a = generations["A"]
    write_outputs(tmp_path, "first", result_a, series_a)  # a committed set to overwrite
    result_b, series_b = generations["B"]
    _crash_at(monkeypatch, k, after)
    for stem, (result, series) in (("new", generations["A"]), ("first", (result_b, series_b))):
        with pytest.raises(Crash):
            write_outputs(tmp_path, stem, result, series)
        monkeypatch.undo()
        _crash_at(monkeypatch, k, after)
    monkeypatch.undo()
    committed = k == 4 and after  # the JSON is the 4th rename: only after it is a set new
    assert verify_result_set(tmp_path / "new.json") is committed
    if committed:
        assert _generation(tmp_path, "new", generations) == {"A"}
    overwritten = verify_result_set(tmp_path / "first.json")
    assert overwritten is (k == 4 and after or k == 1 and not after), "a mixed set is never trusted"
    if overwritten:
        assert len(_generation(tmp_path, "first", generations)) == 1
    # an exception (unlike a kill, see tests/test_signals.py) lets the writer remove its temporary
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_full_disk_at_a_companion_commits_nothing(generations, tmp_path: Path,  # noqa: ANN001
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    result, series = generations["A"]

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(tmp_path, "clip", result, series)
    assert not (tmp_path / "clip.json").exists() and not verify_result_set(tmp_path / "clip.json")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_the_commit_record_is_checked(generations, tmp_path: Path) -> None:  # noqa: ANN001
    result, series = generations["A"]
    paths = write_outputs(tmp_path, "x", result, series)
    js = paths["json"]
    assert verify_result_set(js) and verify_result_set(js, deep=True)
    doc = json.loads(js.read_text())
    assert set(doc[FILES_KEY]) == {"landmarks", "csv", "parquet"}
    assert [t.hold_s for t in read_result(js).trials] == pytest.approx([t.hold_s for t in result.trials])
    csv = paths["csv"]
    st, text = csv.stat(), csv.read_bytes()
    csv.write_bytes(text[:-2] + (b"9\n" if not text.endswith(b"9\n") else b"8\n"))  # same size
    os.utime(csv, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert not verify_result_set(js)  # changed mtime: hashed, and the hash differs
    csv.write_bytes(text)
    assert verify_result_set(js)
    paths["parquet"].unlink()
    assert not verify_result_set(js) and verify_result_set(js, need_frames=False)
    doc[FILES_KEY]["csv"]["name"] = "../x.frames.csv"
    js.write_text(json.dumps(doc))
    assert not verify_result_set(js)


def test_clean_stale_temps_removes_only_our_old_temporaries(tmp_path: Path) -> None:
    old = time.time() - 7200
    ours = [tmp_path / ".clip.json.a1b2c3d_.json", tmp_path / "sub" / ".c.frames.csv.zz99yy88.csv",
            tmp_path / ".batch_videos.parquet.q1w2e3r4.parquet"]  # fmt: skip
    foreign = [tmp_path / ".hidden.mp4", tmp_path / ".notes.txt.abcdefgh.txt",  # not our outputs
               tmp_path / ".clip.json.a1b2c3.json",  # random part is not 8 characters
               tmp_path / ".clip.json.a1b2c3d_.csv",  # suffix differs from the final name's
               tmp_path / "clip.json", tmp_path / ".git" / ".x.json.abcdefgh.json"]  # hidden folder
    fresh = tmp_path / ".clip2.json.k9k9k9k9.json"  # a writer may still be at it
    for p in [*ours, *foreign, fresh]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
        if p is not fresh:
            os.utime(p, (old, old))
    link = tmp_path / ".clip3.json.l1l1l1l1.json"
    link.symlink_to(foreign[0])
    os.utime(link, (old, old), follow_symlinks=False)
    assert sorted(clean_stale_temps(tmp_path)) == sorted(ours)
    assert all(p.exists() for p in [*foreign, fresh]) and link.is_symlink()
