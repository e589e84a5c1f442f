"""Scaling of ``balance-cam batch`` against the hardware's own: measured side by side in one run.

    python benchmarks/bench_batch.py            # 48 videos, 3 rounds (about 15 min on 2 cores)
    python benchmarks/bench_batch.py --quick    # 6 videos, 2 rounds (about 2 min)
    python benchmarks/bench_batch.py --workers 4 --repeat 8
    python benchmarks/bench_batch.py --loop 4 --repeat 2 --rounds 2   # videos of 7-16 s

Four measurements on the same frames (sample clips, symlinked ``--repeat`` times):

1. one bare process: decode (PyAV, :func:`balance_cam.io.sources.iter_frames`) + MediaPipe pose,
   nothing else (no stance machine, no metrics, no files), model loaded once, reset per clip;
2. N such bare processes at once, each over all clips: the machine's ceiling for N;
3. ``batch`` (:func:`balance_cam.apps.batch.runner.run_tasks`: local Dask cluster) with 1 worker;
4. ``batch`` with N workers (the default: one per core).

Throughput is the steady state an overnight batch sees: frames per second of wall time from
"ready" (bare: model loaded; batch: cluster up and every worker's model loaded by
:func:`balance_cam.apps.batch.worker.warm_up`) to the last frame. Everything per video is inside the
window: for batch that is hashing, probing, decoding, pose, the stance machine, metrics and
writing every per-video file. The one-off start-up (cluster, imports, model) is printed
separately. The target is ``batch N / bare N >= 0.90``. Each configuration runs once per
round, in rotated order, and the best round counts (noise from other load only slows a run
down); medians are printed too. The machine may be shared: note the load average printed.
Batch pays a tail the bare processes do not (the last video runs while other workers are
idle), about half a video per worker; more videos (``--repeat``) make it smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
CLIPS = ["pose2sim_cam01.mp4", "pose2sim_cam02.mp4", "pose2sim_cam03.mp4", "pose2sim_cam04.mp4",
         "pose_1.mp4", "pose2sim_multiperson_cam01.mp4"]  # fmt: skip
QUICK_CLIPS = ["pose2sim_cam01.mp4", "pose_1.mp4", "pose2sim_cam04.mp4"]


def bare(folder: Path) -> dict[str, float]:
    """Decode + pose over every clip in ``folder``; the frames and the time taken."""
    from balance_cam.io.sources import iter_frames
    from balance_cam.pose.factory import create_backend

    backend = create_backend("full", threads=1)  # one model per core, as batch workers run
    t0 = time.time()
    frames = 0
    for clip in sorted(folder.iterdir()):
        backend.reset()
        for t_ms, frame in enumerate(iter_frames(clip), start=1):
            backend.process(frame.rgb, t_ms)
            frames += 1
    backend.close()
    return {"frames": frames, "t0": t0, "t1": time.time()}


def run_bare(folder: Path, n: int) -> tuple[float, int]:
    """``n`` bare processes at once, each over all clips: (frames per second, frames)."""
    cmd = [sys.executable, __file__, "--bare", str(folder)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n)]
    reports = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"bare process failed ({p.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    frames = sum(r["frames"] for r in reports)
    wall = max(r["t1"] for r in reports) - min(r["t0"] for r in reports)
    return frames / wall, frames


def run_batch(folder: Path, n: int, out: Path) -> tuple[float, int, float]:
    """``batch`` with ``n`` local workers: (frames per second, frames, cluster start-up s)."""
    from balance_cam.apps.batch.inputs import discover
    from balance_cam.apps.batch.runner import make_tasks, run_tasks
    from balance_cam.core.config import AnalysisConfig

    tasks = make_tasks(discover([folder]), out, AnalysisConfig())
    t_start = time.perf_counter()
    ready: list[float] = []
    done: list[float] = []
    report = run_tasks(tasks, workers=n, on_start=lambda _n: ready.append(time.perf_counter()),
                       on_outcome=lambda _o: done.append(time.perf_counter()))  # fmt: skip
    if report.workers != n:  # the local cluster runs at most one worker per core and per video
        print(f"  batch ran {report.workers} workers, not {n}", file=sys.stderr)
    bad = [o for o in report.outcomes if o.status != "ok"]
    if bad:
        raise SystemExit(f"batch failed on {bad[0].path}: {bad[0].reason}")
    frames = sum(o.frames for o in report.outcomes)
    return frames / (done[-1] - ready[0]), frames, ready[0] - t_start


def _clips(tmp: Path, names: list[str], repeat: int, loop: int) -> Path:
    """``repeat`` copies of each clip; with ``loop`` > 1 each clip is first made ``loop`` times
    longer (stream copy, no re-encoding): the samples last 1.7-4 s, a clinical test video
    30-60 s, and a batch's per-video costs (hashing, files, scheduling) shrink with length."""
    folder = tmp / "clips"
    folder.mkdir()
    for name in names:
        src = ROOT / "sample_videos" / name
        if loop > 1:
            looped = tmp / f"loop{loop}_{name}"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loop - 1), "-i", str(src),
                            "-an", "-c", "copy", str(looped)], check=True)  # fmt: skip
            src = looped
        for r in range(repeat):
            (folder / f"r{r}_{name}").symlink_to(src)
    return folder


def measure(folder: Path, n: int, rounds: int, tmp: Path) -> dict[str, list[float]]:
    """Every configuration once per round (order rotated each round): frames/s per round."""
    configs = {
        "bare1": lambda: run_bare(folder, 1)[0],
        "bareN": lambda: run_bare(folder, n)[0],
        "batch1": lambda: run_batch(folder, 1, tmp / "out1")[0],
        "batchN": lambda: run_batch(folder, n, tmp / "outN")[0],
    }
    names = list(configs)
    fps: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for name in names[r % 4:] + names[: r % 4]:
            fps[name].append(configs[name]())
            print(f"  round {r + 1}: {name:6s} {fps[name][-1]:6.1f} frames/s", file=sys.stderr)
    return fps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 clips x 2, 2 rounds (about 2 min)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="N (default: cores)")
    parser.add_argument("--repeat", type=int, default=None, help="copies of the clip set")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (best and median kept)")
    parser.add_argument("--loop", type=int, default=1,
                        help="make each clip this many times longer (realistic video length)")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare is not None:
        print(json.dumps(bare(args.bare)))
        return
    names = QUICK_CLIPS if args.quick else CLIPS
    repeat = args.repeat or (2 if args.quick else 8)
    rounds = args.rounds or (2 if args.quick else 3)
    n = args.workers
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        folder = _clips(Path(tmp), names, repeat, args.loop)
        fps = measure(folder, n, rounds, Path(tmp))
        start = run_batch(folder, n, Path(tmp) / "outS")[2]
    report(fps, n, len(names) * repeat, rounds, start)


def report(fps: dict[str, list[float]], n: int, videos: int, rounds: int, start_s: float) -> None:
    """Best (and median) of the rounds per configuration, and the ratios of the bests."""
    import statistics

    best = {k: max(v) for k, v in fps.items()}
    med = {k: statistics.median(v) for k, v in fps.items()}
    print(f"{videos} videos per run, N = {n}, {os.cpu_count()} cores, {rounds} rounds; load average "
          f"(1/5/15 min) now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    label = {"bare1": "bare, 1 process", "bareN": f"bare, {n} processes",
             "batch1": "batch, 1 worker", "batchN": f"batch, {n} workers"}  # fmt: skip
    for k, text in label.items():
        print(f"{text:20s}: best {best[k]:6.1f} frames/s (median {med[k]:6.1f}) "
              f"= {best[k] / best['bare1']:.2f}x bare 1")  # fmt: skip
    print(f"cluster start-up (paid once per batch): {start_s:.1f} s")
    print(f"batch 1 / bare 1    : {best['batch1'] / best['bare1']:.2f}")
    ratio = best["batchN"] / best["bareN"]
    print(f"batch {n} / bare {n}    : {ratio:.2f}  (target >= 0.90: "
          f"{'met' if ratio >= 0.9 else 'NOT met'}; medians: {med['batchN'] / med['bareN']:.2f})")


if __name__ == "__main__":
    main()
