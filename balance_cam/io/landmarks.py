"""Landmark series on disk: the ``.landmarks.npz`` file and the wide per-frame table.

``.landmarks.npz`` (compressed numpy archive, format version :data:`SERIES_FORMAT_VERSION`):
``t_s``, ``image``, ``world``, ``frame_index``, ``size_wh`` and (from version 2) ``to_ref``,
``camera_ok`` and ``shot``: the arrays of :class:`~balance_cam.core.series.LandmarkSeries`.
Version 1 files (no camera motion, one shot) still load; a newer version is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import numpy as np

from balance_cam.core.series import LandmarkSeries
from balance_cam.core.skeleton import LANDMARK_NAMES

SERIES_FORMAT_VERSION = 2


def save_series(series: LandmarkSeries, target: str | Path | IO[bytes]) -> None:
    """Save as a compressed ``.npz`` (reload with :func:`load_series`)."""
    np.savez_compressed(
        target, format_version=SERIES_FORMAT_VERSION, t_s=series.t_s, image=series.image,
        world=series.world, size_wh=np.array([series.width_px, series.height_px]),
        frame_index=series.frame_index, to_ref=series.to_ref, camera_ok=series.camera_ok,
        shot=series.shot,
    )  # fmt: skip


def load_series(source: str | Path | IO[bytes]) -> LandmarkSeries:
    """Read a series saved by :func:`save_series`; raises ``ValueError``/``KeyError``/``OSError``
    for a file that is not one (or comes from a newer balance-cam)."""
    with np.load(source) as z:
        version = int(z["format_version"])
        if version > SERIES_FORMAT_VERSION:
            raise ValueError(f"series format {version} is newer than this balance-cam")
        w, h = (int(v) for v in z["size_wh"])
        extra = [z[k] if k in z.files else None for k in ("to_ref", "camera_ok", "shot")]
        return LandmarkSeries(z["t_s"], z["image"], z["world"], w, h, z["frame_index"], *extra)


def landmark_table(series: LandmarkSeries) -> Any:
    """Wide table (pandas), one row per frame: ``t_s``, ``frame``, then ``{name}_{x,y}_px``,
    ``{name}_z_norm``, ``{name}_vis`` and ``{name}_world_{x,y,z}_m`` for every landmark."""
    import pandas as pd

    px = series.pixels()
    cols: dict[str, np.ndarray] = {"t_s": series.t_s, "frame": series.frame_index}
    for i, name in enumerate(LANDMARK_NAMES):
        cols[f"{name}_x_px"] = px[:, i, 0]
        cols[f"{name}_y_px"] = px[:, i, 1]
        cols[f"{name}_z_norm"] = series.image[:, i, 2]
        cols[f"{name}_vis"] = series.image[:, i, 3]
        for k, axis in enumerate("xyz"):
            cols[f"{name}_world_{axis}_m"] = series.world[:, i, k]
    return pd.DataFrame(cols)
