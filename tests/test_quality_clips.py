"""Balance quality on real frames and real clips: corrections injected into real frames (the real
pose model on them), tree pose with the arms overhead (pose_1.mp4), and the test set-up through
the CLI (norms per condition)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from balance_cam.core.analyzer import analyze_series
from balance_cam.core.config import AnalysisConfig, TestConfig
from balance_cam.core.posture import hands_off_mask
from balance_cam.io.landmarks import save_series
from balance_cam.testing.landmarks import min_jerk
from balance_cam.testing.synthetic import Degradation, locate_landmark, make_sway_clip, read_frame
from tests.conftest import analyzed, sample

#: These clips rotate the whole frame, which a background-based stabiliser rightly reads as
#: camera roll; they test the sway measure itself, so the camera is taken as still.
WHOLE_FRAME_ROTATION = AnalysisConfig(stabilise=False)

AMP_DEG, DUR_S = 3.5, 0.5
STARTS = (2.0, 3.5, 5.0, 6.5)


class Corrections:
    """Rotations of the frame about the stance ankle: three corrections (out 3.5°, back, out
    again, each over 0.5 s; pelvis shift ≈ 0.06 leg lengths) and a large fourth (to -3.5° in
    0.3 s: the first loss of balance)."""

    def angle_deg(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        out = np.zeros_like(t)
        value = 0.0
        for k, start in enumerate(STARTS):
            target, dur = ((AMP_DEG, DUR_S), (0.0, DUR_S), (AMP_DEG, DUR_S), (-AMP_DEG, 0.3))[k]
            m = t >= start
            out[m] = value + (target - value) * min_jerk((t[m] - start) / dur)
            value = target
        return out


@cache
def _pose1_base() -> tuple[np.ndarray, np.ndarray]:
    base = read_frame(sample("pose_1.mp4"), 30)
    return base, locate_landmark(base, "left_ankle")


@pytest.mark.slow
def test_corrections_injected_into_real_frames_are_counted_and_timed(tmp_path: Path) -> None:
    """Measured (docs/quality.md): count exact, times 0.02-0.05 s from the movements' mid-times,
    stable time 0.07 s before the large correction's start."""
    from balance_cam.apps.analyze import analyze_video_series

    base, ankle = _pose1_base()
    make_sway_clip(tmp_path / "c.mp4", base, ankle, Corrections(), 30, 8.0, 288, Degradation(noise_sigma=2))
    result, _ = analyze_video_series(tmp_path / "c.mp4", WHOLE_FRAME_ROTATION)
    (trial,) = result.trials
    mids = np.array([s + d / 2 for s, d in zip(STARTS, (DUR_S, DUR_S, DUR_S, 0.3), strict=True)])
    assert trial.corrections == 4, trial.correction_times_s
    assert np.max(np.abs(np.array(trial.correction_times_s) - mids)) <= 0.2
    assert trial.stable_reason == "large_correction" and abs(trial.stable_s - STARTS[3]) <= 0.2
    assert 0 <= trial.stable_s <= trial.hold_s


def pose1(test: TestConfig):  # noqa: ANN201
    _, series = analyzed("pose_1.mp4")
    return analyze_series(series, AnalysisConfig().with_options(test=test)), series


@pytest.mark.slow
def test_tree_pose_arms_overhead_is_no_error_with_arms_free() -> None:
    result, _ = pose1(TestConfig())
    (trial,) = result.trials
    assert trial.stop_reason == "end_of_video" and trial.hold_s > 3.5
    assert trial.errors is None and trial.stable_reason == "none"  # arms raised, pelvis still
    assert trial.corrections == 0 and len(trial.sway_by_third) == 3


@pytest.mark.slow
def test_tree_pose_arms_overhead_breaks_the_hands_on_hips_rule() -> None:
    held, series = pose1(TestConfig.of(hands_on_hips=True))
    (trial,) = held.trials
    assert trial.stop_reason == "hands_off_hips" and trial.hold_s < 0.5  # never on the hips
    bess, _ = pose1(TestConfig.of(protocol="bess-single"))
    (scored,) = bess.trials
    assert scored.errors == 10 and scored.errors_max_reason == "never_in_position"
    seg = series.between(0.0, 4.0)
    world = seg.world[..., :3].astype(np.float64)
    mask = hands_off_mask(seg.pixels(), world, "left", AnalysisConfig().quality)
    overhead = (seg.t_s >= 1.3) & (seg.t_s <= 2.3)  # arms overhead in these frames
    assert mask[overhead].all()


@pytest.mark.slow
def test_cli_condition_changes_the_norm_and_the_verdict(tmp_path: Path) -> None:
    from balance_cam.cli import app

    _, series = analyzed("pose_1.mp4")
    npz = tmp_path / "pose_1.landmarks.npz"
    save_series(series, npz)
    runner = CliRunner()
    out = {}
    for condition in ("eyes-open", "eyes-closed"):
        res = runner.invoke(app, ["analyze", str(npz), "--json", "--age", "45", "--condition", condition])
        assert res.exit_code == 0, res.output
        out[condition] = json.loads(res.stdout)
    eo, ec = (out[c]["summary"] for c in ("eyes-open", "eyes-closed"))
    assert eo["left"]["norm"]["norm_best_s"] == 41.9 and ec["left"]["norm"]["norm_best_s"] == 12.75
    assert "eyes closed" in ec["verdict"] and "eyes-closed norm" in ec["verdict"]
    assert "eyes open" in eo["verdict"] and "eyes-open norm" in eo["verdict"]
    assert out["eyes-closed"]["trials"][0]["condition"] == "eyes-closed"
    bad = runner.invoke(app, ["analyze", str(npz), "--condition", "closed"])
    assert bad.exit_code == 2 and "condition must be one of eyes-open, eyes-closed" in bad.output
    bess = runner.invoke(app, ["analyze", str(npz), "--protocol", "bess-single", "--limit", "30"])
    assert bess.exit_code == 2 and "20-s trials" in bess.output
