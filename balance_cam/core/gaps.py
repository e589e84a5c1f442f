"""A person lost for a moment inside a hold: when the hold goes on through the gap.

MediaPipe loses a person for a fraction of a second in dim light, against a busy background or
behind someone walking past (docs/accuracy.md, "low light cam03 leg out": 0.57 s at 10.5 s of a
21 s hold). A gap in which the pelvis or the stance ankle is not seen (the *tracked* landmarks of
:mod:`balance_cam.core.stance`) is judged by its length, from the first to the last frame without
them (as ``grace_s`` has always been counted; the warning gives the time from the last frame with
them to the next, a frame interval more):

- up to ``grace_s`` (0.5 s): bridged, with nothing asked;
- longer, up to ``bridge_s`` (1 s): bridged if the first frame back shows the hold going on
  (:func:`holds_through_gap`), else the trial ends at the last frame before the gap
  (``lost_tracking``);
- longer than ``bridge_s``: the trial ends at the last frame before the gap (``lost_tracking``),
  as it does when the person is never seen again (a fade to black, walking out), and as it does
  when the time limit falls after ``grace_s`` of a gap (the hold was not seen to reach it).

Why 1 s: for a touchdown to be hidden in the gap, the foot must come down, be down (a touchdown
is confirmed only after ``touchdown_confirm_s``, 0.3 s, of frames) and go back up to where it
was, and the stance foot must be back where it stood. At the speeds of a person setting a foot
down and lifting it again that fills about a second; shorter touches are not touchdowns by the
rules anyway (a toe tap under 0.3 s). A gap of ``bridge_s`` or less with the hold going on
before and after is therefore a model blink, not a touchdown. The result says which gaps were
bridged (:func:`balance_cam.core.framing.bridged_warnings`), so a reviewer can look.
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.config import StanceConfig


def holds_through_gap(cfg: StanceConfig, stance_shift_ll: float, settled: bool,
                      raised_height_ll: float | None, pelvis_shift_ll: float) -> bool:  # fmt: skip
    """On the first frame back after a gap longer than ``grace_s`` (at most ``bridge_s``): did the
    hold go on through it?

    - the stance ankle within ``stance_move_ll`` of where it stood (``stance_shift_ll``; twice that
      before the stance foot has ``settled`` after the lift, as :mod:`balance_cam.core.stance`
      allows), and
    - the raised foot, when seen (``raised_height_ll`` not None), still clearly raised:
      ``lift_on_ll`` above the stance foot (its event height,
      :func:`~balance_cam.core.stance_features.event_height_ll`); when it is hidden, the pelvis
      not moved ``weight_shift_ll`` towards the raised side from its median in the trial
      (``pelvis_shift_ll``, the evidence :class:`~balance_cam.core.touchdown.WeightShift` uses;
      NaN when nothing is known: not bridged).
    """
    if not stance_shift_ll <= cfg.stance_move_ll * (1 if settled else 2):
        return False
    if raised_height_ll is not None:
        return bool(raised_height_ll >= cfg.lift_on_ll)
    return bool(np.isfinite(pelvis_shift_ll) and pelvis_shift_ll < cfg.weight_shift_ll)
