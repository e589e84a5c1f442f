"""Result files: the one reader of result JSON, and the writer of a result set.

A result set (``analyze --out``, ``batch``) is ``{stem}.json`` (the JSON contract, with sway
traces) and, with landmarks, ``{stem}.landmarks.npz``, ``{stem}.frames.csv`` and
``{stem}.frames.parquet``. Every file is written atomically (:mod:`balance_cam.io.files`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from balance_cam.core.metrics import pelvis_minus_ankle_px
from balance_cam.core.results import AnalysisResult
from balance_cam.core.series import LandmarkSeries
from balance_cam.io.files import atomic_write, write_text
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
    except (KeyError, TypeError, ValueError) as exc:
        kind = exc.__class__.__name__
        raise ResultFileError(f"{p}: not a balance-cam result ({kind}: {exc})", "invalid") from None


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


def write_outputs(
    out_dir: str | Path, stem: str, result: AnalysisResult, series: LandmarkSeries | None
) -> dict[str, Path]:
    """``{stem}.json`` (with sway traces), and with a series ``{stem}.landmarks.npz``,
    ``{stem}.frames.csv`` and ``{stem}.frames.parquet``."""
    out = Path(out_dir)
    paths = {"json": write_text(out / f"{stem}.json", result.to_json(traces=True))}
    if series is not None:
        paths["landmarks"] = atomic_write(out / f"{stem}.landmarks.npz",
                                          lambda p: save_series(series, p))  # fmt: skip
        df = frame_table(series, result)
        paths["csv"] = atomic_write(out / f"{stem}.frames.csv", lambda p: df.to_csv(p, index=False))
        paths["parquet"] = atomic_write(out / f"{stem}.frames.parquet",
                                        lambda p: df.to_parquet(p, index=False))  # fmt: skip
    return paths
