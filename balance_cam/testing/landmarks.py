"""Synthetic landmark series of a person standing on one leg, with perturbations at known times.

Used to calibrate and test the detectors of :mod:`balance_cam.core.quality` and
:mod:`balance_cam.core.bess` against known truth instead of one clip. These are landmark
series, not video frames: they test the detectors, not the pose model (the frame-based check
of corrections rotates real frames, :mod:`balance_cam.testing.synthetic`).

Model (frontal camera, subject facing it):

- A rigid 33-landmark BlazePose skeleton built in metres (leg length ``leg_m`` = 0.9 m,
  hip-to-knee 0.45 m, knee-to-ankle 0.45 m, shoulders 0.47 m above the hips), standing on
  ``stance``; the raised leg is held at ``hip_flexion_deg`` (BESS single-leg stance: ~20 deg
  hip flexion, ~45 deg knee flexion; Riemann et al. 1999).
- Quiet sway: the whole body (all but the stance foot) rotates about the stance ankle by
  medio-lateral and anterior-posterior angles that are band-limited (< ``sway_hz``) Gaussian
  noise with a given RMS pelvis displacement in leg lengths (inverted pendulum).
- Perturbations are keyframes: a parameter moves to a new value along a minimum-jerk profile
  (Flash & Hogan 1985) starting at ``start_s`` and lasting ``dur_s``. Parameters: pelvis
  shift (``ml``/``ap`` sway offset, leg lengths), ``lean`` (trunk lateral lean, deg),
  ``arms`` (pose blend: "hips", "hang", "out", "overhead", "chest"), raised-leg ``flexion`` /
  ``abduction`` / ``knee`` (deg), stance-foot ``pitch`` (deg, + heel lift, - forefoot lift).
- MediaPipe-like noise: independent Gaussian noise on every landmark and frame, ``noise_ll``
  leg lengths per coordinate in the image (x, y) and in the world landmarks (depth twice as
  noisy). BlazePose jitter on a static subject is ~0.002-0.005 leg lengths per frame on the
  clip pose_1.mp4 (measured, see docs/quality.md); the issue quotes 0.005-0.01.

Image: orthographic projection, 1280x720 px, leg length ``leg_px`` pixels. World: MediaPipe
convention, metres, origin at the hip midpoint, x = image right (the subject's left), y down,
z away from the camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from balance_cam.core.filtering import lowpass_zero_phase
from balance_cam.core.series import LandmarkSeries
from balance_cam.core.skeleton import INDEX, MIRROR, N_LANDMARKS

W_PX, H_PX = 1280, 720
THIGH_M = SHANK_M = 0.45
ARM_POSES = ("hips", "hang", "out", "overhead", "chest")


@dataclass(frozen=True)
class Keyframe:
    """``param`` moves to ``value`` along a minimum-jerk profile from ``start_s`` over ``dur_s``."""

    param: str
    start_s: float
    dur_s: float
    value: float | str
    side: str = "both"  # arms only: "left", "right" or "both"

    @property
    def end_s(self) -> float:
        return self.start_s + self.dur_s


@dataclass(frozen=True)
class SynthConfig:
    """Everything that defines one synthetic trial (all lengths in leg lengths or metres)."""

    duration_s: float = 20.0
    fps: float = 30.0
    stance: str = "left"
    leg_m: float = 0.9
    leg_px: float = 300.0
    sway_ml_ll: float = 0.006
    sway_ap_ll: float = 0.008
    sway_hz: float = 1.0
    noise_ll: float = 0.005
    hip_flexion_deg: float = 20.0
    knee_flexion_deg: float = 45.0
    arms: str = "hips"
    keyframes: tuple[Keyframe, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class SynthTrial:
    """A synthetic series and the configuration (the truth) it was made from."""

    series: LandmarkSeries
    config: SynthConfig
    truth: tuple[Keyframe, ...] = field(default_factory=tuple)


def min_jerk(tau: np.ndarray) -> np.ndarray:
    """Minimum-jerk profile 10 t^3 - 15 t^4 + 6 t^5 on [0, 1] (clipped outside)."""
    tau = np.clip(tau, 0.0, 1.0)
    return tau**3 * (10 - 15 * tau + 6 * tau**2)


def _schedule(t_s: np.ndarray, start: float, keys: Sequence[Keyframe]) -> np.ndarray:
    """A numeric parameter over time: piecewise minimum-jerk between keyframes."""
    out = np.full(len(t_s), float(start))
    value = float(start)
    for k in sorted(keys, key=lambda k: k.start_s):
        target = float(k.value)
        s = min_jerk((t_s - k.start_s) / max(k.dur_s, 1e-9))
        seg = t_s >= k.start_s
        out[seg] = value + (target - value) * s[seg]
        value = target
    return out


def _arm_points(pose: str) -> dict[str, np.ndarray]:
    """Left-arm landmarks (X = subject's left, Y up, Z forward, metres) for one arm pose."""
    elbow, wrist = {
        "hips": ((0.34, 1.20, -0.05), (0.22, 1.05, 0.0)),
        "hang": ((0.21, 1.17, 0.0), (0.22, 0.92, 0.0)),
        "out": ((0.46, 1.45, 0.0), (0.72, 1.45, 0.0)),
        "overhead": ((0.22, 1.73, 0.0), (0.23, 1.98, 0.0)),
        "chest": ((0.22, 1.22, 0.12), (-0.05, 1.35, 0.20)),
    }[pose]
    e, w = np.array(elbow), np.array(wrist)
    u = (w - e) / np.linalg.norm(w - e)
    fwd = np.array([0.0, 0.0, 0.03])
    return {"elbow": e, "wrist": w, "index": w + 0.085 * u, "pinky": w + 0.075 * u - fwd / 2,
            "thumb": w + 0.045 * u + fwd}  # fmt: skip


def _rot_x(v: np.ndarray, a: float) -> np.ndarray:
    """Rotate (..., 3) about the X axis: a > 0 lifts points behind (Z < 0) and moves points above forward."""
    c, s = math.cos(a), math.sin(a)
    y, z = v[..., 1], v[..., 2]
    return np.stack([v[..., 0], y * c - z * s, y * s + z * c], axis=-1)


def _rot_z(v: np.ndarray, a: float) -> np.ndarray:
    """Rotate (..., 3) about the Z axis: a > 0 moves points above the pivot towards +X."""
    c, s = math.cos(a), math.sin(a)
    x, y = v[..., 0], v[..., 1]
    return np.stack([x * c + y * s, -x * s + y * c, v[..., 2]], axis=-1)


def skeleton_left_stance(
    arms_left: str, arms_right: str, arm_blend: tuple[float, float], arms_to: tuple[str, str],
    flexion_deg: float, abduction_deg: float, knee_deg: float, pitch_deg: float,
) -> np.ndarray:  # fmt: skip
    """(33, 3) skeleton standing on the left leg in X-left, Y-up, Z-forward metres (leg 0.9 m).

    Each arm is ``arm_blend`` of the way from pose ``arms_*`` to ``arms_to``; the right (raised)
    thigh is at ``flexion_deg`` / ``abduction_deg`` from vertical, the shank ``knee_deg`` behind
    the thigh (sagittal / frontal projections from vertical, < 90 deg);
    the stance foot is pitched by ``pitch_deg`` (+ heel up about the toe, - toe up
    about the heel), which lifts the whole body by the ankle's rise.
    """
    p = np.zeros((N_LANDMARKS, 3))

    def put(name: str, xyz: Sequence[float]) -> None:
        p[INDEX[name]] = xyz

    put("nose", (0, 1.62, 0.09))
    for side, sx in (("left", 1), ("right", -1)):
        put(f"{side}_eye_inner", (sx * 0.015, 1.66, 0.08))
        put(f"{side}_eye", (sx * 0.03, 1.66, 0.075))
        put(f"{side}_eye_outer", (sx * 0.045, 1.66, 0.07))
        put(f"{side}_ear", (sx * 0.07, 1.64, 0.0))
        put(f"mouth_{side}", (sx * 0.025, 1.58, 0.08))
        put(f"{side}_shoulder", (sx * 0.19, 1.45, 0.0))
        put(f"{side}_hip", (sx * 0.09, 0.98, 0.0))
    for side, sx, pose, blend, to in (("left", 1, arms_left, arm_blend[0], arms_to[0]),
                                       ("right", -1, arms_right, arm_blend[1], arms_to[1])):
        a, b = _arm_points(pose), _arm_points(to)
        for j in a:
            xyz = (1 - blend) * a[j] + blend * b[j]
            put(f"{side}_{j}", (sx * xyz[0], xyz[1], xyz[2]))
    # Stance (left) leg and foot.
    put("left_knee", (0.08, 0.53, 0.01))
    put("left_ankle", (0.07, 0.08, 0.0))
    put("left_heel", (0.07, 0.03, -0.06))
    put("left_foot_index", (0.08, 0.01, 0.16))
    # Raised (right) leg.
    al, be, kn = (math.radians(v) for v in (flexion_deg, abduction_deg, knee_deg))
    hip = p[INDEX["right_hip"]]
    # Direction whose sagittal / frontal projections make exactly these angles with "down".
    thigh = np.array([-math.tan(be), -1.0, math.tan(al)])
    knee = hip + THIGH_M * thigh / np.linalg.norm(thigh)
    shank = np.array([-math.tan(be), -1.0, math.tan(al - kn)])
    ankle = knee + SHANK_M * shank / np.linalg.norm(shank)
    put("right_knee", knee)
    put("right_ankle", ankle)
    put("right_heel", ankle + (0, -0.04, -0.06))
    put("right_foot_index", ankle + (0, -0.06, 0.15))
    # Stance-foot pitch: rotate the foot about the toe (heel lift) or the heel (forefoot lift).
    if pitch_deg != 0.0:
        foot = [INDEX[n] for n in ("left_ankle", "left_heel", "left_foot_index")]
        pivot = p[INDEX["left_foot_index" if pitch_deg > 0 else "left_heel"]].copy()
        before = p[INDEX["left_ankle"]].copy()
        p[foot] = pivot + _rot_x(p[foot] - pivot, math.radians(pitch_deg))
        rise = p[INDEX["left_ankle"]] - before
        rest = [i for i in range(N_LANDMARKS) if i not in foot]
        p[rest] += rise
    return p


def _quiet_sway(n: int, fs: float, rms: float, hz: float, rng: np.random.Generator) -> np.ndarray:
    """Band-limited Gaussian noise with the given RMS (zero mean)."""
    if rms <= 0 or n < 30:
        return np.zeros(n)
    x = lowpass_zero_phase(rng.normal(size=n), fs, hz)
    x -= x.mean()
    return x * rms / max(float(np.sqrt(np.mean(x**2))), 1e-12)


def _arm_state(t: float, keys: Sequence[Keyframe], side: str, start: str) -> tuple[str, float, str]:
    """(pose before, blend 0..1, pose after) of one arm at time ``t``."""
    pose = start
    for k in sorted((k for k in keys if k.param == "arms" and k.side in (side, "both")),
                    key=lambda k: k.start_s):  # fmt: skip
        if t < k.start_s:
            break
        if t < k.end_s:
            return pose, float(min_jerk(np.array((t - k.start_s) / k.dur_s))), str(k.value)
        pose = str(k.value)
    return pose, 0.0, pose


def make_trial(cfg: SynthConfig) -> SynthTrial:
    """Build the synthetic :class:`LandmarkSeries` for ``cfg`` (deterministic for a seed)."""
    rng = np.random.default_rng(cfg.seed)
    t = np.arange(0.0, cfg.duration_s, 1.0 / cfg.fps)
    n = len(t)
    keys = cfg.keyframes

    def sched(param: str, start: float) -> np.ndarray:
        return _schedule(t, start, [k for k in keys if k.param == param])

    ml = _quiet_sway(n, cfg.fps, cfg.sway_ml_ll, cfg.sway_hz, rng) + sched("ml", 0.0)
    ap = _quiet_sway(n, cfg.fps, cfg.sway_ap_ll, cfg.sway_hz, rng) + sched("ap", 0.0)
    lean, pitch = sched("lean", 0.0), sched("pitch", 0.0)
    flex, abd = sched("flexion", cfg.hip_flexion_deg), sched("abduction", 0.0)
    knee = sched("knee", cfg.knee_flexion_deg)
    scale = cfg.leg_m / (THIGH_M + SHANK_M)
    pts = np.zeros((n, N_LANDMARKS, 3))
    upper = [INDEX[k] for k in INDEX if not any(j in k for j in ("hip", "knee", "ankle", "heel", "foot"))]
    foot = [INDEX[n_] for n_ in ("left_heel", "left_foot_index")]
    for i in range(n):
        al, bl, tl = _arm_state(t[i], keys, "left", cfg.arms)
        ar, br, tr = _arm_state(t[i], keys, "right", cfg.arms)
        p = skeleton_left_stance(al, ar, (bl, br), (tl, tr), flex[i], abd[i], knee[i], pitch[i])
        hip_mid = p[[INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=0)
        p[upper] = hip_mid + _rot_z(p[upper] - hip_mid, math.radians(lean[i]))
        ankle = p[INDEX["left_ankle"]].copy()
        body = [j for j in range(N_LANDMARKS) if j not in foot]
        height = hip_mid[1] - ankle[1]
        v = _rot_z(p[body] - ankle, ml[i] * (THIGH_M + SHANK_M) / height)
        p[body] = ankle + _rot_x(v, ap[i] * (THIGH_M + SHANK_M) / height)
        pts[i] = p * scale
    if cfg.stance == "right":
        pts = pts[:, MIRROR, :]
        pts[..., 0] *= -1
    return SynthTrial(_to_series(t, pts, cfg, rng), cfg, tuple(keys))


def _to_series(t: np.ndarray, pts: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> LandmarkSeries:
    """Project X-left/Y-up/Z-forward metres to image pixels and MediaPipe world landmarks, add noise."""
    n = len(t)
    s = cfg.leg_px / cfg.leg_m
    px = np.empty((n, N_LANDMARKS, 2))
    px[..., 0] = W_PX / 2 + s * pts[..., 0]
    px[..., 1] = H_PX - 30 - s * pts[..., 1]
    px += rng.normal(0.0, cfg.noise_ll * cfg.leg_px, px.shape)
    hip_mid = pts[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=1, keepdims=True)
    w = pts - hip_mid
    world = np.empty((n, N_LANDMARKS, 4))
    world[..., 0], world[..., 1], world[..., 2] = w[..., 0], -w[..., 1], -w[..., 2]
    sigma = cfg.noise_ll * cfg.leg_m
    world[..., :3] += rng.normal(0.0, 1.0, (n, N_LANDMARKS, 3)) * (sigma, sigma, 2 * sigma)
    world[..., 3] = 0.99
    image = np.empty((n, N_LANDMARKS, 4))
    image[..., 0], image[..., 1] = px[..., 0] / W_PX, px[..., 1] / H_PX
    image[..., 2], image[..., 3] = 0.0, 0.99
    return LandmarkSeries(t, image.astype(np.float32), world.astype(np.float32), W_PX, H_PX)
