"""Planning: a :class:`~.recipes.Recipe` → its per-frame truth (:class:`~.truth.CorpusTruth`).

The output frame is a crop window over the full-resolution source (one fitted window per
source, :func:`~.signals.fit_window`, shared by every piece of that source), moved by the
camera path; the person is additionally rotated about the stance ankle by the sway signal.
Both affines are recorded per frame, and the events (lift, touchdown or the end of the
foot-up footage) are read off the per-frame foot-up flags of the sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from balance_cam.core.skeleton import INDEX, Side, other
from balance_cam.testing.corpus.recipes import Recipe, timeline
from balance_cam.testing.corpus.signals import CameraPath, as3, fit_window, window_matrix
from balance_cam.testing.corpus.sources import SOURCES, SourceTrack, default_samples_dir, track_source
from balance_cam.testing.corpus.truth import CorpusTruth
from balance_cam.testing.synthetic import CLEAN, frame_times_s, rotation_matrix


def output_size_wh(recipe: Recipe, samples_dir: Path | None = None) -> tuple[int, int]:
    """Even output size: ``recipe.width_px`` wide, ``aspect_hw`` (or the first source's) high."""
    from balance_cam.io.sources import probe

    w = int(recipe.width_px) // 2 * 2
    aspect = recipe.aspect_hw
    if aspect is None:
        info = probe((samples_dir or default_samples_dir()) / SOURCES[recipe.pieces[0].source].file)
        aspect = info.height / info.width
    return w, round(w * aspect / 2) * 2


_BODY = [INDEX[n] for n in ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee",
                            "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
                            "left_foot_index", "right_foot_index")]  # fmt: skip


def person_box(track: SourceTrack, frames: np.ndarray) -> np.ndarray:
    """Box around head, shoulders and legs over ``frames`` (source pixels), grown by 3 % of its
    height (hands may leave the frame, as they do in phone videos)."""
    pts = track.landmarks[np.unique(frames)][:, _BODY, :2].astype(np.float64) * track.size_wh
    pts = pts.reshape(-1, 2)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.03 * (hi[1] - lo[1])
    return np.array([lo - pad, hi + pad])


@dataclass(frozen=True, eq=False)
class Plan:
    """The truth of a recipe, the working scale of each source (the largest output/source
    scale it is shown at, x1.25, at most 1) and the source tracks."""

    truth: CorpusTruth
    work_scale: dict[str, float]
    tracks: dict[str, SourceTrack]


def plan(recipe: Recipe, samples_dir: Path | None = None, cache_dir: Path | None = None) -> Plan:
    """Per-frame truth of a recipe (runs the pose model on the sources once, cached)."""
    samples_dir = samples_dir or default_samples_dir()
    out_wh = output_size_wh(recipe, samples_dir)
    content_s = float(sum(p.duration_s for p in recipe.pieces))
    t = frame_times_s(recipe.fps, recipe.duration_s)
    k, frames = timeline(recipe.pieces, np.minimum(t, content_s - 1e-6))
    src_keys = tuple(recipe.pieces[j].source for j in k)
    tracks = {key: track_source(key, samples_dir, cache_dir) for key in sorted(set(src_keys))}
    cam = recipe.camera.path(t, recipe.duration_s) if recipe.camera is not None else CameraPath.still(len(t))
    theta = recipe.sway_signal().angle_deg(t)
    windows = _fit_windows(recipe, tracks, np.array(src_keys), frames, cam, theta, out_wh)
    transform, camera, ref_angle, foot_up, max_scale = _per_frame(recipe, tracks, src_keys, frames, cam,
                                                                  theta, windows, out_wh)  # fmt: skip
    gain, fade = _fade(recipe, t, content_s)
    hidden = np.zeros(len(t), bool)
    for a, b in recipe.hide_raised_foot_s:
        hidden |= (t >= a - 1e-9) & (t < b - 1e-9)
    hidden &= foot_up
    events = _events(recipe, t, src_keys, foot_up, gain, _stance(recipe, tracks))
    cuts = tuple(float(t[i]) for i in range(1, len(t)) if src_keys[i] != src_keys[i - 1])
    hidden_s = tuple((float(t[a]), float(t[b - 1] + 1 / recipe.fps)) for a, b in runs(hidden))
    full = CorpusTruth(
        name=recipe.name, fps=recipe.fps, size_wh=out_wh, seed=recipe.seed, cuts_s=cuts, fade_s=fade,
        hidden_s=hidden_s, t_s=t, piece=k, source=src_keys, source_frame=frames, foot_up=foot_up,
        hidden=hidden, gain=gain, applied_angle_deg=theta, roll_deg=cam.roll_deg, zoom=cam.zoom,
        transform=transform, camera_transform=camera, reference_angle_deg=ref_angle,
        description=recipe.description, conditions=conditions_label(recipe), mirrored=recipe.mirror,
        **events,
    )  # fmt: skip
    scale = {key: min(1.0, 1.25 * s) for key, s in max_scale.items()}
    return Plan(full, scale, tracks)


def _fit_windows(recipe: Recipe, tracks: dict[str, SourceTrack], keys: np.ndarray, frames: np.ndarray,
                 cam: CameraPath, theta: np.ndarray,
                 out_wh: tuple[int, int]) -> dict[str, tuple[np.ndarray, float]]:  # fmt: skip
    """One crop window per source (its framing), shared by all pieces of that source."""
    aspect = out_wh[0] / out_wh[1]
    windows: dict[str, tuple[np.ndarray, float]] = {}
    for key, tr in tracks.items():
        sel = keys == key
        box = person_box(tr, frames[sel])
        if recipe.sway_mode == "frame":  # the rotated image must also cover the window
            pivot = tr.px(f"{SOURCES[key].stance}_ankle")[frames[sel]]
            windows[key] = fit_window(tr.size_wh, aspect, cam.select(sel), box, theta[sel], pivot)
        else:
            windows[key] = fit_window(tr.size_wh, aspect, cam.select(sel), box)
    return windows


def _per_frame(recipe: Recipe, tracks: dict[str, SourceTrack], src_keys: tuple[str, ...], frames: np.ndarray,
               cam: CameraPath, theta: np.ndarray, windows: dict[str, tuple[np.ndarray, float]],
               out_wh: tuple[int, int],
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:  # fmt: skip
    """Person and camera transforms, reference angle and foot-up flag of every frame, and the
    largest output/source scale of each source."""
    n = len(src_keys)
    aspect = out_wh[0] / out_wh[1]
    transform, camera = np.zeros((n, 2, 3)), np.zeros((n, 2, 3))
    ref_angle, foot_up = np.zeros(n), np.zeros(n, bool)
    mirror = np.array([[-1.0, 0.0, out_wh[0] - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    max_scale: dict[str, float] = {key: 0.0 for key in tracks}
    offsets = cam.offset_h(aspect)
    for i in range(n):
        key, f = src_keys[i], int(frames[i])
        clip, tr = SOURCES[key], tracks[key]
        ankle = tr.px(f"{clip.stance}_ankle")[f]
        pelvis = (tr.px("left_hip")[f] + tr.px("right_hip")[f]) / 2
        c0, h0 = windows[key]
        win = window_matrix(c0 + h0 * offsets[i], h0 / cam.zoom[i], float(cam.roll_deg[i]), out_wh)
        cam_m = mirror @ as3(win) if recipe.mirror else as3(win)
        m = cam_m @ as3(rotation_matrix(ankle, float(theta[i])))
        transform[i], camera[i] = m[:2], cam_m[:2]
        a_out, p_out = (np.array([ankle, pelvis]) @ m[:2, :2].T) + m[:2, 2]
        d = p_out - a_out
        ref_angle[i] = math.degrees(math.atan2(d[0], -d[1]))
        foot_up[i] = bool(clip.foot_up(f))
        max_scale[key] = max(max_scale[key], out_wh[1] * cam.zoom[i] / h0)
    return transform, camera, ref_angle, foot_up, max_scale


def _fade(recipe: Recipe, t: np.ndarray, content_s: float) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Per-frame brightness gain, and (last full-brightness frame, first black frame) of a fade."""
    if recipe.fade_out_s > 0:
        f_start = content_s - recipe.fade_out_s
        gain = np.clip((content_s - t) / recipe.fade_out_s, 0.0, 1.0)
        return gain, (_last_at_or_before(t, f_start), _first_at_or_after(t, content_s))
    if recipe.black_tail_s > 0:
        return np.where(t < content_s - 1e-9, 1.0, 0.0), None
    return np.ones(len(t)), None


def _stance(recipe: Recipe, tracks: dict[str, SourceTrack]) -> Side:
    stance_src = {SOURCES[key].stance for key in tracks}
    if len(stance_src) != 1:
        raise ValueError(f"sources stand on different legs: {sorted(stance_src)}")
    stance = stance_src.pop()
    return other(stance) if recipe.mirror else stance


def _first_at_or_after(t: np.ndarray, x: float) -> float:
    later = t[t >= x - 1e-9]
    return float(later[0]) if len(later) else float(t[-1])


def _last_at_or_before(t: np.ndarray, x: float) -> float:
    earlier = t[t <= x + 1e-9]
    return float(earlier[-1]) if len(earlier) else float(t[0])


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, one past last) index of every run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _events(recipe: Recipe, t: np.ndarray, src_keys: tuple[str, ...], foot_up: np.ndarray, gain: np.ndarray,
            stance: Side) -> dict[str, object]:  # fmt: skip
    """The ``CorpusTruth`` event fields: one foot-up phase at full brightness, or none."""
    visible = gain > 0.999  # full brightness: the person is surely there
    up_runs = runs(foot_up & visible)
    if not up_runs:
        return {"stance": None, "lift_s": None, "lift_observed": False, "touchdown_s": None, "end_s": None,
                "stop_reason": None, "event_tol_s": 0.0}  # fmt: skip
    if len(up_runs) > 1:
        raise ValueError(f"{recipe.name}: the foot is up in {len(up_runs)} separate phases; one expected")
    a, b = up_runs[0]
    src_tol = max(SOURCES[key].event_tol_frames / SOURCES[key].fps for key in set(src_keys))
    if b < len(t) and foot_up[b] == 0 and visible[b]:
        touchdown, end, reason = float(t[b]), float(t[b]), "touchdown"
    elif b < len(t):
        touchdown, end, reason = None, float(t[b - 1]), "lost_tracking"
    else:
        touchdown, end, reason = None, float(t[-1]), "end_of_video"
    return {"stance": stance, "lift_s": float(t[a]), "lift_observed": a > 0, "touchdown_s": touchdown,
            "end_s": end, "stop_reason": reason, "event_tol_s": src_tol + 1.0 / recipe.fps}  # fmt: skip


def conditions_label(recipe: Recipe) -> str:
    """The conditions a clip is seen through, in a few words ("clean" when none)."""
    parts = []
    if recipe.camera is not None:
        parts.append(recipe.camera.label)
    if recipe.mirror:
        parts.append("mirrored")
    if recipe.hide_raised_foot_s:
        parts.append("raised foot hidden")
    if recipe.fade_out_s:
        parts.append(f"fade {recipe.fade_out_s:g}s")
    if recipe.grey:
        parts.append("grey")
    if recipe.gain != 1.0 or recipe.gamma != 1.0:
        parts.append(f"low light (gain {recipe.gain:g}, gamma {recipe.gamma:g})")
    if recipe.degradation != CLEAN:
        parts.append(recipe.degradation.label)
    if recipe.overlays:
        parts.append(" and ".join(recipe.overlays) + " burnt in")
    return ", ".join(parts) or "clean"
