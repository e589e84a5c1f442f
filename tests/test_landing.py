"""The landing evidence (:class:`balance_cam.core.touchdown.Landing`): a raised foot seen to come
down a long way and stand still, with the pelvis moved onto it, is a touchdown; the same drop
with the pelvis still over the stance ankle (the raised leg lowered to a hover) is not, nor is a
pelvis shift with no drop. The real-model case (a rear, elevated camera that reads the set-down
foot still "up") is in ``tests/test_long_holds.py``."""

from __future__ import annotations

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.touchdown import Landing

DT = 1 / 30
STOP_S = 10.3  # the foot comes down over 10.0-10.3 s, then stands still


def feed(after_heights: tuple[float, float], after_pelvis_ll: float, after_raised_ll: float = 0.4,
         seed: int = 0, down_s: float = 10.0, stop_s: float = STOP_S,
         still_from_s: float = 0.5) -> float | None:  # fmt: skip
    """A hold to ``down_s`` with the raised foot (image, world) 1.0 and 0.5 leg lengths up, beside
    the stance foot at +0.48, the pelvis over the stance ankle, the foot still from
    ``still_from_s``; then the foot comes down (moving) until ``stop_s`` and stands still at
    ``after_*`` until 14 s. Returns :attr:`Landing.since` once the landing is seen."""
    rng = np.random.default_rng(seed)
    land = Landing(StanceConfig())
    for i in range(int(14.0 / DT)):
        t = i * DT
        if t < down_s:
            h, pelvis, raised = (1.0, 0.5), 0.03, 0.48
            still = still_from_s if t >= still_from_s else None
        elif t < stop_s:  # coming down: moving
            k = (t - down_s) / (stop_s - down_s)
            h = (1.0 + k * (after_heights[0] - 1.0), 0.5 + k * (after_heights[1] - 0.5))
            pelvis, raised, still = 0.03 + k * (after_pelvis_ll - 0.03), after_raised_ll, None
        else:
            h, pelvis, raised, still = after_heights, after_pelvis_ll, after_raised_ll, stop_s
        noise = rng.normal(0.0, 0.01, 3)
        if land.update(t, (h[0] + noise[0], h[1] + noise[1]), still, pelvis + noise[2], raised):
            assert t - stop_s >= StanceConfig().landing_still_s - DT  # it had to stand still first
            return land.since
    return None


def feed_slow(still_from_s: float = 5.0) -> float | None:
    """The foot still from ``still_from_s``, then lowered slowly (slower than ``still_ll_s``,
    so "still" throughout) from 9.0 to 10.2 s by 0.6 (image) and 0.4 (world), the pelvis moving
    0.3 towards it; :attr:`Landing.since` once seen."""
    land = Landing(StanceConfig())
    for i in range(int(14.0 / DT)):
        t = i * DT
        k = min(max((t - 9.0) / 1.2, 0.0), 1.0)
        h = (1.0 - 0.6 * k, 0.5 - 0.4 * k)
        still = still_from_s if t >= still_from_s else None
        if land.update(t, h, still, 0.03 + 0.3 * k, 0.4):
            return land.since
    return None


def test_a_foot_set_down_read_up_with_the_weight_on_it_is_a_landing_at_its_stop() -> None:
    """The numbers after a real touchdown seen from behind and above: still 0.1 (world) and
    0.4 (image) leg lengths "up", the pelvis 0.3 towards the foot (on either side)."""
    assert feed((0.4, 0.1), 0.33) == STOP_S
    assert feed((0.4, 0.1), -0.3, after_raised_ll=-0.37) == STOP_S
    assert feed((0.4, float("nan")), 0.33) == STOP_S  # no world landmarks: the image decides


def test_a_raised_leg_lowered_to_a_hover_is_not_a_landing() -> None:
    """The same drop with the pelvis still over the stance ankle, or moved away from the foot;
    a pelvis shift with the foot no lower (or lower in world landmarks only)."""
    c = StanceConfig()
    assert feed((0.4, 0.1), 0.03) is None
    assert feed((0.4, 0.1), 0.03 + 0.8 * c.landing_shift_ll) is None
    assert feed((0.4, 0.1), -0.3) is None
    assert feed((1.0, 0.5), 0.33) is None
    assert feed((1.0, 0.1), 0.33) is None
    assert feed((1.0 - 0.8 * c.landing_drop_ll, 0.1), 0.33) is None
    assert feed((0.4, 0.5 - 0.8 * c.landing_drop_ll), 0.33) is None  # lower in the image only


def test_a_landing_needs_a_hold_before_the_foot_came_down() -> None:
    """The same landing with less than ``landing_still_s`` of the trial before the foot came
    down: nothing to have come down from (the trial's first frames), so no landing."""
    assert feed((0.4, 0.1), 0.33, down_s=0.2, stop_s=0.4) is None
    assert feed((0.4, 0.1), 0.33, down_s=1.5, stop_s=1.8) == 1.8


def test_a_foot_lowered_slowly_lands_when_it_got_there_not_when_it_began() -> None:
    """Lowered slower than ``still_ll_s``, the foot reads still from 5 s all the way down to
    10.2 s: the landing is timed where it came within half of ``landing_drop_ll`` of its place
    (10.2 s minus 0.1 / 0.6 of 1.2 s, i.e. ~10.0 s), not at 5 s."""
    since = feed_slow()
    assert since is not None and 9.9 <= since <= 10.2
