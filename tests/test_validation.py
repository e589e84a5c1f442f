"""Validation references (benchmarks/reference.py) and single camera against the 4-camera 3-D
triangulation of the Pose2Sim balancing trial (docs/accuracy.md part 3)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from balance_cam.core.skeleton import INDEX
from tests.conftest import DATA, ROOT, analyzed

sys.path.insert(0, str(ROOT / "benchmarks"))
import accuracy  # noqa: E402
import reference as ref  # noqa: E402

CAMS = ("cam_01", "cam_02", "cam_03", "cam_04")


@pytest.fixture(scope="module")
def trc() -> ref.Trc:
    return ref.read_trc(DATA / "pose2sim_demo_filt_butterworth.trc")


@pytest.fixture(scope="module")
def cams() -> dict[str, ref.Camera]:
    return ref.read_calibration(DATA / "pose2sim_calib.toml")


def test_trc_reader(trc: ref.Trc) -> None:
    raw = ref.read_trc(DATA / "pose2sim_demo.trc")
    assert trc.xyz_m.shape == raw.xyz_m.shape == (100, 21, 3)
    assert trc.rate_hz == 60 and trc.t_s[0] == 0.0 and trc.t_s[1] == pytest.approx(1 / 60)
    assert {"LAnkle", "RHeel", "RBigToe", "LHip"} <= set(trc.names)
    assert 0.8 < trc.marker("LHip")[0, 1] < 1.0  # Y up, metres


def test_3d_foot_events_match_sources_md(trc: ref.Trc) -> None:
    lift_s, down_s = ref.foot_events_s(trc, "R")
    assert 0.20 <= lift_s <= 0.28 and 1.10 <= down_s <= 1.25


def test_calibration_reader(cams: dict[str, ref.Camera]) -> None:
    assert tuple(cams) == CAMS
    assert all(c.matrix.shape == (3, 3) and c.size_wh == (1088, 1920) for c in cams.values())


def test_statistics_helpers() -> None:
    t = np.linspace(0, 1, 50)
    assert ref.rms(np.array([3.0, -3.0, np.nan])) == pytest.approx(3.0)
    assert ref.pearson_r(t, 2 * t + 1) == pytest.approx(1.0)
    assert np.isnan(ref.pearson_r(t, np.ones_like(t)))
    err, r = ref.centred_error(np.sin(t) + 5, np.sin(t))
    assert err == pytest.approx(0.0, abs=1e-12) and r == pytest.approx(1.0)
    assert np.isnan(ref.interp_at(np.array([2.0]), t, t)[0])


@pytest.mark.slow
@pytest.mark.parametrize("k", range(4))
def test_projected_3d_markers_land_on_mediapipe_landmarks(trc, cams, k: int) -> None:  # noqa: ANN001
    """Checks the calibration convention (Z-up world, world→camera Rodrigues) on every camera."""
    _, series = analyzed(f"pose2sim_cam0{k + 1}.mp4")
    cam = cams[CAMS[k]]
    mp_idx = [INDEX[n] for n in ("left_hip", "right_hip", "left_ankle", "right_ankle")]
    trc_idx = [trc.names.index(n) for n in ("LHip", "RHip", "LAnkle", "RAnkle")]
    frames = np.arange(0, 100, 5)
    uv = cam.project(trc.xyz_world_m[frames][:, trc_idx])
    dist = np.linalg.norm(series.pixels()[frames][:, mp_idx] - uv, axis=2)
    median_px = np.nanmedian(dist)
    assert median_px < 45, f"{CAMS[k]}: median {median_px:.0f} px (measured 20-28)"
    wrong = cam.project(trc.xyz_m[frames][:, trc_idx])  # TRC axes used as if Z-up: misses
    assert np.nanmedian(np.linalg.norm(series.pixels()[frames][:, mp_idx] - wrong, axis=2)) > 150


#: Sway-angle correlation with the projected 3-D reference over the single-leg phase, measured
#: 0.65 / 0.88 / 0.92 / 0.99 (cam01..04, docs/accuracy.md); bounds leave 0.1-0.15 of margin.
#: cam02 measured 0.66 on stop 36's machine (an AMD EPYC) with the same code and model: the
#: model's landmarks differ by machine over these 55 frames (docs/accuracy.md, part 5), so its bound
#: is under the lower of the two.
MIN_ANGLE_R = {"cam_01": 0.5, "cam_02": 0.55, "cam_03": 0.8, "cam_04": 0.9}


@pytest.mark.slow
@pytest.mark.parametrize("k", range(4))
def test_single_camera_sway_angle_tracks_3d_reference(trc, cams, k: int) -> None:  # noqa: ANN001
    result, series = analyzed(f"pose2sim_cam0{k + 1}.mp4")
    row = accuracy.camera_vs_3d(CAMS[k], result, series, trc, cams[CAMS[k]],
                                ref.foot_events_s(trc, "R"))  # fmt: skip
    assert row["n"] >= 50
    assert row["r_angle"] >= MIN_ANGLE_R[CAMS[k]], row
    assert row["rmse_ll"] < 0.15, row  # measured 0.08-0.10 leg lengths, mostly hip-definition bias
