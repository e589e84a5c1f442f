"""What a corpus clip really shows (:class:`CorpusTruth`), and what a correct analysis reports
for it (:meth:`CorpusTruth.expected`, :class:`ExpectedTrial`).

Events follow :class:`balance_cam.testing.synthetic.EventTruth`: the **lift** is the first frame
showing the foot up after a frame showing both feet down, the **touchdown** the first frame
showing both feet down again. Times are frame times ``i / fps``.

Scoring policy for edited videos (issue 12): a trial is timed *within* a shot and never
carried across a cut. :meth:`CorpusTruth.expected` with ``per_shot=True`` therefore splits a hold
at every cut: the first part ends at the last frame before the cut (``end_of_shot``); each later
part starts at its shot's first frame with ``lift_observed`` False (the lift is not in that
shot) and ends at the next cut, the touchdown, the time limit or the fade. A **fade to black**
ends the trial at the last frame with the person at full brightness (``lost_tracking``); a
found end up to the end of the fade is also right (the person is still there, darker:
:attr:`ExpectedTrial.end_late_ok_s`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, overload

import numpy as np

from balance_cam.core.camera import MotionSummary, summarize_motion
from balance_cam.core.skeleton import Side, other
from balance_cam.testing.corpus.signals import as3
from balance_cam.testing.corpus.sources import track_source


@dataclass(frozen=True)
class ExpectedTrial:
    """A trial a correct analysis reports for a clip (under a time limit).

    ``shot``: the shot it lies in (0 before the first cut); ``end_late_ok_s``: how much later
    than ``end_s`` a found end is still right (the length of a fade to black, else 0).
    """

    stance: Side
    start_s: float
    end_s: float
    stop_reason: str
    lift_observed: bool
    shot: int = 0
    end_late_ok_s: float = 0.0

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s

    def limited(self, limit_s: float) -> ExpectedTrial:
        """This trial cut at ``limit_s`` after its start (``time_limit``) when it lasts that long."""
        if self.end_s - self.start_s < limit_s:
            return self
        return replace(self, end_s=self.start_s + limit_s, stop_reason="time_limit", end_late_ok_s=0.0)


@dataclass(frozen=True, eq=False)
class CorpusTruth:
    """What a corpus clip really shows (times are frame times, ``i / fps``).

    ``lift_s`` is the first frame with the foot up (the first frame of the clip when it is up
    from the start, ``lift_observed`` False), ``touchdown_s`` the first frame with both feet
    down again (None: never seen down). ``end_s``/``stop_reason``: where the foot-up footage
    ends and why (touchdown; the person fades out, truth = the last frame at full brightness,
    ``lost_tracking``; end of the video). ``event_tol_s``: uncertainty of the event times
    (source event uncertainty plus one output frame). ``cuts_s``: first frame of every shot
    after the first; ``fade_s``: (last full-brightness frame, first black frame).

    Per frame (N,): ``piece``, ``source`` (key), ``source_frame``, ``foot_up``, ``hidden`` (raised
    foot painted over), ``gain`` (fade), ``applied_angle_deg`` (body sway applied, source-image
    sense), ``roll_deg``, ``zoom``, ``transform`` (N, 2, 3) source pixels of the person to output
    pixels (sway rotation about the stance ankle, then the camera), ``camera_transform`` (N, 2, 3)
    the same for the background (camera only), ``reference_angle_deg``: the stance-ankle→pelvis
    angle from vertical in the output image, from the source frame's model landmarks mapped
    through ``transform`` (exact change, model-estimated level; for moving content it includes
    the source's own sway).
    """

    name: str
    fps: float
    size_wh: tuple[int, int]
    seed: int
    stance: Side | None
    lift_s: float | None
    lift_observed: bool
    touchdown_s: float | None
    end_s: float | None
    stop_reason: str | None
    event_tol_s: float
    cuts_s: tuple[float, ...]
    fade_s: tuple[float, float] | None
    hidden_s: tuple[tuple[float, float], ...]
    t_s: np.ndarray = field(repr=False)
    piece: np.ndarray = field(repr=False)
    source: tuple[str, ...] = field(repr=False)
    source_frame: np.ndarray = field(repr=False)
    foot_up: np.ndarray = field(repr=False)
    hidden: np.ndarray = field(repr=False)
    gain: np.ndarray = field(repr=False)
    applied_angle_deg: np.ndarray = field(repr=False)
    roll_deg: np.ndarray = field(repr=False)
    zoom: np.ndarray = field(repr=False)
    transform: np.ndarray = field(repr=False)
    camera_transform: np.ndarray = field(repr=False)
    reference_angle_deg: np.ndarray = field(repr=False)
    description: str = ""
    conditions: str = ""
    mirrored: bool = False

    @property
    def n_frames(self) -> int:
        return len(self.t_s)

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps

    @property
    def hold_s(self) -> float | None:
        if self.lift_s is None or self.end_s is None:
            return None
        return self.end_s - self.lift_s

    @property
    def shot(self) -> np.ndarray:
        """(N,) shot number of every frame (0 before the first cut)."""
        return np.searchsorted(np.asarray(self.cuts_s), self.t_s + 1e-9)

    @overload
    def expected(self, limit_s: float = ..., per_shot: Literal[False] = ...) -> ExpectedTrial | None: ...

    @overload
    def expected(self, limit_s: float = ..., *, per_shot: Literal[True]) -> tuple[ExpectedTrial, ...]: ...

    @overload
    def expected(self, limit_s: float, per_shot: Literal[True]) -> tuple[ExpectedTrial, ...]: ...

    def expected(self, limit_s: float = 45.0,
                 per_shot: bool = False) -> ExpectedTrial | None | tuple[ExpectedTrial, ...]:  # fmt: skip
        """The trial a correct analysis reports: the hold, cut at ``limit_s`` (``time_limit``).

        ``per_shot=True``: the trials of the within-shot policy (module docstring), in time
        order, each cut at ``limit_s`` after its own start; empty when the clip has no hold.
        """
        whole = self._whole_hold()
        if not per_shot:
            return None if whole is None else whole.limited(limit_s)
        if whole is None:
            return ()
        return tuple(part.limited(limit_s) for part in self._split_at_cuts(whole))

    def _whole_hold(self) -> ExpectedTrial | None:
        if self.stance is None or self.lift_s is None or self.end_s is None or self.stop_reason is None:
            return None
        late = self.fade_s[1] - self.fade_s[0] if self.fade_s and self.stop_reason == "lost_tracking" else 0.0
        shot = int(np.searchsorted(np.asarray(self.cuts_s), self.lift_s + 1e-9))
        return ExpectedTrial(self.stance, self.lift_s, self.end_s, self.stop_reason, self.lift_observed,
                             shot, late)  # fmt: skip

    def _split_at_cuts(self, whole: ExpectedTrial) -> list[ExpectedTrial]:
        """``whole`` split at every cut after its start and up to its end (a touchdown shown on a
        shot's first frame is not seen as one: that shot's trial ends at the cut)."""
        inside = [c for c in self.cuts_s if whole.start_s + 1e-9 < c <= whole.end_s + 1e-9]
        parts, start, lift_seen, shot = [], whole.start_s, whole.lift_observed, whole.shot
        for cut in inside:
            last = float(self.t_s[self.t_s < cut - 1e-9][-1])
            parts.append(ExpectedTrial(whole.stance, start, last, "end_of_shot", lift_seen, shot))
            start, lift_seen, shot = cut, False, shot + 1
        if start < whole.end_s - 1e-9 or not parts:
            parts.append(replace(whole, start_s=start, lift_observed=lift_seen, shot=shot))
        return parts

    def reference_rms_deg(self, start_s: float, end_s: float) -> float:
        """RMS of the reference angle over the foot-up frames in [start_s, end_s], each shot
        centred on its own mean: another camera sees another mean angle, which is not sway."""
        sel = (self.t_s >= start_s - 1e-9) & (self.t_s <= end_s + 1e-9) & self.foot_up
        x = self.reference_angle_deg.copy()
        shot = self.shot
        for s in np.unique(shot[sel]):
            m = sel & (shot == s)
            x[m] -= x[m].mean()
        x = x[sel]
        return float(np.sqrt(np.mean(x**2))) if len(x) else float("nan")

    def points_to_output(self, frame: int, points_xy: np.ndarray) -> np.ndarray:
        """Map (K, 2) source pixels of frame ``frame``'s source image to output pixels."""
        m = self.transform[frame]
        return np.asarray(points_xy, np.float64) @ m[:, :2].T + m[:, 2]

    def camera_to_ref(self) -> np.ndarray:
        """(N, 2, 3) the true camera motion in the convention of
        :class:`balance_cam.core.camera.CameraMotion`: output pixels of frame i to output pixels
        of its shot's first frame (the background's ``camera_transform`` of that frame composed
        with the inverse of frame i's)."""
        out = np.zeros((self.n_frames, 2, 3))
        shot = self.shot
        first = {int(s): int(np.flatnonzero(shot == s)[0]) for s in np.unique(shot)}
        for i in range(self.n_frames):
            ref = as3(self.camera_transform[first[int(shot[i])]])
            out[i] = (ref @ np.linalg.inv(as3(self.camera_transform[i])))[:2]
        return out

    def camera_summary(self) -> MotionSummary:
        """The ``camera`` block a perfect camera-motion estimate would give (every frame reliable)."""
        return summarize_motion(self.camera_to_ref(), np.ones(self.n_frames, bool), self.size_wh)


def landmark_px(truth: CorpusTruth, name: str, samples_dir: Path | None = None,
                cache_dir: Path | None = None) -> np.ndarray:  # fmt: skip
    """(N, 2) output pixels of landmark ``name`` (the output's labelling: in a mirrored clip the
    subject's right is the source's left) in every frame: the source frame's model landmark
    mapped through ``truth.transform``. NaN in black frames."""
    src_name = name
    if truth.mirrored:
        side, _, joint = name.partition("_")
        if side in ("left", "right"):
            src_name = f"{other(side)}_{joint}"  # type: ignore[arg-type]
    out = np.full((truth.n_frames, 2), np.nan)
    tracks = {key: track_source(key, samples_dir, cache_dir) for key in set(truth.source)}
    for i in range(truth.n_frames):
        if truth.gain[i] <= 0:
            continue
        p = tracks[truth.source[i]].px(src_name)[int(truth.source_frame[i])]
        out[i] = truth.points_to_output(i, p[None])[0]
    return out
