"""What the live loop costs next to the pose model, measured side by side in one run.

    python benchmarks/live_overlay.py [--frames 120] [--speech-rounds 4] [--every 1.0]

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

**Speech.** Then the whole live frame (pose + session + overlay) runs on the same frames
without audio and with :class:`balance_cam.render.audio.AudioCues` (tones through PortAudio,
espeak-ng speaking), plus one extra sentence every ``--every`` seconds of wall time (a real
session says one every few seconds: a worst case). The two conditions alternate over
``--speech-rounds`` rounds (ABAB..., so a change of load hits both), and the frame-rate ratio
``fps with speech / fps without`` is printed per round and as the median: 1.0 means speech
costs the loop nothing. Without a sound card, ALSA's ``null`` device stands in (``HOME`` is
pointed at a folder with such an ``.asoundrc`` before PortAudio is loaded); it takes the audio
without real-time pacing, so every sentence's synthesis runs back to back: a worst case for CPU.
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
SENTENCES = ("Left leg: 23 seconds, foot touched down.", "Stand on your right leg. Lift your left foot.",
             "All trials done. Left leg: best 23 seconds. Right leg: best 31 seconds.")  # fmt: skip


def use_null_alsa_device() -> str:
    """Point ALSA's default device at the null plugin when there is no sound card (must run
    before mediapipe, which imports sounddevice and so initialises PortAudio)."""
    if not sys.platform.startswith("linux") or Path("/proc/asound/cards").exists():
        return "the machine's default audio device"
    home = Path(tempfile.mkdtemp(prefix="balance-cam-nullalsa-"))
    (home / ".asoundrc").write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    os.environ["HOME"] = str(home)
    return "ALSA's null device (no sound card here)"


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


def bench_session(path: Path, tmp: Path, on_cue=None):  # noqa: ANN001, ANN201
    """(frames, session, display) of a live session driven by hand on a file, no window."""
    from balance_cam.apps.live.options import LiveOptions
    from balance_cam.apps.live.session import LiveSession
    from balance_cam.apps.live.window import LiveDisplay
    from balance_cam.core.analyzer import Analyzer
    from balance_cam.io.history import History
    from balance_cam.io.sources import probe

    info = probe(path)
    session = LiveSession(LiveOptions(camera=str(path), window=False), on_cue=on_cue)
    session.analyzer, session.camera, session.display = Analyzer(info.width, info.height), None, None
    session.history = History(tmp / f"{path.stem}.db")
    session.session_id = session.history.start_session("bench", "live")
    display = LiveDisplay(LiveOptions(camera=str(path)), info.width, info.height, open_window=False)
    return session, display


def per_frame_ms(path: Path, n: int, tmp: Path) -> dict[str, float]:
    from balance_cam.io.sources import iter_frames
    from balance_cam.pose.factory import create_backend

    frames = list(iter_frames(path))[:n]
    backend = create_backend("full")
    session, display = bench_session(path, tmp)
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


def live_frame_ms(path: Path, frames: list, tmp: Path, audio, every_s: float) -> tuple[float, float]:  # noqa: ANN001
    """(wall ms, loop-thread CPU ms) per frame of the whole live frame (pose, session, overlay),
    with ``audio`` (or None) getting the session's cues and a sentence every ``every_s`` s."""
    from balance_cam.apps.live.cues import Cue
    from balance_cam.pose.factory import create_backend

    backend = create_backend("full")  # fresh: the same frames, from the first, every round
    session, display = bench_session(path, tmp, on_cue=audio)
    t_start = next_s = time.perf_counter()
    cpu0 = time.thread_time()
    k = 0
    for f in frames:
        step = session.analyzer.update(f.t_s, f.index, backend.process(f.rgb, int(f.t_s * 1000)))
        session._on_frame(f, step)
        display.render(f, step, session.protocol.view(f.t_s), session.hold_s(step), 45.0, session.sway,
                       30.0, None)
        now = time.perf_counter()
        if audio is not None and now >= next_s:
            audio(Cue(f.t_s, "stop", SENTENCES[k % len(SENTENCES)]))
            next_s, k = next_s + every_s, k + 1
    ms = 1000 * (time.perf_counter() - t_start) / len(frames)
    cpu_ms = 1000 * (time.thread_time() - cpu0) / len(frames)
    backend.close()
    session.history.close()
    return ms, cpu_ms


def speech_ratio(path: Path, n: int, tmp: Path, rounds: int, every_s: float) -> dict[str, object]:
    """fps(speech) / fps(none) per round, conditions alternating; the loop thread's CPU per
    frame, none / speech (the work speech adds to the loop itself); the audio's cue counts."""
    from balance_cam.io.sources import iter_frames
    from balance_cam.render.audio import AudioCues

    frames = list(iter_frames(path))[:n]
    ratios, cpu, stats, desc = [], [], {}, ""
    for r in range(rounds):
        ms: dict[str, tuple[float, float]] = {}
        for cond in (("none", "speech") if r % 2 == 0 else ("speech", "none")):
            audio = AudioCues.open(warn=lambda m: print(f"warning: {m}", file=sys.stderr)) \
                if cond == "speech" else None  # fmt: skip
            ms[cond] = live_frame_ms(path, frames, tmp, audio, every_s)
            if audio is not None:
                audio.close(drain_s=0.0)
                desc = audio.description
                for key, val in audio.stats.to_dict().items():
                    stats[key] = stats.get(key, 0) + val
        ratios.append(ms["none"][0] / ms["speech"][0])
        cpu.append(ms["none"][1] / ms["speech"][1])
    return {"ratios": ratios, "median": float(np.median(ratios)), "cpu": float(np.median(cpu)),
            "audio": desc, "cues": stats}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--speech-rounds", type=int, default=4, help="0: skip the speech comparison")
    ap.add_argument("--every", type=float, default=1.0, help="seconds between extra sentences")
    args = ap.parse_args()
    device = use_null_alsa_device() if args.speech_rounds else ""
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
        if not args.speech_rounds:
            return
        print(f"\nspeech: fps with / without AudioCues (sentence every {args.every:g} s, {device})")
        for name, path in clips.items():
            got = speech_ratio(path, args.frames, Path(tmp), args.speech_rounds, args.every)
            rounds = " ".join(f"{r:.3f}" for r in got["ratios"])  # type: ignore[attr-defined]
            print(f"{name:26s} fps ratio median {got['median']:.3f} (rounds {rounds}); loop-thread CPU "
                  f"ratio {got['cpu']:.3f}  [{got['audio']}; {got['cues']}]")  # fmt: skip


if __name__ == "__main__":
    main()
