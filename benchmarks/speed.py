"""Frames per second of balance_cam against bare MediaPipe, measured side by side in one run.

    python benchmarks/speed.py                      # 640×480, 1080×1920 and 1920×1080 clips, model "full"
    python benchmarks/speed.py --sizes 640x480 --models full,lite,heavy --frames 300

Clips are made with PyAV from ``sample_videos/pose_1.mp4`` (scaled and padded to each size, 30
fps; mostly black padding, so they decode faster than a phone's video), plus ``phone``: the real
1088×1920 lab recording ``pose2sim_cam04.mp4`` played forwards and backwards (no cut) and
encoded at 12 Mbit/s, what phones record 1080p30 at, so decoding costs what it costs on a phone
clip (OpenCV ~8 ms a frame here, the 8.8 ms issue 17 measured on a real phone clip).
``--clip FILE`` measures any real video as it is. Rows, per clip, all on the same file:

- ``decode``: PyAV decode + RGB conversion (sources.iter_frames) alone.
- ``bare``: decode + pose model (including loading it), nothing else, the model on one thread as
  MediaPipe runs it by default.
- ``model calls alone``: the bare loop's model calls only, decoding not timed: the most any
  pipeline with the model on one thread can reach. Its ratio to ``naive OpenCV loop, in one
  process`` (printed below the table) is the ceiling of ``analyze`` against the naive loop.
- ``analyze``: ``analyze_video`` end to end (decode in a reader thread with the picture checks -
  camera motion, cuts -, pose, leg-swap guard, stance state machine, series, metrics). Target:
  >= 0.95 of ``bare``.
- ``analyze, no camera checks``: the same with ``stabilise`` and ``detect_cuts`` off; the
  difference to ``analyze`` is what camera stabilisation and cut detection cost.
- ``live (no window)`` (640×480 only): ``LiveSession`` reading the clip as its camera.
- ``process: balance-cam analyze --json``: the installed command started as a process (process
  start and imports included), against ``process: naive OpenCV + MediaPipe loop``: a fresh
  Python that opens the file with ``cv2.VideoCapture``, converts BGR→RGB and calls
  ``mediapipe.solutions.pose.Pose(model_complexity=1).process`` per frame, the loop every peer
  tool uses. Target (issue 17): >= 1.1 at 1080×1920, >= 0.95 at 640×480.
- per-frame costs without the model (ms): analyzer update, the live overlay (annotators), the
  colour conversion and landmark copies the live loop does per frame.

The machine is shared and timings are noisy: rows are interleaved (ABAB...) ``--repeat`` times and
the median is reported; compare ratios, not absolute numbers, across machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")

from balance_cam.apps.analyze import analyze_video  # noqa: E402
from balance_cam.core.analyzer import Analyzer  # noqa: E402
from balance_cam.core.config import AnalysisConfig  # noqa: E402
from balance_cam.io.sources import iter_frames  # noqa: E402
from balance_cam.pose.factory import create_backend  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def make_clip(dst: Path, frames: int, size_wh: tuple[int, int] = (640, 480)) -> Path:
    """``pose_1.mp4`` looped to ``frames`` frames, scaled and padded to ``size_wh`` (30 fps).

    Made with PyAV and OpenCV (both dependencies), so no ffmpeg program is needed."""
    import cv2

    from balance_cam.testing.synthetic import write_video

    w, h = size_wh
    source = [f.rgb for f in iter_frames(ROOT / "sample_videos" / "pose_1.mp4")]

    def padded(rgb: np.ndarray) -> np.ndarray:
        scaled_w = min(w, round(rgb.shape[1] * h / rgb.shape[0] / 2) * 2)
        canvas = np.zeros((h, w, 3), dtype=np.uint8)
        x0 = (w - scaled_w) // 2
        canvas[:, x0:x0 + scaled_w] = cv2.resize(rgb, (scaled_w, h), interpolation=cv2.INTER_AREA)
        return canvas

    write_video(dst, ((i / 30.0, padded(source[i % len(source)])) for i in range(frames)), 30.0)
    return dst


PHONE_MBIT_S = 12.0


def make_phone_clip(dst: Path, frames: int) -> Path:
    """``pose2sim_cam04.mp4`` (real, 1088×1920, BSD-3-Clause) ping-ponged to ``frames`` frames and
    encoded with libx264 at :data:`PHONE_MBIT_S` (30 fps), like a phone's own recording."""
    import av

    source = [f.rgb for f in iter_frames(ROOT / "sample_videos" / "pose2sim_cam04.mp4")]
    order = source + source[-2:0:-1]
    h, w = source[0].shape[:2]
    with av.open(str(dst), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.bit_rate = int(PHONE_MBIT_S * 1e6)
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(order[i % len(order)], format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return dst


def time_decode(clip: Path) -> tuple[float, int]:
    t0, n = time.perf_counter(), 0
    for _ in iter_frames(clip):
        n += 1
    return time.perf_counter() - t0, n


def _bare_loop(clip: Path, model: str) -> tuple[float, float, int]:
    """Decode + pose only, the model on one thread (MediaPipe's default), model load included:
    (wall s, s inside the model calls, frames)."""
    t0, n, inside = time.perf_counter(), 0, 0.0
    backend = create_backend(model, threads=1)
    try:
        for f in iter_frames(clip):
            t1 = time.perf_counter()
            backend.process(f.rgb, int(round(f.t_s * 1000)))
            inside += time.perf_counter() - t1
            n += 1
        return time.perf_counter() - t0, inside, n
    finally:
        backend.close()


def time_bare(clip: Path, model: str) -> tuple[float, int]:
    """The bare loop's wall time; includes loading the model, as ``analyze`` and ``live`` do."""
    wall, _, n = _bare_loop(clip, model)
    return wall, n


def time_model_alone(clip: Path, model: str) -> tuple[float, int]:
    """The bare loop's model calls alone (decoding not timed): the ceiling of any pipeline
    whose model runs on one thread, since the model is the one stage that cannot overlap
    itself (tracking needs the previous frame's landmarks)."""
    _, inside, n = _bare_loop(clip, model)
    return inside, n


def time_naive_in_process(clip: Path, model: str) -> tuple[float, int]:
    """:data:`NAIVE_LOOP` run in this process (no process start): the same source."""
    scope: dict[str, object] = {"__name__": "naive_loop"}  # defines naive(), does not call it
    exec(NAIVE_LOOP, scope)
    t0 = time.perf_counter()
    n = scope["naive"](str(clip))  # type: ignore[operator]
    return time.perf_counter() - t0, int(n)


def time_analyze(clip: Path, model: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = analyze_video(clip, AnalysisConfig(model=model))
    return time.perf_counter() - t0, result.frames_decoded


def time_live(clip: Path, model: str) -> tuple[float, int]:
    from balance_cam.apps.live.options import LiveOptions
    from balance_cam.apps.live.session import LiveSession

    with tempfile.TemporaryDirectory() as tmp:
        opts = LiveOptions(camera=str(clip), window=False, db=Path(tmp) / "h.db")
        session = LiveSession(opts, AnalysisConfig(model=model))
        t0 = time.perf_counter()
        session.run()
        wall = time.perf_counter() - t0
    return wall, session.stats.frames_processed


def time_analyze_unchecked(clip: Path, model: str) -> tuple[float, int]:
    """``analyze`` without the picture checks (camera stabilisation, cut detection)."""
    t0 = time.perf_counter()
    result = analyze_video(clip, AnalysisConfig(model=model, stabilise=False, detect_cuts=False))
    return time.perf_counter() - t0, result.frames_decoded


NAIVE_LOOP = """
import sys, cv2, mediapipe as mp

def naive(path):
    cap = cv2.VideoCapture(path)
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=False)
    n = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        n += 1
    pose.close()
    return n

if __name__ == "__main__":
    print(naive(sys.argv[1]))
"""


def _process(cmd: list[str]) -> float:
    env = dict(os.environ, GLOG_minloglevel="2", TF_CPP_MIN_LOG_LEVEL="3")
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, env=env)  # fmt: skip
    return time.perf_counter() - t0


def time_process_analyze(clip: Path, frames: int) -> tuple[float, int]:
    """``balance-cam analyze --json`` as a new process, start-up included."""
    exe = Path(sys.executable).with_name("balance-cam")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "balance_cam.cli"]
    return _process([*cmd, "analyze", str(clip), "--json"]), frames


def time_process_naive(clip: Path, frames: int) -> tuple[float, int]:
    """The naive loop (:data:`NAIVE_LOOP`) as a new process, start-up included."""
    return _process([sys.executable, "-c", NAIVE_LOOP, str(clip)]), frames


def per_frame_costs_ms(clip: Path, n: int = 150) -> dict[str, float]:
    """Costs the pipeline adds per frame, measured without the model (poses precomputed)."""
    import cv2

    frames = [f for _, f in zip(range(n), iter_frames(clip), strict=False)]
    backend = create_backend("full")
    poses = [backend.process(f.rgb, int(f.t_s * 1000)) for f in frames]
    backend.close()
    h, w = frames[0].rgb.shape[:2]
    out: dict[str, float] = {}

    def bench(name: str, fn: Callable[[int], object]) -> None:
        t0 = time.perf_counter()
        for i in range(len(frames)):
            fn(i)
        out[name] = 1000 * (time.perf_counter() - t0) / len(frames)

    analyzer = Analyzer(w, h)
    bench("analyzer.update", lambda i: analyzer.update(frames[i].t_s, frames[i].index, poses[i]))
    buf = np.empty_like(frames[0].rgb)
    bench("RGB→BGR for display (cvtColor)",
          lambda i: cv2.cvtColor(frames[i].rgb, cv2.COLOR_RGB2BGR, dst=buf))  # fmt: skip
    bench("frame copy (np.ascontiguousarray of a view)",
          lambda i: np.ascontiguousarray(frames[i].rgb[:, ::-1]))  # fmt: skip
    try:
        from balance_cam.render import overlay as A

        sk, timer, status = A.SkeletonAnnotator(), A.TimerAnnotator(), A.StatusAnnotator()
        fps = A.FpsAnnotator()

        def draw(i: int) -> None:
            img = cv2.cvtColor(frames[i].rgb, cv2.COLOR_RGB2BGR, dst=buf)
            p = poses[i]
            xy = None if p is None else p.image[:, :2].astype(np.float64) * (w, h)
            sk.annotate(img, xy, None if p is None else p.image[:, 3], "left")
            timer.annotate(img, 12.3, 45.0)
            fps.annotate(img, 30.0, 0)
            status.annotate(img, "holding", "stand on your LEFT leg", "good")

        bench("live overlay (convert + skeleton, timer, fps, status)", draw)
    except Exception as exc:  # annotators' API may move; report, do not fail the benchmark
        out[f"live overlay: not measured ({exc.__class__.__name__}: {exc})"] = float("nan")
    return out


def _size(text: str) -> tuple[int, int] | str:
    if text == "phone":
        return text
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def measure(clip: Path, size: tuple[int, int] | str, frames: int, models: list[str], repeat: int,
            live: bool, e2e: bool) -> dict[str, list[float]]:  # fmt: skip
    """Interleaved rows for one clip: fps per run."""
    rows: dict[str, list[float]] = {}
    for _ in range(repeat):
        jobs: list[tuple[str, Callable[[], tuple[float, int]]]] = [("decode", lambda: time_decode(clip))]
        for m in models:
            jobs += [(f"bare {m}", lambda m=m: time_bare(clip, m)),
                     (f"model calls alone {m}", lambda m=m: time_model_alone(clip, m)),
                     (f"analyze {m}", lambda m=m: time_analyze(clip, m)),
                     (f"analyze, no camera checks {m}",
                      lambda m=m: time_analyze_unchecked(clip, m))]  # fmt: skip
            if live and size == (640, 480):
                jobs.append((f"live (no window) {m}", lambda m=m: time_live(clip, m)))
            if m == "full":
                jobs.append(("naive OpenCV loop, in one process full",
                             lambda m=m: time_naive_in_process(clip, m)))  # fmt: skip
        if e2e:
            jobs += [("process: naive OpenCV + MediaPipe loop", lambda: time_process_naive(clip, frames)),
                     ("process: balance-cam analyze --json",
                      lambda: time_process_analyze(clip, frames))]  # fmt: skip
        for name, job in jobs:
            wall, n = job()
            rows.setdefault(name, []).append(n / wall)
    return rows


def report(title: str, frames: int, repeat: int, rows: dict[str, list[float]]) -> None:
    print(f"\n{title}, {frames} frames, {os.cpu_count()} cores, median of {repeat} interleaved runs")
    print(f"{'row':44s} {'fps':>8s} {'spread':>14s} {'ratio':>8s}  against")
    naive = statistics.median(rows.get("process: naive OpenCV + MediaPipe loop", [np.nan]))
    for name, fps in rows.items():
        med = statistics.median(fps)
        if name == "decode":
            ratio, against = float("nan"), ""
        elif name.startswith("process: balance-cam"):
            ratio, against = med / naive, "naive loop (process)"
        elif name.startswith("process:"):
            ratio, against = 1.0, "itself"
        else:
            model = name.split()[-1]
            ratio, against = med / statistics.median(rows.get(f"bare {model}", [np.nan])), f"bare {model}"
        print(f"{name:44s} {med:8.1f} {min(fps):6.1f}–{max(fps):6.1f} {ratio:8.3f}  {against}")
    alone, naive_here = rows.get("model calls alone full"), rows.get("naive OpenCV loop, in one process full")
    if alone and naive_here:
        print(f"ceiling with the model on one thread: model calls alone / naive loop in one process = "
              f"{statistics.median(alone) / statistics.median(naive_here):.3f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="full", help="comma-separated pose models (one row each)")
    ap.add_argument("--sizes", default="640x480,1080x1920,1920x1080,phone",
                    help="clip sizes WxH, and 'phone' (a real 1088x1920 recording at 12 Mbit/s)")
    ap.add_argument("--clip", type=Path, action="append", default=[],
                    help="also measure this video as it is (repeatable); --sizes '' for only these")
    ap.add_argument("--frames", type=int, default=240, help="frames in each test clip")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved repetitions (median)")
    ap.add_argument("--no-live", action="store_true", help="skip the live-session row")
    ap.add_argument("--no-process", action="store_true", help="skip the end-to-end process rows")
    args = ap.parse_args(argv)
    models = args.models.split(",")
    with tempfile.TemporaryDirectory(prefix="bc-speed-") as tmp:
        clips: list[tuple[Path, tuple[int, int] | str, int, str]] = []
        for size in (_size(v) for v in args.sizes.split(",") if v):
            if size == "phone":
                clip = make_phone_clip(Path(tmp) / "phone.mp4", args.frames)
                title = f"phone: pose2sim_cam04 1088×1920 ping-pong at {PHONE_MBIT_S:g} Mbit/s"
            else:
                w, h = size
                clip, title = make_clip(Path(tmp) / f"clip{w}x{h}.mp4", args.frames, size), f"{w}×{h}"
            clips.append((clip, size, args.frames, title))
        for path in args.clip:
            n = sum(1 for _ in iter_frames(path))
            clips.append((path, "clip", n, f"{path.name} (as recorded)"))
        for clip, size, frames, title in clips:
            rows = measure(clip, size, frames, models, args.repeat, live=not args.no_live,
                           e2e=not args.no_process)  # fmt: skip
            report(title, frames, args.repeat, rows)
            if size == (640, 480):
                print("\nper-frame cost without the model (ms/frame; 33.3 ms = the whole 30 fps budget):")
                for name, ms in per_frame_costs_ms(clip).items():
                    print(f"  {name:55s} {ms:7.3f}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
