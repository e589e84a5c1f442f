"""Frame sources on real and re-muxed clips: rotation, VFR timing, containers, folders, memory.

Clips are derived from ``sample_videos/pose2sim_cam01.mp4`` with ffmpeg (required in CI) or
muxed with PyAV; expected pixels come from ffmpeg's own display rendering.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from balance_cam.io.sources import SourceError, iter_frames, probe
from tests.conftest import ffmpeg, sample


def ffmpeg_png(video: Path, png: Path) -> np.ndarray:
    """First frame as ffmpeg displays it (rotation applied), RGB."""
    import cv2

    ffmpeg("-i", video, "-frames:v", "1", png)
    return cv2.imread(str(png))[..., ::-1]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 frames of the Pose2Sim clip at 270×480 (portrait, as recorded), h264 in mp4."""
    out = tmp_path_factory.mktemp("src") / "small.mp4"
    ffmpeg("-i", sample("pose2sim_cam01.mp4"), "-vf", "scale=270:480", "-frames:v", "12",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", out)  # fmt: skip
    return out


def first_frame(path: Path) -> np.ndarray:
    return next(iter(iter_frames(path))).rgb


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotation_metadata_gives_ffmpeg_display_orientation(small: Path, tmp_path: Path, rotate):
    rotated = tmp_path / f"rot{rotate}.mp4"
    ffmpeg("-i", small, "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", rotated)
    shown = ffmpeg_png(rotated, tmp_path / "shown.png")
    stored = first_frame(small)
    ours = first_frame(rotated)

    assert ours.shape == shown.shape
    assert np.abs(ours.astype(int) - shown).mean() < 1.0
    # The stored (unrotated) pixels are really different: the test would catch a no-op.
    if stored.shape == shown.shape:
        assert np.abs(stored.astype(int) - shown).mean() > 10
    info = probe(rotated)
    assert (info.width, info.height) == (shown.shape[1], shown.shape[0])
    assert info.rotation in (90, 180, 270)
    assert (info.rotation in (90, 270)) == (rotate in (90, 270))


def test_unrotated_clip_reports_stored_size(small: Path):
    info = probe(small)
    assert (info.width, info.height, info.rotation) == (270, 480, 0)
    assert info.frames == 12 and info.fps == pytest.approx(60.0)


def _mux_vfr(path: Path, times_s: list[float], size_wh: tuple[int, int] = (64, 48)) -> None:
    """h264 clip whose frame k has grey level 20*k and presentation time ``times_s[k]``."""
    import av

    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height = size_wh
        s.pix_fmt = "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        s.options = {"crf": "1", "bf": "0"}
        for k, t in enumerate(times_s):
            img = np.full((size_wh[1], size_wh[0], 3), 20 * k, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode(None):
            c.mux(packet)


def test_variable_frame_rate_uses_container_timestamps(tmp_path: Path):
    # Irregular intervals: 33, 17, 67, 33, 100, 33, 50, 33, 17 ms (a phone under load).
    times = [0.0, 0.033, 0.050, 0.117, 0.150, 0.250, 0.283, 0.333, 0.366, 0.383]
    path = tmp_path / "vfr.mp4"
    _mux_vfr(path, times)

    frames = list(iter_frames(path))

    assert [f.index for f in frames] == list(range(len(times)))
    np.testing.assert_allclose([f.t_s for f in frames], times, atol=0.0015)
    grey = [float(f.rgb.mean()) for f in frames]
    np.testing.assert_allclose(grey, [20 * k for k in range(len(times))], atol=3)
    # Index / average fps would be wrong by tens of milliseconds here.
    fps = probe(path).fps
    assert max(abs(f.t_s - f.index / fps) for f in frames) > 0.03


def test_timestamps_start_at_zero_when_the_stream_does_not(tmp_path: Path):
    path = tmp_path / "offset.mp4"
    _mux_vfr(path, [1.0, 1.04, 1.08, 1.12])
    assert [round(f.t_s, 3) for f in iter_frames(path)] == [0.0, 0.04, 0.08, 0.12]


@pytest.mark.parametrize(
    ("suffix", "codec_args", "codec"),
    [
        (".webm", ["-c:v", "libvpx-vp9", "-crf", "30", "-deadline", "realtime"], "vp9"),
        (".mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "h264"),
        (".avi", ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"], "mjpeg"),
    ],
)
def test_common_containers_decode_like_ffmpeg(small, tmp_path, suffix, codec_args, codec):
    path = tmp_path / f"clip{suffix}"
    ffmpeg("-i", small, *codec_args, path)

    frames = list(iter_frames(path))
    info = probe(path)

    assert len(frames) == 12
    assert info.codec == codec and (info.width, info.height) == (270, 480)
    np.testing.assert_allclose([f.t_s for f in frames], np.arange(12) / 60.0, atol=0.002)
    shown = ffmpeg_png(path, tmp_path / "shown.png")
    assert np.abs(frames[0].rgb.astype(int) - shown).mean() < 1.5


def test_image_folder_is_a_source(tmp_path: Path):
    import cv2

    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (40, 60, 3), dtype=np.uint8) for _ in range(4)]
    for k, rgb in enumerate(images):
        cv2.imwrite(str(tmp_path / f"img_{k:03d}.png"), rgb[..., ::-1])
    (tmp_path / "notes.txt").write_text("not an image")

    frames = list(iter_frames(tmp_path, fps_for_images=25.0))
    info = probe(tmp_path)

    assert len(frames) == 4 and (info.width, info.height, info.frames) == (60, 40, 4)
    for frame, rgb in zip(frames, images, strict=True):
        np.testing.assert_array_equal(frame.rgb, rgb)
    np.testing.assert_allclose([f.t_s for f in frames], [0.0, 0.04, 0.08, 0.12])
    assert all(f.rgb.flags["C_CONTIGUOUS"] for f in frames)


@pytest.mark.parametrize("rotate", [0, 90])
def test_frames_are_c_contiguous_at_phone_widths(tmp_path: Path, rotate: int):
    """A 1080 px wide frame comes out of FFmpeg with rows padded (3264 bytes, not 3240): the
    frame handed to the model must still be one C-contiguous block (issue 17), with the same
    pixels as FFmpeg's own decode."""
    from balance_cam.testing.synthetic import write_video

    rng = np.random.default_rng(3)
    picture = np.repeat(rng.integers(0, 255, (4, 1080 // 8, 3), dtype=np.uint8), 8, axis=1)
    stored = tmp_path / "wide.mp4"
    write_video(stored, ((i / 30, np.repeat(picture, 8, axis=0)) for i in range(3)), 30.0)
    video = stored
    if rotate:
        video = tmp_path / f"rot{rotate}.mp4"
        ffmpeg("-i", stored, "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", video)
    frames = list(iter_frames(video))
    shown = ffmpeg_png(video, tmp_path / "shown.png")

    assert len(frames) == 3
    assert all(f.rgb.flags["C_CONTIGUOUS"] and f.rgb.dtype == np.uint8 for f in frames)
    assert frames[0].rgb.shape == shown.shape == ((32, 1080, 3) if not rotate else (1080, 32, 3))
    assert np.abs(frames[0].rgb.astype(int) - shown).mean() < 2.0


def test_empty_folder_is_refused(tmp_path: Path):
    with pytest.raises(SourceError, match="folder holds no images"):
        probe(tmp_path)


def test_missing_and_unreadable_files(tmp_path: Path):
    with pytest.raises(SourceError, match="no such file"):
        probe(tmp_path / "nope.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    with pytest.raises(SourceError, match="not a readable video"):
        probe(text)
    with pytest.raises(SourceError, match="not a readable video"):
        list(iter_frames(text))


def test_container_without_frames(tmp_path: Path):
    import av

    # AVI keeps the declared video stream even when no frame was ever written.
    path = tmp_path / "zero.avi"
    with av.open(str(path), "w") as c:
        s = c.add_stream("mjpeg", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuvj420p"
        c.start_encoding()
    with pytest.raises(SourceError, match="no decodable frames"):
        probe(path)
    with pytest.raises(SourceError, match="no decodable frames"):
        list(iter_frames(path))
    # MP4 drops a track without samples: the file then has no video stream at all.
    mp4 = tmp_path / "zero.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x64:r=30", "-frames:v", "0", "-c:v", "libx264", mp4)
    with pytest.raises(SourceError, match="no video stream"):
        probe(mp4)


def test_truncated_file_is_reported_after_its_frames(tmp_path: Path):
    # moov atom first, so the first half still decodes; FFmpeg ends quietly at the cut.
    whole = tmp_path / "faststart.mp4"
    ffmpeg("-i", sample("pose_1.mp4"), "-c", "copy", "-movflags", "+faststart", whole)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    seen = []
    # PyAV 18+ (Python 3.11+): the stream ends quietly at the cut; PyAV 17 (Python 3.10) raises
    # InvalidDataError there. Either way the frames before the cut arrive, then one SourceError.
    with pytest.raises(SourceError, match=r"truncated: frames stop at \d\.\d\d s of 4\.00 s"
                                          r"|damaged after \d+ frames \(InvalidDataError\)"):  # fmt: skip
        for frame in iter_frames(cut):
            seen.append(frame.t_s)
    assert 5 < len(seen) < 120


def test_trimmed_clip_with_edit_list_is_not_called_truncated(tmp_path: Path):
    # A stream-copied trim keeps whole GOPs and hides the extra frames with an edit list:
    # fewer frames decode than the container lists, which is not damage.
    trimmed = tmp_path / "trimmed.mp4"
    ffmpeg("-ss", "1.3", "-i", sample("sports2d_demo.mp4"), "-c", "copy", trimmed)
    frames = list(iter_frames(trimmed))
    assert probe(trimmed).frames > len(frames) > 150


def test_memory_stays_flat_while_streaming_a_long_clip(tmp_path: Path):
    psutil = pytest.importorskip("psutil")
    path = tmp_path / "long.mp4"
    # 1800 frames of 320×240: keeping them would cost ~400 MB.
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x240:r=30", "-t", "60", "-c:v", "libx264",
           "-preset", "ultrafast", "-pix_fmt", "yuv420p", path)  # fmt: skip
    proc = psutil.Process()
    rss_mb = []
    n = 0
    for frame in iter_frames(path):
        n += 1
        if n in (200, 1800):
            rss_mb.append(proc.memory_info().rss / 2**20)
        assert frame.rgb.shape == (240, 320, 3)
    assert n == 1800
    assert rss_mb[1] - rss_mb[0] < 30, f"RSS grew from {rss_mb[0]:.0f} to {rss_mb[1]:.0f} MB"
