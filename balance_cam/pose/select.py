"""Which of several detected people is the tested person, followed frame to frame.

A pose model with ``num_poses > 1`` returns the people in each frame in no stable order.
:class:`PersonSelector` keeps short-lived tracks (greedy nearest hip-midpoint association,
gated in leg lengths, forgotten after ``memory_s`` unseen) and picks one track as the target:

- ``"auto"`` (default): the person who performs the single-leg stance. Until anybody has lifted
  a foot, the provisional target is the largest person whose legs are visible; as soon as a
  track shows a lifted foot (raised ankle ``>= lift_on_ll`` leg lengths above the other) for
  ``evidence_s`` while the hips stay still (slower than ``still_ll_per_s``; walking is faster),
  it becomes the target and stays so while it is tracked. Bystanders who stand, or walk
  through (their single-support phases move the hips), never gain evidence, even when larger.
- ``"largest"`` / ``"center"``: the largest person (leg length), or the one nearest the image
  centre, when the target is (re)acquired; then followed by identity.
- ``"<k>"``: the k-th person from the left (0-based, by hip midpoint) when acquired.

Pure: numpy arrays in, an index out. Inputs are image-normalised landmarks (33, 4), as in
:class:`balance_cam.core.series.PoseFrame`; distances are computed in pixels (y down).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import count

import numpy as np

from balance_cam.core.skeleton import ANKLES, HIPS, idx

_LEGS = [idx(s, j) for s in ("left", "right") for j in ("hip", "knee", "ankle")]


@dataclass(frozen=True)
class SelectConfig:
    """Parameters of :class:`PersonSelector` (lengths in leg lengths, times in seconds)."""

    person: str = "auto"
    """``auto``, ``largest``, ``center`` or a 0-based index from the left."""
    gate_ll: float = 0.5
    """A detection joins a track if its hips are within this distance (plus ``speed_ll_per_s``
    times the time since the track was last seen)."""
    speed_ll_per_s: float = 3.0
    """Fastest plausible hip speed, widening the gate for tracks unseen for a while."""
    memory_s: float = 1.0
    """A track unseen this long is forgotten; a lost target is then re-acquired."""
    lift_on_ll: float = 0.10
    """Foot-lift height that counts as single-leg stance evidence (as ``StanceConfig``)."""
    evidence_s: float = 0.15
    """The lift must last this long, with still hips, to make a track the tested person."""
    still_ll_per_s: float = 0.6
    """Hip speed below which the person stands (walking moves the hips at about 1-2 LL/s)."""
    min_visibility: float = 0.5

    def __post_init__(self) -> None:
        if self.person not in ("auto", "largest", "center") and not self.person.isdigit():
            raise ValueError(
                f"person must be auto, largest, center or an index >= 0, but got {self.person!r}"
            )


@dataclass
class Track:
    """One person followed over frames."""

    id: int
    hip_px: np.ndarray
    leg_px: float
    last_t_s: float
    hips: deque[tuple[float, np.ndarray]]
    lift_since_s: float | None = None
    evidence: bool = False


@dataclass(frozen=True)
class Candidate:
    """Per-frame geometry of one detected person."""

    hip_px: np.ndarray
    leg_px: float
    rise_ll: float  # |ankle height difference| / leg length, NaN when legs not visible
    legs_visible: bool


def candidate(image: np.ndarray, size_wh: np.ndarray, min_visibility: float = 0.5) -> Candidate:
    """Hip midpoint, leg length and foot-lift height of one person's landmarks."""
    px = image[:, :2].astype(np.float64) * size_wh
    visible = bool(np.all(image[_LEGS, 3] >= min_visibility))
    lengths = [
        np.linalg.norm(px[h] - px[k]) + np.linalg.norm(px[k] - px[a])
        for h, k, a in (_LEGS[:3], _LEGS[3:])
    ]
    leg = float(np.nanmax(lengths)) if np.any(np.isfinite(lengths)) else float("nan")
    if not np.isfinite(leg) or leg <= 0:
        leg = float(np.ptp(px[:, 1])) / 2 or 1.0
    rise = abs(px[ANKLES[0], 1] - px[ANKLES[1], 1]) / leg if visible else float("nan")
    return Candidate(px[list(HIPS)].mean(axis=0), leg, float(rise), visible)


class PersonSelector:
    """Online choice of the tested person; call :meth:`update` once per frame in time order."""

    def __init__(self, config: SelectConfig | None = None) -> None:
        self.cfg = config or SelectConfig()
        self.tracks: list[Track] = []
        self.target_id: int | None = None
        self._ids = count()
        self._size_wh = np.ones(2)

    def update(self, t_s: float, people: list[np.ndarray], size_wh: np.ndarray) -> int | None:
        """Index into ``people`` (each (33, 4) image-normalised) of the tested person, or
        ``None`` when the target is not among them in this frame."""
        self._size_wh = np.asarray(size_wh, dtype=np.float64)
        cands = [candidate(p, self._size_wh, self.cfg.min_visibility) for p in people]
        matched = self._associate(t_s, cands)
        self.tracks = [t for t in self.tracks if t_s - t.last_t_s <= self.cfg.memory_s]
        if self.target_id not in {t.id for t in self.tracks}:
            self.target_id = None
        self._choose(cands, matched)
        for i, track in matched.items():
            if track.id == self.target_id:
                return i
        return None

    # -- tracking ----------------------------------------------------------------------------
    def _associate(self, t_s: float, cands: list[Candidate]) -> dict[int, Track]:
        """Greedy nearest-first matching of detections to tracks; new tracks for the rest."""
        pairs = []
        for i, c in enumerate(cands):
            for track in self.tracks:
                d_ll = float(np.linalg.norm(c.hip_px - track.hip_px)) / track.leg_px
                gate = self.cfg.gate_ll + self.cfg.speed_ll_per_s * (t_s - track.last_t_s)
                if d_ll <= gate:
                    pairs.append((d_ll, i, track))
        matched: dict[int, Track] = {}
        used: set[int] = set()
        for _, i, track in sorted(pairs, key=lambda p: p[0]):
            if i not in matched and track.id not in used:
                matched[i] = track
                used.add(track.id)
        for i, c in enumerate(cands):
            if i not in matched:
                track = Track(next(self._ids), c.hip_px, c.leg_px, t_s, deque())
                self.tracks.append(track)
                matched[i] = track
        for i, track in matched.items():
            self._observe(track, t_s, cands[i])
        return matched

    def _observe(self, track: Track, t_s: float, c: Candidate) -> None:
        track.hip_px, track.leg_px, track.last_t_s = c.hip_px, c.leg_px, t_s
        track.hips.append((t_s, c.hip_px))
        while track.hips and track.hips[0][0] < t_s - max(self.cfg.evidence_s, 0.2):
            track.hips.popleft()
        lifted = c.legs_visible and c.rise_ll >= self.cfg.lift_on_ll and self._still(track)
        if not lifted:
            track.lift_since_s = None
            return
        if track.lift_since_s is None:
            track.lift_since_s = t_s
        if t_s - track.lift_since_s >= self.cfg.evidence_s - 1e-9:
            track.evidence = True

    def _still(self, track: Track) -> bool:
        (t0, p0), (t1, p1) = track.hips[0], track.hips[-1]
        if t1 - t0 <= 0:
            return True
        return float(np.linalg.norm(p1 - p0)) / track.leg_px / (t1 - t0) < self.cfg.still_ll_per_s

    # -- choosing ----------------------------------------------------------------------------
    def _choose(self, cands: list[Candidate], matched: dict[int, Track]) -> None:
        if self.cfg.person == "auto":
            self._choose_auto(cands, matched)
        elif self.target_id is None:
            self._acquire_target(cands, matched)

    def _choose_auto(self, cands: list[Candidate], matched: dict[int, Track]) -> None:
        target = next((t for t in self.tracks if t.id == self.target_id), None)
        if target is not None and target.evidence:
            return
        performers = [(i, t) for i, t in matched.items() if t.evidence]
        if performers:  # the one with the highest lift now
            i, track = max(performers, key=lambda p: np.nan_to_num(cands[p[0]].rise_ll))
            self.target_id = track.id
        elif target is None:
            self._acquire_target(cands, matched)

    def _acquire_target(self, cands: list[Candidate], matched: dict[int, Track]) -> None:
        i = self._acquire(cands) if cands else None
        if i is not None:
            self.target_id = matched[i].id

    def _acquire(self, cands: list[Candidate]) -> int | None:
        """Index of the candidate the configured rule picks in this frame (``None``: nobody)."""
        person = self.cfg.person
        if person == "center":
            centre = 0.5 * self._size_wh
            return int(np.argmin([np.linalg.norm(c.hip_px - centre) for c in cands]))
        if person.isdigit():
            order = np.argsort([c.hip_px[0] for c in cands], kind="stable")
            return int(order[int(person)]) if int(person) < len(cands) else None
        # largest (and the provisional pick of "auto"): prefer people whose legs are visible
        return int(np.argmax([c.leg_px * (2.0 if c.legs_visible else 1.0) for c in cands]))
