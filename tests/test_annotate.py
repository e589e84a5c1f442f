"""Annotated-video export: real pose on a real clip through the CLI, timing, overlay, face blur."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import av
import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from balance_cam.apps.analyze import analyze_video_series
from balance_cam.core.analyzer import Analyzer
from balance_cam.core.series import PoseFrame
from balance_cam.core.skeleton import FACE, LEG_SWAP, idx
from balance_cam.io.sources import iter_frames
from balance_cam.render.overlay import RAISED_BGR, STANCE_BGR
from balance_cam.render.video import AnnotatedVideoWriter, blur_box, face_box_px
from tests.conftest import sample

CLIP = "pose2sim_cam01.mp4"


def _frames(path) -> list:
    return list(iter_frames(path))


def _sharpness(gray: np.ndarray) -> float:
    return float(cv2.Laplacian(gray.astype(np.float64), cv2.CV_64F).var())


@cache
def _annotated(tmp_root: str):
    """``analyze --annotate --blur-faces --out`` once: (video, series, result json path)."""
    from balance_cam.cli import app
    from balance_cam.io.landmarks import load_series
    from balance_cam.io.results import read_result

    out = f"{tmp_root}/clip_annotated.mp4"
    res = CliRunner().invoke(app, ["analyze", str(sample(CLIP)), "--annotate", out,
                                   "--blur-faces", "--out", f"{tmp_root}/res"])  # fmt: skip
    assert res.exit_code == 0, res.output
    stem = sample(CLIP).stem
    series = load_series(f"{tmp_root}/res/{stem}.landmarks.npz")
    return out, series, read_result(f"{tmp_root}/res/{stem}.json")


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    return _annotated(str(tmp_path_factory.mktemp("annotate")))


@pytest.mark.slow
def test_annotated_video_keeps_source_timing_and_size(annotated):
    out, series, _ = annotated
    src, dst = _frames(sample(CLIP)), _frames(out)
    assert len(dst) == len(src) == len(series)
    assert dst[0].rgb.shape == src[0].rgb.shape
    assert np.array_equal([f.t_s for f in dst], [f.t_s for f in src])
    with av.open(out) as c:
        assert c.streams.video[0].codec_context.name == "h264"


@pytest.mark.slow
def test_stance_leg_is_highlighted_during_the_trial(annotated):
    out, series, result = annotated
    trial = result.trials[0]
    dst = _frames(out)
    mid = (trial.start_frame + trial.end_frame) // 2
    px = series.pixels()[mid]
    knee, ankle = px[idx(trial.stance, "knee")], px[idx(trial.stance, "ankle")]
    x, y = np.round((knee + ankle) / 2).astype(int)
    patch = dst[mid].rgb[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3).astype(int)
    stance_rgb = np.array(STANCE_BGR[::-1])
    assert np.min(np.abs(patch - stance_rgb).sum(axis=1)) < 60  # the stance-leg colour is drawn
    src = _frames(sample(CLIP))[mid].rgb
    assert np.abs(dst[mid].rgb.astype(int) - src).mean() > 3  # overlay changed the frame


@pytest.fixture(scope="module")
def blurred_pose1(tmp_path_factory):
    """pose_1.mp4 (a clearly visible face) through the annotator with --blur-faces."""
    from balance_cam.apps.analyze import analyze_video_series

    out = tmp_path_factory.mktemp("blur") / "pose_1_blurred.mp4"
    ann = AnnotatedVideoWriter(sample("pose_1.mp4"), out, blur_faces=True)
    try:
        _, series = analyze_video_series(sample("pose_1.mp4"), on_frame=ann.on_frame)
    finally:
        ann.close()
    return out, series


@pytest.mark.slow
def test_face_is_blurred_and_background_untouched(blurred_pose1):
    out, series = blurred_pose1
    src, dst = _frames(sample("pose_1.mp4")), _frames(out)
    assert len(dst) == len(src)
    h, w = src[0].rgb.shape[:2]
    for i in (0, 60, 119):
        px = series.pixels()[i]
        box = face_box_px(px, (w, h))
        assert box is not None
        x0, y0, x1, y1 = box
        face = px[list(FACE)]
        assert np.all((face >= (x0, y0)) & (face <= (x1, y1)))
        # eyes-to-mouth area: no overlay is drawn there, only the blur
        fx0, fy0 = np.floor(face.min(axis=0)).astype(int)
        fx1, fy1 = np.ceil(face.max(axis=0)).astype(int)
        g_src = cv2.cvtColor(src[i].rgb[fy0:fy1, fx0:fx1], cv2.COLOR_RGB2GRAY)
        g_dst = cv2.cvtColor(dst[i].rgb[fy0:fy1, fx0:fx1], cv2.COLOR_RGB2GRAY)
        assert _sharpness(g_dst) < 0.25 * _sharpness(g_src), i
    # well below the face and away from the overlays, the picture is the source's
    region = (slice(int(0.55 * h), int(0.7 * h)), slice(int(0.6 * w), int(0.95 * w)))
    assert np.abs(dst[60].rgb[region].astype(int) - src[60].rgb[region]).mean() < 4


def test_face_box_and_blur_units():
    lm = np.full((33, 2), np.nan)
    lm[list(FACE)] = [[100 + 3 * k, 80 + (k % 3)] for k in range(11)]
    lm[idx("left", "shoulder")], lm[idx("right", "shoulder")] = (160, 150), (60, 150)
    x0, y0, x1, y1 = face_box_px(lm, (300, 300))
    assert x1 - x0 >= 60 and y0 < 60 and y1 > 100  # padded to 0.3 × shoulder width and more
    assert face_box_px(np.full((33, 2), np.nan), (300, 300)) is None
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)
    before = _sharpness(img[50:150, 50:150, 0])
    blur_box(img, (50, 50, 150, 150))
    assert _sharpness(img[50:150, 50:150, 0]) < 0.01 * before


def _write_vfr(path, times_s, size=(96, 64)) -> None:
    """A small H.264 clip whose frames sit at the given (irregular) times."""
    tb = Fraction(1, 90000)
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264")
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.codec_context.time_base = s.time_base = tb
        for i, t in enumerate(times_s):
            img = np.full((size[1], size[0], 3), (i * 9) % 255, np.uint8)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = round(t / tb), tb
            c.mux(s.encode(f))
        c.mux(s.encode(None))


@pytest.mark.parametrize("times", [
    np.cumsum(np.r_[0, np.tile([1 / 30, 1 / 24, 1 / 60], 10)]),  # variable frame rate
    np.arange(31) * 1001 / 30000,  # 29.97 fps
])  # fmt: skip
def test_frame_times_follow_the_source(tmp_path, times):
    """Wiring only (no person): output frame times equal the source's, VFR and NTSC rates."""
    src = tmp_path / "src.mp4"
    _write_vfr(src, times)
    frames = _frames(src)
    assert np.allclose([f.t_s for f in frames], times - times[0], atol=2e-5)
    ann = AnnotatedVideoWriter(src, tmp_path / "out.mp4")
    analyzer = Analyzer(96, 64)
    for f in frames:
        ann.on_frame(f, analyzer.update(f.t_s, f.index, None))
    ann.close()
    out = _frames(tmp_path / "out.mp4")
    assert np.allclose([f.t_s for f in out], [f.t_s for f in frames], atol=2e-5)
    assert not list(tmp_path.glob(".out.*"))  # temporary file moved into place


class SwapLegsOn:
    """The real pose model, with the legs' labels exchanged on some frames, as MediaPipe does
    now and then when the legs overlap (the leg-swap guard must undo it)."""

    def __init__(self, frames: set[int]) -> None:
        from balance_cam.pose.factory import create_backend

        self.inner, self.frames, self.n = create_backend("full"), frames, -1
        self.info = self.inner.info

    def process(self, rgb, t_ms):  # noqa: ANN001, ANN201
        self.n += 1
        pose = self.inner.process(rgb, t_ms)
        if pose is not None and self.n in self.frames:
            pose = PoseFrame(pose.image[list(LEG_SWAP)], pose.world[list(LEG_SWAP)])
        return pose

    def reset(self) -> None:
        self.inner.reset()

    def close(self) -> None:
        self.inner.close()


def test_annotated_video_colours_the_legs_the_guard_corrected(tmp_path):
    """The annotated video draws the analyzer's corrected landmarks: on a frame whose legs the
    model swapped, the stance (left) ankle is still drawn in the stance colour where it stands."""
    clip = sample("pose_1.mp4")  # on the left leg for the whole clip
    writer = AnnotatedVideoWriter(clip, tmp_path / "a.mp4", limit_s=45.0)
    steps = {}

    def on_frame(frame, step):  # noqa: ANN001, ANN202
        writer.on_frame(frame, step)
        steps[frame.index] = step

    backend = SwapLegsOn({60})
    try:
        analyze_video_series(clip, backend=backend, on_frame=on_frame)
    finally:
        backend.close()
        writer.close()
    swapped = [i for i, s in steps.items() if s.swapped]
    assert swapped == [60], swapped
    step = steps[60]
    assert step.state == "holding" and step.stance == "left"
    left, right = idx("left", "ankle"), idx("right", "ankle")
    # corrected: each ankle is where it was on the frame before (the pose barely changes)
    assert np.linalg.norm(step.landmarks_px[left] - steps[59].landmarks_px[left]) < 10
    assert np.linalg.norm(step.landmarks_px[right] - steps[59].landmarks_px[right]) < 10
    img = writer.draw(np.zeros((576, 576, 3), np.uint8), step)
    for joint, colour in ((left, STANCE_BGR), (right, RAISED_BGR)):
        x, y = np.round(step.landmarks_px[joint]).astype(int)
        assert tuple(int(v) for v in img[y, x]) == colour
