"""Independent references for validation: Pose2Sim 3-D markers + calibration, TF.js keypoints.

- ``.trc`` (OpenSim): 60 Hz, metres, Y up; TRC ``Frame#`` 1 = video frame 0. It is a 4-camera
  triangulation of OpenPose BODY_25B keypoints made by Pose2Sim, *not* marker-based capture.
- ``Calib_qualisys.toml`` (Pose2Sim): per camera ``matrix`` (K), ``distortions`` (k1, k2, p1, p2),
  ``rotation`` (Rodrigues vector) and ``translation`` of the world→camera transform
  ``X_cam = R X_world + t`` (OpenCV convention), ``size`` (listed as 1088×1920 even where the
  video is 1080×1920). The world is Z-up while the TRC is Y-up: use :attr:`Trc.xyz_world_m`.
  Checked by projecting the markers onto all four videos (of the 48 axis orders and signs only
  this one lands on the subject in every camera, mean hip/ankle distance to MediaPipe 20-28 px
  at 1080×1920) and by looking at the overlay (``accuracy.py --overlay``).
- ``pose_1.json`` (tfjs-models): 120 frames of 17 COCO keypoints ``{x, y}`` in pixels.

Pure readers and small statistics; used by ``benchmarks/accuracy.py`` and the tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package (the test extra)
    import tomli as tomllib

#: COCO keypoint name → BlazePose landmark name, for the joints compared with pose_1.json.
COCO_TO_BLAZEPOSE = {
    "left_hip": "left_hip",
    "right_hip": "right_hip",
    "left_knee": "left_knee",
    "right_knee": "right_knee",
    "left_ankle": "left_ankle",
    "right_ankle": "right_ankle",
}


@dataclass(frozen=True)
class Trc:
    """Marker trajectories: ``xyz_m`` (frames, markers, 3) in metres, ``t_s`` from video frame 0."""

    names: tuple[str, ...]
    t_s: np.ndarray
    xyz_m: np.ndarray
    rate_hz: float

    def marker(self, name: str) -> np.ndarray:
        return self.xyz_m[:, self.names.index(name)]

    @property
    def xyz_world_m(self) -> np.ndarray:
        """Markers in the calibration's Z-up world frame. Pose2Sim writes TRC files Y-up by
        reordering the world axes (X, Y, Z) as (Y, Z, X); this undoes it."""
        return self.xyz_m[..., [2, 0, 1]]


def read_trc(path: str | Path) -> Trc:
    """Read an OpenSim ``.trc`` file (tab-separated; marker names on line 4, data from line 6)."""
    lines = Path(path).read_text().splitlines()
    rate = float(lines[2].split("\t")[0])
    names = tuple(n for n in lines[3].split("\t")[2:] if n.strip())
    rows = np.array(
        [[float(v) for v in ln.split("\t")[: 2 + 3 * len(names)]] for ln in lines[5:] if ln.strip()]
    )
    frame0 = rows[:, 0].astype(int) - 1  # TRC Frame# 1 = video frame 0
    return Trc(names, frame0 / rate, rows[:, 2:].reshape(len(rows), len(names), 3), rate)


@dataclass(frozen=True)
class Camera:
    """Pinhole camera with OpenCV distortion; world→camera ``X_cam = R X + t``."""

    name: str
    matrix: np.ndarray
    distortions: np.ndarray
    rvec: np.ndarray
    tvec: np.ndarray
    size_wh: tuple[int, int]

    def project(self, xyz_m: np.ndarray) -> np.ndarray:
        """(..., 3) world points → (..., 2) pixels."""
        import cv2

        pts = np.asarray(xyz_m, dtype=np.float64).reshape(-1, 3)
        uv, _ = cv2.projectPoints(pts, self.rvec, self.tvec, self.matrix, self.distortions)
        return uv.reshape(*np.shape(xyz_m)[:-1], 2)

    def to_camera(self, xyz_m: np.ndarray) -> np.ndarray:
        import cv2

        r, _ = cv2.Rodrigues(self.rvec)
        return np.asarray(xyz_m) @ r.T + self.tvec


def read_calibration(path: str | Path) -> dict[str, Camera]:
    """Cameras of a Pose2Sim calibration ``.toml``, keyed by section name (``cam_01``...)."""
    data = tomllib.loads(Path(path).read_text())
    cams = {}
    for key, c in data.items():
        if "matrix" not in c:
            continue
        cams[key] = Camera(
            key,
            np.array(c["matrix"], dtype=np.float64),
            np.array(c["distortions"], dtype=np.float64),
            np.array(c["rotation"], dtype=np.float64),
            np.array(c["translation"], dtype=np.float64),
            (int(c["size"][0]), int(c["size"][1])),
        )
    return cams


def read_tfjs_keypoints(path: str | Path) -> dict[str, np.ndarray]:
    """``pose_1.json``: COCO keypoint name → (frames, 2) pixels."""
    frames = json.loads(Path(path).read_text())
    names = frames[0].keys()
    return {n: np.array([[f[n]["x"], f[n]["y"]] for f in frames], dtype=np.float64) for n in names}


# -- statistics ---------------------------------------------------------------------------
def rms(x: np.ndarray) -> float:
    """Root mean square (about zero) of the finite values."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(x**2))) if len(x) else float("nan")


def pearson_r(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over samples finite in both."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def interp_at(t_query: np.ndarray, t_s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear interpolation of (N,) or (N, D) ``x`` at ``t_query`` (NaN outside ``t_s``)."""
    x2 = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    out = np.column_stack(
        [np.interp(t_query, t_s, x2[:, c], left=np.nan, right=np.nan) for c in range(x2.shape[1])]
    )
    return out.reshape((len(t_query), *np.shape(x)[1:]))


def foot_events_s(trc: Trc, side: str = "R", rise_m: float = 0.03) -> tuple[float, float]:
    """Lift and touchdown of one foot from 3-D markers: the lowest of its heel/toe markers rises
    more than ``rise_m`` above its height in the first 10 frames (first frame above) and comes
    back below that threshold (first frame below, after the peak)."""
    foot = np.stack([trc.marker(f"{side}{m}")[:, 1] for m in ("Heel", "BigToe", "SmallToe")])
    low = foot.min(axis=0)
    base = float(np.median(low[:10]))
    up = low > base + rise_m
    lift = int(np.argmax(up))
    peak = lift + int(np.argmax(low[lift:]))
    down = peak + int(np.argmax(~up[peak:]))
    return float(trc.t_s[lift]), float(trc.t_s[down])


def landmark_sway_angle_deg(series: object, stance: str = "left") -> np.ndarray:
    """Per-frame sway angle (degrees, unfiltered) of the stance-ankle→pelvis line straight from a
    :class:`~balance_cam.core.series.LandmarkSeries`, independent of trial detection."""
    from balance_cam.core.metrics import sway_angle_deg
    from balance_cam.core.skeleton import INDEX

    px = series.pixels()  # type: ignore[attr-defined]
    hips = px[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=1)
    return sway_angle_deg(hips - px[:, INDEX[f"{stance}_ankle"]])


def centred_error(measured: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    """RMS of (measured − mean) − (true − mean) and Pearson r, over samples finite in both."""
    measured, true = np.asarray(measured, dtype=np.float64), np.asarray(true, dtype=np.float64)
    ok = np.isfinite(measured) & np.isfinite(true)
    m, g = measured[ok] - measured[ok].mean(), true[ok] - true[ok].mean()
    return rms(m - g), pearson_r(m, g)
