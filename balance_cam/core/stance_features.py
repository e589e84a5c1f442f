"""The per-frame, scale-free signals the stance state machine decides on (:mod:`balance_cam.core.stance`).

Landmark roles and their visibility rules (MediaPipe visibility in [0, 1]):

- *pelvis* (both hips): seen when both hips reach ``min_visibility``;
- each *ankle*: seen when it reaches ``min_visibility``. Before a trial both ankles must be
  seen (a lift is one foot leaving while the other stays); during a trial only the stance
  ankle must be: a raised foot that is hidden or rated low (against the thigh, behind the
  stance leg) is simply not used, and the trial goes on;
- knees are never required: MediaPipe often rates a knee seen from behind as barely visible
  while still placing it well, and the leg length is a running median that tolerates an odd
  frame.

The leg length ``L`` is the running median (``leg_length_window_s``) of the longer hip→knee→ankle
polyline of the legs whose ankle is seen (the raised leg may be bent), in pixels and in world
metres. Heights compare the two ankles with the double-stance configuration seen before the
lift (:class:`Reference`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from balance_cam.core.config import StanceConfig
from balance_cam.core.filtering import OneEuroFilter
from balance_cam.core.skeleton import ANKLES, HIPS, SIDES, Side, leg_length

_DEFAULT_UP = np.array([0.0, -1.0, 0.0])  # world y points down


@dataclass(frozen=True)
class StanceFeatures:
    """Per-frame, scale-free inputs of the state machine (for overlays and debugging).

    ``valid``: the pelvis and at least one ankle are seen. ``seen``: (left, right) ankle seen.
    """

    t_s: float
    valid: bool
    leg_length_px: float = float("nan")
    ankle_px: tuple[np.ndarray, np.ndarray] | None = None  # (filtered) image position
    ankle_w: tuple[np.ndarray, np.ndarray] | None = None  # (filtered) world position (m)
    body_axis_w: np.ndarray | None = None  # hip midpoint minus ankle midpoint (m), both ankles seen
    leg_length_w: float = float("nan")
    pelvis_height_ll: tuple[float, float] = (float("nan"), float("nan"))
    seen: tuple[bool, bool] = (False, False)
    pelvis_px: np.ndarray | None = None  # hip midpoint

    def sees(self, side: Side) -> bool:
        return self.valid and self.seen[SIDES.index(side)]

    @property
    def both_seen(self) -> bool:
        return self.valid and all(self.seen)

    def pelvis_over_ll(self, stance: Side) -> float:
        """The hip midpoint's image x minus the ``stance`` ankle's, in leg lengths (the pelvis
        over the stance foot, as the weight-shift and landing rules read it)."""
        assert self.ankle_px is not None and self.pelvis_px is not None
        return float(self.pelvis_px[0] - self.ankle_px[SIDES.index(stance)][0]) / self.leg_length_px


@dataclass
class Reference:
    """Double-stance configuration that heights are measured against."""

    rise_px_ll: float = 0.0  # (y_right - y_left) / L at rest
    rise_w: float = 0.0  # (right - left) ankle along the body axis at rest, / L_world
    up_w: np.ndarray = field(default_factory=_DEFAULT_UP.copy)  # unit body axis at rest (up)


class RestAxis:
    """The body axis at rest (world landmarks, hip midpoint minus ankle midpoint): the mean of
    the axes seen at the rests of the last ``window_s`` (``rest_window_s``)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._axes: deque[tuple[float, np.ndarray]] = deque()

    def update(self, t_s: float, axis: np.ndarray | None, default: np.ndarray) -> np.ndarray:
        """Add this rest's ``axis`` (None: no world landmarks, ``default`` stands) and return the mean."""
        if axis is None:
            return default
        self._axes.append((t_s, axis))
        while self._axes[0][0] < t_s - self.window_s:
            self._axes.popleft()
        return np.mean([a for _, a in self._axes], axis=0)

    def clear(self) -> None:
        self._axes.clear()


def _longest_leg(points: np.ndarray, legs: list[Side]) -> float:
    lengths = [float(leg_length(points, side)) for side in legs]
    finite = [v for v in lengths if np.isfinite(v)]
    return max(finite) if finite else float("nan")


class FeatureTracker:
    """Turns one frame's landmarks into :class:`StanceFeatures` (keeps the running leg length
    and the optional One-Euro filters)."""

    def __init__(self, config: StanceConfig) -> None:
        self.cfg = c = config
        self._lengths: deque[tuple[float, float, float]] = deque()
        cut = c.euro_min_cutoff_hz
        self._pos_filter = OneEuroFilter(cut, c.euro_beta) if cut is not None else None
        self._w_filter = OneEuroFilter(cut, c.euro_beta) if cut is not None else None

    def reset(self) -> None:
        """Forget the leg length and the filters (a new shot: another camera, another scale)."""
        self.__init__(self.cfg)  # type: ignore[misc]

    def __call__(
        self, t_s: float, px: np.ndarray | None, vis: np.ndarray | None, world: np.ndarray | None = None
    ) -> StanceFeatures:
        """Signals of one frame: pixels (33, 2), visibility (33,), world landmarks (33, 3)."""
        if px is None or vis is None:
            return StanceFeatures(t_s, False)
        ok = (vis >= self.cfg.min_visibility) & np.all(np.isfinite(px), axis=-1)
        seen = (bool(ok[ANKLES[0]]), bool(ok[ANKLES[1]]))
        if not (ok[list(HIPS)].all() and any(seen)):
            return StanceFeatures(t_s, False, seen=seen)
        legs = [s for s, v in zip(SIDES, seen, strict=True) if v]
        req = list(HIPS + ANKLES)
        w = world if world is not None and np.all(np.isfinite(world[req])) else None
        length_w_now = _longest_leg(w, legs) if w is not None else np.nan
        self._lengths.append((t_s, _longest_leg(px, legs), length_w_now))
        while self._lengths and self._lengths[0][0] < t_s - self.cfg.leg_length_window_s:
            self._lengths.popleft()
        length = float(np.median([v for _, v, _ in self._lengths]))
        wl = [v for _, _, v in self._lengths if np.isfinite(v)]
        length_w = float(np.median(wl)) if wl else float("nan")
        ankles = self._smooth(self._pos_filter, t_s, px[list(ANKLES)].reshape(-1), length).reshape(2, 2)
        ankle_w = axis = None
        if w is not None:
            scale_w = length_w if np.isfinite(length_w) else 0.9
            pts = self._smooth(self._w_filter, t_s, w[list(ANKLES + HIPS)].reshape(-1), scale_w)
            pts = pts.reshape(4, 3)
            ankle_w = (pts[0], pts[1])
            axis = pts[2:].mean(axis=0) - pts[:2].mean(axis=0) if all(seen) else None
        pelvis = px[list(HIPS)].mean(axis=0)
        return StanceFeatures(
            t_s, True, length, (ankles[0], ankles[1]), ankle_w, axis, length_w,
            ((px[ANKLES[0], 1] - pelvis[1]) / length, (px[ANKLES[1], 1] - pelvis[1]) / length),
            seen, pelvis,
        )  # fmt: skip

    def _smooth(self, filt: OneEuroFilter | None, t_s: float, x: np.ndarray, length: float) -> np.ndarray:
        """Optional One-Euro smoothing with its speed term in leg lengths per second."""
        if filt is None:
            return x
        filt.beta = self.cfg.euro_beta / length
        return filt(t_s, x)


def height_ll(f: StanceFeatures, raised: Side, ref: Reference) -> tuple[float, float]:
    """Height of ``raised`` above the other foot relative to the reference configuration:
    (image, world) in leg lengths; world is NaN without world landmarks."""
    sign = 1.0 if raised == "left" else -1.0
    assert f.ankle_px is not None
    rise_px = (f.ankle_px[1][1] - f.ankle_px[0][1]) / f.leg_length_px - ref.rise_px_ll
    rise_w = np.nan
    if f.ankle_w is not None and np.isfinite(f.leg_length_w):
        rise_w = (np.dot(f.ankle_w[0] - f.ankle_w[1], ref.up_w) / f.leg_length_w) - ref.rise_w
    return sign * float(rise_px), sign * float(rise_w)


def event_height_ll(heights_ll: tuple[float, float]) -> float:
    """Of (image, world) heights from :func:`height_ll`: the world one when available
    (view-independent), else the image one: the one height the events use."""
    h_px, h_w = heights_ll
    return h_w if np.isfinite(h_w) else h_px


def foot_height_ll(f: StanceFeatures, raised: Side, ref: Reference) -> float:
    """:func:`event_height_ll` of ``raised`` above the other foot."""
    return event_height_ll(height_ll(f, raised, ref))


def reference_at(f: StanceFeatures, up_w: np.ndarray) -> Reference:
    """The double stance seen in ``f`` as the :class:`Reference` for heights, with ``up_w``
    (normalised here) as the body axis."""
    ref = Reference(up_w=up_w / np.linalg.norm(up_w))
    ref.rise_px_ll, ref.rise_w = height_ll(f, "left", ref)
    return ref
