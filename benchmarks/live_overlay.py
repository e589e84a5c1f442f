"""What the live loop costs next to the pose model, measured side by side in one run.

    python benchmarks/live_overlay.py [--frames 120]

For each clip (a 640x480 webcam-sized version of a Pose2Sim clip, and ``pose_1.mp4``), per
frame, on the same frames in the same process:

- ``pose``: the MediaPipe backend's ``process`` (the floor of any live loop),
- ``overlay``: :meth:`balance_cam.apps.live.session.LiveDisplay.render` (scale, one colour conversion,
  skeleton, timer, banner, sway trace, fps) without showing a window,
- ``loop``: the live session's own per-frame work without a window (framing check, protocol,
  landmark window, sway trace, saving finished trials): ``LiveSession._on_frame``.

It prints milliseconds per frame and the ratios ``overlay / pose`` and ``loop / pose``;
the target is that both stay small (well under 0.2), so the model sets the frame rate.
Timings on a shared machine are noisy; the ratios, measured together, are what to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def webcam_clip(src: Path, out: Path, n: int) -> Path:
    """A 640x480 copy (centre crop of the person, as a laptop camera would frame it)."""
    import av
    import cv2

    from balance_cam.io.sources import iter_frames

    with av.open(str(out), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 640, 480, "yuv420p"
        for f in iter_frames(src):
            if f.index >= n:
                break
            h, w = f.rgb.shape[:2]
            crop = f.rgb[int(0.3 * h): int(0.3 * h) + int(w * 0.75)]  # 4:3 band with the body
            img = cv2.resize(np.ascontiguousarray(crop), (640, 480), interpolation=cv2.INTER_AREA)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return out


def per_frame_ms(path: Path, n: int, tmp: Path) -> dict[str, float]:
    from balance_cam.apps.live.options import LiveOptions
    from balance_cam.apps.live.session import LiveSession
    from balance_cam.apps.live.window import LiveDisplay
    from balance_cam.core.analyzer import Analyzer
    from balance_cam.io.history import History
    from balance_cam.io.sources import iter_frames, probe
    from balance_cam.pose.factory import create_backend

    info = probe(path)
    frames = list(iter_frames(path))[:n]
    backend = create_backend("full")
    session = LiveSession(LiveOptions(camera=str(path), window=False))
    session.analyzer, session.camera, session.display = Analyzer(info.width, info.height), None, None
    session.history = History(tmp / f"{path.stem}.db")
    session.session_id = session.history.start_session("bench", "live")
    display = LiveDisplay(LiveOptions(camera=str(path)), info.width, info.height, open_window=False)
    pose_s = loop_s = overlay_s = 0.0
    for f in frames:
        t0 = time.perf_counter()
        pose = backend.process(f.rgb, int(f.t_s * 1000))
        t1 = time.perf_counter()
        step = session.analyzer.update(f.t_s, f.index, pose)
        t2 = time.perf_counter()
        session._on_frame(f, step)  # the live loop's own work, no window
        t3 = time.perf_counter()
        display.render(f, step, session.protocol.view(f.t_s), session.hold_s(step), 45.0, session.sway,
                       30.0, None)
        t4 = time.perf_counter()
        pose_s, loop_s, overlay_s = pose_s + t1 - t0, loop_s + t3 - t2, overlay_s + t4 - t3
    backend.close()
    session.history.close()
    k = 1000 / len(frames)
    return {"pose": k * pose_s, "overlay": k * overlay_s, "loop": k * loop_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clips = {
            "pose2sim_cam01 640x480": webcam_clip(ROOT / "sample_videos" / "pose2sim_cam01.mp4",
                                                  Path(tmp) / "cam01_640.mp4", args.frames),
            "pose_1 576x576": ROOT / "sample_videos" / "pose_1.mp4",
        }  # fmt: skip
        print(f"{'clip':26s} {'pose ms':>8s} {'overlay ms':>10s} {'loop ms':>8s} "
              f"{'overlay/pose':>12s} {'loop/pose':>9s}")  # fmt: skip
        for name, path in clips.items():
            ms = per_frame_ms(path, args.frames, Path(tmp))
            print(f"{name:26s} {ms['pose']:8.2f} {ms['overlay']:10.2f} {ms['loop']:8.2f} "
                  f"{ms['overlay'] / ms['pose']:12.3f} {ms['loop'] / ms['pose']:9.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
