"""A trial already under way when the video (or shot) starts: the lift was not seen.

Pure rules read by :class:`balance_cam.core.stance.StanceDetector` on its first frames:

- **Provisional start** (:func:`raised_at_start`): a foot already raised by ``start_raised_ll``
  in both the image and the world landmarks in the first frames with a person (no double stance
  seen yet, so heights are relative to level feet, camera vertical) starts a provisional trial
  whose lift was not observed (``lift_observed = False``). A staggered stance filmed from above
  can pass too, so the trial is provisional:
- **Misread start** (:func:`misread_start`): if the other foot then leaves while the "raised"
  one stays where it stood (the lift's rule: moved less than ``stance_move_ll`` and less than
  half as far), the start was a staggered stance seen from above: the provisional trial is
  dropped and the real lift is timed.
"""

from __future__ import annotations

from balance_cam.core.config import StanceConfig
from balance_cam.core.stance_features import event_height_ll


def raised_at_start(cfg: StanceConfig, heights_ll: tuple[float, float]) -> bool:
    """A foot at ``heights_ll`` (image, world: :func:`~balance_cam.core.stance_features.height_ll`
    against level feet) counts as raised with no double stance seen: ``start_raised_ll`` in the
    image and in world landmarks (the image alone without them)."""
    return min(heights_ll[0], event_height_ll(heights_ll)) >= cfg.start_raised_ll


def misread_start(
    cfg: StanceConfig, lift_observed: bool, stance_shift_ll: float, raised_shift_ll: float
) -> bool:
    """The provisional trial's "stance" foot has left (``stance_shift_ll`` over ``lift_off_ll``)
    while the "raised" one stayed put (``raised_shift_ll`` from where it stood at the start,
    under ``stance_move_ll`` and half the other's): the start was a staggered stance."""
    if lift_observed or stance_shift_ll <= cfg.lift_off_ll:
        return False
    return raised_shift_ll < min(cfg.stance_move_ll, stance_shift_ll / 2)
