"""The one analyzer: pose per frame → leg-swap guard → stance state machine → sway metrics.

:class:`Analyzer` takes one frame's landmarks at a time and returns a :class:`FrameStep`, the
frozen value of what it made of that frame (the corrected landmarks, the state, the running
hold, the trial that ended). ``analyze``, ``batch`` and ``live`` all feed it, so they find the
same trials with the same numbers by construction; overlays draw from the step, never from
the analyzer's insides. :func:`analyze_series` recomputes a result from saved landmarks.

Data path of one frame: ``PoseFrame`` (normalised image landmarks + world landmarks) →
:class:`~balance_cam.core.filtering.LegSwapGuard` (pixels) →
:class:`~balance_cam.core.stance.StanceDetector` (events) → at a trial's end
:func:`measure_trial` (:mod:`balance_cam.core.metrics`) → :class:`~balance_cam.core.results.Trial`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from balance_cam._version import __version__
from balance_cam.core.camera import CameraMotion, summarize_motion, to_reference_px
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.filtering import LegSwapGuard
from balance_cam.core.framing import (
    bridged_warnings,
    feet_out_warning,
    low_frame_rate_warning,
    refound_warnings,
)
from balance_cam.core.metrics import instant_ml_cm, pelvis_minus_ankle_px, sway_metrics
from balance_cam.core.quality import hands_on_hips_stop, trial_quality
from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.series import LandmarkSeries, PoseFrame, SeriesBuilder
from balance_cam.core.skeleton import HIPS, LEG_SWAP, Side, idx, leg_length
from balance_cam.core.stance import StanceDetector
from balance_cam.core.start import untimed_warning
from balance_cam.core.stops import StopReason, TrialSpan, counted
from balance_cam.core.summary import summarize


@dataclass(frozen=True)
class FrameStep:
    """What the analyzer made of one frame (returned by :meth:`Analyzer.update`)."""

    t_s: float
    frame_index: int
    pose: PoseFrame | None
    """The landmarks after the leg-swap guard (None: nobody found in this frame)."""
    landmarks_px: np.ndarray | None
    """(33, 2) image pixels of ``pose`` (x right, y down)."""
    swapped: bool
    """The guard exchanged the legs' labels in this frame."""
    state: str
    """The state machine's state: ``no_person``, ``ready``, ``holding`` or ``wait_foot_down``."""
    stance: Side | None
    """The stance leg of the running trial (None past its time limit, while the detector still
    watches for its end)."""
    hold_s: float
    """Hold time so far of the running trial (0 when none is running)."""
    ml_cm: float
    """Medio-lateral sway of this frame, unfiltered, as :func:`~balance_cam.core.metrics.instant_ml_cm`
    (NaN outside a trial or without the landmarks it needs)."""
    ended: Trial | None = None
    """The trial that was confirmed to have ended on this frame, if any."""

    @property
    def image_norm(self) -> np.ndarray | None:
        """(33, 4) normalised image landmarks (x, y, z, visibility) after the guard."""
        return None if self.pose is None else self.pose.image

    @property
    def visibility(self) -> np.ndarray | None:
        return None if self.pose is None else self.pose.image[:, 3]


class Analyzer:
    """Online analysis of one person: :meth:`update` per frame, :meth:`finish` once at the end."""

    def __init__(self, width_px: int, height_px: int, config: AnalysisConfig | None = None):
        self.config = config or AnalysisConfig()
        self._size_wh = np.array([width_px, height_px], dtype=np.float64)
        self._detector = StanceDetector(self.config.stance)
        self._builder = SeriesBuilder(width_px, height_px)
        self._guard = LegSwapGuard()
        self._trials: list[Trial] = []
        self._discarded: set[int] = set()
        self._shot = 0
        self._cuts_s: list[float] = []
        self._untimed: list[str] = []  # warnings: shots that ended with a foot held low, untimed
        self.frames_with_person = 0
        self.last_t_s = 0.0

    # -- per frame ----------------------------------------------------------------------------
    def update(
        self, t_s: float, frame_index: int, pose: PoseFrame | None, camera: CameraMotion | None = None,
        cut: bool = False,
    ) -> FrameStep:  # fmt: skip
        """Feed one frame's landmarks (None when nobody was found); see :class:`FrameStep`.

        ``camera``: the camera's motion onto the shot's reference frame; stance detection and
        sway then run in that stabilised frame. ``cut``: this frame starts a new shot (an
        edited video): a running trial ends at the last frame before it and nothing carries over.
        """
        ended = None
        if cut and self.frames_seen:
            self._note_untimed(self._shot + 1)
            ended = self._record(self._detector.new_shot())
            self._guard = LegSwapGuard()
            self._shot += 1
            self._cuts_s.append(t_s)
        px = stable = vis = world = None
        swapped = False
        if pose is not None:
            self.frames_with_person += 1
            px, swapped = self._guard(pose.image[:, :2].astype(np.float64) * self._size_wh)
            if swapped:
                pose = _legs_swapped(pose)
            stable = px if camera is None else to_reference_px(px, camera.to_ref)
            if self._detector.labels_crossed(stable):  # a swap the frame-to-frame guard missed
                px, stable, swapped = px[list(LEG_SWAP)], stable[list(LEG_SWAP)], True
                pose = _legs_swapped(pose)
                self._guard.accept(px)
            vis = pose.image[:, 3]
            world = pose.world[:, :3].astype(np.float64)
        self._builder.append(t_s, frame_index, pose, None if camera is None else camera.to_ref,
                             True if camera is None else camera.ok, self._shot)  # fmt: skip
        self.last_t_s = t_s
        ended = self._record(self._detector.update(t_s, stable, vis, world)) or ended
        det = self._detector
        stance = det.stance if det.state == "holding" else None  # not a trial reported at its limit
        hold_s = det.elapsed_s(t_s) if stance else 0.0
        return FrameStep(t_s, frame_index, pose, px, swapped, det.state, stance, hold_s,
                         self._ml_cm(stable, stance), ended)  # fmt: skip

    def _ml_cm(self, px: np.ndarray | None, stance: Side | None) -> float:
        f = self._detector.last_features
        if px is None or stance is None or f is None or not f.valid:
            return float("nan")
        return instant_ml_cm(px, stance, f.leg_length_px, f.leg_length_w, self.config.sway.height_cm)

    def stop(self) -> Trial | None:
        """End the running trial now ("stopped": the user or operator stopped it)."""
        return self.finish("stopped")

    def finish(self, reason: StopReason = "end_of_video") -> Trial | None:
        """Close a trial still running at the end of the input."""
        self._note_untimed(self._shot + 1 if self._cuts_s else None)
        return self._record(self._detector.finish(self.last_t_s, reason))

    def _note_untimed(self, shot: int | None) -> None:
        """The shot (or video) ending with a foot read raised low all along and no trial
        (:meth:`~balance_cam.core.start.LowStart.untimed`): say so in the result."""
        untimed = self._detector.low.untimed()
        warning = None if untimed is None else untimed_warning(*untimed, shot=shot)
        if warning is not None and warning not in self._untimed:
            self._untimed.append(warning)

    def discard(self, index: int) -> None:
        """Leave trial ``index`` out of the result (a live "redo")."""
        self._discarded.add(index)

    def _record(self, span: TrialSpan | None) -> Trial | None:
        if span is None:
            return None
        trial = measure_trial(self._builder.build_window(span.start_s, span.end_s), span,
                              len(self._trials), self.config)  # fmt: skip
        self._trials.append(trial)
        return trial

    # -- reading ------------------------------------------------------------------------------
    @property
    def trials(self) -> tuple[Trial, ...]:
        """Every trial found so far, discarded ones included, in time order."""
        return tuple(self._trials)

    @property
    def state(self) -> str:
        return self._detector.state

    @property
    def frames_seen(self) -> int:
        return len(self._builder)

    def trial_series(self, trial: Trial) -> LandmarkSeries:
        """The (corrected) landmarks between a trial's start and end."""
        return self._builder.build_window(trial.start_s, trial.end_s)

    def series(self) -> LandmarkSeries:
        """Every frame's (corrected) landmarks so far."""
        return self._builder.build()

    def video_checks(self, series: LandmarkSeries | None = None) -> tuple[dict[str, Any], list[str]]:
        """The ``camera`` and ``shots`` blocks of the result, and the warnings they call for: cuts,
        feet outside the picture and a low frame rate (:mod:`balance_cam.core.framing`), a camera
        that moved too much. ``series``: every frame's landmarks, if the caller has built them."""
        series = self._builder.build() if series is None else series
        assert series.to_ref is not None and series.camera_ok is not None
        summary = summarize_motion(series.to_ref, series.camera_ok, (series.width_px, series.height_px))
        blocks: dict[str, Any] = {"camera": summary.to_dict(),
                                  "shots": {"count": self._shot + 1, "cuts_s": self._cuts_s}}  # fmt: skip
        warnings = []
        cuts = self._cuts_s
        if cuts:
            at = ", ".join(f"{t:.1f}" for t in cuts[:10]) + (" …" if len(cuts) > 10 else "")
            warnings.append(f"edited video: {len(cuts)} cut(s) at {at} s; holds are timed within shots")
        warnings += [w for w in (feet_out_warning(series.image), low_frame_rate_warning(series.t_s)) if w]
        if not summary.sway_trusted:
            why = "; ".join(summary.reasons)
            warnings.append(f"the camera moved too much to trust the sway measures ({why}); hold "
                            "times are measured in the stabilised picture")  # fmt: skip
        return blocks, warnings

    def result(
        self, source: dict[str, Any], model: dict[str, Any], *, warnings: Iterable[str] = (),
        complete: bool = True, extra: dict[str, Any] | None = None,
    ) -> AnalysisResult:  # fmt: skip
        """The result of everything fed so far (discarded trials left out), with the camera and
        shot checks and their warnings."""
        series = self._builder.build()
        blocks, checks = self.video_checks(series)
        kept = tuple(t for t in self._trials if t.index not in self._discarded)
        min_vis = self.config.stance.min_visibility
        lost = refound_warnings(kept, series.t_s, series.image, self._cuts_s, min_vis)
        lost += bridged_warnings(kept, series.t_s, series.image, min_vis, self.config.stance.grace_s)
        warnings = (*warnings, *checks, *_unseen_lift_warnings(kept, self._cuts_s), *lost, *self._untimed,
                    *_cut_short_warnings(kept))  # fmt: skip
        extra = {**blocks, **(extra or {})}
        return AnalysisResult(
            source=source, model=model, trials=kept,
            summary=summarize(kept, self.config.summary),
            frames_decoded=len(self._builder), frames_with_person=self.frames_with_person,
            config=self.config.to_dict(), tool_version=__version__,
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            warnings=tuple(warnings), complete=complete, extra=extra or {},
        )  # fmt: skip


def _cut_short_warnings(trials: Iterable[Trial]) -> list[str]:
    """A trial the session cut short (:data:`~balance_cam.core.stops.UNFINISHED`) is kept, with a
    warning that it counts nowhere in the summary."""
    return [f"trial {t.index + 1} ({t.stance} leg, {t.hold_s:.1f} s) was cut short when the session "
            "ended: it is kept but not counted in the summary"
            for t in trials if not counted(t.stop_reason)]  # fmt: skip


def _unseen_lift_warnings(trials: Iterable[Trial], cuts_s: list[float]) -> list[str]:
    """A trial already on one leg in the first frames with a person (lift not seen, before any cut:
    after a cut that is the within-shot policy) is a lower bound, and may be no hold at all:
    feet staggered in depth under a camera tilted down read as one foot up (docs/accuracy.md,
    "negative: two feet cam04")."""
    first_cut = cuts_s[0] if cuts_s else float("inf")
    return [f"trial {t.index + 1} ({t.stance} leg) was already on one leg in the first frames "
            "with a person (lift not seen): its hold is a lower bound; if both feet were down, "
            "it is not a hold. Start the recording on two feet."
            for t in trials if not t.lift_observed and t.start_s < first_cut]  # fmt: skip


def measure_trial(seg: LandmarkSeries, span: TrialSpan, index: int, config: AnalysisConfig) -> Trial:
    """Sway metrics and balance quality of one trial from the landmarks between its start and
    end (the hands-on-hips rule may end it earlier: :mod:`balance_cam.core.quality`)."""
    span = hands_on_hips_stop(seg, span, config)
    seg = seg.between(span.start_s, span.end_s)
    stance = span.stance
    min_vis = config.stance.min_visibility
    px = seg.stabilised_pixels()
    vis = seg.image[..., 3]
    hips, ankle = list(HIPS), idx(stance, "ankle")
    bad = (vis[:, hips].min(axis=1) < min_vis) | (vis[:, ankle] < min_vis)
    d_px = pelvis_minus_ankle_px(px, stance)
    d_px[bad] = np.nan
    ap_m = seg.world[:, ankle, 2] - seg.world[:, hips, 2].mean(axis=1)
    ap_m[bad] = np.nan
    sway, trace = sway_metrics(seg.t_s, d_px, ap_m, _median_leg_length(px, stance),
                               _median_leg_length(seg.world[..., :3], stance), config.sway)  # fmt: skip
    frames = seg.frame_index
    return Trial(
        index=index, stance=stance, start_s=span.start_s, end_s=span.end_s,
        stop_reason=span.stop_reason, sway=sway, lift_observed=span.lift_observed,
        start_frame=int(frames[0]) if len(frames) else 0,
        end_frame=int(frames[-1]) if len(frames) else 0, trace=trace,
        **trial_quality(seg, span, trace, config),
    )  # fmt: skip


def _legs_swapped(pose: PoseFrame) -> PoseFrame:
    """``pose`` with the left and right legs' landmarks exchanged."""
    return PoseFrame(pose.image[list(LEG_SWAP)], pose.world[list(LEG_SWAP)])


def _median_leg_length(points: np.ndarray, side: Side) -> float:
    """Median hip→knee→ankle length of one leg over frames (units of ``points``)."""
    lengths = leg_length(points, side)
    lengths = lengths[np.isfinite(lengths)]
    return float(np.median(lengths)) if len(lengths) else float("nan")


def analyze_series(
    series: LandmarkSeries, config: AnalysisConfig | None = None,
    source: dict[str, Any] | None = None, model: dict[str, Any] | None = None,
) -> AnalysisResult:  # fmt: skip
    """Recompute trials and metrics from saved landmarks (no pose model needed)."""
    analyzer = Analyzer(series.width_px, series.height_px, config)
    assert series.to_ref is not None and series.camera_ok is not None and series.shot is not None
    for i in range(len(series)):
        pose = None
        if np.all(np.isfinite(series.image[i, :, :2])):
            pose = PoseFrame(series.image[i], series.world[i])
        camera = CameraMotion(series.to_ref[i], ok=bool(series.camera_ok[i]))
        cut = i > 0 and series.shot[i] != series.shot[i - 1]
        analyzer.update(float(series.t_s[i]), int(series.frame_index[i]), pose, camera, cut)
    analyzer.finish()
    return analyzer.result(source or {}, model or {})
