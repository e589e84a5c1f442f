"""The one analyzer: frames → pose → leg-swap guard → stance state machine → sway metrics.

:class:`Analyzer` consumes one frame's pose at a time; ``analyze``, ``batch`` and ``live`` all
feed it, so they find the same trials with the same numbers by construction.
:func:`analyze_video` is the offline driver; :func:`analyze_series` recomputes everything
from a saved :class:`~balance_cam.core.series.LandmarkSeries` without running pose again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from balance_cam._version import __version__
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.filtering import LegSwapGuard
from balance_cam.core.metrics import pelvis_minus_ankle_px, sway_metrics
from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.series import LandmarkSeries, PoseFrame, SeriesBuilder
from balance_cam.core.skeleton import LEG_SWAP, idx, leg_length
from balance_cam.core.stance import StanceDetector, StopReason, TrialSpan
from balance_cam.core.summary import summarize
from balance_cam.io.sources import Frame, SourceError, open_video
from balance_cam.pose.base import PoseBackend, create_backend

log = logging.getLogger(__name__)


class AnalysisError(RuntimeError):
    """The analysis cannot give a result (the message is one line for the user)."""


class NoPersonError(AnalysisError):
    """No person was found in any frame."""


FrameCallback = Callable[[Frame, "PoseFrame | None", "Analyzer"], None]


class Analyzer:
    """Online analysis of one person: call :meth:`update` per frame, :meth:`finish` once."""

    def __init__(self, width_px: int, height_px: int, config: AnalysisConfig | None = None):
        self.config = config or AnalysisConfig()
        self.size_wh = np.array([width_px, height_px], dtype=np.float64)
        self.detector = StanceDetector(self.config.stance)
        self.builder = SeriesBuilder(width_px, height_px)
        self.guard = LegSwapGuard()
        self.trials: list[Trial] = []
        self.frames_with_person = 0
        self.last_t_s = 0.0

    def update(self, t_s: float, frame_index: int, pose: PoseFrame | None) -> Trial | None:
        """Feed one frame; returns a :class:`Trial` when one ends on this frame."""
        px = vis = world = None
        if pose is not None:
            self.frames_with_person += 1
            px = pose.image[:, :2].astype(np.float64) * self.size_wh
            px, swapped = self.guard(px)
            if swapped:
                pose = PoseFrame(pose.image[list(LEG_SWAP)], pose.world[list(LEG_SWAP)])
            vis = pose.image[:, 3]
            world = pose.world[:, :3].astype(np.float64)
        self.builder.append(t_s, frame_index, pose)
        self.last_t_s = t_s
        span = self.detector.update(t_s, px, vis, world)
        return self._record(span)

    def finish(self, reason: StopReason = "end_of_video") -> Trial | None:
        """Close a trial still running at the end of the input."""
        return self._record(self.detector.finish(self.last_t_s, reason))

    def _record(self, span: TrialSpan | None) -> Trial | None:
        if span is None:
            return None
        trial = measure_trial(self.builder.build_window(span.start_s, span.end_s), span,
                              len(self.trials), self.config)  # fmt: skip
        self.trials.append(trial)
        return trial

    def series(self) -> LandmarkSeries:
        return self.builder.build()

    def result(
        self, source: dict[str, Any], model: dict[str, Any], *, warnings: Iterable[str] = (),
        complete: bool = True, extra: dict[str, Any] | None = None,
    ) -> AnalysisResult:  # fmt: skip
        return AnalysisResult(
            source=source, model=model, trials=tuple(self.trials),
            summary=summarize(self.trials, self.config.summary),
            frames_decoded=len(self.builder), frames_with_person=self.frames_with_person,
            config=self.config.to_dict(), tool_version=__version__,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            warnings=tuple(warnings), complete=complete, extra=extra or {},
        )  # fmt: skip


def measure_trial(seg: LandmarkSeries, span: TrialSpan, index: int, config: AnalysisConfig) -> Trial:
    """Sway metrics of one trial from the landmarks between its start and end."""
    stance = span.stance
    min_vis = config.stance.min_visibility
    px = seg.pixels()
    vis = seg.image[..., 3]
    hips, ankle = [idx("left", "hip"), idx("right", "hip")], idx(stance, "ankle")
    bad = (vis[:, hips].min(axis=1) < min_vis) | (vis[:, ankle] < min_vis)
    d_px = pelvis_minus_ankle_px(px, stance)
    d_px[bad] = np.nan
    ap_m = seg.world[:, ankle, 2] - seg.world[:, hips, 2].mean(axis=1)
    ap_m[bad] = np.nan
    sway, trace = sway_metrics(seg.t_s, d_px, ap_m, _leg_length(px, stance),
                               _leg_length(seg.world[..., :3], stance), config.sway)  # fmt: skip
    frames = seg.frame_index
    return Trial(
        index=index, stance=stance, start_s=span.start_s, end_s=span.end_s,
        stop_reason=span.stop_reason, sway=sway, lift_observed=span.lift_observed,
        start_frame=int(frames[0]) if len(frames) else 0,
        end_frame=int(frames[-1]) if len(frames) else 0, trace=trace,
    )  # fmt: skip


def _leg_length(points: np.ndarray, side: str) -> float:
    """Median hip→knee→ankle length of one leg over frames (units of ``points``)."""
    lengths = leg_length(points, side)  # type: ignore[arg-type]
    lengths = lengths[np.isfinite(lengths)]
    return float(np.median(lengths)) if len(lengths) else float("nan")


def run(
    frames: Iterable[Frame], backend: PoseBackend, analyzer: Analyzer,
    on_frame: FrameCallback | None = None,
) -> None:  # fmt: skip
    """Feed frames through pose and the analyzer (timestamps made strictly increasing in ms)."""
    last_ms = -1
    for frame in frames:
        t_ms = max(last_ms + 1, int(round(frame.t_s * 1000)))
        last_ms = t_ms
        pose = backend.process(frame.rgb, t_ms)
        analyzer.update(frame.t_s, frame.index, pose)
        if on_frame is not None:
            on_frame(frame, pose, analyzer)


def analyze_video(
    path: str | Path, config: AnalysisConfig | None = None, *,
    backend: PoseBackend | None = None, on_frame: FrameCallback | None = None,
) -> AnalysisResult:  # fmt: skip
    """Analyse one recorded video (or image folder) end to end; see :func:`analyze_video_series`."""
    return analyze_video_series(path, config, backend=backend, on_frame=on_frame)[0]


def analyze_video_series(
    path: str | Path, config: AnalysisConfig | None = None, *,
    backend: PoseBackend | None = None, on_frame: FrameCallback | None = None,
) -> tuple[AnalysisResult, LandmarkSeries]:  # fmt: skip
    """Analyse one recorded video (or image folder); return the result and the landmarks.

    Raises :class:`~balance_cam.io.sources.SourceError` for unreadable input and
    :class:`NoPersonError` when nobody is found. A video damaged part-way gives a result
    with ``complete = False`` and a warning, covering the frames before the damage.
    """
    config = config or AnalysisConfig()
    own_backend = backend is None
    backend = backend or create_backend(config.model)
    warnings: list[str] = []
    try:
        info, frames = open_video(path)  # after the model: a failing model leaves no file open
        analyzer = Analyzer(info.width, info.height, config)
        try:
            run(frames, backend, analyzer, on_frame)
        except SourceError as exc:
            if len(analyzer.builder) == 0:
                raise
            warnings.append(str(exc))
    finally:
        if own_backend:
            backend.close()
    analyzer.finish()
    if analyzer.frames_with_person == 0:
        raise NoPersonError(f"{path}: no person detected in {len(analyzer.builder)} frames")
    source = {**info.to_dict(), "frames_decoded": len(analyzer.builder)}
    result = analyzer.result(source, backend.info.to_dict(), warnings=warnings,
                             complete=not warnings)  # fmt: skip
    return result, analyzer.series()


def analyze_series(
    series: LandmarkSeries, config: AnalysisConfig | None = None,
    source: dict[str, Any] | None = None, model: dict[str, Any] | None = None,
) -> AnalysisResult:  # fmt: skip
    """Recompute trials and metrics from saved landmarks (no pose model needed)."""
    analyzer = Analyzer(series.width_px, series.height_px, config)
    for i in range(len(series)):
        pose = None
        if np.all(np.isfinite(series.image[i, :, :2])):
            pose = PoseFrame(series.image[i], series.world[i])
        analyzer.update(float(series.t_s[i]), int(series.frame_index[i]), pose)
    analyzer.finish()
    return analyzer.result(source or {}, model or {})


def analyze_landmarks_file(path: str | Path, config: AnalysisConfig | None = None) -> AnalysisResult:
    """Recompute a result from a saved ``.landmarks.npz`` (written by ``analyze --out``)."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: no such file")
    try:
        series = LandmarkSeries.load(p)
    except (OSError, KeyError, ValueError) as exc:
        raise SourceError(f"{p}: not a balance-cam landmarks file ({exc})") from exc
    source = {"path": str(p), "frames": len(series), "width": series.width_px,
              "height": series.height_px, "recomputed_from_landmarks": True}  # fmt: skip
    return analyze_series(series, config, source=source, model={"backend": "saved-landmarks"})
