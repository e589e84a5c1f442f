"""Unit tests of the live test's guidance: framing check and the protocol state machine.

Synthetic inputs only (the protocol never sees pixels: it gets the analyzer's state and
finished trials); the end-to-end tests with the real model are in ``test_live.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance_cam.apps.live.protocol import Framing, GuidedProtocol, framing_check, trial_plan
from balance_cam.core.results import SwayMetrics, Trial
from balance_cam.core.skeleton import INDEX, N_LANDMARKS

OK = Framing(True, "Good")
NOT_OK = Framing(False, "Step back")


def standing(top: float = 0.1, bottom: float = 0.9, vis: float = 0.99) -> np.ndarray:
    """A standing person: landmarks spread linearly between ``top`` (nose) and ``bottom`` (feet)."""
    pts = np.zeros((N_LANDMARKS, 4), np.float32)
    pts[:, 0], pts[:, 3] = 0.5, vis
    frac = {"nose": 0.0, "shoulder": 0.18, "hip": 0.5, "knee": 0.72, "ankle": 0.95,
            "heel": 0.97, "foot_index": 1.0}  # fmt: skip
    for name, i in INDEX.items():
        part = next((k for k in frac if name.endswith(k)), "shoulder")
        pts[i, 1] = top + frac[part] * (bottom - top)
        pts[i, 0] += -0.05 if name.startswith("left_") else 0.05 if name.startswith("right_") else 0
    return pts


def trial(index: int, stance: str, reason: str = "touchdown", hold_s: float = 5.0) -> Trial:
    return Trial(index, stance, 10.0, 10.0 + hold_s, reason, SwayMetrics.empty())


# -- framing ------------------------------------------------------------------------------
def test_framing_ok_for_a_whole_standing_body() -> None:
    f = framing_check(standing())
    assert f.ok, f.hint
    assert f.height_frac == pytest.approx(0.8, abs=1e-6)


@pytest.mark.parametrize(
    ("pts", "hint"),
    [
        (None, "Step into the picture"),
        (standing(0.3, 0.6), "closer"),
        (standing(0.2, 1.15), "both feet"),
        (standing(-0.08, 0.9), "head is cut off"),
        (standing(0.01, 0.995), "Step back a little"),
        (standing(vis=0.2), "both feet"),
    ],
)
def test_framing_says_what_to_do(pts: np.ndarray | None, hint: str) -> None:
    f = framing_check(pts)
    assert not f.ok
    assert hint in f.hint


# -- plan -----------------------------------------------------------------------------------
def test_plan_alternates_legs() -> None:
    assert trial_plan(("left", "right"), 3) == ["left", "right"] * 3
    assert trial_plan(("right",), 2) == ["right", "right"]
    with pytest.raises(ValueError, match="at least 1"):
        GuidedProtocol(trials_per_leg=0)


# -- state machine --------------------------------------------------------------------------
def feed(p: GuidedProtocol, t0: float, t1: float, framing: Framing = OK, state: str = "ready",
         fps: float = 30.0) -> tuple[list[str], float]:  # fmt: skip
    """Frames from t0 (inclusive) to t1 (exclusive); returns all cues and the next time."""
    cues: list[str] = []
    n = int(round((t1 - t0) * fps))
    for i in range(n):
        cues += p.update(t0 + i / fps, framing, state)
    return cues, t0 + n / fps


def test_framing_then_countdown_then_go() -> None:
    p = GuidedProtocol(("left", "right"), 1, countdown_s=3.0, rest_s=2.0, framing_hold_s=1.0)
    cues, t = feed(p, 0.0, 2.0, NOT_OK)
    assert p.phase == "framing" and cues == []
    assert p.view(t).headline == "getting ready" and p.view(t).detail == "Step back"
    cues, t = feed(p, t, t + 0.9)
    assert p.phase == "framing"
    cues, t = feed(p, t, t + 0.2)
    assert p.phase == "countdown" and cues == ["tick"]
    assert p.view(t).headline == "get ready: 3" and p.view(t).countdown == 3
    assert "Stand on your LEFT leg, lift your RIGHT foot" in p.view(t).detail
    cues, t = feed(p, t, t + 3.0)
    assert cues == ["tick", "tick", "go"]  # 2, 1, go
    assert p.phase == "go"


def test_framing_hold_counts_from_a_first_ok_frame_at_time_zero() -> None:
    """A person framed on the very first frame (t = 0.0) starts the hold there: the countdown
    begins on the frame at ``framing_hold_s``, not one frame later (0.0 is not "unset")."""
    p = GuidedProtocol(("left",), 1, framing_hold_s=1.0)
    _, t = feed(p, 0.0, 1.0)  # frames 0 .. 29 (t < 1.0): still framing
    assert p.phase == "framing" and p.framed_since == 0.0
    assert p.update(t, OK, "ready") == ["tick"] and p.phase == "countdown"
    assert p.since_s == pytest.approx(1.0)


def test_trial_advances_plan_and_rests() -> None:
    p = GuidedProtocol(("left", "right"), 1, countdown_s=1.0, rest_s=2.0, framing_hold_s=0.0)
    _, t = feed(p, 0.0, 1.5)
    assert p.phase == "go"
    _, t = feed(p, t, t + 1.0, state="holding")
    assert p.phase == "holding" and p.view(t).headline == "holding"
    cues = p.update(t, OK, "wait_foot_down", [trial(0, "left", hold_s=7.25)])
    assert cues == ["stop"] and p.phase == "stopped"
    assert p.view(t).headline == "stopped: foot down, 7.2 s"
    assert p.plan == ["right"]
    _, t = feed(p, t, t + 1.9)
    assert p.phase == "stopped"
    _, t = feed(p, t, t + 0.2)
    assert p.phase == "countdown" and p.leg == "right"


def test_a_trial_ending_on_the_frame_the_next_one_runs_leaves_the_protocol_holding() -> None:
    # A trial found when a low foot came down is returned once that foot is down, which can be
    # on the frame a quick next lift is confirmed (balance_cam.core.start.LowStart.release).
    p = GuidedProtocol(("left", "right"), 1, countdown_s=1.0, rest_s=2.0, framing_hold_s=0.0)
    _, t = feed(p, 0.0, 1.5)
    assert p.update(t, OK, "holding", [trial(0, "left")]) == ["stop"]
    assert p.phase == "holding" and p.plan == ["right"]
    _, t = feed(p, t, t + 3.0, state="holding")
    assert p.phase == "holding"


def test_lift_during_countdown_is_timed_from_the_lift() -> None:
    p = GuidedProtocol(("left",), 1, countdown_s=5.0, framing_hold_s=0.0)
    _, t = feed(p, 0.0, 1.0)
    assert p.phase == "countdown"
    p.update(t, OK, "holding")
    assert p.phase == "holding"


def test_too_short_lift_goes_back_to_go() -> None:
    p = GuidedProtocol(("left",), 1, countdown_s=0.5, framing_hold_s=0.0)
    _, t = feed(p, 0.0, 1.0)
    p.update(t, OK, "holding")
    p.update(t + 0.1, OK, "wait_foot_down", [])
    assert p.phase == "go" and "Too short" in p.view(t).detail


def test_wrong_leg_counts_for_that_leg_and_keeps_asking() -> None:
    p = GuidedProtocol(("left", "right"), 1, countdown_s=0.5, rest_s=0.5, framing_hold_s=0.0)
    _, t = feed(p, 0.0, 1.0)
    p.update(t, OK, "wait_foot_down", [trial(0, "right")])
    assert p.plan == ["left"]
    assert "That was your RIGHT leg" in p.view(t).detail


def test_time_limit_ends_that_legs_trials() -> None:
    p = GuidedProtocol(("left", "right"), 3, framing_hold_s=0.0)
    p.update(1.0, OK, "wait_foot_down", [trial(0, "left", "time_limit", 45.0)])
    assert p.plan == ["right", "right", "right"]


def test_plan_done_after_last_trial_and_rest() -> None:
    p = GuidedProtocol(("left",), 1, countdown_s=0.5, rest_s=1.0, framing_hold_s=0.0)
    p.update(0.0, OK, "ready")
    cues = p.update(1.0, OK, "wait_foot_down", [trial(0, "left")])
    assert p.leg is None and p.view(1.0).detail == "All trials done"
    cues, _ = feed(p, 1.0, 2.2)
    assert cues == ["done"] and p.phase == "done"


def test_redo_discards_last_trial_and_asks_again() -> None:
    p = GuidedProtocol(("left", "right"), 1, countdown_s=1.0, framing_hold_s=0.0)
    p.update(0.0, OK, "ready")
    p.update(1.0, OK, "wait_foot_down", [trial(0, "left")])
    redone = p.redo(1.5)
    assert redone is not None and redone.index == 0
    assert p.plan == ["left", "right"] and p.kept == [] and p.discarded == [0]
    assert p.phase == "countdown"
    assert p.redo(1.6) is None  # nothing left to redo


def test_redo_while_holding_discards_the_running_trial() -> None:
    p = GuidedProtocol(("left",), 2, framing_hold_s=0.0)
    p.update(0.0, OK, "holding")
    assert p.redo(0.5) is None
    p.update(1.0, OK, "wait_foot_down", [trial(0, "left")])
    assert p.discarded == [0] and p.kept == [] and p.plan == ["left", "left"]
    p.update(9.0, OK, "wait_foot_down", [trial(1, "left")])
    assert [t.index for t in p.kept] == [1]


def test_space_skips_framing_countdown_and_rest() -> None:
    p = GuidedProtocol(("left",), 2, countdown_s=3.0, rest_s=30.0)
    p.update(0.0, NOT_OK, "ready")
    assert p.skip(0.1) == ["tick"] and p.phase == "countdown"
    assert p.skip(0.2) == ["go"] and p.phase == "go"
    p.update(1.0, OK, "wait_foot_down", [trial(0, "left")])
    assert p.phase == "stopped"
    p.skip(1.1)
    assert p.phase == "countdown"
