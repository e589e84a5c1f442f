"""The live cue schedule, driven by the real GuidedProtocol frame by frame (synthetic analyzer
states and trials, as in test_live_protocol.py).

Times: the protocol acts on frame times, so a cue falls on the first frame at or after the
moment it belongs to; frames are 1/30 s apart here. Tolerance: one frame (``ceil`` of the
countdown's remaining time at whole seconds can round either way in floating point).
"""

from __future__ import annotations

import pytest

from balance_cam.apps.live.cues import (
    SPEECH_POLICY,
    Cue,
    CueSchedule,
    ProtocolSnapshot,
    all_sentences,
    prompt_sentence,
    result_sentence,
    schedule,
    spoken_seconds,
    stop_sentence,
)
from balance_cam.apps.live.protocol import Framing, GuidedProtocol
from balance_cam.core.results import SwayMetrics, Trial

OK = Framing(True, "Good - hold still")
FPS = 30.0
FRAME_S = 1.0 / FPS
TOL_S = FRAME_S + 1e-9


def trial(index: int, stance: str, start_s: float, hold_s: float, reason: str = "touchdown") -> Trial:
    return Trial(index, stance, start_s, start_s + hold_s, reason, SwayMetrics.empty())


class Run:
    """A GuidedProtocol and its CueSchedule fed the same frames (what LiveSession does)."""

    def __init__(self, protocol: GuidedProtocol) -> None:
        self.p, self.sched, self.i = protocol, CueSchedule(), 0

    @property
    def t(self) -> float:
        return self.i / FPS  # frame times from the index, as a camera's would be (no drift)

    def frames(self, dur_s: float, framing: Framing = OK, state: str = "ready") -> list[Cue]:
        return [c for _ in range(int(round(dur_s * FPS))) for c in self.frame(framing, state)]

    def frame(self, framing: Framing = OK, state: str = "ready", new: tuple[Trial, ...] = ()) -> list[Cue]:
        self.p.update(self.t, framing, state, new)
        out = self.sched.step(self.t, ProtocolSnapshot.of(self.p, self.t))
        self.i += 1
        return out

    def key(self, what: str) -> list[Cue]:
        """A key press between frames: its effect is heard on the next frame."""
        getattr(self.p, what)(self.t)
        return self.frame()


def kinds(cues: list[Cue]) -> list[str]:
    return [c.kind for c in cues]


def test_whole_session_two_legs_one_trial_each() -> None:
    run = Run(GuidedProtocol(("left", "right"), 1, countdown_s=3.0, rest_s=5.0, framing_hold_s=1.0))
    cues = run.frames(4.5)  # framing 1 s (from the first frame, t = 0), countdown 3 s, then go
    assert kinds(cues) == ["prompt", "tick", "tick", "go"]
    assert cues[0].text == "Stand on your left leg. Lift your right foot."
    assert [c.t_s for c in cues] == pytest.approx([1.0, 2.0, 3.0, 4.0], abs=TOL_S)
    assert [c.tone for c in cues] == ["tick", "tick", "tick", "go"]

    lift = run.frames(1.0, state="holding")
    assert kinds(lift) == ["lift"] and lift[0].text == "" and lift[0].tone == "lift"
    stop = run.frame(state="wait_foot_down", new=(trial(0, "left", 4.6, 23.4),))
    assert kinds(stop) == ["stop"] and stop[0].text == "Left leg: 23 seconds, foot touched down."

    cues = run.frames(5.0 + 3.0 + 2 * FRAME_S)  # rest, then the right leg's countdown
    assert kinds(cues) == ["prompt", "tick", "tick", "go"]
    assert cues[0].text == "Stand on your right leg. Lift your left foot."
    assert cues[0].t_s - stop[0].t_s == pytest.approx(5.0, abs=TOL_S)

    run.frames(0.5, state="holding")
    stop = run.frame(state="wait_foot_down", new=(trial(1, "right", 20.0, 31.0, "time_limit"),))
    assert stop[0].text == "Right leg: 31 seconds, time limit reached."
    end = run.frames(5.1)
    assert kinds(end) == ["result"] and end[0].tone == "done"
    assert end[0].text == "All trials done. Left leg: best 23 seconds. Right leg: best 31 seconds."
    assert run.sched.finish(run.t) == []  # said once only
    assert kinds(run.sched.cues) == ["prompt", "tick", "tick", "go", "lift", "stop"] * 2 + ["result"]


def test_too_short_wrong_leg_and_best_of_several() -> None:
    run = Run(GuidedProtocol(("left",), 2, countdown_s=1.0, rest_s=1.0, framing_hold_s=0.0))
    run.frames(1.2)
    run.frames(0.3, state="holding")
    assert kinds(run.frame(state="wait_foot_down")) == ["retry"]  # no trial came of it
    run.frames(0.3, state="holding")
    stop = run.frame(state="wait_foot_down", new=(trial(0, "right", 2.0, 4.53, "lost_tracking"),))
    assert stop[0].text == "Right leg: 4.5 seconds, you left the picture. That was your right leg."
    run.frames(2.5)
    run.frames(0.3, state="holding")
    run.frame(state="wait_foot_down", new=(trial(1, "left", 6.0, 12.0),))
    run.frames(2.5)
    run.frames(0.3, state="holding")
    run.frame(state="wait_foot_down", new=(trial(2, "left", 10.0, 9.96),))
    end = run.frames(1.5)
    assert kinds(end) == ["result"]
    # best per leg, legs in the order of their first trial: 12 s is the left's best
    assert end[0].text == "All trials done. Right leg: best 4.5 seconds. Left leg: best 12 seconds."


def test_keys_space_and_redo_are_heard() -> None:
    """The session ignores what skip() and redo() return; the snapshot difference still hears them."""
    run = Run(GuidedProtocol(("left", "right"), 1, countdown_s=3.0, rest_s=30.0, framing_hold_s=5.0))
    run.frames(0.5)
    assert kinds(run.key("skip")) == ["prompt"]  # space during framing: countdown starts
    assert kinds(run.key("skip")) == ["go"]  # space during the countdown: go now
    run.frames(0.3, state="holding")
    run.frame(state="wait_foot_down", new=(trial(0, "left", 1.0, 8.0),))
    cues = run.key("redo")  # r while resting: trial discarded, the same leg asked again
    assert kinds(cues) == ["discarded", "prompt"] and cues[1].text == prompt_sentence("left")
    run.frames(1.0)
    assert run.key("redo") == []  # r again during that countdown: nothing left to discard


def test_redo_during_holding_discards_when_it_ends() -> None:
    run = Run(GuidedProtocol(("left",), 2, countdown_s=0.5, framing_hold_s=0.0))
    run.frames(1.0)
    run.frames(0.5, state="holding")
    run.p.redo(run.t)
    cues = run.frame(state="wait_foot_down", new=(trial(0, "left", 1.0, 3.0),))
    assert kinds(cues) == ["discarded"] and cues[0].tone == "stop"


def test_framing_hint_settles_then_repeats_slowly() -> None:
    run = Run(GuidedProtocol(("left",), 1, framing_hold_s=1.0))
    back, closer = Framing(False, "Step back a little"), Framing(False, "Come a little closer to the camera")
    flicker = [c for i in range(60) for c in run.frame(back if i % 10 < 5 else closer)]
    assert flicker == []  # each hint lasted 1/6 s: nothing said
    said = run.frames(20.0, back)
    assert kinds(said) == ["framing"] * 3  # after 1.5 s, then every 8 s
    assert said[0].text == "Step back a little"
    assert [c.t_s - said[0].t_s for c in said] == pytest.approx([0.0, 8.0, 16.0], abs=TOL_S)
    assert kinds(run.frames(3.5)) == ["prompt", "tick", "tick"]  # framed: no more hints


def test_session_over_before_the_plan_finishes() -> None:
    """A file ends (or q) mid-plan: finish() announces the result once, as "Session over"."""
    run = Run(GuidedProtocol(("left", "right"), 2, countdown_s=0.5, framing_hold_s=0.0))
    run.frames(1.0)
    run.frames(0.5, state="holding")
    run.frame(state="wait_foot_down", new=(trial(0, "left", 1.0, 7.0),))
    end = run.sched.finish(run.t, ProtocolSnapshot.of(run.p, run.t))
    assert kinds(end) == ["result"] and end[0].text == "Session over. Left leg: best 7 seconds."


def test_a_trial_ending_with_the_session_is_repeated_in_the_result() -> None:
    """The file ends during a hold: the last trial's stop and the result come on the same frame;
    the result (which the player says instead of the waiting stop) says the trial first."""
    run = Run(GuidedProtocol(("left",), 3, countdown_s=0.5, framing_hold_s=0.0))
    run.frames(1.0)
    run.frames(2.0, state="holding")
    run.p.update(run.t, OK, "ready", (trial(0, "left", 1.0, 3.9, "end_of_video"),))
    end = run.sched.finish(run.t, ProtocolSnapshot.of(run.p, run.t))
    assert kinds(end) == ["stop", "result"]
    assert end[1].text == "Left leg: 3.9 seconds, end of video. Session over. Left leg: best 3.9 seconds."
    assert end[1].priority > end[0].priority


def test_schedule_function_is_pure() -> None:
    p = GuidedProtocol(("left",), 1, countdown_s=1.0, framing_hold_s=0.0)
    snaps = []
    for i in range(60):
        t = i * FRAME_S
        p.update(t, OK, "holding" if i > 45 else "ready")
        snaps.append((t, ProtocolSnapshot.of(p, t)))
    first, second = schedule(snaps, end_s=2.0), schedule(snaps, end_s=2.0)
    assert first == second
    assert kinds(first) == ["prompt", "go", "lift", "result"]
    assert first[-1].text == "Session over. No trials recorded."


def test_speech_policy_of_cues() -> None:
    assert Cue(0.0, "tick").priority == 0 and Cue(0.0, "tick").max_age_s == 0.0  # tone only
    stop, prompt = Cue(0.0, "stop", "x"), Cue(0.0, "prompt", "y")
    assert stop.priority > prompt.priority  # a stop interrupts a prompt being said
    assert Cue(0.0, "result", "z").priority == max(p.priority for p in SPEECH_POLICY.values())


@pytest.mark.parametrize(("hold_s", "said"), [
    (0.04, "0 seconds"), (1.0, "1 second"), (4.53, "4.5 seconds"), (4.56, "4.6 seconds"),
    (9.96, "10 seconds"), (23.4, "23 seconds"), (23.5, "24 seconds"), (45.0, "45 seconds"),
    (float("nan"), "no time"),
])  # fmt: skip
def test_spoken_seconds(hold_s: float, said: str) -> None:
    assert spoken_seconds(hold_s) == said


def test_sentences() -> None:
    assert stop_sentence("left", 23.4, "touchdown") == "Left leg: 23 seconds, foot touched down."
    assert stop_sentence("right", 2.0, "new_reason") == "Right leg: 2 seconds, new reason."
    assert result_sentence([], complete=False) == "Session over. No trials recorded."
    assert len(set(all_sentences())) == len(all_sentences()) >= 10
