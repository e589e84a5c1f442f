"""Frames per second of balance_cam against bare MediaPipe, measured side by side in one run.

    python benchmarks/speed.py                      # 640×480 clip made from pose_1.mp4, model "full"
    python benchmarks/speed.py --models full,lite,heavy --frames 300

Rows, all on the same decoded frames of one 640×480 clip:

- ``decode``: PyAV decode + RGB conversion (sources.iter_frames) alone.
- ``bare``: decode + pose model (including loading it), nothing else: the ceiling.
- ``analyze``: ``analyze_video`` end to end (decode, pose, leg-swap guard, stance state machine,
  series, metrics). Target: within 5 % of ``bare``.
- ``live (no window)``: ``LiveSession`` reading the clip as its camera, protocol, history,
  no window. Target: >= 30 fps, or nothing lost beyond the model's own cost.
- per-frame costs without the model (ms): analyzer update, the live overlay (annotators), the
  colour conversion and landmark copies the live loop does per frame.

The machine is shared and timings are noisy: rows are interleaved (ABAB...) ``--repeat`` times and
the median is reported; compare ratios, not absolute numbers, across machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def time_decode(clip: Path) -> tuple[float, int]:
    t0, n = time.perf_counter(), 0
    for _ in iter_frames(clip):
        n += 1
    return time.perf_counter() - t0, n


def time_bare(clip: Path, model: str) -> tuple[float, int]:
    """Decode + pose only; includes loading the model, as ``analyze`` and ``live`` do."""
    t0, n = time.perf_counter(), 0
    backend = create_backend(model)
    try:
        for f in iter_frames(clip):
            backend.process(f.rgb, int(round(f.t_s * 1000)))
            n += 1
        return time.perf_counter() - t0, n
    finally:
        backend.close()


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="full", help="comma-separated pose models (one row each)")
    ap.add_argument("--frames", type=int, default=240, help="frames in the 640×480 test clip")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved repetitions (median)")
    ap.add_argument("--no-live", action="store_true", help="skip the live-session row")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bc-speed-") as tmp:
        clip = make_clip(Path(tmp) / "clip640x480.mp4", args.frames)
        rows: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for _ in range(args.repeat):
            jobs: list[tuple[str, Callable[[], tuple[float, int]]]] = [("decode", lambda: time_decode(clip))]
            for m in args.models.split(","):
                jobs += [(f"bare {m}", lambda m=m: time_bare(clip, m)),
                         (f"analyze {m}", lambda m=m: time_analyze(clip, m))]  # fmt: skip
                if not args.no_live:
                    jobs.append((f"live (no window) {m}", lambda m=m: time_live(clip, m)))
            for name, job in jobs:
                wall, n = job()
                rows.setdefault(name, []).append(n / wall)
                counts[name] = n
        costs = per_frame_costs_ms(clip)
    print(f"640×480, {args.frames} frames, {os.cpu_count()} cores, median of {args.repeat} "
          "interleaved runs\n")  # fmt: skip
    print(f"{'row':34s} {'fps':>8s} {'spread':>14s} {'vs bare':>8s}")
    for name, fps in rows.items():
        model = name.split()[-1]
        bare = statistics.median(rows.get(f"bare {model}", [np.nan]))
        med = statistics.median(fps)
        ratio = med / bare if name != "decode" else float("nan")
        print(f"{name:34s} {med:8.1f} {min(fps):6.1f}–{max(fps):6.1f} {ratio:8.3f}")
    print("\nper-frame cost without the model (ms/frame; 33.3 ms = the whole 30 fps budget):")
    for name, ms in costs.items():
        print(f"  {name:55s} {ms:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
