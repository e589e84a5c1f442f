"""Annotators draw what they promise, in place, where they promise (synthetic images)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from balance_cam.core.results import SideSummary, Summary, SwayMetrics
from balance_cam.core.skeleton import INDEX, N_LANDMARKS
from balance_cam.render import card as C
from balance_cam.render import overlay as A


def blank(h: int = 480, w: int = 640) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def count(img: np.ndarray, bgr: tuple[int, int, int], tol: int = 30) -> int:
    return int(np.all(np.abs(img.astype(int) - bgr) <= tol, axis=-1).sum())


def person_px(w: int = 640, h: int = 480) -> np.ndarray:
    """Subject facing the camera: their left side is on image right."""
    pts = np.full((N_LANDMARKS, 2), [w / 2, h * 0.2])
    for side, dx in (("left", 40), ("right", -40)):
        for joint, y in (("shoulder", 0.25), ("hip", 0.5), ("knee", 0.7), ("ankle", 0.9),
                         ("heel", 0.92), ("foot_index", 0.93), ("elbow", 0.4), ("wrist", 0.5)):
            pts[INDEX[f"{side}_{joint}"]] = (w / 2 + dx, y * h)  # fmt: skip
    return pts


def test_skeleton_colours_stance_and_raised_leg_in_place() -> None:
    img = blank()
    out = A.SkeletonAnnotator().annotate(img, person_px(), None, stance="left")
    assert out is img
    left_half, right_half = img[:, 320:], img[:, :320]  # subject's left leg is on image right
    assert count(left_half, A.STANCE_BGR) > 200 and count(left_half, A.RAISED_BGR) == 0
    assert count(right_half, A.RAISED_BGR) > 200 and count(right_half, A.STANCE_BGR) == 0


def test_skeleton_without_trial_has_no_leg_colours_and_skips_invisible() -> None:
    img = blank()
    A.SkeletonAnnotator().annotate(img, person_px(), None, stance=None)
    assert count(img, A.STANCE_BGR) == 0 and count(img, A.BODY_BGR) > 200
    img2 = blank()
    A.SkeletonAnnotator().annotate(img2, person_px(), np.zeros(N_LANDMARKS), stance="left")
    assert img2.max() == 0
    nan = np.full((N_LANDMARKS, 2), np.nan)
    assert A.SkeletonAnnotator().annotate(blank(), nan, stance="left").max() == 0


@pytest.mark.parametrize(("h", "w"), [(480, 640), (1920, 1080)])
def test_timer_is_big_and_top_right(h: int, w: int) -> None:
    img = blank(h, w)
    A.TimerAnnotator().annotate(img, 12.34, 45.0)
    white = np.all(img >= 200, axis=-1)
    ys, xs = np.nonzero(white)
    assert ys.max() < 0.3 * h and xs.min() > 0.3 * w
    # digits ~16 % of the image height (readable at 3 m), at most 60 % of a narrow image's width
    assert ys.max() - ys.min() >= min(0.12 * h, 0.15 * w)
    assert xs.max() - xs.min() <= 0.6 * w
    assert count(img, A.STANCE_BGR) > 0  # progress bar


def test_status_banner_fits_long_text_at_the_bottom() -> None:
    img = blank()
    A.StatusAnnotator().annotate(img, "stopped: stance foot moved, 12.3 s",
                                 "Rest 5 s - next: RIGHT leg, then two more trials", "warn")  # fmt: skip
    lit = np.nonzero(img.max(axis=-1) > 0)[0]
    assert lit.min() > 0.6 * 480
    assert np.all(img[-5:, -5:].max(axis=-1) > 0)  # panel spans the full width


def trace_pixels(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.nonzero(np.all(np.abs(img.astype(int) - A.TRACE_BGR) <= 30, axis=-1))


def test_sway_trace_plots_recent_samples_only() -> None:
    img = blank()
    t = np.arange(0, 20, 1 / 30)
    v = np.where(t < 10, 100.0, np.sin(t))  # the old part is far off scale
    trace = A.SwayTraceAnnotator(window_s=5, half_range=5)
    trace.annotate(img, t, v)
    ys, xs = trace_pixels(img)
    x0, y0, x1, y1 = trace.box(img)
    assert len(ys) > 50
    y_mid = (y0 + y1) // 2
    dot = 3 + max(2, round(3 * 480 / 720)) + 2
    assert ys.min() > y_mid - (y1 - y0) / 10 - dot and ys.max() < y_mid + (y1 - y0) / 10 + dot  # +/-1 of +/-5
    empty = blank()
    A.SwayTraceAnnotator().annotate(empty, [], [])
    assert count(empty, A.TRACE_BGR) == 0


def test_sway_trace_is_readable_early_in_a_hold() -> None:
    """0.6 s into a hold with +/-1.2 cm of sway: the trace starts at the strip's left edge and
    spans a readable part of it (the time axis covers at least 2 s, not the whole window), and
    the range adapts (+/-2 cm, stated in the label) so the sway fills most of the height."""
    img = blank()
    t = np.arange(0, 0.6, 1 / 30)
    trace = A.SwayTraceAnnotator()
    trace.annotate(img, t, 1.2 * np.sin(2 * np.pi * 1.3 * t))
    x0, y0, x1, y1 = trace.box(img)
    ys, xs = trace_pixels(img)
    assert xs.min() - x0 <= 0.05 * (x1 - x0)
    assert xs.max() - xs.min() >= 0.25 * (x1 - x0)
    assert ys.max() - ys.min() >= 0.4 * (y1 - y0)
    assert A.nice_half_range(np.array([1.2, -0.3])) == 2.0
    assert A.nice_half_range(np.array([0.1])) == 1.0 and A.nice_half_range(np.array([])) == 1.0
    assert A.nice_half_range(np.array([4.3])) == 5.0 and A.nice_half_range(np.array([400.0])) == 50.0


def _side(stance: str, best: float) -> SideSummary:
    return SideSummary(stance, 3, best, best - 1, 0, SwayMetrics.empty(), best < 10.0)


def test_result_card_lines_and_colours() -> None:
    summary = Summary(_side("left", 25.0), _side("right", 6.5), 74.0, 10.0, "right",
                      ("right_under_10s",),
                      "Left leg: best 25.0 s. Right leg: best 6.5 s. Swap an easy run.")  # fmt: skip
    lines = C.result_lines(summary)
    assert lines[0] == ("LEFT: 25.0 s", "good") and lines[1] == ("best of 3, sway - RMS", "info")
    assert lines[2] == ("RIGHT: 6.5 s", "bad")
    assert lines[4] == ("Asymmetry: hold 74 % (right weaker), sway 10 %", "info")
    # the verdict's per-leg sentences are the big leg lines already; the rest follows
    assert [text for text, _ in lines[5:]] == ["Swap an easy run."]
    img = blank()
    C.ResultCardAnnotator().annotate(img, summary)
    assert count(img, A.STANCE_BGR, 40) > 50 and count(img, (80, 80, 255), 40) > 50


def _flagged_summary() -> Summary:
    from balance_cam.core.results import Trial
    from balance_cam.core.summary import summarize

    sway = SwayMetrics.empty()
    return summarize([Trial(0, "left", 1.0, 26.0, "touchdown", sway),
                      Trial(1, "right", 30.0, 36.5, "stance_foot_moved", sway)])  # fmt: skip


@pytest.mark.parametrize(("h", "w", "leg_cap", "body_cap"), [
    (480, 640, 0.055, 0.028), (720, 1280, 0.055, 0.028), (960, 540, 0.045, 0.021),
])  # fmt: skip
def test_result_card_is_readable_from_3_m(h: int, w: int, leg_cap: float, body_cap: float) -> None:
    """Big type: each leg's line has capitals of at least ``leg_cap`` of the image height (the
    card used to be one small block, capitals about 1.6 %); the verdict is at least
    ``body_cap``; every sentence starts its own line; on landscape windows no clause is broken;
    everything fits inside the card and the image."""
    summary = _flagged_summary()
    placed, (x0, y0, x1, y1) = C.layout_card(C.card_lines(summary), w, h)
    legs = [p for p in placed if p.role == "leg"]
    body = [p for p in placed if p.role == "body"]
    assert [p.text for p in legs] == ["LEFT: 25.0 s", "RIGHT: 6.5 s"]
    assert min(p.cap_px for p in legs) >= leg_cap * h
    assert min(p.cap_px for p in body) >= body_cap * h
    for p in placed:
        assert x0 <= p.x_px and p.x_px + p.width_px <= x1 and y0 <= p.baseline_px - p.cap_px
        assert p.baseline_px <= y1 <= h
    joined = [p.text for p in body]
    for sentence in C.sentences(summary.verdict):
        if sentence.startswith(("Left leg:", "Right leg:")):  # shown as the big leg lines
            continue
        assert any(line.startswith(sentence.split()[0]) for line in joined)  # starts a line
    assert not any(re.search(r"[.!?] [A-Z]", line) for line in joined)  # never two sentences on one line
    if w > h:
        assert all(line.endswith((".", ":", ";", ",")) or line.startswith("Asymmetry") for line in joined)


def test_wrap_clauses_breaks_at_clauses_then_words() -> None:
    def fits(text: str) -> bool:
        return len(text) <= 30

    assert C.wrap_clauses("Swap an easy run: left leg under 10 s; right leg shorter.", fits) == [
        "Swap an easy run:", "left leg under 10 s;", "right leg shorter."]
    assert C.wrap_clauses("one two three four five six seven eight nine ten", fits) == [
        "one two three four five six", "seven eight nine ten"]
    assert C.sentences("A b. C d? E f.") == ["A b.", "C d?", "E f."]


def test_fps_text_drawn() -> None:
    img = blank()
    A.FpsAnnotator().annotate(img, 48.3, dropped=4)
    assert img.max() > 200
