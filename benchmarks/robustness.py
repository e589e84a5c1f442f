"""Real-world robustness: long single-leg holds with known truth, through the current analysis.

    python benchmarks/robustness.py                        # every condition (21), seed 0
    python benchmarks/robustness.py --quick                # one condition per family (9)
    python benchmarks/robustness.py --only handheld grey   # conditions whose name has a word
    python benchmarks/robustness.py --seed 100             # another draw of sway and camera paths
    python benchmarks/robustness.py --held-out             # held-out set 1 (18): tuned on twice since
    python benchmarks/robustness.py --held-out 2           # held-out set 2 (17), never tuned on
    python benchmarks/robustness.py --out DIR              # keep the clips and their landmarks
    python benchmarks/robustness.py --from-landmarks DIR   # re-analyse the landmarks saved by --out
    python benchmarks/robustness.py --markdown docs/accuracy_robustness.md --json out.json

Every condition of :func:`balance_cam.testing.corpus.baseline_conditions` is generated from the
licensed frames in ``sample_videos/`` (seeded), analysed with the package's current analysis
(:func:`balance_cam.apps.analyze.analyze_video_series`, default configuration, nothing tuned),
and scored against its truth with :mod:`balance_cam.testing.corpus.scoring` (the issue-12
must-holds; edited videos timed within shots). Handheld conditions are also rendered with a still
camera (the same hold filmed static) to compare the sway angle RMS. The source tracks (one
pose-model pass with segmentation per source clip) are cached in ``--cache``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")

from balance_cam.apps.analyze import analyze_video_series  # noqa: E402
from balance_cam.core.analyzer import analyze_series  # noqa: E402
from balance_cam.core.config import AnalysisConfig  # noqa: E402
from balance_cam.core.results import AnalysisResult  # noqa: E402
from balance_cam.core.series import LandmarkSeries  # noqa: E402
from balance_cam.core.skeleton import idx, other  # noqa: E402
from balance_cam.io.landmarks import load_series, save_series  # noqa: E402
from balance_cam.testing import corpus as cp  # noqa: E402
from balance_cam.testing.corpus import scoring  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Analysed:
    """One clip analysed: its truth, the result and landmarks (None: the analysis raised)."""

    truth: cp.CorpusTruth
    result: AnalysisResult | None
    series: LandmarkSeries | None
    error: str
    gen_cpu_s: float
    analyse_cpu_s: float
    size_bytes: int


@dataclass(frozen=True)
class Row:
    recipe: cp.Recipe
    clip: Analysed
    static: Analysed | None
    score: scoring.ClipScore | None
    raised_vis: tuple[float, float]
    ankle_err_pct: float


def clip_path(work: Path, recipe: cp.Recipe) -> Path:
    stem = recipe.name.replace(" ", "_").replace(":", "").replace("/", "_").replace("+", "and")
    return work / f"{stem}.mp4"


def analyse(recipe: cp.Recipe, work: Path, cache: Path, config: AnalysisConfig,
            from_landmarks: bool) -> Analysed:  # fmt: skip
    """Generate and analyse one clip, or (``from_landmarks``) re-plan its truth and recompute the
    result from the landmarks an earlier ``--out`` run saved (no rendering, no pose model)."""
    path = clip_path(work, recipe)
    marks = path.with_suffix(".landmarks.npz")
    c0 = time.process_time()
    if from_landmarks:
        truth = cp.plan(recipe, cache_dir=cache).truth
    else:
        truth = cp.make_clip(recipe, path, cache_dir=cache)
    c1 = time.process_time()
    result = series = None
    error = ""
    try:
        if from_landmarks:
            series = load_series(marks)
            result = analyze_series(series, config)
        else:
            result, series = analyze_video_series(path, config)
            save_series(series, marks)
    except Exception as exc:  # noqa: BLE001 - a failing analysis is a result of the benchmark too
        error = f"{type(exc).__name__}: {exc}"
    size = path.stat().st_size if path.exists() else 0
    return Analysed(truth, result, series, error, c1 - c0, time.process_time() - c1, size)


def raised_visibility(series: LandmarkSeries, truth: cp.CorpusTruth) -> tuple[float, float]:
    """Median visibility of the raised ankle over the foot-up frames, and over painted-over ones."""
    if truth.stance is None:
        return float("nan"), float("nan")
    vis = series.image[:, idx(other(truth.stance), "ankle"), 3]
    fi = np.clip(np.round(series.t_s * truth.fps).astype(int), 0, truth.n_frames - 1)
    v = np.where(np.isfinite(vis), vis, 0.0)  # nobody found: not visible
    up, hid = truth.foot_up[fi] & (truth.gain[fi] > 0.999), truth.hidden[fi]
    return tuple(float(np.median(v[m])) if m.any() else float("nan") for m in (up, hid))  # type: ignore[return-value]


def ankle_error_pct(series: LandmarkSeries, truth: cp.CorpusTruth, cache: Path) -> float:
    """Median distance (% of the frame height) between the truth's stance ankle and the nearer of
    the two ankles the model found, over frames with the foot up: a check of the truth itself."""
    if truth.stance is None:
        return float("nan")
    want = cp.landmark_px(truth, f"{truth.stance}_ankle", cache_dir=cache)
    fi = np.clip(np.round(series.t_s * truth.fps).astype(int), 0, truth.n_frames - 1)
    found = series.pixels()[:, [idx("left", "ankle"), idx("right", "ankle")]]
    d = np.linalg.norm(found - want[fi][:, None, :], axis=2).min(axis=1)
    sel = truth.foot_up[fi] & (truth.gain[fi] > 0.999) & np.isfinite(d)
    return float(100 * np.median(d[sel]) / truth.size_wh[1]) if sel.any() else float("nan")


def run_condition(recipe: cp.Recipe, work: Path, cache: Path, config: AnalysisConfig,
                  from_landmarks: bool) -> Row:  # fmt: skip
    clip = analyse(recipe, work, cache, config, from_landmarks)
    static = None
    if recipe.camera is not None:
        static = analyse(recipe.static_twin(), work, cache, config, from_landmarks)
    score = None
    if clip.result is not None:
        twin = static.result if static else None
        score = scoring.score_clip(clip.truth, clip.result, config.stance.limit_s, recipe.heavy, twin,
                                   handheld=recipe.camera is not None)  # fmt: skip
    vis = raised_visibility(clip.series, clip.truth) if clip.series is not None else (np.nan, np.nan)
    ankle = ankle_error_pct(clip.series, clip.truth, cache) if clip.series is not None else float("nan")
    return Row(recipe, clip, static, score, vis, ankle)


# -- tables ---------------------------------------------------------------------------------
def _f(v: float | None, nd: int = 2, signed: bool = False) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    return f"{v:+.{nd}f}" if signed else f"{v:.{nd}f}"


def _camera_cell(block: dict | None) -> str:
    if not block:
        return "–"
    return (f"{block.get('max_shift_px', float('nan')):.0f} px, ×{block.get('zoom_min', 1):.2f}–"
            f"{block.get('zoom_max', 1):.2f}, {block.get('max_abs_roll_deg', 0):.1f}°")  # fmt: skip


def _sway_cell(s: scoring.TrialScore, truth: cp.CorpusTruth) -> str:
    t, e = s.found, s.expected
    if t is None:
        return "–"
    a, b = max(t.start_s, e.start_s), min(t.end_s, e.end_s)
    body = cp.centred_rms(truth.applied_angle_deg[(truth.t_s >= a) & (truth.t_s <= b)])
    return f"{_f(t.sway.angle_rms_deg)} / {_f(truth.reference_rms_deg(a, b))} ({_f(body)})"


def _truth_cell(e: cp.ExpectedTrial) -> str:
    star = "" if e.lift_observed else "*"
    return f"{e.stance}, {e.start_s:.2f}{star}–{e.end_s:.2f} ({e.hold_s:.1f} s), {e.stop_reason}"


def result_rows(r: Row) -> list[list[str]]:
    """Table cells: one row per expected trial (per shot), one for a clip with none."""
    name = r.recipe.name + (f" ({r.clip.truth.conditions})" if r.clip.truth.conditions != "clean" else "")
    res, sc = r.clip.result, r.score
    if res is None or sc is None:
        return [[name, "–", f"error: {r.clip.error}", *["–"] * 7, "**analysis failed**"]]
    cam = _camera_cell(res.extra.get("camera"))
    if r.recipe.camera is not None:
        cam += f" (truth {_camera_cell(r.clip.truth.camera_summary().to_dict())})"
    shots = res.extra.get("shots") or {}
    shots_cell = f"{shots.get('count', '–')} ({len(r.clip.truth.cuts_s) + 1})"
    static = sc.sway_vs_static[1] if sc.sway_vs_static else "–"
    verdict = "ok" if sc.ok else "**" + ", ".join(sc.failures) + "**"
    extra = "; ".join(f"+{t.stance} {t.start_s:.2f}–{t.end_s:.2f} {t.stop_reason}" for t in sc.extra)
    if not sc.trials:
        return [[name, "no trial", extra or "no trial", "–", "–", "–", "–", static, cam, shots_cell, verdict]]
    rows = []
    for k, s in enumerate(sc.trials):
        t = s.found
        found = "–" if t is None else f"{t.stance}, {t.start_s:.2f}–{t.end_s:.2f}, {t.stop_reason}"
        if k == 0 and extra:
            found += f"; {extra}"
        label = name if k == 0 else f"↳ shot {s.expected.shot + 1}"
        first = k == 0
        rows.append([label, _truth_cell(s.expected), found, _f(s.lift_err_s, signed=True),
                     _f(s.end_err_s, signed=True), _f(s.hold_err_s, signed=True), _sway_cell(s, r.clip.truth),
                     static if first else "", cam if first else "", shots_cell if first else "",
                     verdict if first else ""])  # fmt: skip
    return rows


RESULT_HEAD = ["condition", "truth: side, start–end (hold), stop", "found: side, start–end, stop",
               "lift err (s)", "end err (s)", "hold err (s)", "sway angle RMS found / applied image (body) °",
               "handheld vs static sway", "camera block: max shift, zoom, roll", "shots (truth)",
               "must-holds"]  # fmt: skip


def markdown_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]


def diagnostics_rows(rows: list[Row], from_landmarks: bool) -> list[list[str]]:
    out = []
    for r in rows:
        t = r.clip.truth
        cpu = "–" if from_landmarks else f"{r.clip.gen_cpu_s / max(r.clip.analyse_cpu_s, 1e-9):.2f}"
        out.append([r.recipe.name, f"{t.size_wh[0]}×{t.size_wh[1]}", f"{t.fps:g}", str(t.n_frames),
                    f"{t.duration_s:.1f}", f"{_f(r.raised_vis[0])} / {_f(r.raised_vis[1])}",
                    _f(r.ankle_err_pct), f"{r.clip.size_bytes / 1024:.0f}", cpu])  # fmt: skip
    return out


DIAG_HEAD = ["condition", "size", "fps", "frames", "duration (s)", "raised ankle visibility (up / hidden)",
             "stance ankle vs truth (% of height)", "clip (kB)", "generate / analyse CPU"]  # fmt: skip


def conditions_list(rows: list[Row]) -> list[str]:
    out = []
    for r in rows:
        t = r.clip.truth
        what = r.recipe.description or "–"
        heavy = "; heavy degradation (events within 0.5 s)" if r.recipe.heavy else ""
        out.append(f"- **{r.recipe.name}**: {what}; {t.conditions}{heavy}.")
    return out


def _trial_words(s: scoring.TrialScore) -> str:
    """One expected trial that fails, in words."""
    e, t = s.expected, s.found
    want = f"{e.start_s:.2f}–{e.end_s:.2f} s ({e.stop_reason})"
    if t is None:
        return f"no trial where the truth has {e.stance} {want}"
    bits = []
    if t.stance != e.stance:
        bits.append(f"on the {t.stance} leg, truth {e.stance}")
    if "lift" in s.failures:
        bits.append(f"starts {abs(s.lift_err_s):.2f} s {'late' if s.lift_err_s > 0 else 'early'}")
    if "end" in s.failures or "hold" in s.failures:
        late = s.end_err_s > 0
        bits.append(f"ends at {t.end_s:.2f} s ({t.stop_reason}), {abs(s.end_err_s):.2f} s "
                    f"{'late' if late else 'early'}")  # fmt: skip
    return f"truth {want}: " + ", ".join(bits)


def still_fails(rows: list[Row]) -> list[str]:
    """A plain list: every condition that misses a must-hold, and how."""
    out = []
    for r in rows:
        sc = r.score
        if sc is None:
            out.append(f"- **{r.recipe.name}**: the analysis raised {r.clip.error}.")
            continue
        if sc.ok:
            continue
        what = [_trial_words(s) for s in sc.trials if not s.ok]
        what += [f"an unexpected trial, {t.stance} {t.start_s:.2f}–{t.end_s:.2f} s ({t.stop_reason})"
                 for t in sc.extra]  # fmt: skip
        for name, check in (("camera motion", sc.camera), ("cuts", sc.shots),
                            ("handheld sway against static", sc.sway_vs_static)):  # fmt: skip
            if check is not None and not check[0]:
                what.append(f"{name}: {check[1]}")
        out.append(f"- **{r.recipe.name}**: " + "; ".join(what) + ".")
    return out or ["- nothing: every condition meets every must-hold."]


def counts(rows: list[Row]) -> list[str]:
    scores = [r.score for r in rows if r.score is not None]
    trials = [s for sc in scores for s in sc.trials]

    def n(check: str) -> str:
        ok = sum(1 for s in trials if s.found is not None and dict(s.checks).get(check, False))
        return f"{ok} of {len(trials)}"

    hh = [sc.sway_vs_static[0] for sc in scores if sc.sway_vs_static is not None]
    cams = [sc.camera[0] for sc in scores if sc.camera is not None]
    shots = [sc.shots[0] for sc in scores if sc.shots is not None]
    return [f"- conditions meeting every must-hold: **{sum(sc.ok for sc in scores)} of {len(rows)}**",
            f"- expected trials (per shot) found: {sum(s.found is not None for s in trials)} of "
            f"{len(trials)}; "
            f"right stance side {n('stance')}; lift {n('lift')}; end {n('end')}; hold {n('hold')}",
            f"- conditions with no unexpected trial: {sum(not sc.extra for sc in scores)} of {len(scores)}",
            f"- handheld sway within {scoring.SWAY_VS_STATIC_DEG}° of static: {sum(hh)} of {len(hh)}; camera "
            f"motion reported: {sum(cams)} of {len(cams)}",
            f"- edited clips with every cut found: {sum(shots)} of {len(shots)}"]  # fmt: skip


INTRO = """How the clips are made and what their truth is: `balance_cam/testing/corpus/` and
[benchmarks.md](benchmarks.md#robustness-corpus-benchmarksrobustnesspy). Must-holds (issue 12),
checked by `balance_cam.testing.corpus.scoring`: stance side 100 % and no unexpected trial; lift
and end (touchdown or stop) within {tol} s of the truth ({heavy} s under heavy degradation);
hold within {hold} s; through the handheld camera the sway angle RMS within {sway}° of the same
hold filmed static, and the camera motion reported (shift within 20 %, zoom extremes within 0.03,
roll within 0.5° of the truth). Edited videos are timed within shots: a hold is split at every
cut (`end_of_shot`; the next shot's part starts at its first frame, lift not seen); a fade to
black ends the trial at the last full-brightness frame (`lost_tracking`; an end up to the end of
the fade also counts). `*`: the lift is not in the clip (or shot). The analysis runs with its
default configuration. {tuning}"""

#: ``--held-out N``: the corpus builder, its seed base (plus ``--seed``), the flag and the title.
CORPORA = {0: (cp.baseline_conditions, 0, "", ""),
           1: (cp.heldout_conditions, 1000, "--held-out", ": the held-out corpus"),
           2: (cp.second_heldout_conditions, 2000, "--held-out 2", ": the second held-out corpus"),
           3: (cp.third_heldout_conditions, 3000, "--held-out 3", ": the third held-out corpus"),
           4: (cp.fourth_heldout_conditions, 4000, "--held-out 4", ": the fourth held-out corpus"),
           5: (cp.fifth_heldout_conditions, 5000, "--held-out 5", ": the fifth held-out corpus")}

TUNING = {
    0: "Its thresholds were set while looking at these clips, so this is partly a training "
       "score; the held-out corpora ([accuracy_heldout.md](accuracy_heldout.md), "
       "[accuracy_heldout2.md](accuracy_heldout2.md), [accuracy_heldout3.md](accuracy_heldout3.md), "
       "[accuracy_heldout4.md](accuracy_heldout4.md)) "
       "check for overfitting.",
    1: "Written before its first run; two of its conditions have since been used for fixes and "
       "its holds were read to set `stance_settle_s` and to check the landing thresholds, so this "
       "is partly a tuning score now ([accuracy.md](accuracy.md#5-real-world-robustness) says "
       "what was used).",
    2: "Written before its first run, after the fixes that used held-out set 1; two of its "
       "conditions have since been used for the landing evidence and its holds were read to check "
       "that rule's thresholds, so this is partly a tuning score now "
       "([accuracy.md](accuracy.md#5-real-world-robustness) says what was used).",
    3: "Written before its first run, after the landing evidence that used held-out set 2; no "
       "threshold was set on these clips. A condition used for a fix since is named in "
       "[accuracy.md](accuracy.md#5-real-world-robustness) and is no longer held out.",
    4: "Written before its first run, after the low-start and gap rules that used held-out sets 1 "
       "and 3. One of its conditions has since been used for a fix and its holds were read to check "
       "the level rule's margin, so this is partly a tuning score now "
       "([accuracy.md](accuracy.md#5-real-world-robustness) says what was used).",
    5: "Written before its first run, after stop 35: graphics burnt into the picture (a logo, a "
       "running clock) through a phone, a still camera, cuts and a fade, and a shakier hand. No "
       "threshold was set on these clips.",
}  # fmt: skip

DIAG_TEXT = """Raised-ankle visibility is the model's median over foot-up frames (and over painted-over
ones); the stance-ankle column checks the truth itself (where the recorded transforms put the
source's ankle against where the model finds it). CPU ratio: generating a clip against
analysing it."""


def git_commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip() or "?"  # fmt: skip


def markdown(rows: list[Row], args: argparse.Namespace, minutes: float, commit: str) -> str:
    import mediapipe

    flags = " ".join(f for f in (CORPORA[args.held_out][2],
                                 f"--seed {args.seed}" if args.seed else "", "--quick" if args.quick else "",
                                 f"--only {' '.join(args.only)}" if args.only else "") if f)  # fmt: skip
    md = ""
    if args.markdown:
        target = args.markdown.resolve()
        md = f"--markdown {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
    cmd = " ".join(x for x in ("python benchmarks/robustness.py", flags, md) if x)
    source = ", from saved landmarks" if args.from_landmarks else ""
    lines = [
        "# Real-world robustness" + CORPORA[args.held_out][3],
        "",
        f"Generated by `{cmd}` on {dt.date.today().isoformat()} (commit `{commit}`, mediapipe "
        f"{mediapipe.__version__}, BlazePose full, Python {platform.python_version()}, {os.cpu_count()} "
        f"cores; {minutes:.1f} min{source}). **Do not edit by hand**: rerun the script.",
        "",
        INTRO.format(tol=scoring.EVENT_TOL_S, heavy=scoring.HEAVY_EVENT_TOL_S, hold=scoring.HOLD_TOL_S,
                     sway=scoring.SWAY_VS_STATIC_DEG, tuning=TUNING[args.held_out]),
        "",
        "## Conditions",
        "",
        *conditions_list(rows),
        "",
        "## Results",
        "",
        *markdown_table(RESULT_HEAD, [c for r in rows for c in result_rows(r)]),
        "",
        *counts(rows),
        "",
        "## What still fails",
        "",
        *still_fails(rows),
        "",
        "## Diagnostics and cost",
        "",
        DIAG_TEXT,
        "",
        *markdown_table(DIAG_HEAD, diagnostics_rows(rows, args.from_landmarks is not None)),
        "",
    ]
    return "\n".join(lines)


def to_json(r: Row) -> dict[str, object]:
    sc, res = r.score, r.clip.result
    return {
        "name": r.recipe.name, "conditions": r.clip.truth.conditions, "heavy": r.recipe.heavy,
        "ok": bool(sc and sc.ok), "failures": sc.failures if sc else ["analysis failed"],
        "error": r.clip.error,
        "expected": [s.expected.__dict__ | {"hold_s": s.expected.hold_s} for s in sc.trials] if sc else [],
        "scores": [{"lift_err_s": s.lift_err_s, "end_err_s": s.end_err_s, "hold_err_s": s.hold_err_s,
                    "checks": dict(s.checks)} for s in sc.trials] if sc else [],
        "found": [t.to_dict() for t in res.trials] if res else [],
        "camera": res.extra.get("camera") if res else None, "shots": res.extra.get("shots") if res else None,
        "camera_truth": r.clip.truth.camera_summary().to_dict(),
        "sway_vs_static": sc.sway_vs_static if sc else None, "warnings": list(res.warnings) if res else [],
        "truth": {"lift_s": r.clip.truth.lift_s, "touchdown_s": r.clip.truth.touchdown_s,
                  "end_s": r.clip.truth.end_s, "cuts_s": r.clip.truth.cuts_s, "fade_s": r.clip.truth.fade_s,
                  "hidden_s": r.clip.truth.hidden_s, "fps": r.clip.truth.fps,
                  "size_wh": r.clip.truth.size_wh},
        "raised_vis": r.raised_vis, "ankle_err_pct": r.ankle_err_pct,
        "gen_cpu_s": r.clip.gen_cpu_s, "analyse_cpu_s": r.clip.analyse_cpu_s,
    }  # fmt: skip


def default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("balance-cam")) / "corpus-tracks"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="draw of sway signals and camera paths (default 0)")
    ap.add_argument("--held-out", type=int, nargs="?", const=1, default=0, choices=(1, 2, 3, 4, 5),
                    help="a held-out corpus: 1 to 5 (corpus.heldout_conditions, second_ ... fifth_; "
                         "seeds from 1000, 2000, 3000, 4000, 5000 + --seed)")
    ap.add_argument("--quick", action="store_true", help="one condition per family (corpus.QUICK)")
    ap.add_argument("--only", nargs="*", default=[], help="only conditions whose name contains a word")
    ap.add_argument("--out", type=Path, help="keep clips and landmarks here (default: a temp folder)")
    ap.add_argument("--from-landmarks", type=Path, metavar="DIR",
                    help="recompute from the landmarks an earlier --out DIR run saved (no pose model)")
    ap.add_argument("--cache", type=Path, default=None, help="source track cache (default: user cache)")
    ap.add_argument("--markdown", type=Path, help="write the section, e.g. docs/accuracy_robustness.md")
    ap.add_argument("--json", type=Path, help="also write every number")
    args = ap.parse_args(argv)
    import cv2

    cv2.setNumThreads(1)  # a shared machine: keep rendering on one core
    words = [*args.only, *(cp.QUICK if args.quick else ())]
    build, seed_base = CORPORA[args.held_out][:2]
    recipes = [r for r in build(seed_base + args.seed)
               if not words or any(w.lower() in r.name.lower() for w in words)]  # fmt: skip
    config, cache = AnalysisConfig(), args.cache or default_cache()
    rows: list[Row] = []
    t0, commit = time.perf_counter(), git_commit()  # the code the run starts with
    with tempfile.TemporaryDirectory(prefix="bc-robustness-") as tmp:
        work = args.from_landmarks or args.out or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for recipe in recipes:
            row = run_condition(recipe, work, cache, config, args.from_landmarks is not None)
            rows.append(row)
            verdict = ", ".join(row.score.failures) or "ok" if row.score else "error"
            print(f"[{time.perf_counter() - t0:6.0f} s] {recipe.name}: {verdict} {row.clip.error}",
                  file=sys.stderr, flush=True)  # fmt: skip
    text = markdown(rows, args, (time.perf_counter() - t0) / 60, commit)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
    if args.json:
        args.json.write_text(json.dumps([to_json(r) for r in rows], indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
