"""Annotators draw what they promise, in place, where they promise (synthetic images)."""

from __future__ import annotations

import numpy as np
import pytest

from balance_cam.core.results import SideSummary, Summary, SwayMetrics
from balance_cam.core.skeleton import INDEX, N_LANDMARKS
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


def test_sway_trace_plots_recent_samples_only() -> None:
    img = blank()
    t = np.arange(0, 20, 1 / 30)
    v = np.where(t < 10, 100.0, np.sin(t))  # the old part is far off scale
    A.SwayTraceAnnotator(window_s=5, half_range=5).annotate(img, t, v)
    ys, xs = np.nonzero(np.all(np.abs(img.astype(int) - A.STANCE_BGR) <= 30, axis=-1))
    assert len(ys) > 50
    y_mid = int(0.30 * 480) + int(0.22 * 480) // 2  # strip centre line
    assert ys.min() > y_mid - 16 and ys.max() < y_mid + 16  # +/-1 of +/-5: old samples not drawn
    empty = blank()
    A.SwayTraceAnnotator().annotate(empty, [], [])
    assert count(empty, A.STANCE_BGR) == 0


def _side(stance: str, best: float) -> SideSummary:
    return SideSummary(stance, 3, best, best - 1, 0, SwayMetrics.empty(), best < 10.0)


def test_result_card_lines_and_colours() -> None:
    summary = Summary(_side("left", 25.0), _side("right", 6.5), 74.0, 10.0, "right",
                      ("right_under_10s",), "Left leg: best 25.0 s. Right leg: best 6.5 s.")  # fmt: skip
    lines = A.result_lines(summary)
    assert lines[0] == ("LEFT leg: best 25.0 s of 3, sway - RMS", "good")
    assert lines[1][1] == "bad" and "6.5 s" in lines[1][0]
    assert "hold 74 % (right weaker)" in lines[2][0]
    img = blank()
    A.ResultCardAnnotator().annotate(img, summary)
    assert count(img, A.STANCE_BGR, 40) > 50 and count(img, (80, 80, 255), 40) > 50


def test_fps_text_drawn() -> None:
    img = blank()
    A.FpsAnnotator().annotate(img, 48.3, dropped=4)
    assert img.max() > 200
