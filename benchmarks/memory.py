"""Peak memory of ``analyze`` on a long (looped) video: it must stay flat, frames are streamed.

    python benchmarks/memory.py                 # pose_1.mp4 looped to 3600 frames (2 min at 30 fps)
    python benchmarks/memory.py --frames 18000  # 10 minutes

Resident set size (RSS, psutil) is sampled every 100 frames inside ``analyze_video``'s frame
callback. Reported: RSS after warm-up (frame 300), at the end, and the growth per 1000 frames.
Expected growth is the landmark series only (2 × 33 × 4 float32 + time = about 1.1 KB per
frame, held in capacity-doubling buffers), i.e. about 1 MB per 1000 frames; the decoded frames
themselves (0.25 MB each at 288×288, 6 MB at 1080p) must not accumulate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

ROOT = Path(__file__).resolve().parent.parent


def looped_clip(dst: Path, frames: int, height_px: int) -> Path:
    cmd = ["ffmpeg", "-y", "-v", "error", "-stream_loop", "-1", "-i",
           str(ROOT / "sample_videos" / "pose_1.mp4"), "-frames:v", str(frames),
           "-vf", f"scale=-2:{height_px}", "-c:v", "libx264", "-crf", "23", "-preset", "veryfast",
           str(dst)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return dst


def measure(clip: Path, every: int = 100) -> list[tuple[int, float]]:
    """(frame index, RSS MB) every ``every`` frames while analysing ``clip``."""
    import psutil

    from balance_cam.apps.analyze import analyze_video

    proc = psutil.Process()
    samples: list[tuple[int, float]] = []

    def on_frame(frame, step) -> None:  # noqa: ANN001 - (Frame, FrameStep), apps.analyze.FrameCallback
        if frame.index % every == 0:
            samples.append((frame.index, proc.memory_info().rss / 2**20))

    analyze_video(clip, on_frame=on_frame)
    return samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=3600)
    ap.add_argument("--height", type=int, default=288, help="frame height of the looped clip")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bc-memory-") as tmp:
        clip = looped_clip(Path(tmp) / "long.mp4", args.frames, args.height)
        samples = measure(clip)
    warm = next((mb for i, mb in samples if i >= 300), samples[0][1])
    end = samples[-1][1]  # last sample inside the loop (the model is still loaded)
    peak = max(mb for _, mb in samples)
    span = max(1, samples[-1][0] - 300)
    print(f"{args.frames} frames at height {args.height}: RSS after warm-up {warm:.0f} MB, "
          f"end {end:.0f} MB, peak {peak:.0f} MB, growth {1000 * (end - warm) / span:.2f} MB "
          "per 1000 frames")  # fmt: skip
    for i, mb in samples[:: max(1, len(samples) // 12)]:
        print(f"  frame {i:6d}  {mb:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
