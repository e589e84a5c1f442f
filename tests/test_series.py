"""The landmark series (:mod:`balance_cam.core.series`): validation, save/load, mirroring, builder."""

from __future__ import annotations

import io

import numpy as np
import pytest

from balance_cam.core.series import LandmarkSeries, PoseFrame, SeriesBuilder
from balance_cam.core.skeleton import INDEX, N_LANDMARKS, idx
from balance_cam.io.landmarks import load_series, save_series


def random_series(n: int = 20, seed: int = 1) -> LandmarkSeries:
    rng = np.random.default_rng(seed)
    image = rng.uniform(0, 1, (n, N_LANDMARKS, 4)).astype(np.float32)
    world = rng.normal(0, 0.5, (n, N_LANDMARKS, 4)).astype(np.float32)
    image[3] = np.nan  # a frame without a person
    return LandmarkSeries(np.arange(n) / 30.0, image, world, 640, 480, np.arange(n) + 100)


def test_save_load_round_trip(tmp_path):
    s = random_series()
    save_series(s, tmp_path / "s.npz")
    back = load_series(tmp_path / "s.npz")
    for name in ("t_s", "image", "world", "frame_index"):
        np.testing.assert_array_equal(getattr(back, name), getattr(s, name))
    assert (back.width_px, back.height_px) == (640, 480)
    buf = io.BytesIO()  # in memory, as the history stores it
    save_series(s, buf)
    buf.seek(0)
    np.testing.assert_array_equal(load_series(buf).image, s.image)


def test_newer_format_is_refused(tmp_path):
    s = random_series()
    np.savez(tmp_path / "new.npz", format_version=99, t_s=s.t_s, image=s.image, world=s.world,
             size_wh=np.array([640, 480]), frame_index=s.frame_index)  # fmt: skip
    with pytest.raises(ValueError, match="series format 99 is newer"):
        load_series(tmp_path / "new.npz")


def test_mirrored_swaps_sides_and_flips_x():
    s = random_series()
    m = s.mirrored()
    la, ra = idx("left", "ankle"), idx("right", "ankle")
    np.testing.assert_allclose(m.image[:, la, 0], 1.0 - s.image[:, ra, 0])
    np.testing.assert_array_equal(m.image[:, la, 1:], s.image[:, ra, 1:])
    np.testing.assert_allclose(m.world[:, la, 0], -s.world[:, ra, 0])
    np.testing.assert_array_equal(m.image[:, INDEX["nose"], 1], s.image[:, INDEX["nose"], 1])
    mm = m.mirrored()
    np.testing.assert_allclose(mm.image, s.image, atol=1e-6)
    np.testing.assert_allclose(mm.world, s.world)
    # Distances in pixels are preserved (mirroring is an isometry).
    d = np.linalg.norm(s.pixels()[:, la] - s.pixels()[:, ra], axis=1)
    np.testing.assert_allclose(np.linalg.norm(m.pixels()[:, la] - m.pixels()[:, ra], axis=1), d,
                               rtol=1e-5)  # fmt: skip


def test_pixels_use_the_frame_size():
    s = random_series()
    np.testing.assert_allclose(s.pixels()[..., 0], s.image[..., 0] * 640, rtol=1e-6)
    np.testing.assert_allclose(s.pixels()[..., 1], s.image[..., 1] * 480, rtol=1e-6)


def test_validation_messages():
    s = random_series(5)
    with pytest.raises(ValueError, match=r"must have shape \(5, 33, 4\)"):
        LandmarkSeries(s.t_s, s.image[:, :10], s.world, 640, 480)
    with pytest.raises(ValueError, match="strictly increasing"):
        LandmarkSeries(s.t_s[::-1].copy(), s.image, s.world, 640, 480)
    with pytest.raises(ValueError, match="frame size must be positive"):
        LandmarkSeries(s.t_s, s.image, s.world, 0, 480)
    with pytest.raises(ValueError, match=r"image must have shape \(33, 4\)"):
        PoseFrame(np.zeros((17, 4)), np.zeros((33, 4)))


def test_builder_grows_windows_and_marks_missing_frames():
    b = SeriesBuilder(640, 480, capacity=4)
    pose = PoseFrame(np.full((33, 4), 0.5, np.float32), np.zeros((33, 4), np.float32))
    for k in range(10):
        b.append(k / 10, k, None if k == 2 else pose)
    s = b.build()
    assert len(s) == len(b) == 10 and np.isnan(s.image[2]).all() and not np.isnan(s.image[3]).any()
    w = b.build_window(0.3, 0.6)
    np.testing.assert_allclose(w.t_s, [0.3, 0.4, 0.5, 0.6])
    assert list(w.frame_index) == [3, 4, 5, 6]
    np.testing.assert_allclose(s.between(0.3, 0.6).t_s, w.t_s)
