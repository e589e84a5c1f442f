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
         seed: int = 0) -> float | None:  # fmt: skip
    """A 10 s hold with the raised foot (image, world) 1.0 and 0.5 leg lengths up, beside the
    stance foot at +0.48, the pelvis over the stance ankle; then the foot comes down and stands
    still at ``after_*`` until 14 s. Returns :attr:`Landing.since` once the landing is seen."""
    rng = np.random.default_rng(seed)
    land = Landing(StanceConfig())
    for i in range(int(14.0 / DT)):
        t = i * DT
        if t < 10.0:
            h, pelvis, raised, still = (1.0, 0.5), 0.03, 0.48, 0.5
        elif t < STOP_S:  # coming down: moving
            k = (t - 10.0) / (STOP_S - 10.0)
            h = tuple(a + k * (b - a) for a, b in zip((1.0, 0.5), after_heights, strict=True))
            pelvis, raised, still = 0.03 + k * (after_pelvis_ll - 0.03), after_raised_ll, None
        else:
            h, pelvis, raised, still = after_heights, after_pelvis_ll, after_raised_ll, STOP_S
        noise = rng.normal(0.0, 0.01, 3)
        heights = (h[0] + noise[0], h[1] + noise[1])
        if land.update(t, heights, still, pelvis + noise[2], raised):
            assert t - STOP_S >= StanceConfig().landing_still_s - DT  # it had to stand still first
            return land.since
    return None


def test_a_foot_set_down_read_up_with_the_weight_on_it_is_a_landing_at_its_stop():
    """The numbers after a real touchdown seen from behind and above: still 0.1 (world) and
    0.4 (image) leg lengths "up", the pelvis 0.3 towards the foot (on either side)."""
    assert feed((0.4, 0.1), 0.33) == STOP_S
    assert feed((0.4, 0.1), -0.3, after_raised_ll=-0.37) == STOP_S
    assert feed((0.4, float("nan")), 0.33) == STOP_S  # no world landmarks: the image decides


def test_a_raised_leg_lowered_to_a_hover_is_not_a_landing():
    """The same drop with the pelvis still over the stance ankle, or moved away from the foot;
    a pelvis shift with the foot no lower (or lower in world landmarks only)."""
    c = StanceConfig()
    assert feed((0.4, 0.1), 0.03) is None
    assert feed((0.4, 0.1), 0.03 + 0.8 * c.landing_shift_ll) is None
    assert feed((0.4, 0.1), -0.3) is None
    assert feed((1.0, 0.5), 0.33) is None
    assert feed((1.0, 0.1), 0.33) is None
    assert feed((1.0 - 0.8 * c.landing_drop_ll, 0.1), 0.33) is None
