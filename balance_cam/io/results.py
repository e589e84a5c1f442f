"""Result files: the one reader of result JSON, and the writer of a result set.

A result set (``analyze --out``, ``batch``) is ``{stem}.json`` (the JSON contract, with sway
traces) and, with landmarks, its companions ``{stem}.landmarks.npz``, ``{stem}.frames.csv`` and
``{stem}.frames.parquet``. Every file is written atomically (:mod:`balance_cam.io.files`).

The JSON is the set's *commit record*: it is written last and lists every companion with its
size, modification time and sha256 (its ``files`` key). A process killed at any instant (or a
full disk) therefore leaves the previous committed set, or companions without (or with a
stale) JSON, never a JSON that vouches for missing or different companions.
:func:`verify_result_set` is what ``batch --resume`` trusts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from balance_cam.core.metrics import pelvis_minus_ankle_px
from balance_cam.core.results import AnalysisResult, ResultFormatError
from balance_cam.core.series import LandmarkSeries
from balance_cam.io.files import atomic_write, fsync_dir, sha256_of, write_text
from balance_cam.io.landmarks import landmark_table, save_series


class ResultFileError(ValueError):
    """A result file cannot be read (one line for the user); ``kind``: ``missing`` or ``invalid``."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_result(path: str | Path) -> AnalysisResult:
    """Read a result JSON written by ``analyze --out``, ``batch`` or ``live --out``."""
    p = Path(path)
    try:
        return AnalysisResult.from_json(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultFileError(f"{p}: no such file", "missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultFileError(f"{p}: cannot be read ({exc.__class__.__name__})", "invalid") from None
    except ResultFormatError as exc:
        raise ResultFileError(f"{p}: not a balance-cam result ({exc})", "invalid") from None


def try_read_result(path: str | Path) -> AnalysisResult | None:
    """:func:`read_result`, or None when the file is missing or not a result."""
    try:
        return read_result(path)
    except ResultFileError:
        return None


def frame_table(series: LandmarkSeries, result: AnalysisResult) -> Any:
    """Per-frame landmarks (:func:`~balance_cam.io.landmarks.landmark_table`) plus, inside
    trials, the trial index, stance leg and the raw pelvis-minus-stance-ankle vector in pixels."""
    df = landmark_table(series)
    n = len(series)
    trial = np.full(n, -1)
    stance = np.array([""] * n, dtype=object)
    dx = np.full(n, np.nan)
    dy = np.full(n, np.nan)
    px = series.pixels()
    for t in result.trials:
        inside = (series.t_s >= t.start_s - 1e-9) & (series.t_s <= t.end_s + 1e-9)
        trial[inside], stance[inside] = t.index, t.stance
        d = pelvis_minus_ankle_px(px[inside], t.stance)
        dx[inside], dy[inside] = d[:, 0], d[:, 1]
    df.insert(2, "trial", trial)
    df.insert(3, "stance", stance)
    df.insert(4, "pelvis_minus_ankle_x_px", dx)
    df.insert(5, "pelvis_minus_ankle_y_px", dy)
    return df


#: Key of the companion list in the result JSON (an ``AnalysisResult.extra`` key).
FILES_KEY = "files"
#: Companion suffixes of a result set, in writing order.
COMPANION_SUFFIXES = {"landmarks": ".landmarks.npz", "csv": ".frames.csv", "parquet": ".frames.parquet"}


def file_record(path: Path) -> dict[str, Any]:
    """What the commit record says of one companion: name (beside the JSON), size,
    modification time (ns) and sha256."""
    st = path.stat()
    return {"name": path.name, "bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_of(path)}


def write_outputs(
    out_dir: str | Path, stem: str, result: AnalysisResult, series: LandmarkSeries | None
) -> dict[str, Path]:
    """With a series ``{stem}.landmarks.npz``, ``{stem}.frames.csv`` and
    ``{stem}.frames.parquet``, then ``{stem}.json`` (with sway traces) listing them; the
    folder is synced after the JSON."""
    out = Path(out_dir)
    companions: dict[str, Callable[[Path], None]] = {}
    if series is not None:
        df = frame_table(series, result)
        companions = {"landmarks": lambda p: save_series(series, p),
                      "csv": lambda p: df.to_csv(p, index=False),
                      "parquet": lambda p: df.to_parquet(p, index=False)}  # fmt: skip
    paths = {kind: atomic_write(out / f"{stem}{COMPANION_SUFFIXES[kind]}", write)
             for kind, write in companions.items()}  # fmt: skip
    files = {kind: file_record(p) for kind, p in paths.items()}
    committed = replace(result, extra={**result.extra, FILES_KEY: files})
    paths["json"] = write_text(out / f"{stem}.json", committed.to_json(traces=True))
    fsync_dir(paths["json"].parent)
    return paths


def _companion_ok(folder: Path, rec: Mapping[str, Any], deep: bool) -> bool:
    name = str(rec.get("name", ""))
    if not name or "/" in name or "\\" in name or name in (".", ".."):  # stays beside the JSON
        return False
    try:
        st = (folder / name).stat()
    except OSError:
        return False
    if st.st_size != rec.get("bytes"):
        return False
    if not deep and st.st_mtime_ns == rec.get("mtime_ns"):
        return True  # the very file we wrote (same size, same mtime): no need to read it
    return sha256_of(folder / name) == rec.get("sha256")


def _legacy_set_ok(json_path: Path) -> bool:
    """A set written JSON-first (balance-cam before the commit record): consistent only if
    every companion exists and was replaced after the JSON (a stale companion from an
    earlier run is older than the JSON; a missing one means the writer was killed)."""
    stem = json_path.name.removesuffix(".json")
    try:
        t_json = json_path.stat().st_mtime_ns
        return all((json_path.parent / f"{stem}{sfx}").stat().st_mtime_ns >= t_json
                   for sfx in COMPANION_SUFFIXES.values())  # fmt: skip
    except OSError:
        return False


def verify_result_set(json_path: str | Path, *, need_frames: bool = True, deep: bool = False) -> bool:
    """Whether ``{stem}.json`` is a committed set whose companions are all there and unchanged.

    With ``need_frames`` false (``--no-frames``) a readable JSON is enough. A JSON without
    ``files`` (older balance-cam: JSON first) passes :func:`_legacy_set_ok`. Companions are
    checked by size, then by mtime or, when the mtime differs (a copied folder) or ``deep``,
    by sha256.
    """
    path = Path(json_path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(doc, dict):
        return False
    if not need_frames:
        return True
    files = doc.get(FILES_KEY)
    if files is None:
        return _legacy_set_ok(path)
    if not isinstance(files, dict) or set(files) != set(COMPANION_SUFFIXES):
        return False
    return all(isinstance(r, dict) and _companion_ok(path.parent, r, deep) for r in files.values())
