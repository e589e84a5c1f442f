"""The human-readable summary (:mod:`balance_cam.render.console`) is readable at 80 columns."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from balance_cam.core.config import SummaryConfig
from balance_cam.core.results import AnalysisResult, SwayMetrics, Trial
from balance_cam.core.summary import summarize
from balance_cam.render.console import print_result


def sway(ml: float, angle: float) -> SwayMetrics:
    return replace(SwayMetrics.empty(), ml_rms_cm=ml, angle_rms_deg=angle, path_length_cm=42.5,
                   mean_velocity_cm_s=3.25, ellipse95_area_cm2=12.5, n_samples=300)  # fmt: skip


def result(trials: list[Trial], age: int | None = None, warnings=()) -> AnalysisResult:
    return AnalysisResult(
        source={"path": "/videos/athlete_2026-03-01.mp4", "fps": 29.97, "duration_s": 95.2,
                "width": 1080, "height": 1920},
        model={}, trials=tuple(trials), summary=summarize(trials, SummaryConfig(age=age)),
        frames_decoded=2853, frames_with_person=2850, config={}, tool_version="0.1.0",
        created_at="2026-03-01T10:00:00+00:00", warnings=tuple(warnings),
    )  # fmt: skip


def render(res: AnalysisResult, width: int = 80) -> str:
    buf = io.StringIO()
    print_result(res, Console(file=buf, width=width, color_system=None, legacy_windows=False))
    return buf.getvalue()


TRIALS = [
    Trial(0, "left", 3.21, 35.87, "time_limit", sway(1.23, 0.87)),
    Trial(1, "right", 41.0, 48.66, "stance_foot_moved", sway(2.46, 1.52)),
    Trial(2, "right", 52.1, 60.3, "touchdown", sway(2.0, 1.4)),
]


def test_summary_fits_80_columns_without_truncation():
    text = render(result(TRIALS, age=45, warnings=["video is truncated: frames stop at 95.20 s"]))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].rstrip().endswith("2853 frames")  # the header is one line
    assert "…" not in text
    for needle in ("athlete_2026-03-01.mp4", "1080×1920", "30.0 fps", "2853 frames",
                   "Trials", "stopped by", "time limit", "stance moved", "foot down",
                   "32.66", "7.66", "1.2", "2.5", "0.87", "3.2",
                   "Per side", "left leg", "right leg", "best hold s", "mean hold s",
                   "ML sway RMS cm", "sway angle RMS°", "95% ellipse cm²", "age norm s",
                   "Asymmetry: hold 75 %, right weaker; ML sway 38 %.", "Verdict:",
                   "warning: video is truncated"):  # fmt: skip
        assert needle in text, needle


def test_per_side_block_puts_left_and_right_side_by_side():
    text = render(result(TRIALS))
    row = next(line for line in text.splitlines() if line.startswith("best hold s"))
    assert row.split()[-2:] == ["32.66", "8.20"]
    trials_row = next(line for line in text.splitlines() if line.split()[:1] == ["2"])
    assert trials_row.split()[:4] == ["2", "right", "41.00", "7.66"]
    assert "age norm" not in text  # only with --age


def test_missing_side_and_no_trials():
    text = render(result(TRIALS[:1]))
    row = next(line for line in text.splitlines() if line.startswith("trials"))
    assert row.split() == ["trials", "1", "–"]
    assert "Asymmetry: needs a trial on each leg." in text
    empty = render(result([]))
    assert "Trials" not in empty and "Verdict: No single-leg stance was found." in empty
