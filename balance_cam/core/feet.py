"""Per-foot tracking primitives of the stance state machine (:mod:`balance_cam.core.stance`).

:class:`FootTracker` follows one ankle: its speed over a short window, since when it stands
still, and its displacement from a rest position, in leg lengths; :class:`Debounce` remembers
since when a condition has held. Both are online (one frame at a time) and know nothing of
cameras: positions come in as pixels and leave as leg lengths.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.skeleton import SIDES, leg_length
from balance_cam.core.stops import StopReason


def leg_length_px(px: np.ndarray) -> float:
    """Longer of the two hip→knee→ankle polylines (the raised leg may be bent)."""
    lengths = [float(leg_length(px, side)) for side in SIDES]
    return float(np.nanmax(lengths)) if np.any(np.isfinite(lengths)) else float("nan")


class Debounce:
    """Remembers since when a condition has held; ``confirmed`` once it held ``confirm_s``."""

    def __init__(self, confirm_s: float) -> None:
        self.confirm_s = confirm_s
        self.since: float | None = None

    def update(self, t_s: float, condition: bool, since: float | None = None) -> bool:
        if not condition:
            self.since = None
            return False
        if self.since is None:
            self.since = t_s if since is None else since
        return t_s - self.since >= self.confirm_s - 1e-9

    def reset(self) -> None:
        self.since = None


class StanceStep:
    """The stance foot's move (stop rule *stance foot moved*; :mod:`balance_cam.core.stance`).

    Away (the caller's test) for ``stance_move_confirm_s`` is a step: :attr:`end` is then the
    trial's end as it is from that frame on, the step's onset (``stance_foot_moved``) or a
    touchdown just before it (``before_step``, judged on that frame), and every other end found
    later is replaced by it (:meth:`first`). The step alone ends the trial once away for
    ``stance_move_alone_s`` (:meth:`update` returns True); a foot back before then was no step."""

    def __init__(self, cfg: StanceConfig) -> None:
        self._away, self.alone_s = Debounce(cfg.stance_move_confirm_s), cfg.stance_move_alone_s
        self.end: tuple[float, StopReason] | None = None

    @property
    def since(self) -> float | None:
        return self._away.since

    def update(self, t_s: float, away: bool, before_step: Callable[[float], float | None]) -> bool:
        """This frame's test (call it after this frame's other ends are judged); True when the
        step alone ends the trial."""
        if not self._away.update(t_s, away):
            self.end = None if not away else self.end
            return False
        step_s = self._away.since
        assert step_s is not None
        if self.end is None:
            down_s = before_step(step_s)
            self.end = (down_s, "touchdown") if down_s is not None else (step_s, "stance_foot_moved")
        return t_s - step_s >= self.alone_s - 1e-9

    def first(self, end_s: float, reason: StopReason) -> tuple[float, StopReason]:
        """An end found once the step is confirmed is the step's (:attr:`end`)."""
        return (end_s, reason) if self.end is None else self.end

    def reset(self) -> None:
        self._away.reset()
        self.end = None


class FootTracker:
    """Speed, stillness and displacement from rest of one ankle.

    Positions are image pixels; speeds and displacements are returned in leg lengths.
    """

    def __init__(self, window_s: float, still_ll_s: float) -> None:
        self.window_s, self.still_ll_s = window_s, still_ll_s
        self.hist: deque[tuple[float, np.ndarray]] = deque()
        self.pos = np.full(2, np.nan)
        self.length_px = float("nan")
        self.rest: np.ndarray | None = None
        self.still_since: float | None = None
        self.still_at: np.ndarray | None = None  # where the foot stood when it became still
        self.moved_since: float | None = None  # first frame of the current excursion > lift_off
        self.speed_ll_s = 0.0

    def update(self, t_s: float, pos: np.ndarray, length_px: float) -> None:
        self.pos, self.length_px = pos, length_px
        self.hist.append((t_s, pos))
        while len(self.hist) > 2 and self.hist[1][0] <= t_s - self.window_s:
            self.hist.popleft()
        t0, p0 = self.hist[0]
        speed = float(np.linalg.norm(pos - p0) / length_px / (t_s - t0)) if t_s > t0 else 0.0
        self.speed_ll_s = speed
        if speed < self.still_ll_s:
            # Stillness began when the window that is now still began; where the foot stood is
            # the median of the window's positions (not its first one: the model's first frame
            # of a person, or a glitch, can sit 0.1 leg lengths off).
            if self.still_since is None:
                self.still_since = t0
                self.still_at = np.median([p for _, p in self.hist], axis=0)
        else:
            self.still_since = self.still_at = None

    def still_for(self, t_s: float) -> float:
        return 0.0 if self.still_since is None else t_s - self.still_since

    def settled_away(self, t_s: float, settle_s: float, away_ll: float) -> bool:
        """Still for ``settle_s`` at a place at least ``away_ll`` from rest, having already been
        there when the stillness began (a slow lift passing through is not a new rest)."""
        if self.still_at is None or self.rest is None or self.still_for(t_s) < settle_s:
            return False
        return float(np.linalg.norm(self.still_at - self.rest) / self.length_px) >= away_ll

    def displacement(self, ref: np.ndarray | None = None) -> float:
        """Distance from ``ref`` (default: the rest position) in leg lengths."""
        ref = self.rest if ref is None else ref
        return float(np.linalg.norm(self.pos - ref) / self.length_px) if ref is not None else 0.0

    def forget(self) -> None:
        self.hist.clear()
        self.still_since = self.still_at = None


def lifting(foot: FootTracker, stance_foot: FootTracker, t_s: float, on_ll: float, off_ll: float,
            move_ll: float, confirm_s: float) -> bool:  # fmt: skip
    """The lift rule as the feet show it (:mod:`balance_cam.core.stance`): ``foot`` ``on_ll`` from
    its rest while ``stance_foot`` moved less than ``move_ll`` and less than half as far. Keeps
    ``foot.moved_since``, the onset of this excursion past ``off_ll`` (a foot that stood still
    for ``confirm_s`` since cannot have lifted before)."""
    disp = foot.displacement()
    if disp <= off_ll:
        foot.moved_since = None
    elif foot.moved_since is None or foot.still_for(t_s) >= confirm_s:
        foot.moved_since = t_s
    stance_disp = stance_foot.displacement()
    return disp >= on_ll and stance_disp < move_ll and disp > 2 * stance_disp


def settled_at(foot: FootTracker, ref: np.ndarray, move_ll: float,
               force: bool = False) -> tuple[bool, np.ndarray]:  # fmt: skip
    """(taken, reference) of a stance foot once the weight has come onto it (``stance_settle_s``
    in :class:`~balance_cam.core.config.StanceConfig`): while it is not still, (False, ``ref``):
    ask again next frame, unless ``force`` (it has not been still for twice the wait: take it as
    it is); within twice ``move_ll`` leg lengths of ``ref`` (where it stood before the lift),
    (True, the median of its positions over the speed window); farther away, (True, ``ref``): a
    step, judged from where the foot stood."""
    if not foot.hist or not (foot.length_px > 0):
        return force, ref
    if foot.still_since is None and not force:
        return False, ref
    at = np.median([p for _, p in foot.hist], axis=0)
    return True, at if float(np.linalg.norm(at - ref)) / foot.length_px < 2 * move_ll else ref


def labels_crossed(
    stance_px: np.ndarray, raised_px: np.ndarray, stance_ref_px: np.ndarray, length_px: float, move_ll: float
) -> bool:
    """During a trial: the model has put the two legs' labels the other way round, perhaps over
    several frames (MediaPipe does so with a leg held out sideways), when the "raised" ankle
    stands where the stance ankle stood (within ``move_ll`` leg lengths) while the "stance"
    ankle is more than ``move_ll`` away from there."""
    near = float(np.linalg.norm(raised_px - stance_ref_px)) / length_px
    away = float(np.linalg.norm(stance_px - stance_ref_px)) / length_px
    return near < move_ll < away


def both_jumped(now_px: Sequence[np.ndarray], last_px: Sequence[np.ndarray], length_px: float,
                move_ll: float) -> bool:  # fmt: skip
    """Both ankles moved more than ``move_ll`` leg lengths since the last frame: not feet (a
    planted foot does not jump, and a raised one not at the same instant) but the model placing
    both ankles somewhere between the legs for a frame or two; such a frame is not used."""
    moved = [float(np.linalg.norm(a - b)) / length_px for a, b in zip(now_px, last_px, strict=True)]
    return min(moved) > move_ll


def rest_verdict(feet: Sequence[FootTracker], t_s: float, resettle_s: float,
                 away_ll: float) -> Literal["follow", "reset", "keep"]:  # fmt: skip
    """With both feet standing still, what their rest positions do (:mod:`balance_cam.core.stance`).

    - ``"follow"``: both within ``away_ll`` of rest: the rest follows them (slow drift);
    - ``"reset"``: some foot is ``away_ll`` or more from rest, both have stood still for
      ``resettle_s``, and every foot that is away was already away when it stopped (a step, a
      wider stance): where they stand is the new rest;
    - ``"keep"``: one foot away more than twice as far as the other, not settled there: the
      shape of a lift in progress (however slow), so the rest stays where the feet stood;
    - otherwise ``"follow"`` too: both feet away alike, which no lift does (the model's first
      positions of a person settling 0.05-0.1 leg lengths from where it put them).
    """
    disp = [ft.displacement() for ft in feet]
    moved = [ft for ft, d in zip(feet, disp, strict=True) if d >= away_ll]
    if not moved:
        return "follow"
    if min(ft.still_for(t_s) for ft in feet) >= resettle_s and all(
            ft.settled_away(t_s, resettle_s, away_ll) for ft in moved):  # fmt: skip
        return "reset"
    return "keep" if max(disp) > 2 * min(disp) else "follow"


def all_still(feet: Sequence[FootTracker], t_s: float, confirm_s: float) -> bool:
    """Every foot of ``feet`` has stood still for ``confirm_s``."""
    return all(foot.still_for(t_s) >= confirm_s for foot in feet)


def follow_rest(feet: Sequence[FootTracker], t_s: float, last_rest_t: float | None, confirm_s: float,
                resettle_s: float, away_ll: float, tau_s: float) -> bool:  # fmt: skip
    """While both feet have stood still for ``confirm_s``, their rest positions follow them
    (:func:`rest_verdict`: follow, reset or keep), each rest a fraction ``dt / tau_s`` of the way
    (``dt`` since the last rest, ``last_rest_t``; the first takes where the feet stand). True
    when this frame is a rest (the caller then takes the reference)."""
    if not all_still(feet, t_s, confirm_s):
        return False
    verdict = rest_verdict(feet, t_s, resettle_s, away_ll)
    if verdict == "keep":
        return False
    if verdict == "reset":
        for foot in feet:
            foot.rest = foot.pos.copy()
    alpha = min(1.0, (t_s - last_rest_t) / tau_s) if last_rest_t is not None else 0.0
    for foot in feet:
        foot.rest = foot.pos.copy() if foot.rest is None else foot.rest + alpha * (foot.pos - foot.rest)
    return True
