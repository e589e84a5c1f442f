"""Choosing and following the tested person among several (balance_cam.pose.select).

Unit tests feed synthetic people (known hips, leg length, foot lift) frame by frame; the
real-clip tests run the Tasks backend (real MediaPipe model, bundle built offline) on the
sample clips with bystanders.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance_cam.core.skeleton import idx
from balance_cam.pose.select import PersonSelector, SelectConfig, candidate

SIZE = np.array([1000.0, 1000.0])
FPS = 30.0


def person(hip_x: float, hip_y: float = 0.5, leg: float = 0.3, lift_ll: float = 0.0,
           vis: float = 1.0) -> np.ndarray:  # fmt: skip
    """(33, 4) image-normalised landmarks: hips at (hip_x, hip_y), legs ``leg`` long (image
    height units), the right foot raised ``lift_ll`` leg lengths."""
    lm = np.zeros((33, 4), dtype=np.float32)
    lm[:, :2] = hip_x, hip_y - 0.3 * leg
    lm[:, 3] = vis
    for side, dx in (("left", -0.02), ("right", 0.02)):
        lm[idx(side, "hip")] = hip_x + dx, hip_y, 0, vis
        lm[idx(side, "knee")] = hip_x + dx, hip_y + leg / 2, 0, vis
        lm[idx(side, "ankle")] = hip_x + dx, hip_y + leg, 0, vis
    lm[idx("right", "ankle"), 1] -= lift_ll * leg
    return lm


def run(selector: PersonSelector, frames: list[list[np.ndarray]]) -> list[int | None]:
    return [selector.update(i / FPS, people, SIZE) for i, people in enumerate(frames)]


def test_candidate_geometry() -> None:
    c = candidate(person(0.4, 0.5, leg=0.3, lift_ll=0.2), SIZE)
    assert c.hip_px == pytest.approx([400.0, 500.0])
    assert c.leg_px == pytest.approx(300.0)
    assert c.rise_ll == pytest.approx(0.2, abs=1e-4)
    assert c.legs_visible


def test_auto_picks_the_person_who_lifts_a_foot_not_the_larger_bystander() -> None:
    # Bystander (legs 0.45) larger than the tested person (legs 0.25); lift from frame 30.
    frames = []
    for i in range(90):
        lift = 0.25 if i >= 30 else 0.0
        frames.append([person(0.7, leg=0.45), person(0.3, leg=0.25, lift_ll=lift)])
    chosen = run(PersonSelector(), frames)
    assert chosen[:30] == [0] * 30  # provisional: the largest person with visible legs
    switch = chosen.index(1)
    # lift evidence needs evidence_s = 0.15 s -> switch on frame 30 + ceil(0.15 * 30) = 35
    assert switch == 35
    assert chosen[switch:] == [1] * (90 - switch)


def test_target_kept_after_the_foot_comes_down_and_a_bystander_lifts() -> None:
    frames = [
        [person(0.3, lift_ll=0.3 if 10 <= i < 40 else 0.0),
         person(0.7, leg=0.5, lift_ll=0.3 if i >= 60 else 0.0)]
        for i in range(100)
    ]  # fmt: skip
    chosen = run(PersonSelector(), frames)
    assert set(chosen[20:]) == {0}


def test_walker_with_single_support_phases_never_becomes_the_target() -> None:
    # Standing subject (small, not yet lifting); a larger walker crosses at 1.5 leg lengths/s,
    # with a foot up 0.2 leg lengths half the time (swing phases of 0.25 s).
    frames = []
    for i in range(120):
        t = i / FPS
        walker_x = 0.95 - 1.5 * 0.4 * t
        swing = 0.2 if int(t / 0.25) % 2 else 0.0
        frames.append([person(walker_x, leg=0.4, lift_ll=swing), person(0.3, leg=0.25)])
    sel = PersonSelector()
    run(sel, frames)
    assert not any(t.evidence for t in sel.tracks)


def test_identity_follows_position_not_detection_order() -> None:
    frames = []
    for i in range(60):
        a = person(0.3 + 0.002 * i, leg=0.25, lift_ll=0.3)
        b = person(0.7, leg=0.45)
        frames.append([a, b] if i % 2 else [b, a])  # order swaps every frame
    chosen = run(PersonSelector(), frames)
    hips = [frames[i][c][idx("left", "hip"), 0] for i, c in enumerate(chosen) if c is not None]
    assert len(hips) == 60
    assert all(x < 0.5 for x in hips[10:])


@pytest.mark.parametrize(
    ("mode", "expected_x"), [("largest", 0.8), ("center", 0.5), ("0", 0.2), ("2", 0.8)]
)
def test_explicit_choice_then_tracked(mode: str, expected_x: float) -> None:
    layout = [person(0.2, leg=0.2), person(0.5, leg=0.25), person(0.8, leg=0.35)]
    frames = [layout] + [layout[::-1]] * 10 + [[*layout, person(0.05, leg=0.6)]] * 10
    chosen = run(PersonSelector(SelectConfig(person=mode)), frames)
    xs = [frames[i][c][idx("right", "hip"), 0] - 0.02 for i, c in enumerate(chosen)]
    assert xs == pytest.approx([expected_x] * len(frames))


def test_index_beyond_the_people_in_view_selects_nobody() -> None:
    chosen = run(PersonSelector(SelectConfig(person="3")), [[person(0.3), person(0.6)]] * 5)
    assert chosen == [None] * 5


def test_short_gap_keeps_identity_long_gap_reacquires() -> None:
    sel = PersonSelector(SelectConfig(person="largest", memory_s=0.5))
    big, small = person(0.2, leg=0.4), person(0.8, leg=0.2)
    seq = [[big, small]] * 5 + [[small]] * 9 + [[small, big]] * 3  # big gone 0.3 s
    chosen = run(sel, seq)
    assert chosen[:5] == [0] * 5 and chosen[5:14] == [None] * 9 and chosen[14:] == [1] * 3
    sel2 = PersonSelector(SelectConfig(person="largest", memory_s=0.5))
    chosen2 = run(sel2, [[big, small]] * 5 + [[small]] * 30)  # big gone 1 s: small is taken
    assert chosen2[-1] == 0 and chosen2[10] is None


def test_bad_person_option() -> None:
    with pytest.raises(ValueError, match="person must be auto, largest, center or an index"):
        SelectConfig(person="tallest")


# -- real clips ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from balance_cam.pose.install import build_full_bundle

    folder = tmp_path_factory.mktemp("models")
    build_full_bundle(folder)
    return folder


def _selected_hips(clip: str, models_dir, **kwargs: object) -> tuple[np.ndarray, list[int]]:  # noqa: ANN001
    """(N, 2) hip midpoint of the tested person (NaN when none) and people per frame."""
    from balance_cam.apps.analyze import analyze_video_series
    from balance_cam.pose.tasks import TasksPoseBackend
    from tests.conftest import sample

    counts: list[int] = []
    with TasksPoseBackend("full-tasks", models_dir=models_dir, **kwargs) as backend:
        on_frame = lambda frame, step: counts.append(len(backend.last_people))  # noqa: E731
        result, series = analyze_video_series(sample(clip), backend=backend, on_frame=on_frame)
    assert result.model["multi_person"] is True and result.model["person"] == kwargs.get(
        "person", "auto"
    )
    hips = series.image[:, [idx("left", "hip"), idx("right", "hip")], :2].mean(axis=1)
    return hips, counts


@pytest.mark.slow
def test_multiperson_clip_follows_the_treadmill_subject_not_the_larger_bystander(models_dir) -> None:  # noqa: ANN001,E501
    # pose2sim_multiperson_cam01: the subject on the treadmill (hips near x = 0.40) lifts a foot;
    # a woman nearer the camera (hips near x = 0.65-0.70, larger in the image) stands.
    hips, counts = _selected_hips("pose2sim_multiperson_cam01.mp4", models_dir)
    assert max(counts) >= 2  # the bystander really is detected
    later = hips[30:85]  # from 0.5 s: after the subject's first lift
    found = np.isfinite(later[:, 0])
    assert found.mean() > 0.9
    assert np.all(later[found, 0] < 0.55)  # never the bystander
    assert np.all(hips[:10, 0][np.isfinite(hips[:10, 0])] > 0.6)  # provisional: the largest


@pytest.mark.slow
def test_walker_crossing_is_never_followed(models_dir) -> None:  # noqa: ANN001
    # sports2d_demo: the man on the cabinet (hips y ~0.25-0.30) is the one in view first;
    # a woman walks across the lower part of the frame (hips y ~0.72) from frame ~40 to 190.
    hips, counts = _selected_hips("sports2d_demo.mp4", models_dir)
    assert max(counts[40:170]) >= 2
    window = hips[40:165]
    found = np.isfinite(window[:, 1])
    assert found.mean() > 0.7
    assert np.all(window[found, 1] < 0.45)
