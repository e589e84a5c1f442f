"""Synthetic landmark series of a standing person with known lifts, for unit tests.

A frontal view: 1000×1000 px frame, leg length 400 px (hip y 400, ankle y 800), world leg
length 0.9 m. The scenario is a list of (start_s, end_s, side, height_ll) foot raises with
0.15 s ramps inside [start_s, end_s]: the foot leaves the floor at ``start_s`` and is back down
at ``end_s``. Small seeded noise is added so filters and debouncing are exercised.
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.series import LandmarkSeries
from balance_cam.core.skeleton import INDEX, idx

W = H = 1000
L_PX, L_M = 400.0, 0.9
RAMP_S = 0.15


def _height(t: np.ndarray, start: float, end: float, h: float) -> np.ndarray:
    up = np.clip((t - start) / RAMP_S, 0, 1)
    down = np.clip((end - t) / RAMP_S, 0, 1)
    return h * np.minimum(up, down) * ((t >= start) & (t <= end))


def standing_series(
    duration_s: float, fps: float, raises: list[tuple[float, float, str, float]] = (),
    noise_px: float = 1.0, seed: int = 0, times: np.ndarray | None = None,
) -> LandmarkSeries:  # fmt: skip
    """Series of a person standing still, raising feet as given."""
    t = np.arange(0, duration_s, 1 / fps) if times is None else np.asarray(times, dtype=float)
    n = len(t)
    rng = np.random.default_rng(seed)
    px = np.full((n, 33, 2), np.nan)
    for name, i in INDEX.items():
        x = 500.0 + (-30 if "left" in name else 30 if "right" in name else 0)
        y = {"hip": 400, "knee": 600, "ankle": 800, "heel": 810, "foot_index": 820}.get(
            name.split("_", 1)[-1], 200)  # fmt: skip
        px[:, i] = (x, y)
    # Subject's left appears on image right for a frontal camera.
    for side, sign in (("left", 1), ("right", -1)):
        for j in ("hip", "knee", "ankle", "heel", "foot_index"):
            px[:, idx(side, j), 0] = 500 + sign * 40  # type: ignore[arg-type]
    for start, end, side, h in raises:
        lift = _height(t, start, end, h) * L_PX
        for j, frac in (("knee", 0.5), ("ankle", 1.0), ("heel", 1.0), ("foot_index", 1.0)):
            px[:, idx(side, j), 1] -= frac * lift  # type: ignore[arg-type]
    px += rng.normal(0, noise_px, px.shape)
    world = np.zeros((n, 33, 4))
    world[..., :2] = (px - [500, 400]) / L_PX * L_M  # metres, hip midpoint at origin, y down
    world[..., 3] = 0.99
    image = np.zeros((n, 33, 4))
    image[..., :2] = px / [W, H]
    image[..., 2] = 0.0
    image[..., 3] = 0.99
    return LandmarkSeries(t, image.astype(np.float32), world.astype(np.float32), W, H)


def with_gap(series: LandmarkSeries, start_s: float, end_s: float) -> LandmarkSeries:
    """The series with no person detected between ``start_s`` and ``end_s``."""
    image, world = series.image.copy(), series.world.copy()
    gap = (series.t_s >= start_s) & (series.t_s < end_s)
    image[gap] = np.nan
    world[gap] = np.nan
    return LandmarkSeries(series.t_s, image, world, series.width_px, series.height_px)


def shifted(series: LandmarkSeries, from_s: float, side: str, dx_ll: float) -> LandmarkSeries:
    """Move one whole foot sideways by ``dx_ll`` leg lengths from ``from_s`` on (over 0.1 s)."""
    image, world = series.image.copy(), series.world.copy()
    ramp = np.clip((series.t_s - from_s) / 0.1, 0, 1)
    for j in ("ankle", "heel", "foot_index"):
        i = idx(side, j)  # type: ignore[arg-type]
        image[:, i, 0] += (ramp * dx_ll * L_PX / W).astype(np.float32)
        world[:, i, 0] += (ramp * dx_ll * L_M).astype(np.float32)
    return LandmarkSeries(series.t_s, image, world, series.width_px, series.height_px)
