"""Regenerate ``docs/accuracy.md``: how well balance_cam's timing and sway match ground truth.

    python benchmarks/accuracy.py            # full run (a few minutes on 2 cores)
    python benchmarks/accuracy.py --quick    # a handful of conditions (about a minute)

Four measured parts, all run from scratch with the real MediaPipe model on real frames, and a fifth
that points to the generated robustness section:

1. Synthetic ground truth (:mod:`balance_cam.testing.synthetic`): a real frame rotated about the stance
   ankle by a known sine ``theta(t)`` (sway angle known exactly), and still frames spliced into
   two feet → one leg → two feet (lift and touchdown known to the frame).
2. Landmark agreement with the TF.js test keypoints of ``pose_1.mp4`` (hips, knees, ankles).
3. One camera against the 4-camera Pose2Sim triangulation projected into that camera.
4. Test-retest: the same clip analysed twice, re-encoded, downscaled and at half frame rate.
5. A pointer to the real-world robustness section, which ``benchmarks/robustness.py`` generates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference as ref  # noqa: E402

from balance_cam.apps.analyze import analyze_video_series  # noqa: E402
from balance_cam.core.config import AnalysisConfig  # noqa: E402
from balance_cam.core.results import AnalysisResult  # noqa: E402
from balance_cam.core.series import LandmarkSeries  # noqa: E402
from balance_cam.core.skeleton import INDEX  # noqa: E402
from balance_cam.testing.synthetic import (  # noqa: E402
    CLEAN,
    Degradation,
    SineSway,
    locate_landmark,
    make_event_clip,
    make_sway_clip,
    read_frame,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
DATA = ROOT / "tests" / "data"
log = logging.getLogger("accuracy")

#: Base frames of the synthetic clips (see docs/accuracy.md, "Synthetic ground truth").
SWAY_SOURCE, SWAY_FRAME = "pose_1.mp4", 30  # on the left leg, arms out
EVENT_SOURCE, TWO_FEET_FRAME, ONE_LEG_FRAME = "pose2sim_cam02.mp4", 6, 45  # most frontal view


@dataclass(frozen=True)
class SwayCase:
    group: str
    amplitude_deg: float = 2.0
    freq_hz: float = 1.0
    fps: float = 30.0
    width_px: int | None = None
    degradation: Degradation = CLEAN
    duration_s: float = 5.0


@dataclass(frozen=True)
class EventCase:
    fps: float = 30.0
    width_px: int | None = 540
    degradation: Degradation = CLEAN
    lift_s: float = 1.0
    touchdown_s: float = 3.0
    duration_s: float = 4.5


def sway_cases(quick: bool) -> list[SwayCase]:
    if quick:
        return [
            SwayCase("quick", 2.0, 1.0),
            SwayCase("quick", 0.5, 0.5),
            SwayCase("quick", 5.0, 2.0),
            SwayCase("quick", fps=10.0),
            SwayCase("quick", width_px=288),
        ]
    grid = [
        SwayCase("amplitude × frequency", a, f)
        for a in (0.5, 1.0, 2.0, 5.0)
        for f in (0.2, 0.5, 1.0, 2.0)
    ]
    rates = [SwayCase("frame rate", fps=r) for r in (10.0, 60.0)]
    sizes = [SwayCase("resolution", width_px=w) for w in (384, 288, 192)]
    degr = [
        SwayCase("degradation", degradation=d)
        for d in (
            Degradation(noise_sigma=8),
            Degradation(blur_sigma_px=2),
            Degradation(jpeg_quality=25),
            Degradation(crf=35),
            Degradation(noise_sigma=8, blur_sigma_px=2, jpeg_quality=25, crf=35),
        )
    ]
    return grid + rates + sizes + degr


def event_cases(quick: bool) -> list[EventCase]:
    if quick:
        return [EventCase()]
    heavy = Degradation(noise_sigma=8, blur_sigma_px=2, crf=35)
    return [EventCase(fps=f) for f in (10.0, 30.0, 60.0)] + [
        EventCase(degradation=heavy),
        EventCase(width_px=270),
    ]


# -- part 1: synthetic --------------------------------------------------------------------
def run_sway(case: SwayCase, base: np.ndarray, ankle_xy: np.ndarray, work: Path, seed: int) -> dict:
    path = work / f"sway_{seed}.mp4"
    sway = SineSway(case.amplitude_deg, case.freq_hz)
    truth = make_sway_clip(
        path, base, ankle_xy, sway, case.fps, case.duration_s, case.width_px, case.degradation, seed
    )
    # the whole frame is rotated, which the stabiliser would rightly read as camera roll
    result, series = analyze_video_series(path, AnalysisConfig(stabilise=False))
    raw_err, raw_r = ref.centred_error(ref.landmark_sway_angle_deg(series), truth.angle_deg)
    row = {
        "case": case,
        "size": f"{truth.size_wh[0]}×{truth.size_wh[1]}",
        "trials": len(result.trials),
        "raw_err": raw_err,
        "raw_r": raw_r,
    }
    true_hold = float(truth.t_s[-1] - truth.t_s[0])  # the foot never lands: whole clip
    if not result.trials:
        return row | {"hold_err_s": -true_hold}
    trial = max(result.trials, key=lambda t: t.hold_s)
    tr = trial.trace
    true_angle = sway.angle_deg(tr.t_s)
    m, g = tr.angle_deg - np.mean(tr.angle_deg), true_angle - np.mean(true_angle)
    return row | {
        "hold_err_s": trial.hold_s - true_hold,
        "stop": trial.stop_reason,
        "rms_true": ref.rms(g),
        "rms_meas": trial.sway.angle_rms_deg,
        "rms_err": trial.sway.angle_rms_deg - ref.rms(g),
        "trace_err": ref.rms(m - g),
        "r": ref.pearson_r(m, g),
    }


def run_event(case: EventCase, two: np.ndarray, one: np.ndarray, work: Path, seed: int) -> dict:
    path = work / f"event_{seed}.mp4"
    truth = make_event_clip(
        path,
        two,
        one,
        "left",
        case.lift_s,
        case.touchdown_s,
        case.duration_s,
        case.fps,
        case.width_px,
        case.degradation,
        seed,
    )
    result, _ = analyze_video_series(path)
    trials = [t for t in result.trials if t.stance == truth.stance]
    row = {"case": case, "truth": truth, "found": _trial_list(result)}
    if trials:
        t = max(trials, key=lambda t: t.hold_s)
        row |= {
            "lift_err": t.start_s - truth.lift_s,
            "down_err": t.end_s - truth.touchdown_s,
            "hold_err": t.hold_s - truth.hold_s,
        }
    return row


def _trial_list(result: AnalysisResult) -> str:
    return (
        "; ".join(
            f"{t.stance} {t.start_s:.2f}–{t.end_s:.2f} s ({t.stop_reason})" for t in result.trials
        )
        or "none"
    )


# -- part 2: pose_1 keypoints -------------------------------------------------------------
def landmark_agreement(series: LandmarkSeries) -> list[dict]:
    """Per-joint pixel distance between balance_cam and the TF.js keypoints of pose_1.mp4."""
    kp = ref.read_tfjs_keypoints(SAMPLES / "pose_1.json")
    px = series.pixels()
    leg = np.nanmedian(
        np.linalg.norm(px[:, INDEX["left_hip"]] - px[:, INDEX["left_ankle"]], axis=1)
    )
    rows = []
    for coco, bp in ref.COCO_TO_BLAZEPOSE.items():
        d = px[: len(kp[coco]), INDEX[bp]] - kp[coco][: len(px)]
        dist = np.linalg.norm(d, axis=1)
        rows.append(
            {
                "joint": coco,
                "n": int(np.isfinite(dist).sum()),
                "mean": float(np.nanmean(dist)),
                "median": float(np.nanmedian(dist)),
                "p95": float(np.nanpercentile(dist, 95)),
                "max": float(np.nanmax(dist)),
                "bias": np.nanmean(d, axis=0),
                "mean_ll": float(np.nanmean(dist)) / leg,
            }
        )
    return rows


# -- part 3: single camera vs 3-D ----------------------------------------------------------
def _body_frame(d: np.ndarray, hip_line: np.ndarray, up: np.ndarray) -> np.ndarray:
    """(N, 3) vectors → (N, 2) medio-lateral (along the mean hip line) and antero-posterior."""
    ml = np.nanmean(hip_line, axis=0)
    ml = ml - up * (ml @ up)
    ml /= np.linalg.norm(ml)
    ap = np.cross(up, ml)
    return np.column_stack([d @ ml, d @ ap])


def camera_vs_3d(
    cam_key: str,
    result: AnalysisResult,
    series: LandmarkSeries,
    trc: ref.Trc,
    cam: ref.Camera,
    events_3d: tuple[float, float],
) -> dict:
    """Pelvis-minus-left-ankle trajectory of one camera against the projected 3-D reference."""
    lift, down = events_3d
    n = min(len(series), len(trc.t_s))
    stance = (trc.t_s[:n] >= lift) & (trc.t_s[:n] <= down)
    w = trc.xyz_world_m[:n]
    uv_pelvis = cam.project((w[:, trc.names.index("LHip")] + w[:, trc.names.index("RHip")]) / 2)
    uv_ankle = cam.project(w[:, trc.names.index("LAnkle")])
    ref_d = (uv_pelvis - uv_ankle)[stance]
    px = series.pixels()[:n]
    mp_d = (
        px[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=1) - px[:, INDEX["left_ankle"]]
    )[stance]
    leg = float(np.median(np.linalg.norm(ref_d, axis=1)))
    ang = lambda d: np.degrees(np.arctan2(d[:, 0], -d[:, 1]))  # noqa: E731 - as metrics.sway_angle_deg
    row = {
        "cam": cam_key,
        "n": int(stance.sum()),
        "r_x": ref.pearson_r(mp_d[:, 0], ref_d[:, 0]),
        "r_y": ref.pearson_r(mp_d[:, 1], ref_d[:, 1]),
        "rmse_ll": ref.rms(np.linalg.norm(mp_d - ref_d, axis=1)) / leg,
        "bias_ll": np.nanmean(mp_d - ref_d, axis=0) / leg,
        "r_angle": ref.pearson_r(ang(mp_d), ang(ref_d)),
        "angle_err": ref.rms(
            (ang(mp_d) - np.nanmean(ang(mp_d))) - (ang(ref_d) - np.nanmean(ang(ref_d)))
        ),
        "trials": _trial_list(result),
    }
    # World landmarks (MediaPipe, y down) vs 3-D (Y up), both in a body frame from the hip line.
    hips = [trc.names.index("LHip"), trc.names.index("RHip")]
    d3 = trc.xyz_m[:n, hips].mean(axis=1) - trc.marker("LAnkle")[:n]
    b3 = _body_frame(
        d3[stance], (trc.marker("RHip") - trc.marker("LHip"))[:n][stance], np.array([0, 1.0, 0])
    )
    wl = series.world[:n, :, :3].astype(np.float64)
    dm = wl[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=1) - wl[:, INDEX["left_ankle"]]
    bm = _body_frame(
        dm[stance],
        (wl[:, INDEX["right_hip"]] - wl[:, INDEX["left_hip"]])[stance],
        np.array([0, -1.0, 0]),
    )
    for k, axis in enumerate(("ml", "ap")):
        a, b = bm[:, k] - np.nanmean(bm[:, k]), b3[:, k] - np.nanmean(b3[:, k])
        row[f"world_r_{axis}"] = ref.pearson_r(a, b)
        row[f"world_err_{axis}_cm"] = 100 * ref.rms(a - b)
        row[f"world_sd_{axis}_cm"] = 100 * ref.rms(b)
    return row


# -- part 4: test-retest ------------------------------------------------------------------
def variants(src: Path, work: Path) -> dict[str, Path]:
    """The clip as is, re-encoded (x264 crf 28), at half width, and at half frame rate."""
    out = {"original": src, "original, 2nd run": src}
    jobs = {
        "re-encoded (x264 crf 28)": ["-c:v", "libx264", "-crf", "28", "-preset", "veryfast"],
        "half size": ["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", "-c:v", "libx264", "-crf", "18"],
        "half frame rate": [
            "-vf",
            "fps={half}",  # every second frame, timestamps kept (same motion, same duration)
            "-c:v",
            "libx264",
            "-crf",
            "18",
        ],
    }
    from balance_cam.io.sources import probe

    half = f"{probe(src).fps / 2:g}"
    for name, args in jobs.items():
        dst = work / f"{src.stem}_{len(out)}.mp4"
        cmd = [
            "ffmpeg",
            "-y",
            "-v",
            "error",
            "-i",
            str(src),
            "-an",
            *[a.replace("{half}", half) for a in args],
            str(dst),
        ]
        subprocess.run(cmd, check=True)
        out[name] = dst
    return out


RETEST_KEYS = ("start_s", "hold_s", "angle_rms_deg", "ml_rms_cm", "mean_velocity_cm_s")


def retest_row(result: AnalysisResult) -> dict:
    if not result.trials:
        return {"trials": 0}
    t = max(result.trials, key=lambda t: t.hold_s)
    return {
        "trials": len(result.trials),
        "stance": t.stance,
        "start_s": t.start_s,
        "hold_s": t.hold_s,
        "angle_rms_deg": t.sway.angle_rms_deg,
        "ml_rms_cm": t.sway.ml_rms_cm,
        "mean_velocity_cm_s": t.sway.mean_velocity_cm_s,
    }


# -- report -------------------------------------------------------------------------------
def _f(v: float | None, nd: int = 2) -> str:
    return "–" if v is None or not np.isfinite(v) else f"{v:.{nd}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(r) + " |" for r in rows],
        "",
    ]


def _summary_stats(values: list[float]) -> str:
    v = np.array([x for x in values if np.isfinite(x)])
    if not len(v):
        return "–"
    return f"median {np.median(v):.2f}, max {np.max(np.abs(v)):.2f} (N = {len(v)})"


def sway_section(rows: list[dict], base_info: str) -> list[str]:
    lines = ["## 1. Synthetic ground truth from real frames", "", base_info, ""]
    body = []
    for r in rows:
        c = r["case"]
        body.append(
            [
                c.group,
                f"{c.amplitude_deg:g}",
                f"{c.freq_hz:g}",
                f"{c.fps:g}",
                r["size"],
                c.degradation.label,
                _f(r.get("raw_err")),
                _f(r.get("raw_r"), 3),
                str(r["trials"]),
                _f(r.get("rms_true")),
                _f(r.get("rms_meas")),
                _f(r.get("rms_err")),
                _f(r.get("trace_err")),
                _f(r.get("r"), 3),
                _f(r.get("hold_err_s")),
                r.get("stop", "–"),
            ]
        )
    lines += _table(
        [
            "condition",
            "A (°)",
            "f (Hz)",
            "fps",
            "size",
            "degradation",
            "per-frame RMSE (°)",
            "per-frame r",
            "trials",
            "true RMS (°)",
            "measured RMS (°)",
            "RMS error (°)",
            "trace RMSE (°)",
            "r",
            "hold error (s)",
            "stop reason",
        ],
        body,
    )
    col = lambda key: _summary_stats([r.get(key, np.nan) for r in rows])  # noqa: E731
    r_min = lambda key: np.nanmin([r.get(key, np.nan) for r in rows] + [np.inf])  # noqa: E731
    lines += [
        f"- Per-frame landmark angle RMSE (unfiltered, every frame, no trial needed): "
        f"{col('raw_err')} °; r min {r_min('raw_r'):.3f}.",
        f"- Trial `angle_rms_deg` error (measured − true): {col('rms_err')} °.",
        f"- Trial trace RMSE (filtered trace − θ(t), both mean-removed): {col('trace_err')} °; "
        f"r min {r_min('r'):.3f}.",
        f"- Hold-time error (the foot never lands, so the true hold is the whole clip): "
        f"{col('hold_err_s')} s; clips with no trial: "
        f"{sum(r['trials'] == 0 for r in rows)} of {len(rows)}.",
        "",
    ]
    return lines


def event_section(rows: list[dict]) -> list[str]:
    lines = [
        "### Spliced lift and touchdown",
        "",
        f"Still frames of `{EVENT_SOURCE}` (frame {TWO_FEET_FRAME}: two feet; frame "
        f"{ONE_LEG_FRAME}: on the left leg) spliced as two feet → one leg → two feet. "
        "True times are the first frame showing the new stance.",
        "",
    ]
    body = [
        [
            f"{r['case'].fps:g}",
            str(r["case"].width_px),
            r["case"].degradation.label,
            f"{r['truth'].lift_s:.3f}",
            f"{r['truth'].touchdown_s:.3f}",
            r["found"],
            _f(r.get("lift_err"), 3),
            _f(r.get("down_err"), 3),
            _f(r.get("hold_err"), 3),
        ]
        for r in rows
    ]
    lines += _table(
        [
            "fps",
            "width",
            "degradation",
            "true lift (s)",
            "true touchdown (s)",
            "trials found",
            "lift error (s)",
            "touchdown error (s)",
            "hold error (s)",
        ],
        body,
    )
    return lines


def landmark_section(rows: list[dict]) -> list[str]:
    lines = [
        "## 2. Landmark agreement with the TF.js test keypoints (pose_1.mp4)",
        "",
        "Distance between balance_cam's BlazePose landmarks and the keypoints that the "
        "tfjs-models MoveNet video test expects (`pose_1.json`, 576×576 px, N = 120 frames). "
        "This is agreement between two models, not accuracy against a measured truth; COCO "
        "and BlazePose also place the hip joint centre differently, which shows as a bias.",
        "",
    ]
    body = [
        [
            r["joint"],
            str(r["n"]),
            _f(r["mean"], 1),
            _f(r["median"], 1),
            _f(r["p95"], 1),
            _f(r["max"], 1),
            f"({r['bias'][0]:+.1f}, {r['bias'][1]:+.1f})",
            _f(r["mean_ll"], 3),
        ]
        for r in rows
    ]
    return lines + _table(
        [
            "joint",
            "N",
            "mean (px)",
            "median (px)",
            "p95 (px)",
            "max (px)",
            "bias x, y (px)",
            "mean (leg lengths)",
        ],
        body,
    )


def camera_section(rows: list[dict], events_3d: tuple[float, float]) -> list[str]:
    lines = [
        "## 3. One camera against the 4-camera 3-D reference (Pose2Sim balancing trial)",
        "",
        "Reference: `pose2sim_demo_filt_butterworth.trc` (Pose2Sim triangulation of OpenPose "
        "keypoints from 4 cameras, 60 Hz) projected into each camera with "
        "`pose2sim_calib.toml`. Compared over the 3-D single-leg phase "
        f"(right foot > 3 cm above its start height: {events_3d[0]:.3f}–{events_3d[1]:.3f} s): "
        "the pelvis (hip midpoint) minus the left (stance) ankle, in pixels, and the sway "
        "angle of that line. Errors are in leg lengths (median projected pelvis–ankle "
        "distance). Both sides are pose models: OpenPose and BlazePose hips differ by a "
        "nearly constant offset (the bias column), so correlation is the main measure. "
        "The calibration convention was checked by eye: "
        "![3-D markers projected on frame 45](img/pose2sim_projection.jpg) "
        "(red: right, green: left; `accuracy.py --overlay docs/img/pose2sim_projection.jpg`).",
        "",
    ]
    body = [
        [
            r["cam"],
            str(r["n"]),
            _f(r["r_x"], 3),
            _f(r["r_y"], 3),
            _f(r["rmse_ll"], 3),
            f"({r['bias_ll'][0]:+.3f}, {r['bias_ll'][1]:+.3f})",
            _f(r["r_angle"], 3),
            _f(r["angle_err"], 2),
            r["trials"],
        ]
        for r in rows
    ]
    lines += _table(
        [
            "camera",
            "N",
            "r (x)",
            "r (y)",
            "RMSE (ll)",
            "bias x, y (ll)",
            "r (angle)",
            "angle RMSE, mean removed (°)",
            f"trials found (3-D: left {events_3d[0]:.2f}–{events_3d[1]:.2f} s)",
        ],
        body,
    )
    lines += [
        "Anterior-posterior from one camera: MediaPipe world landmarks (metres) against the "
        "3-D reference, both expressed in a body frame (medio-lateral along the mean hip "
        "line, antero-posterior perpendicular, horizontal), mean removed:",
        "",
    ]
    body = [
        [
            r["cam"],
            _f(r["world_sd_ml_cm"], 1),
            _f(r["world_err_ml_cm"], 1),
            _f(r["world_r_ml"], 2),
            _f(r["world_sd_ap_cm"], 1),
            _f(r["world_err_ap_cm"], 1),
            _f(r["world_r_ap"], 2),
        ]
        for r in rows
    ]
    return lines + _table(
        [
            "camera",
            "ML SD 3-D (cm)",
            "ML RMSE (cm)",
            "ML r",
            "AP SD 3-D (cm)",
            "AP RMSE (cm)",
            "AP r",
        ],
        body,
    )


def retest_section(tables: dict[str, dict[str, dict]]) -> list[str]:
    lines = [
        "## 4. Test-retest",
        "",
        "Each clip analysed as is (twice), re-encoded with x264 at crf 28, at half width and "
        "height, and at half frame rate (every second frame). Spread = max − min over the "
        "five runs of the longest trial's values.",
        "",
    ]
    for clip, runs in tables.items():
        body = [
            [
                name,
                str(r.get("trials", 0)),
                r.get("stance", "–"),
                *[_f(r.get(k), 3) for k in RETEST_KEYS],
            ]
            for name, r in runs.items()
        ]
        spread = ["**spread**", "", ""]
        for k in RETEST_KEYS:
            v = np.array([r.get(k, np.nan) for r in runs.values()], dtype=float)
            spread.append(
                f"**{_f(np.nanmax(v) - np.nanmin(v), 3)}**" if np.isfinite(v).any() else "–"
            )
        lines += [f"`{clip}`", ""]
        lines += _table(["run", "trials", "stance", *RETEST_KEYS], [*body, spread])
    return lines


def header(quick: bool, seconds: float) -> list[str]:
    import mediapipe

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = "?"
    return [
        "# Accuracy of balance_cam",
        "",
        f"Generated by `python benchmarks/accuracy.py{' --quick' if quick else ''}` on "
        f"{dt.date.today().isoformat()} (commit `{commit}`, mediapipe {mediapipe.__version__}, "
        f"BlazePose full, Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"{seconds / 60:.1f} min). Parts 1-4 are generated: do not edit them by hand, rerun the "
        "script; part 5 and the limits are written by hand and kept by it.",
        "",
    ]


#: docs/accuracy.md from this heading to its end is written by hand (part 5 and where the method
#: is weak): a rerun keeps it as the doc has it, so there is one copy of that text.
HAND_WRITTEN = "## 5. Real-world robustness"


def hand_written(doc: Path) -> str:
    """The hand-written closing sections of ``doc``: from :data:`HAND_WRITTEN` to the end."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    i = text.find(HAND_WRITTEN)
    if i < 0:
        raise SystemExit(f"{doc}: no '{HAND_WRITTEN}' section to keep (restore the file from git)")
    return text[i:].rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a handful of conditions (about a minute)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "accuracy.md")
    ap.add_argument(
        "--overlay", type=Path, help="also write a PNG of the 3-D markers projected on frame 45"
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    kept = hand_written(ROOT / "docs" / "accuracy.md")  # read first: fail before the long run
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bc-accuracy-") as tmp:
        work = Path(tmp)
        lines = build_report(work, args.quick, args.overlay, lambda m: log.info(m))
    text = "\n".join(header(args.quick, time.perf_counter() - t0) + lines + [kept]) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


def build_report(
    work: Path, quick: bool, overlay: Path | None, say: Callable[[str], None]
) -> list[str]:
    base = read_frame(SAMPLES / SWAY_SOURCE, SWAY_FRAME)
    ankle = locate_landmark(base, "left_ankle")
    sway_rows = []
    for i, case in enumerate(sway_cases(quick)):
        sway_rows.append(run_sway(case, base, ankle, work, seed=i))
        say(f"sway {i + 1}: {case}")
    two = read_frame(SAMPLES / EVENT_SOURCE, TWO_FEET_FRAME)
    one = read_frame(SAMPLES / EVENT_SOURCE, ONE_LEG_FRAME)
    event_rows = [
        run_event(c, two, one, work, seed=100 + i) for i, c in enumerate(event_cases(quick))
    ]
    say("events done")
    info = (
        f"Base frame: `{SWAY_SOURCE}` frame {SWAY_FRAME} ({base.shape[1]}×{base.shape[0]}, on the "
        f"left leg), rotated about the left ankle found by the pose model at "
        f"({ankle[0]:.1f}, {ankle[1]:.1f}) px by θ(t) = A·sin(2πft), 5 s clips, H.264. "
        "Measured = the trial's `angle_rms_deg` and filtered angle trace; true = θ(t) at the "
        "same times (any constant lean of the base frame cancels in both, mean removed). "
        "One clip per row (N = 1 per condition; noise seeded)."
    )
    analyses = {
        n: analyze_video_series(SAMPLES / n)
        for n in ("pose_1.mp4", *(f"pose2sim_cam0{c}.mp4" for c in (1, 2, 3, 4)))
    }
    say("sample clips analysed")
    trc = ref.read_trc(DATA / "pose2sim_demo_filt_butterworth.trc")
    cams = ref.read_calibration(DATA / "pose2sim_calib.toml")
    events_3d = ref.foot_events_s(trc, "R")
    cam_rows = [
        camera_vs_3d(k, *analyses[f"pose2sim_cam0{i + 1}.mp4"], trc, cam, events_3d)
        for i, (k, cam) in enumerate(cams.items())
    ]
    if overlay is not None:
        write_overlay(overlay, trc, cams)
    retest = {}
    for clip in ("pose_1.mp4",) if quick else ("pose_1.mp4", "pose2sim_cam01.mp4"):
        runs = {}
        for name, path in variants(SAMPLES / clip, work).items():
            res = analyses[clip][0] if name == "original" else analyze_video_series(path)[0]
            runs[name] = retest_row(res)
        retest[clip] = runs
        say(f"retest {clip} done")
    return (
        sway_section(sway_rows, info)
        + event_section(event_rows)
        + landmark_section(landmark_agreement(analyses["pose_1.mp4"][1]))
        + camera_section(cam_rows, events_3d)
        + retest_section(retest)
    )


def write_overlay(path: Path, trc: ref.Trc, cams: dict[str, ref.Camera], frame: int = 45) -> None:
    """Projected 3-D markers (red: right, green: left) on each camera's frame, side by side."""
    import cv2

    tiles = []
    for i, cam in enumerate(cams.values()):
        rgb = read_frame(SAMPLES / f"pose2sim_cam0{i + 1}.mp4", frame).copy()
        for (u, v), name in zip(cam.project(trc.xyz_world_m[frame]), trc.names, strict=True):
            colour = (255, 0, 0) if name.startswith("R") else (0, 200, 0)
            cv2.circle(rgb, (int(round(u)), int(round(v))), 10, colour, -1)
        tiles.append(cv2.resize(rgb, (270, 480), interpolation=cv2.INTER_AREA))
    cv2.imwrite(str(path), np.hstack(tiles)[..., ::-1])


if __name__ == "__main__":
    sys.exit(main())
