"""The live session: same numbers as ``analyze`` on real clips, history, camera problems.

End-to-end tests run the real MediaPipe model on sample clips given as the camera. Camera
wiring (newest-frame reader, drops, unplugging) is tested with fake capture objects, which
replay the landmarks ``analyze`` found on a real clip through a fake pose backend.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

try:  # tests/ as a plain folder or as a package
    from conftest import analyzed, sample
except ImportError:
    from tests.conftest import analyzed, sample

from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import run_live
from balance_cam.core.series import PoseFrame
from balance_cam.io.camera import CameraDisconnected, CameraError, CameraSource
from balance_cam.io.history import History
from balance_cam.io.landmarks import load_series
from balance_cam.pose.base import ModelInfo

CLIP = "pose2sim_cam01.mp4"


def same_trials(live_trials: list[dict], ref_trials: list[dict], frame_s: float) -> None:
    assert [t["stance"] for t in live_trials] == [t["stance"] for t in ref_trials]
    for a, b in zip(live_trials, ref_trials, strict=True):
        assert abs(a["start_s"] - b["start_s"]) <= frame_s + 1e-9
        assert abs(a["end_s"] - b["end_s"]) <= frame_s + 1e-9
        assert a["stop_reason"] == b["stop_reason"]
        for k, v in b["sway"].items():
            assert a["sway"][k] == v or (v is None and a["sway"][k] is None), k


@pytest.mark.slow
@pytest.mark.parametrize("name", [CLIP, "pose_1.mp4"])
def test_file_as_camera_gives_the_same_trials_as_analyze(name: str, tmp_path: Path) -> None:
    ref, _ = analyzed(name)
    outcome = run_live(LiveOptions(camera=str(sample(name)), window=False, db=tmp_path / "h.db"))
    got = outcome.result
    frame_s = 1.0 / ref.source["fps"]
    same_trials([t.to_dict() for t in got.trials], [t.to_dict() for t in ref.trials], frame_s)
    assert got.summary.to_dict() == ref.summary.to_dict()
    assert got.frames_decoded == ref.frames_decoded  # every frame processed, none dropped
    assert got.extra["live"]["dropped_frames"] == 0
    assert got.extra["live"]["frames_processed"] == ref.frames_decoded
    assert got.complete and outcome.error is None
    if name == CLIP:
        assert len(got.trials) == 1 and got.trials[0].stance == "left"  # SOURCES.md: left leg


@pytest.mark.slow
def test_cli_live_json_and_history(tmp_path: Path) -> None:
    """``live --camera FILE --no-window --json``: the analyze JSON contract plus live stats,
    and a complete session in the history with each trial's landmarks."""
    ref, _ = analyzed(CLIP)
    db = tmp_path / "hist.db"
    proc = subprocess.run(
        [sys.executable, "-m", "balance_cam.cli", "live", "--camera", str(sample(CLIP)),
         "--no-window", "--json", "--db", str(db), "--athlete", "Sam", "--leg", "left",
         "--trials", "2"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    ref_json = json.loads(ref.to_json())
    assert set(ref_json) <= set(out)  # same contract ...
    same_trials(out["trials"], ref_json["trials"], 1 / 60)
    live = out["live"]  # ... plus live stats
    assert live["dropped_frames"] == 0 and live["frames_processed"] == 100
    assert live["achieved_fps"] > 0 and live["legs"] == ["left"] and live["trials_per_leg"] == 2
    with History(db) as h:
        (session,) = h.sessions("Sam")
        assert session["kind"] == "live" and session["complete"] == 1
        rows = h.trials("Sam")
        assert [(r["stance"], r["hold_s"]) for r in rows] == [
            (t.stance, pytest.approx(t.hold_s)) for t in ref.trials]  # fmt: skip
        series = h.trial_series(session["id"], 0)
    t = ref.trials[0]
    assert series is not None
    assert series.t_s[0] >= t.start_s - 1e-9 and series.t_s[-1] <= t.end_s + 1e-9
    assert len(series) >= int((t.end_s - t.start_s) * 60)


def test_cli_no_camera_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "balance_cam.cli", "live", "--camera", "57", "--no-window",
         "--db", str(tmp_path / "h.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no camera at index 57" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_window_without_display_says_use_no_window(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    db = tmp_path / "h.db"
    proc = subprocess.run(
        [sys.executable, "-m", "balance_cam.cli", "live", "--camera", str(sample(CLIP)),
         "--db", str(db)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "balance-cam: error: no display to open a window on (DISPLAY is not set); use --no-window"
    ]
    assert not db.exists()  # nothing started, nothing saved


def test_no_camera_index_raises_camera_error() -> None:
    with pytest.raises(CameraError, match="no camera at index 57"):
        CameraSource(57).open()


# -- fake camera wiring ---------------------------------------------------------------------
class Lockstep:
    """Couples a fake camera to a fake pose backend: the camera delivers frame ``i + 1`` only
    once the backend has processed frame ``i``. No frame is ever overwritten before it is
    taken, however loaded the machine, so a replayed session is deterministic."""

    def __init__(self, timeout_s: float = 30.0) -> None:
        self.cond = threading.Condition()
        self.processed = 0
        self.timeout_s = timeout_s

    def took(self) -> None:
        with self.cond:
            self.processed += 1
            self.cond.notify_all()

    def wait_for(self, n_processed: int) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.processed >= n_processed, self.timeout_s)


class FakeCapture:
    """A cv2.VideoCapture stand-in: frames carry their number in pixel (0, 0); it "unplugs"
    after ``n_frames`` (grab fails from then on).

    With ``lockstep`` it waits for the consumer instead of sleeping a frame period, and reports
    the driver clock (``CAP_PROP_POS_MSEC`` = frame number x period), so frame times are the
    nominal ones and no frame is dropped: nothing depends on the wall clock."""

    def __init__(self, n_frames: int, size_wh: tuple[int, int] = (64, 48), fps: float = 60.0,
                 opened: bool = True, first_read_ok: bool = True,
                 lockstep: Lockstep | None = None) -> None:  # fmt: skip
        self.n_frames, self.period_s, self.opened = n_frames, 1.0 / fps, opened
        self.first_read_ok = first_read_ok
        self.size_wh = size_wh
        self.lockstep = lockstep
        self.i = 0
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        return True

    def get(self, prop: int) -> float:
        import cv2

        if self.lockstep is not None and prop == cv2.CAP_PROP_POS_MSEC:
            return self.i * self.period_s * 1000.0
        return 0.0

    def read(self) -> tuple[bool, np.ndarray | None]:
        return (True, self._image_of(0)) if self.first_read_ok else (False, None)

    def grab(self) -> bool:
        if self.i >= self.n_frames:
            time.sleep(0.005)
            return False
        if self.lockstep is not None:
            self.lockstep.wait_for(self.i)  # every frame delivered so far has been processed
        else:
            time.sleep(self.period_s)
        self.i += 1
        return True

    def retrieve(self) -> tuple[bool, np.ndarray]:
        return True, self._image_of(self.i - 1)

    def _image_of(self, i: int) -> np.ndarray:
        img = np.zeros((self.size_wh[1], self.size_wh[0], 3), np.uint8)
        img[0, 0, 0], img[0, 0, 1] = i % 256, i // 256  # BGR order: blue, green
        return img

    def release(self) -> None:
        self.released = True


class ReplayBackend:
    """Fake pose backend: returns the landmarks ``analyze`` found on the frame whose number
    the fake camera wrote into pixel (0, 0) (RGB after the reader's conversion)."""

    info = ModelInfo("fake-replay", "replay", "0", "0" * 64)

    def __init__(self, series, lockstep: Lockstep | None = None) -> None:  # noqa: ANN001
        self.series = series
        self.lockstep = lockstep
        self.calls = 0

    def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None:
        self.calls += 1
        if self.lockstep is not None:
            self.lockstep.took()
        i = int(image_rgb[0, 0, 2]) + 256 * int(image_rgb[0, 0, 1])
        i = min(i, len(self.series) - 1)
        if not np.all(np.isfinite(self.series.image[i, :, :2])):
            return None
        return PoseFrame(self.series.image[i], self.series.world[i])

    def close(self) -> None:
        pass


def test_reader_keeps_only_the_newest_frame_and_counts_drops() -> None:
    cam = CameraSource(0, capture_factory=lambda i: FakeCapture(60, fps=500.0)).open()
    try:
        taken = []
        for _ in range(5):
            frame = cam.next_frame()
            taken.append(frame)
            time.sleep(0.02)  # a slow consumer (pose model)
        assert all(b.index > a.index for a, b in zip(taken, taken[1:], strict=False))
        assert all(b.t_s > a.t_s for a, b in zip(taken, taken[1:], strict=False))
        assert max(b.index - a.index for a, b in zip(taken, taken[1:], strict=False)) > 1
        assert cam.dropped > 0
        # the frame handed out is the newest one: its number is in pixel (0, 0) (RGB order)
        f = taken[-1]
        assert int(f.rgb[0, 0, 2]) + 256 * int(f.rgb[0, 0, 1]) == f.index
    finally:
        cam.close()


def test_timestamps_follow_capture_not_processing() -> None:
    """Frames taken after slow processing keep the camera's cadence (index gap x period)."""
    cam = CameraSource(0, capture_factory=lambda i: FakeCapture(200, fps=50.0)).open()
    try:
        a = cam.next_frame()
        time.sleep(0.13)  # slow processing
        b = cam.next_frame()
        time.sleep(0.01)
        c = cam.next_frame()  # fast processing: the very next frame
        assert b.index - a.index >= 5
        assert b.t_s - a.t_s == pytest.approx((b.index - a.index) * 0.02, abs=0.015)
        assert c.t_s - b.t_s == pytest.approx((c.index - b.index) * 0.02, abs=0.015)
    finally:
        cam.close()


@pytest.mark.parametrize(
    ("capture", "message"),
    [
        (FakeCapture(10, opened=False), "could not be opened"),
        (FakeCapture(10, first_read_ok=False), "gives no frames"),
        (None, "could not be opened"),
    ],
)
def test_camera_open_errors(capture: FakeCapture | None, message: str, monkeypatch) -> None:  # noqa: ANN001
    import balance_cam.io.camera as camera

    monkeypatch.setattr(camera, "_device_exists", lambda i: True)  # a device node that fails
    with pytest.raises(CameraError, match=message):
        CameraSource(3, capture_factory=lambda i: capture).open()


def test_unplugged_camera_raises_after_the_last_frame() -> None:
    cam = CameraSource(0, stall_timeout_s=0.2, capture_factory=lambda i: FakeCapture(3)).open()
    with pytest.raises(CameraDisconnected, match="stopped delivering frames"):
        for _ in range(100):
            cam.next_frame()
    cam.close()


def test_unplugged_mid_session_keeps_finished_trials(tmp_path: Path) -> None:
    """Replays the real landmarks of a left-leg trial through a fake camera that is unplugged
    after the clip: the trial is in the history, the session is incomplete, the error said.

    The camera runs in lockstep with the backend and reports nominal frame times (driver
    clock), so every frame is processed at its clip time and the trial is exactly the one
    ``analyze`` found (it used to depend on the wall clock: frames dropped under load)."""
    ref, series = analyzed(CLIP)
    w, h = series.width_px, series.height_px
    db = tmp_path / "h.db"
    lockstep = Lockstep()
    outcome = run_live(
        LiveOptions(camera="0", window=False, db=db, legs=("left",), trials_per_leg=3),
        backend=ReplayBackend(series, lockstep),
        capture_factory=lambda i: FakeCapture(len(series), (w // 20, h // 20), fps=60.0,
                                              lockstep=lockstep),
    )  # fmt: skip
    assert outcome.error is not None and "stopped delivering frames" in outcome.error
    assert not outcome.result.complete
    assert [t.stance for t in outcome.result.trials] == ["left"]
    got, want = outcome.result.trials[0], ref.trials[0]
    assert (got.start_s, got.end_s, got.stop_reason) == (
        pytest.approx(want.start_s, abs=1e-6), pytest.approx(want.end_s, abs=1e-6), want.stop_reason)
    live = outcome.result.extra["live"]
    assert live["frames_captured"] == live["frames_processed"] == len(series)
    assert live["dropped_frames"] == 0
    con = sqlite3.connect(db)
    (complete,) = con.execute("SELECT complete FROM sessions").fetchone()
    (n,) = con.execute("SELECT COUNT(*) FROM trials WHERE landmarks_npz IS NOT NULL").fetchone()
    assert complete == 0 and n == 1


def test_cli_unplugged_camera_exits_nonzero_and_says_so(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    import balance_cam.io.camera as camera
    import balance_cam.pose.factory as factory
    from balance_cam.cli import EXIT_PARTIAL, app

    _, series = analyzed(CLIP)
    size = (series.width_px // 20, series.height_px // 20)
    lockstep = Lockstep()  # deterministic: no frame dropped, nominal frame times
    monkeypatch.setattr(camera, "_default_factory",
                        lambda i: FakeCapture(len(series), size, lockstep=lockstep))
    monkeypatch.setattr(factory, "create_backend", lambda *a, **k: ReplayBackend(series, lockstep))
    res = CliRunner().invoke(app, ["live", "--camera", "0", "--no-window", "--json",
                                   "--db", str(tmp_path / "h.db")])  # fmt: skip
    assert res.exit_code == EXIT_PARTIAL, res.output
    assert "stopped delivering frames" in res.stderr
    assert "1 finished trial(s) saved as session 1" in res.stderr and "(incomplete)" in res.stderr
    assert json.loads(res.stdout)["complete"] is False


def test_interrupt_saves_finished_trials_as_incomplete(tmp_path: Path) -> None:
    """Ctrl-C after a finished trial: the trial stays in the history, the session incomplete."""
    _, series = analyzed(CLIP)

    class InterruptingBackend(ReplayBackend):
        def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None:
            if self.calls >= len(self.series) - 2:
                raise KeyboardInterrupt
            return super().process(image_rgb, t_ms)

    db = tmp_path / "h.db"
    outcome = run_live(
        LiveOptions(camera="0", window=False, db=db),
        backend=InterruptingBackend(series),
        capture_factory=lambda i: FakeCapture(10 * len(series), (54, 96), fps=60.0),
    )  # fmt: skip
    assert outcome.interrupted and not outcome.result.complete
    assert len(outcome.result.trials) == 1
    with History(db) as h:
        assert [s["complete"] for s in h.sessions()] == [0]
        assert len(h.trials()) == 1


def test_reader_thread_stops_on_close() -> None:
    cam = CameraSource(0, capture_factory=lambda i: FakeCapture(10_000, fps=1000.0)).open()
    cam.next_frame()
    cam.close()
    assert cam._thread is not None and not cam._thread.is_alive()
    assert math.isfinite(cam.nominal_fps)


class HangingCapture(FakeCapture):
    """A driver whose ``grab`` hangs, once ``hang`` is set, until ``unblock`` is (a USB camera
    going away while the session closes); records any use after ``release``."""

    def __init__(self) -> None:
        super().__init__(10_000, fps=1000.0)
        self.hang, self.in_grab, self.unblock = threading.Event(), threading.Event(), threading.Event()
        self.used_after_release = False

    def grab(self) -> bool:
        if self.hang.is_set():
            self.in_grab.set()
            self.unblock.wait(timeout=30.0)
        self.used_after_release |= self.released
        return super().grab()

    def retrieve(self) -> tuple[bool, np.ndarray]:
        self.used_after_release |= self.released
        return super().retrieve()


def test_close_never_releases_the_camera_under_a_hanging_grab() -> None:
    """close() waits 2 s for the reader; a reader still in ``grab`` then frees the camera itself
    when the grab returns (it used to be released under it: AttributeError in the thread)."""
    capture = HangingCapture()
    cam = CameraSource(0, capture_factory=lambda i: capture).open()
    cam.next_frame()
    capture.hang.set()
    assert capture.in_grab.wait(timeout=10.0)  # the reader is inside the hanging grab
    cam.close()
    reader = cam._thread
    assert reader is not None and reader.is_alive() and not capture.released
    capture.unblock.set()
    reader.join(timeout=10.0)
    assert not reader.is_alive() and capture.released and not capture.used_after_release
    cam.close()  # twice is fine
    with pytest.raises(RuntimeError, match="opened once"):
        cam.open()


def test_a_hold_cut_short_by_an_interrupt_is_kept_but_not_counted(
    tmp_path: Path, demo_run: tuple[str, dict, Path],
) -> None:  # fmt: skip
    """Ctrl-C (or SIGTERM, or quitting) 3.6 s into the right-leg hold of the demo (truth: left
    21 s, then right 12 s): the cut-off trial is kept, marked ``interrupted``, with a warning,
    and no summary counts it, so there is no "right leg under 10 s" and no 83 % asymmetry, in
    the result or in the history (found by a black-box QA pass with SIGTERM)."""
    from balance_cam.core.sessions import SessionReview

    series = load_series(demo_run[2])  # the demo's landmarks, as analyze --out saved them
    cut_at = int(np.searchsorted(series.t_s, 30.0))  # the right foot went up at 26.4 s

    class InterruptingBackend(ReplayBackend):
        def process(self, image_rgb: np.ndarray, t_ms: int) -> PoseFrame | None:
            if self.calls >= cut_at:
                lockstep.took()  # release the camera's reader, which waits for this frame
                raise KeyboardInterrupt
            return super().process(image_rgb, t_ms)

    db = tmp_path / "h.db"
    lockstep = Lockstep()  # nominal frame times, no waiting a frame period (the demo is 40 s)
    outcome = run_live(
        LiveOptions(camera="0", window=False, db=db, athlete="Sam"),
        backend=InterruptingBackend(series, lockstep),
        capture_factory=lambda i: FakeCapture(2 * len(series), (54, 96), fps=15.0, lockstep=lockstep),
    )  # fmt: skip
    result = outcome.result
    assert outcome.interrupted
    ends = [(t.stance, t.stop_reason) for t in result.trials]
    assert ends == [("left", "touchdown"), ("right", "interrupted")]
    assert result.summary.left is not None and result.summary.left.best_hold_s > 15
    assert result.summary.right is None and not result.summary.flags, result.summary
    assert any("cut short when the session ended" in w for w in result.warnings), result.warnings
    assert result.extra["live"]["protocol_done"] is False  # the right leg's trial was not done
    with History(db) as h:
        assert [t["stop_reason"] for t in h.trials()] == ["touchdown", "interrupted"]
        [(session, trials)] = h.session_trials("Sam")
    review = SessionReview.of(session, trials)  # what history, reports and the squad ranking read
    assert all(s.right is None and not s.flags for s in review.summaries)
