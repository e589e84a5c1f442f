"""The bundled demo (README command 1): a whole left-then-right test, checked against its truth.

``sample_videos/demo_left_right.mp4`` is assembled from licensed frames by
:mod:`balance_cam.testing.corpus.demo`; its truth (``demo_left_right.truth.json``) comes from the
recipes. The CLI runs the real pose model on the bundled file, as a new user's first command does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from balance_cam.testing.corpus import demo

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "sample_videos" / "demo_left_right.mp4"
TRUTH = json.loads(CLIP.with_suffix(".truth.json").read_text())
TOL_S = 0.3  # issue 12's event tolerance


@pytest.fixture(scope="module")
def run(demo_run: tuple[str, dict, Path]) -> tuple[str, dict]:
    stdout, result, _ = demo_run
    return stdout, result


def test_stored_truth_is_what_the_recipes_give() -> None:
    truth = demo.demo_truth()
    assert [t.stance for t in truth] == ["left", "right"]
    for got, stored in zip(truth, TRUTH["trials"], strict=True):
        assert got.lift_s == pytest.approx(stored["lift_s"])
        assert got.touchdown_s == pytest.approx(stored["touchdown_s"])
    assert all(10.0 <= t.hold_s <= 30.0 for t in truth)


def test_demo_gives_one_trial_per_leg_at_the_true_times(run: tuple[str, dict]) -> None:
    _, result = run
    trials = result["trials"]
    assert [t["stance"] for t in trials] == ["left", "right"], trials
    for found, truth in zip(trials, TRUTH["trials"], strict=True):
        assert abs(found["start_s"] - truth["lift_s"]) <= TOL_S
        assert abs(found["end_s"] - truth["touchdown_s"]) <= TOL_S
        assert abs(found["hold_s"] - truth["hold_s"]) <= TOL_S
        assert found["stop_reason"] == "touchdown"


def test_readme_command_prints_both_legs_an_asymmetry_and_a_verdict(run: tuple[str, dict]) -> None:
    stdout, _ = run
    rows = [line.split() for line in stdout.splitlines() if re.match(r"^\d+\s+(left|right)\s", line)]
    assert [r[1] for r in rows] == ["left", "right"], stdout
    asym = re.search(r"Asymmetry: hold (\d+) %, (left|right) weaker", stdout)
    assert asym, stdout
    truth_pct = 100 * (1 - TRUTH["trials"][1]["hold_s"] / TRUTH["trials"][0]["hold_s"])
    assert asym.group(2) == "right" and abs(int(asym.group(1)) - truth_pct) <= 3
    assert "Swap an easy run for strength and stability work" in stdout
    assert "edited video: 1 cut" in stdout  # the join of the two recordings, said as such
