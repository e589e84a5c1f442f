"""A live guided session: camera (or a file standing in for one) → analyzer → window → history.

The session feeds every frame it processes to the one :class:`~balance_cam.core.analyzer.Analyzer`
through :func:`balance_cam.apps.analyze.run`, exactly as ``analyze`` does, so a file given as
the camera yields the same trials with the same numbers. :class:`GuidedProtocol` only *guides*.
Keys: space starts/skips (and stops a running trial), ``r`` redoes the last trial, ``q``/Esc
quits; closing the window quits.

Every finished trial is committed to the history at once with its landmarks; the session row
is completed at the end, or left marked incomplete when the session was interrupted. The
history never stops a session (:class:`~balance_cam.apps.saving.RecordingHistory`): when it
cannot be written, the session is kept in a fallback file named on stderr.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from balance_cam.apps.analyze import picture_checks, run
from balance_cam.apps.live.cues import Cue, CueSchedule, ProtocolSnapshot
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.protocol import GuidedProtocol, framing_check, posture_words
from balance_cam.apps.live.window import LiveDisplay
from balance_cam.apps.signals import deferred
from balance_cam.core.analyzer import Analyzer, FrameStep
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.filtering import OneEuroFilter
from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.series import LandmarkSeries
from balance_cam.io.sources import Frame, SourceError

log = logging.getLogger(__name__)


@dataclass
class LiveStats:
    """Real-time behaviour of one session."""

    frames_processed: int = 0
    frames_captured: int = 0
    dropped_frames: int = 0
    wall_s: float = 0.0
    _recent: deque[float] = field(default_factory=lambda: deque(maxlen=30))

    @property
    def achieved_fps(self) -> float:
        return self.frames_processed / self.wall_s if self.wall_s > 0 else float("nan")

    def recent_fps(self) -> float:
        r = self._recent
        return (len(r) - 1) / (r[-1] - r[0]) if len(r) > 1 and r[-1] > r[0] else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"achieved_fps": round(self.achieved_fps, 2) if self.wall_s > 0 else None,
                "frames_processed": self.frames_processed,
                "frames_captured": self.frames_captured, "dropped_frames": self.dropped_frames,
                "wall_s": round(self.wall_s, 3)}  # fmt: skip


@dataclass(frozen=True)
class LiveOutcome:
    """What a session produced; ``error`` is set when the camera failed mid-session."""

    result: AnalysisResult
    series: LandmarkSeries
    session_id: int
    db_path: Path
    interrupted: bool = False
    error: str | None = None
    fallback: Path | None = None
    """The file the session was kept in when the history could not take it (named on stderr)."""


CueCallback = Callable[[Cue], None]
"""Gets each :class:`~balance_cam.apps.live.cues.Cue` of the session's cue schedule (e.g. an
:class:`~balance_cam.render.audio.AudioCues`, which returns at once)."""
ShownCallback = Callable[["Frame | None", "LiveSession"], None]
"""Called after each displayed frame (``None`` while the result card is shown); for tests."""


class LiveSession:
    """One live session; :meth:`run` does everything and returns a :class:`LiveOutcome`."""

    def __init__(self, options: LiveOptions, config: AnalysisConfig | None = None, *,
                 backend: Any = None, capture_factory: Any = None,
                 on_cue: CueCallback | None = None,
                 on_shown: ShownCallback | None = None,
                 on_start: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.options = options
        self.config = config or AnalysisConfig()
        self._backend = backend
        self._capture_factory = capture_factory
        self.on_cue, self.on_shown, self.on_start = on_cue, on_shown, on_start
        self.protocol = GuidedProtocol(options.legs, options.trials_per_leg, options.countdown_s,
                                       options.rest_s, options.framing_hold_s,
                                       posture_words(self.config.test))  # fmt: skip
        self.stats = LiveStats()
        self.schedule = CueSchedule()
        self.quit = False
        self.quit_reason = ""
        self._seen = self._discards_applied = 0
        self.last_step: FrameStep | None = None
        self.sway: deque[tuple[float, float]] = deque(maxlen=1200)
        self._sway_filter = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)

    # -- setup ------------------------------------------------------------------------------
    def _open_source(self) -> tuple[Any, dict[str, Any], int, int]:
        """(frames iterable, source dict, width, height) for a file or a camera."""
        if self.options.is_file:
            from balance_cam.io.sources import open_video

            info, frames = open_video(self.options.camera)
            return frames, info.to_dict(), info.width, info.height
        from balance_cam.io.camera import CameraSource

        cam = CameraSource(int(self.options.camera), capture_factory=self._capture_factory).open()
        self.camera = cam
        return cam, cam.info(), cam.width_px, cam.height_px

    def run(self) -> LiveOutcome:
        """Run the session to its end (plan done, end of file, quit, or camera failure)."""
        from balance_cam.apps.saving import RecordingHistory
        from balance_cam.pose.factory import create_backend

        self.camera: Any = None
        frames, source, w, h = self._open_source()
        try:
            self.display = LiveDisplay(self.options, w, h) if self.options.window else None
            backend = self._backend or create_backend(self.config.model)
            try:
                with RecordingHistory(self.options.db, extra_dirs=self.options.fallback_dirs) as history:
                    return self._run(frames, source, w, h, backend, history)
            finally:
                if self._backend is None:
                    backend.close()
        finally:
            if self.camera is not None:
                self.camera.close()

    def _run(self, frames: Any, source: dict[str, Any], w: int, h: int, backend: Any,
             history: Any) -> LiveOutcome:  # fmt: skip
        self.analyzer = analyzer = Analyzer(w, h, self.config)
        self.history, self.session_id = history, history.start_session(
            self.options.athlete, "live", str(source.get("path", "")))  # fmt: skip
        if self.on_start is not None:  # camera, window, model and history are open
            self.on_start()
        interrupted, error = False, None
        t0 = time.perf_counter()
        try:
            run(self._frames(frames), backend, analyzer, self._on_frame,
                checks=picture_checks(self.config) if self.options.is_file else None,
                threaded=self.options.is_file)  # a live camera: a still laptop or tripod, its own reader
        except SourceError as exc:  # camera unplugged, or a file standing in for it is damaged
            error = str(exc)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self.stats.wall_s = time.perf_counter() - t0
            if self.camera is not None:
                self.stats.frames_captured = self.camera.captured
                self.stats.dropped_frames = self.camera.dropped
            else:
                self.stats.frames_captured = self.stats.frames_processed
        with deferred():  # the session is stored and closed whole, whatever signal arrives now
            return self._close(source, backend, interrupted, error)

    def _frames(self, frames: Any) -> Iterator[Frame]:
        for frame in frames:
            if self.quit:
                return
            yield frame

    # -- per frame --------------------------------------------------------------------------
    def _on_frame(self, frame: Frame, step: FrameStep) -> None:
        self.stats.frames_processed += 1
        self.stats._recent.append(time.perf_counter())
        self.last_step = step
        new = self._save_new_trials()
        framing = framing_check(step.image_norm, self.config.stance.min_visibility)
        self._track_sway(step)
        self.protocol.update(frame.t_s, framing, step.state, new)
        self._apply_discards()
        self._cue(self.schedule.step(frame.t_s, ProtocolSnapshot.of(self.protocol, frame.t_s)))
        if self.display is not None:
            self._show(frame, step)
        if self.protocol.phase == "done" and not self.options.is_file:
            self.quit, self.quit_reason = True, self.quit_reason or "done"

    def _cue(self, cues: list[Cue]) -> None:
        if self.on_cue is not None:
            for cue in cues:
                self.on_cue(cue)

    def _save_new_trials(self) -> list[Trial]:
        """Commit every trial the analyzer finished since the last call to the history."""
        trials = self.analyzer.trials[self._seen:]
        self._seen = len(self.analyzer.trials)
        for trial in trials:
            self.history.add_trial(self.session_id, trial, self.analyzer.trial_series(trial))
            log.info("trial %d saved: %s leg, %.2f s (%s)", trial.index, trial.stance,
                     trial.hold_s, trial.stop_reason)  # fmt: skip
        return list(trials)

    def _apply_discards(self) -> None:
        """Trials the protocol discarded (redo) leave the result and the history."""
        for index in self.protocol.discarded[self._discards_applied:]:
            self.analyzer.discard(index)
            self.history.discard_trial(self.session_id, index)
        self._discards_applied = len(self.protocol.discarded)

    def _track_sway(self, step: FrameStep) -> None:
        """Live sway trace: the step's medio-lateral sway (as the offline metric measures it),
        smoothed causally with a One-Euro filter (display only; the trial's metrics use the
        zero-phase filter)."""
        if step.stance is None:
            self.sway.clear()
            self._sway_filter = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)
            return
        if np.isfinite(step.ml_cm):
            self.sway.append((step.t_s, float(self._sway_filter(step.t_s, step.ml_cm))))

    def hold_s(self, step: FrameStep) -> float:
        """The timer value: running hold, or the last trial's hold while stopped."""
        if step.state == "holding":
            return step.hold_s
        last = self.protocol.last_trial
        return last.hold_s if last is not None and self.protocol.phase == "stopped" else 0.0

    def _show(self, frame: Frame, step: FrameStep) -> None:
        assert self.display is not None
        dropped = self.camera.dropped if self.camera is not None else None
        shown = self.display.render(frame, step, self.protocol.view(frame.t_s), self.hold_s(step),
                                    self.config.stance.limit_s, self.sway, self.stats.recent_fps(),
                                    dropped)  # fmt: skip
        key = self.display.show(shown)
        self._on_key(key, frame.t_s)
        if self.on_shown is not None:
            self.on_shown(frame, self)

    def _on_key(self, key: str | None, t_s: float) -> None:
        if key is None:
            return
        if key in ("q", "esc", "closed"):
            self.quit, self.quit_reason = True, "quit"
        elif key == "space" and self.protocol.phase == "holding":
            if self.analyzer.stop() is not None:  # ends the running trial now
                self.protocol.update(t_s, self.protocol.framing, "ready", self._save_new_trials())
                self._apply_discards()
        elif key == "space":
            self.protocol.skip(t_s)
        elif key == "r":
            self.protocol.redo(t_s)
            self._apply_discards()

    # -- end --------------------------------------------------------------------------------
    def _close(self, source: dict[str, Any], backend: Any, interrupted: bool,
               error: str | None) -> LiveOutcome:  # fmt: skip
        ended_by_file = self.options.is_file and not self.quit and not interrupted and not error
        self.analyzer.finish("end_of_video" if ended_by_file else "interrupted")  # quit, signal, error
        t_end = self.analyzer.last_t_s
        self.protocol.update(t_end, self.protocol.framing, "ready", self._save_new_trials())
        self._apply_discards()
        self._cue(self.schedule.finish(t_end, ProtocolSnapshot.of(self.protocol, t_end)))
        complete = not interrupted and error is None and (
            ended_by_file or self.quit_reason == "done")  # fmt: skip
        result = self._result(source, backend, complete, error, interrupted)
        self.history.finish_session(self.session_id, result, complete=complete)
        if self.display is not None:
            if not interrupted:
                self.display.show_card(result, self.options.card_s,
                                       None if self.on_shown is None else lambda: self.on_shown(None, self))
            self.display.close()
        return LiveOutcome(result, self.analyzer.series(), self.session_id, self.history.path,
                           interrupted, error, self.history.fallback)  # fmt: skip

    def _result(self, source: dict[str, Any], backend: Any, complete: bool, error: str | None,
                interrupted: bool) -> AnalysisResult:  # fmt: skip
        warnings = [w for w in (error, "interrupted" if interrupted else None) if w]
        if self.options.is_file:
            source = {**source, "frames_decoded": self.analyzer.frames_seen}
        extra = {"live": {**self.stats.to_dict(), "session_id": self.session_id,
                          "discarded_trials": list(self.protocol.discarded),
                          "legs": list(self.options.legs),
                          "trials_per_leg": self.options.trials_per_leg,
                          "protocol_done": self.protocol.leg is None}}  # fmt: skip
        return self.analyzer.result(source, backend.info.to_dict(), warnings=warnings,
                                    complete=complete, extra=extra)  # fmt: skip


def run_live(options: LiveOptions, config: AnalysisConfig | None = None,
             **kwargs: Any) -> LiveOutcome:  # fmt: skip
    """Run one live session (see :class:`LiveSession` for the keyword arguments)."""
    return LiveSession(options, config, **kwargs).run()
