"""Single-leg stance detection: an online state machine fed one frame at a time.

The same :class:`StanceDetector` runs in ``analyze``, ``batch`` and ``live``, so all three find
the same trials. It follows the clinical unipedal stance test (e.g. Springer et al. 2007):
timing starts when one foot leaves the floor and stops when the raised foot touches down,
the stance foot moves, the person is lost, or the time limit is reached.

Signals (scale-free, in leg lengths ``L`` = hip→knee→ankle pixel length, running median):

- ``rise_ll = (y_right_ankle - y_left_ankle) / L`` (image y points down): positive when the
  left foot is higher than the right. One-Euro filtered (causal).
- stance-ankle position ``/ L``, for stance-foot movement, One-Euro filtered.

Events use hysteresis and debouncing: a lift needs ``|rise| >= lift_on_ll`` for ``confirm_s``;
the trial's start is back-dated to the frame where the foot left the ``lift_off_ll`` band
(``rise`` crossed ``lift_off_ll``), and touchdown is the first frame back inside that band,
provided it stays there for ``confirm_s``. Single-leg phases shorter than ``min_hold_s`` are
dropped (walking steps).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from balance_cam.config import StanceConfig
from balance_cam.filtering import OneEuroFilter
from balance_cam.skeleton import Side, idx, other

StopReason = Literal[
    "touchdown", "stance_foot_moved", "lost_tracking", "time_limit", "end_of_video", "stopped"
]
STOP_REASONS: tuple[str, ...] = (
    "touchdown", "stance_foot_moved", "lost_tracking", "time_limit", "end_of_video", "stopped",
)  # fmt: skip
State = Literal["no_person", "ready", "holding", "wait_foot_down"]

_HIPS = (idx("left", "hip"), idx("right", "hip"))
_REQUIRED = (*_HIPS, idx("left", "knee"), idx("right", "knee"), idx("left", "ankle"),
             idx("right", "ankle"))  # fmt: skip


@dataclass(frozen=True)
class TrialSpan:
    """One detected single-leg stance: which leg stood, when, and why it ended."""

    stance: Side
    start_s: float
    end_s: float
    stop_reason: StopReason
    lift_observed: bool = True
    """False when the foot was already up in the first frame with a person (hold is a lower bound)."""

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class StanceFeatures:
    """Per-frame, scale-free inputs of the state machine (NaN where not visible)."""

    t_s: float
    valid: bool
    leg_length_px: float
    rise_ll: float
    ankle_ll: dict[str, np.ndarray]
    pelvis_height_ll: dict[str, float]


def leg_length_px(px: np.ndarray) -> float:
    """Longer of the two hip→knee→ankle polylines, in pixels (the raised leg may be bent)."""
    lengths = []
    for side in ("left", "right"):
        h, k, a = (px[idx(side, j)] for j in ("hip", "knee", "ankle"))  # type: ignore[arg-type]
        lengths.append(np.linalg.norm(h - k) + np.linalg.norm(k - a))
    return float(np.nanmax(lengths)) if np.any(np.isfinite(lengths)) else float("nan")


class _Debounce:
    """Remembers since when a condition has held; ``confirmed`` once it held ``confirm_s``."""

    def __init__(self, confirm_s: float) -> None:
        self.confirm_s = confirm_s
        self.since: float | None = None

    def update(self, t_s: float, condition: bool) -> bool:
        if not condition:
            self.since = None
            return False
        if self.since is None:
            self.since = t_s
        return t_s - self.since >= self.confirm_s - 1e-9

    def reset(self) -> None:
        self.since = None


class StanceDetector:
    """Online detector: call :meth:`update` for every frame, :meth:`finish` at the end.

    ``update`` returns a :class:`TrialSpan` on the frame where a trial is confirmed to have
    ended (its ``end_s`` may be earlier: touchdown is back-dated to the first frame down).
    """

    def __init__(self, config: StanceConfig | None = None) -> None:
        self.cfg = config or StanceConfig()
        c = self.cfg
        self.state: State = "no_person"
        self.stance: Side | None = None
        self.start_s: float | None = None
        self.lift_observed = True
        self._lengths: deque[tuple[float, float]] = deque()
        self._rise_filter = OneEuroFilter(c.euro_min_cutoff_hz, c.euro_beta)
        self._ankle_filter = OneEuroFilter(c.euro_min_cutoff_hz, c.euro_beta)
        self._excursion_start: float | None = None  # first frame of the current |rise| > lift_off run
        self._lift = _Debounce(c.confirm_s)
        self._down = _Debounce(c.confirm_s)
        self._moved = _Debounce(c.confirm_s)
        self._ankle_ref: np.ndarray | None = None
        self._last_valid_t: float | None = None
        self._lost_since: float | None = None
        self._seen_person = False
        self.last_features: StanceFeatures | None = None

    # -- features -------------------------------------------------------------------------
    def features(self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None) -> StanceFeatures:
        """Scale-free signals of one frame (updates the running leg length and filters)."""
        nan2 = np.full(2, np.nan)
        valid = px is not None and vis is not None and bool(
            np.all(vis[list(_REQUIRED)] >= self.cfg.min_visibility)
            and np.all(np.isfinite(px[list(_REQUIRED)]))
        )
        if not valid:
            return StanceFeatures(t_s, False, np.nan, np.nan, {"left": nan2, "right": nan2},
                                  {"left": np.nan, "right": np.nan})  # fmt: skip
        assert px is not None
        self._lengths.append((t_s, leg_length_px(px)))
        while self._lengths and self._lengths[0][0] < t_s - self.cfg.leg_length_window_s:
            self._lengths.popleft()
        length = float(np.median([v for _, v in self._lengths]))
        la, ra = px[idx("left", "ankle")], px[idx("right", "ankle")]
        pelvis_y = float(px[list(_HIPS), 1].mean())
        rise = float(self._rise_filter(t_s, (ra[1] - la[1]) / length))
        ankles = self._ankle_filter(t_s, np.concatenate([la, ra]) / length)
        return StanceFeatures(
            t_s, True, length, rise, {"left": ankles[:2], "right": ankles[2:]},
            {"left": (la[1] - pelvis_y) / length, "right": (ra[1] - pelvis_y) / length},
        )  # fmt: skip

    # -- state machine --------------------------------------------------------------------
    def update(self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None) -> TrialSpan | None:
        f = self.features(t_s, px, vis)
        self.last_features = f
        if not f.valid:
            return self._on_invalid(t_s)
        first_person = not self._seen_person
        self._seen_person = True
        self._lost_since = None
        self._last_valid_t = t_s
        raised: Side = "left" if f.rise_ll > 0 else "right"
        height = abs(f.rise_ll)
        if height <= self.cfg.lift_off_ll:
            self._excursion_start = None
        elif self._excursion_start is None:
            self._excursion_start = t_s
            self._excursion_at_first_frame = first_person
        if self.state == "holding":
            return self._check_holding(f)
        if self.state in ("no_person", "wait_foot_down"):
            if height <= self.cfg.lift_off_ll or (self.state == "no_person" and first_person):
                self.state = "ready"
            else:
                return None
        upright = f.pelvis_height_ll[other(raised)] >= self.cfg.upright_min_ll
        if self._lift.update(t_s, height >= self.cfg.lift_on_ll and upright):
            self._start_trial(f, other(raised))
        return None

    def _start_trial(self, f: StanceFeatures, stance: Side) -> None:
        self.state, self.stance = "holding", stance
        self.start_s = self._excursion_start if self._excursion_start is not None else f.t_s
        self.lift_observed = not getattr(self, "_excursion_at_first_frame", False)
        self._ankle_ref = f.ankle_ll[stance].copy()
        self._down.reset()
        self._moved.reset()
        self._lift.reset()

    def _check_holding(self, f: StanceFeatures) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None and self._ankle_ref is not None
        c = self.cfg
        if f.t_s - self.start_s >= c.limit_s:
            return self._end(self.start_s + c.limit_s, "time_limit")
        raised_rise = f.rise_ll if self.stance == "right" else -f.rise_ll
        if self._down.update(f.t_s, raised_rise <= c.lift_off_ll):
            return self._end(self._down.since, "touchdown")  # type: ignore[arg-type]
        shift = float(np.linalg.norm(f.ankle_ll[self.stance] - self._ankle_ref))
        if self._moved.update(f.t_s, shift > c.stance_move_ll):
            return self._end(self._moved.since, "stance_foot_moved")  # type: ignore[arg-type]
        return None

    def _on_invalid(self, t_s: float) -> TrialSpan | None:
        self._excursion_start = None
        self._lift.reset()
        if self._lost_since is None:
            self._lost_since = t_s
        if self.state == "holding":
            assert self.start_s is not None
            if t_s - self.start_s >= self.cfg.limit_s:
                return self._end(self.start_s + self.cfg.limit_s, "time_limit")
            if t_s - self._lost_since > self.cfg.grace_s:
                return self._end(self._last_valid_t or self._lost_since, "lost_tracking")
            return None
        if self._seen_person and t_s - self._lost_since > self.cfg.grace_s:
            self.state = "wait_foot_down"
        return None

    def _end(self, end_s: float, reason: StopReason) -> TrialSpan | None:
        assert self.stance is not None and self.start_s is not None
        span = TrialSpan(self.stance, self.start_s, max(end_s, self.start_s), reason,
                         self.lift_observed)  # fmt: skip
        self.state, self.stance, self.start_s = "wait_foot_down", None, None
        self._down.reset()
        self._moved.reset()
        return span if span.hold_s >= self.cfg.min_hold_s else None

    def finish(self, t_end_s: float, reason: StopReason = "end_of_video") -> TrialSpan | None:
        """Close a trial still running at the end of the input (or when the user stops)."""
        if self.state != "holding":
            return None
        if self._down.since is not None:
            return self._end(self._down.since, "touchdown")
        if self._moved.since is not None:
            return self._end(self._moved.since, "stance_foot_moved")
        if self._lost_since is not None and self._last_valid_t is not None:
            return self._end(self._last_valid_t, "lost_tracking" if reason == "end_of_video"
                             else reason)  # fmt: skip
        return self._end(t_end_s, reason)

    def elapsed_s(self, t_s: float) -> float:
        """Hold time so far of the running trial (0 when none)."""
        return 0.0 if self.start_s is None else min(t_s - self.start_s, self.cfg.limit_s)
