"""Posture during a trial: scale-free per-frame signals of the trunk, arms and stance foot.

Inputs are one trial's landmarks: image pixels (N, 33, 2; x right, y down) and, where
available, MediaPipe world landmarks (N, 33, 3; metres). Distances are in leg lengths (the
stance leg's median hip→knee→ankle length in the same units), speeds in leg lengths per
second, angles in degrees. The *start pose* is the median of the first ``settle_s`` of the
trial.

- **Trunk lean**: angle of the hip-midpoint→shoulder-midpoint line from its start direction,
  in the image (MediaPipe's world depth flips too much for angles: on a real clip world trunk
  lean reached 22° where the image showed 6°).
- **Wrist excursion**: each wrist's distance from its start position relative to the shoulder
  midpoint (whole-body sway does not count).
- **Hands on hips** (a protocol requirement, not a balance measure): hands resting on the iliac
  crests put each wrist next to the hip landmark of its side with the elbow bent. A wrist
  farther than ``hands_off_ll`` from its hip (image), or an elbow straighter than
  ``elbow_off_deg`` (world landmarks when they are complete, else the image; an arm hanging by
  the side also puts the wrist near the hip, but straight), is *off*; it is back *on* below
  ``hands_on_ll`` and ``elbow_on_deg`` (hysteresis). A wrist not on the hip in the first frame
  starts off.
- **Raised-thigh elevation**: arccos(vertical extent of the raised thigh / length of the stance
  thigh) in the image; for a level camera this is the thigh's angle from vertical whatever the
  viewing direction, so flexion and abduction combine into one elevation.
- **Stance-foot pitch**: change of (toe minus heel) height along the stance leg's start
  direction (ankle→hip), leg lengths; negative when the heel rises, positive when the forefoot
  rises.

A violation (a boolean per frame) counts as an *episode* once it lasts ``min_event_s``.
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.config import QualityConfig
from balance_cam.core.metrics import uniform_filtered
from balance_cam.core.skeleton import HIPS, Side, idx, leg_length, other

_SHOULDERS = [idx("left", "shoulder"), idx("right", "shoulder")]
_WRISTS = [idx("left", "wrist"), idx("right", "wrist")]


def median_leg_length(points: np.ndarray, stance: Side) -> float:
    """Median hip→knee→ankle length of the stance leg over the trial (units of ``points``)."""
    lengths = leg_length(points, stance)
    good = np.isfinite(lengths)
    return float(np.median(lengths[good])) if good.any() else float("nan")


def baseline(x: np.ndarray, t_s: np.ndarray, window_s: float) -> np.ndarray:
    """NaN-aware median of the rows of ``x`` in the first ``window_s`` seconds (the start pose)."""
    rows = x[t_s <= t_s[0] + window_s]
    rows = rows[np.all(np.isfinite(rows.reshape(len(rows), -1)), axis=1)]
    return np.median(rows, axis=0) if len(rows) else np.full(x.shape[1:], np.nan)


def angle_between_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between (..., D) vectors ``a`` and ``b`` in degrees."""
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def trunk_lean_deg(t_s: np.ndarray, px: np.ndarray, settle_s: float = 0.5) -> np.ndarray:
    """(N,) trunk angle from its start direction (image), degrees."""
    trunk = px[:, _SHOULDERS].mean(axis=1) - px[:, list(HIPS)].mean(axis=1)
    return angle_between_deg(trunk, baseline(trunk, t_s, settle_s)[None, :])


def wrist_excursion_ll(
    t_s: np.ndarray, px: np.ndarray, length_px: float, settle_s: float = 0.5
) -> np.ndarray:
    """(N, 2) distance of each wrist (left, right) from its start position relative to the
    shoulder midpoint, leg lengths."""
    rel = px[:, _WRISTS] - px[:, _SHOULDERS].mean(axis=1, keepdims=True)
    return np.linalg.norm(rel - baseline(rel, t_s, settle_s)[None], axis=-1) / length_px


def elbow_angle_deg(points: np.ndarray) -> np.ndarray:
    """(N, 2) interior shoulder-elbow-wrist angle of each arm, degrees (180 = straight)."""
    out = []
    for s in ("left", "right"):
        e = points[:, idx(s, "elbow")]
        out.append(angle_between_deg(points[:, idx(s, "shoulder")] - e, points[:, idx(s, "wrist")] - e))
    return np.stack(out, axis=1)


def hysteresis(off: np.ndarray, on: np.ndarray, start_off: bool) -> np.ndarray:
    """Boolean state that turns True where ``off`` and back False only where ``on``."""
    state = start_off
    out = np.zeros(len(off), dtype=bool)
    for i, (f, n) in enumerate(zip(off, on, strict=True)):
        state = True if f else (False if n else state)
        out[i] = state
    return out


def hands_off_mask(px: np.ndarray, world: np.ndarray | None, stance: Side, cfg: QualityConfig) -> np.ndarray:
    """(N,) True where either hand is off its hip (definition in the module docstring)."""
    length = median_leg_length(px, stance)
    dist = np.stack([np.linalg.norm(px[:, idx(s, "wrist")] - px[:, idx(s, "hip")], axis=-1)
                     for s in ("left", "right")], axis=1) / length  # fmt: skip
    use_world = world is not None and np.isfinite(world).all(axis=(1, 2)).mean() > 0.5
    elbow = elbow_angle_deg(world if use_world and world is not None else px)
    off_any = np.zeros(len(px), dtype=bool)
    for c in range(2):
        off = (dist[:, c] > cfg.hands_off_ll) | (elbow[:, c] > cfg.elbow_off_deg)
        on = (dist[:, c] < cfg.hands_on_ll) & (elbow[:, c] < cfg.elbow_on_deg)
        off_any |= hysteresis(off, on, start_off=not bool(on[0]) if len(on) else False)
    return off_any


def thigh_elevation_deg(px: np.ndarray, stance: Side) -> np.ndarray:
    """(N,) raised thigh's angle from vertical in the image, degrees (0 = hanging)."""
    raised = other(stance)
    ref = np.nanmedian(np.linalg.norm(px[:, idx(stance, "knee")] - px[:, idx(stance, "hip")], axis=1))
    dy = px[:, idx(raised, "knee"), 1] - px[:, idx(raised, "hip"), 1]  # y down: knee below hip > 0
    return np.degrees(np.arccos(np.clip(dy / ref, -1.0, 1.0)))


def foot_pitch_ll(
    t_s: np.ndarray, points: np.ndarray, stance: Side, length: float, settle_s: float
) -> np.ndarray:
    """(N,) change of the stance foot's pitch since the start pose, leg lengths (see above)."""
    axis = baseline(points[:, idx(stance, "hip")] - points[:, idx(stance, "ankle")], t_s, settle_s)
    up = axis / np.linalg.norm(axis)
    h = (points[:, idx(stance, "foot_index")] - points[:, idx(stance, "heel")]) @ up / length
    start = h[(t_s <= t_s[0] + settle_s) & np.isfinite(h)]
    return h - (float(np.median(start)) if len(start) else np.nan)


def lowpassed_at_frames(t_s: np.ndarray, x: np.ndarray, lowpass_hz: float) -> np.ndarray:
    """(N,) ``x`` low-passed (:func:`~balance_cam.core.metrics.uniform_filtered`) and read back at
    the frame times (NaN where it cannot be)."""
    grid, xf = uniform_filtered(t_s, x, lowpass_hz)
    ok = np.isfinite(xf)
    if ok.sum() < 2:
        return np.full(len(t_s), np.nan)
    out = np.interp(t_s, grid[ok], xf[ok])
    out[(t_s < grid[ok][0]) | (t_s > grid[ok][-1])] = np.nan
    return out


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs of a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(mask, dtype=np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def episodes(
    t_s: np.ndarray, mask: np.ndarray, min_s: float, bridge_s: float = 0.2
) -> list[tuple[float, float]]:
    """(start_s, end_s) of the runs of ``mask`` lasting at least ``min_s``; runs separated by
    less than ``bridge_s`` are joined first."""
    joined: list[tuple[float, float]] = []
    for a, b in runs(mask):
        start, end = float(t_s[a]), float(t_s[b - 1])
        if joined and start - joined[-1][1] < bridge_s:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return [(a, b) for a, b in joined if b - a >= min_s - 1e-9]
