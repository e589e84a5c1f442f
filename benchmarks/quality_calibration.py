"""Calibration tables of the balance-quality detectors on synthetic landmark series (docs/quality.md).

Quiet trials give the false corrections per minute; trials with injected minimum-jerk pelvis
shifts give detection and timing; held postures give how often each BESS detector fires and how
late. Pure landmark series (:mod:`balance_cam.testing.landmarks`), no pose model, about a minute
on 2 cores: ``python benchmarks/quality_calibration.py [seeds]``.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from balance_cam.core.bess import bess_masks, bess_score
from balance_cam.core.config import AnalysisConfig, QualityConfig, TestConfig
from balance_cam.core.quality import corrections, ml_ll
from balance_cam.core.stops import TrialSpan
from balance_cam.testing.landmarks import Keyframe, SynthConfig, make_trial

BESS = AnalysisConfig().with_options(test=TestConfig.of(protocol="bess-single"))


def _signal(cfg: SynthConfig) -> tuple[np.ndarray, np.ndarray]:
    s = make_trial(cfg).series
    return s.t_s, ml_ll(s, cfg.stance, 0.5)  # type: ignore[arg-type]


def false_positives(seeds: int) -> list[str]:
    thresholds = (0.08, 0.10, 0.12, 0.14)
    lines = ["| noise (ll) | fps | " + " | ".join(f"{t:.2f} ll/s" for t in thresholds) + " |",
             "|---|---|" + "---|" * len(thresholds)]  # fmt: skip
    for noise, fps in itertools.product((0.0025, 0.005, 0.01), (30.0, 60.0)):
        fp = np.zeros(len(thresholds))
        for seed in range(seeds):
            t, x = _signal(SynthConfig(duration_s=30, fps=fps, noise_ll=noise, seed=seed))
            for i, thr in enumerate(thresholds):
                fp[i] += corrections(t, x, QualityConfig(correction_ll_s=thr)).count
        per_min = fp / (seeds * 28.5 / 60)
        lines.append(f"| {noise:g} | {fps:g} | " + " | ".join(f"{v:.1f}" for v in per_min) + " |")
    return lines


def detection(seeds: int) -> list[str]:
    lines = ["| shift A (ll) | over D (s) | peak (ll/s) | max \\|count − 8\\| | missed | extra | "
             "timing p95 (s) | timing max (s) |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for amp, dur in ((0.03, 0.3), (0.04, 0.4), (0.05, 0.5), (0.06, 0.4), (0.08, 0.6)):
        errs, misses, extra, dts = [], 0, 0, []
        for seed in range(seeds):
            keys = tuple(Keyframe("ml", 2.0 + 2.0 * k, dur, amp if k % 2 == 0 else 0.0) for k in range(8))
            t, x = _signal(SynthConfig(duration_s=19, noise_ll=0.01, keyframes=keys, seed=seed))
            r = corrections(t, x, QualityConfig())
            mids = np.array([k.start_s + k.dur_s / 2 for k in keys])
            d = np.abs(r.times_s[:, None] - mids[None]) if r.count else np.full((0, 8), np.inf)
            hit = d.min(axis=1) <= 0.5 if r.count else np.zeros(0, bool)
            errs.append(abs(r.count - 8))
            extra += int((~hit).sum())
            misses += int((d.min(axis=0) > 0.5).sum()) if r.count else 8
            dts += list(d.min(axis=1)[hit])
        lines.append(f"| {amp:g} | {dur:g} | {1.875 * amp / dur:.2f} | {max(errs)} | {misses}/{8 * seeds} | "
                     f"{extra} | {np.percentile(dts, 95):.2f} | {max(dts):.2f} |")  # fmt: skip
    return lines


def _bess(keys: tuple[Keyframe, ...], noise: float, seed: int):  # noqa: ANN202
    s = make_trial(SynthConfig(duration_s=12, noise_ll=noise, keyframes=keys, seed=seed)).series
    m = bess_masks(s.t_s, s.pixels(), s.world[..., :3].astype(np.float64), "left", BESS)
    return bess_score(m, TrialSpan("left", 0.0, float(s.t_s[-1]), "time_limit"), BESS)


def bess_rates(seeds: int) -> list[str]:
    rows = (("hip flexion (°)", "flexion", (24.0, 27.0, 30.0, 33.0, 45.0), 20.0, "hip"),
            ("hip abduction (°)", "abduction", (15.0, 22.0, 27.0, 33.0, 40.0), 0.0, "hip"),
            ("heel lift (°)", "pitch", (5.0, 7.0, 9.0, 12.0), 0.0, "foot"),
            ("forefoot lift (°)", "pitch", (-5.0, -7.0, -9.0, -12.0), 0.0, "foot"),
            ("trunk lean (°, no BESS error)", "lean", (10.0, 20.0), 0.0, "hip"),
            ("hands off hips", "arms", ("hang", "out", "overhead", "chest"), "hips",
             "hands_off_hips"))  # fmt: skip
    lines = ["| noise (ll) | posture | value: fired / trials (onset − mid-time, median / max \\|·\\| s) |",
             "|---|---|---|"]  # fmt: skip
    for noise in (0.005, 0.01):
        for label, param, values, rest, kind in rows:
            cells = []
            for v in values:
                delays = []
                for seed in range(seeds):
                    r = _bess((Keyframe(param, 4.0, 0.4, v), Keyframe(param, 9.0, 0.4, rest)), noise, seed)
                    ts = [e.t_s for e in r.events if kind in e.kinds]
                    delays += [ts[0] - 4.2] if ts else []
                d = f" ({np.median(delays):+.2f} / {np.max(np.abs(delays)):.2f})" if delays else ""
                cells.append(f"{v}: {len(delays)}/{seeds}{d}")
            lines.append(f"| {noise:g} | {label} | " + "; ".join(cells) + " |")
    return lines


def main(seeds: int = 6) -> None:
    print("False corrections per minute of quiet stance (30-s trials, 2 Hz):\n")
    print("\n".join(false_positives(seeds)))
    print("\nEight injected pelvis shifts, noise 0.01 ll, 30 fps, 0.10 ll/s (hit: within 0.5 s):\n")
    print("\n".join(detection(seeds)))
    print("\nBESS detectors, a posture held 5 s:\n")
    print("\n".join(bess_rates(seeds)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
