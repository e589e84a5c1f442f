"""Writing results to files: JSON, per-frame tables (CSV and Parquet), landmark series.

All writes are atomic (temporary file in the same folder, then ``os.replace``), so an
interrupted run never leaves a half-written result that ``--resume`` would trust.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from balance_cam.core.metrics import pelvis_minus_ankle_px
from balance_cam.core.results import AnalysisResult
from balance_cam.core.series import LandmarkSeries


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the file into place atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def frame_table(series: LandmarkSeries, result: AnalysisResult):  # noqa: ANN201 - pandas
    """Per-frame landmarks plus, inside trials, the trial index, stance leg and the raw
    pelvis-minus-stance-ankle vector in pixels (unfiltered)."""
    df = series.to_frame_table()
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


def write_outputs(
    out_dir: str | Path, stem: str, result: AnalysisResult, series: LandmarkSeries | None
) -> dict[str, Path]:
    """``{stem}.json`` (with sway traces), and with a series ``{stem}.landmarks.npz``,
    ``{stem}.frames.csv`` and ``{stem}.frames.parquet``."""
    out = Path(out_dir)
    paths = {"json": write_text(out / f"{stem}.json", result.to_json(traces=True))}
    if series is not None:
        paths["landmarks"] = atomic_write(out / f"{stem}.landmarks.npz",
                                          lambda p: series.save(p))  # fmt: skip
        df = frame_table(series, result)
        paths["csv"] = atomic_write(out / f"{stem}.frames.csv", lambda p: df.to_csv(p, index=False))
        paths["parquet"] = atomic_write(out / f"{stem}.frames.parquet",
                                        lambda p: df.to_parquet(p, index=False))  # fmt: skip
    return paths
