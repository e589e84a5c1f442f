"""Live guided single-leg stance test: camera (or a file standing in for one) → overlay → history.

The session feeds every frame it processes to the one :class:`~balance_cam.apps.analyze.Analyzer`
through :func:`balance_cam.apps.analyze.run`, exactly as ``analyze`` does, so a file given as the
camera yields the same trials with the same numbers. On top of it, :class:`GuidedProtocol`
only *guides* (what to do next, which leg, countdown, rest); timing always starts at the
lift the analyzer detects (back-dated to the frame the foot left the floor), never at the
countdown.

Protocol (clinical unipedal stance test, best of N per leg, e.g. Springer et al. 2007):
framing check (hips, knees and both ankles visible, body large enough) → for each planned
trial, legs alternating: prompt "stand on your LEFT leg, lift your RIGHT foot" → countdown →
"go" → holding (timer) → stopped (reason) → rest → next. A trial that reaches the time
limit ends that leg's remaining trials (its best cannot improve). Keys: space starts/skips
(and stops a running trial), ``r`` redoes the last trial, ``q``/Esc quits; closing the
window quits.

Every finished trial is committed to the history at once with its landmarks; the session row
is completed at the end, or left marked incomplete when the session was interrupted.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from balance_cam.apps.analyze import Analyzer, run
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.filtering import OneEuroFilter
from balance_cam.core.metrics import instant_ml_cm
from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.series import LandmarkSeries, PoseFrame
from balance_cam.core.skeleton import INDEX, Side, idx, other
from balance_cam.core.summary import summarize
from balance_cam.io.sources import Frame, SourceError

log = logging.getLogger(__name__)

Phase = Literal["framing", "countdown", "go", "holding", "stopped", "done"]
Tone = Literal["info", "good", "warn", "bad"]

STOP_WORDS = {
    "touchdown": "foot down", "stance_foot_moved": "stance foot moved",
    "lost_tracking": "left the picture", "time_limit": "time limit reached",
    "end_of_video": "end of video", "stopped": "stopped",
}  # fmt: skip


class LiveError(RuntimeError):
    """The live session cannot run as asked (one line for the user)."""


# -- framing check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Framing:
    """Whether the whole body is usable for the test, and what to tell the person if not."""

    ok: bool
    hint: str
    height_frac: float = float("nan")  # head-to-heel height as a fraction of the image height


_NEEDED = tuple(idx(s, j) for s in ("left", "right") for j in ("hip", "knee", "ankle"))
_TOP = (INDEX["nose"], INDEX["left_shoulder"], INDEX["right_shoulder"])
_BOTTOM = tuple(idx(s, j) for s in ("left", "right") for j in ("ankle", "heel", "foot_index"))


def framing_check(
    image_norm: np.ndarray | None, min_visibility: float = 0.5,
    min_height_frac: float = 0.45, max_height_frac: float = 0.97,
) -> Framing:  # fmt: skip
    """Check one frame's landmarks (33, 4: x, y normalised, y down; z; visibility).

    OK when hips, knees and ankles are visible inside the image and the body (nose to lowest
    foot point) spans ``min_height_frac``..``max_height_frac`` of the image height.
    """
    if image_norm is None or not np.all(np.isfinite(image_norm[:, :2])):
        return Framing(False, "Step into the picture: whole body, facing the camera")
    xy, vis = image_norm[:, :2], image_norm[:, 3]
    inside = (xy >= 0.0).all(axis=1) & (xy <= 1.0).all(axis=1) & (vis >= min_visibility)
    height = float(xy[list(_BOTTOM), 1].max() - xy[list(_TOP), 1].min())
    if not inside[[idx("left", "ankle"), idx("right", "ankle")]].all():
        return Framing(False, "Step back until both feet are in the picture", height)
    if not inside[list(_NEEDED)].all():
        return Framing(False, "Face the camera: hips and knees must be visible", height)
    if xy[list(_TOP), 1].min() < 0.0:
        return Framing(False, "Step back: your head is cut off", height)
    if height < min_height_frac:
        return Framing(False, "Come a little closer to the camera", height)
    if height > max_height_frac:
        return Framing(False, "Step back a little", height)
    return Framing(True, "Good - hold still", height)


# -- guided protocol --------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtocolView:
    """What the overlay shows about the protocol this frame."""

    phase: Phase
    headline: str
    detail: str
    tone: Tone
    leg: Side | None
    countdown: int | None = None


def trial_plan(legs: Sequence[Side], trials_per_leg: int) -> list[Side]:
    """Planned stance legs in order: legs alternate trial by trial (L, R, L, R, ...)."""
    return [leg for _ in range(trials_per_leg) for leg in legs]


class GuidedProtocol:
    """The guidance state machine, driven by frame times (never the wall clock).

    It does not detect anything: :meth:`update` gets the analyzer's state and the trials the
    analyzer finished, and decides what to ask for next.
    """

    def __init__(self, legs: Sequence[Side] = ("left", "right"), trials_per_leg: int = 3,
                 countdown_s: float = 3.0, rest_s: float = 5.0,
                 framing_hold_s: float = 1.0) -> None:  # fmt: skip
        if trials_per_leg < 1:
            raise ValueError(f"trials per leg must be at least 1, but got {trials_per_leg}")
        self.plan: list[Side] = trial_plan(legs, trials_per_leg)
        self.countdown_s, self.rest_s, self.framing_hold_s = countdown_s, rest_s, framing_hold_s
        self.phase: Phase = "framing"
        self.since_s = 0.0
        self.framed_since: float | None = None
        self.framing = Framing(False, "Step into the picture")
        self.last_trial: Trial | None = None
        self.kept: list[Trial] = []
        self.discarded: list[int] = []
        self.discard_next = False
        self.note = ""
        self._t_prev = 0.0

    @property
    def leg(self) -> Side | None:
        """The stance leg asked for now (None when the plan is done)."""
        return self.plan[0] if self.plan else None

    def _go(self, phase: Phase, t_s: float) -> None:
        self.phase, self.since_s = phase, t_s

    def update(self, t_s: float, framing: Framing, detector_state: str,
               new_trials: Sequence[Trial] = ()) -> list[str]:  # fmt: skip
        """Advance one frame; returns cues for sound (``tick``, ``go``, ``stop``, ``done``)."""
        self.framing = framing
        cues = [c for trial in new_trials for c in self._on_trial(trial, t_s)]
        if self.phase == "holding" and detector_state != "holding" and not new_trials:
            self.note = "Too short to count - try again"
            self._go("go", t_s)
        elif detector_state == "holding" and self.phase in ("framing", "countdown", "go"):
            self._go("holding", t_s)
        cues += self._advance(t_s, framing)
        self._t_prev = t_s
        return cues

    def _advance(self, t_s: float, framing: Framing) -> list[str]:
        if self.phase == "framing":
            self.framed_since = (self.framed_since or t_s) if framing.ok else None
            if self.framed_since is not None and t_s - self.framed_since >= self.framing_hold_s:
                return self._start_countdown(t_s)
        elif self.phase == "countdown":
            t_prev = max(self._t_prev, self.since_s)
            left_before = math.ceil(self.countdown_s - (t_prev - self.since_s))
            left_now = math.ceil(self.countdown_s - (t_s - self.since_s))
            if left_now <= 0:
                self._go("go", t_s)
                return ["go"]
            if left_now < left_before:
                return ["tick"]
        elif self.phase == "stopped" and t_s - self.since_s >= self.rest_s:
            return self.skip(t_s)
        return []

    def _start_countdown(self, t_s: float) -> list[str]:
        if self.leg is None:
            self._go("done", t_s)
            return ["done"]
        self.note = ""
        self._go("countdown", t_s)
        return ["tick"]

    def _on_trial(self, trial: Trial, t_s: float) -> list[str]:
        if self.discard_next:
            self.discard_next = False
            self.discarded.append(trial.index)
            self.note = "Trial discarded - again"
            self._go("stopped", t_s)
            return ["stop"]
        self.kept.append(trial)
        self.last_trial = trial
        asked = self.leg
        if trial.stance in self.plan:
            self.plan.remove(trial.stance)
        if trial.stop_reason == "time_limit":  # best cannot improve: skip the rest of that leg
            self.plan = [leg for leg in self.plan if leg != trial.stance]
        self.note = "" if asked in (None, trial.stance) else (
            f"That was your {trial.stance.upper()} leg")  # fmt: skip
        self._go("stopped", t_s)
        return ["stop"]

    # -- keys -----------------------------------------------------------------------------
    def skip(self, t_s: float) -> list[str]:
        """Space: start now / skip the countdown / skip the rest."""
        if self.phase in ("framing", "stopped"):
            return self._start_countdown(t_s)
        if self.phase == "countdown":
            self._go("go", t_s)
            return ["go"]
        return []

    def redo(self, t_s: float) -> Trial | None:
        """``r``: discard the running trial when it ends, or the last finished one (returned)."""
        if self.phase == "holding":
            self.discard_next = True
            return None
        if self.last_trial is None or self.last_trial not in self.kept:
            return None
        trial = self.last_trial
        self.kept.remove(trial)
        self.discarded.append(trial.index)
        self.plan.insert(0, trial.stance)  # type: ignore[arg-type]
        self.last_trial = None
        self.note = f"Trial {trial.index + 1} discarded"
        self._start_countdown(t_s)
        return trial

    # -- view -----------------------------------------------------------------------------
    def view(self, t_s: float, hold_s: float = 0.0) -> ProtocolView:
        """Headline, instruction and colour of the state banner."""
        leg = self.leg
        ask = (f"Stand on your {leg.upper()} leg, lift your {other(leg).upper()} foot"
               if leg else "")  # fmt: skip
        p = self.phase
        if p == "framing":
            return ProtocolView(p, "getting ready", self.framing.hint,
                                "good" if self.framing.ok else "warn", leg)  # fmt: skip
        if p == "countdown":
            n = max(1, math.ceil(self.countdown_s - (t_s - self.since_s)))
            return ProtocolView(p, f"get ready: {n}", ask, "info", leg, countdown=n)
        if p == "go":
            return ProtocolView(p, "go - lift your foot", self.note or ask, "info", leg)
        if p == "holding":
            return ProtocolView(p, "holding", "Keep still - stand tall", "good", leg)
        if p == "stopped":
            t = self.last_trial
            head = (f"stopped: {STOP_WORDS.get(t.stop_reason, t.stop_reason)}, {t.hold_s:.1f} s"
                    if t is not None and not self.discard_next and t in self.kept
                    else "stopped")  # fmt: skip
            rest = max(0, math.ceil(self.rest_s - (t_s - self.since_s)))
            detail = self.note or (f"Rest {rest} s - next: {leg.upper()} leg" if leg
                                   else "All trials done")  # fmt: skip
            return ProtocolView(p, head, detail, "warn", leg)
        return ProtocolView(p, "done", "Press any key to close", "info", None)


# -- session ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveOptions:
    """How a live session runs (the CLI fills this from its options)."""

    camera: str = "0"
    """Camera index, or a video file / image folder standing in for the camera."""
    legs: tuple[Side, ...] = ("left", "right")
    trials_per_leg: int = 3
    athlete: str = ""
    window: bool = True
    db: Path | None = None
    countdown_s: float = 3.0
    rest_s: float = 5.0
    framing_hold_s: float = 1.0
    card_s: float = 15.0
    """With a window, the result card stays this long at the end (any key closes it)."""
    mirror: bool | None = None
    """Show a mirror image (default: yes for a camera, no for a file)."""
    display_max_px: int = 960
    """The window is scaled down so its longer side is at most this many pixels."""

    @property
    def is_file(self) -> bool:
        return not self.camera.strip().isdigit()


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


CueCallback = Callable[[str], None]
ShownCallback = Callable[["Frame | None", Analyzer, "LiveSession"], None]
"""Called after each displayed frame (``None`` while the result card is shown); for tests."""


class LiveSession:
    """One live session; :meth:`run` does everything and returns a :class:`LiveOutcome`."""

    def __init__(self, options: LiveOptions, config: AnalysisConfig | None = None, *,
                 backend: Any = None, capture_factory: Any = None,
                 on_cue: CueCallback | None = None,
                 on_shown: ShownCallback | None = None) -> None:  # fmt: skip
        self.options = options
        self.config = config or AnalysisConfig()
        self._backend = backend
        self._capture_factory = capture_factory
        self.on_cue, self.on_shown = on_cue, on_shown
        self.protocol = GuidedProtocol(options.legs, options.trials_per_leg, options.countdown_s,
                                       options.rest_s, options.framing_hold_s)  # fmt: skip
        self.stats = LiveStats()
        self.quit = False
        self.quit_reason = ""
        self._seen = 0
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
        from balance_cam.io.history import History
        from balance_cam.pose.base import create_backend

        self.camera: Any = None
        frames, source, w, h = self._open_source()
        try:
            self.display = LiveDisplay(self.options, w, h) if self.options.window else None
            backend = self._backend or create_backend(self.config.model)
            try:
                with History(self.options.db) as history:
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
        interrupted, error = False, None
        t0 = time.perf_counter()
        try:
            run(self._frames(frames), backend, analyzer, self._on_frame)
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
        return self._close(source, backend, interrupted, error)

    def _frames(self, frames: Any) -> Iterator[Frame]:
        for frame in frames:
            if self.quit:
                return
            yield frame

    # -- per frame --------------------------------------------------------------------------
    def _on_frame(self, frame: Frame, pose: PoseFrame | None, analyzer: Analyzer) -> None:
        self.stats.frames_processed += 1
        self.stats._recent.append(time.perf_counter())
        new = self._save_new_trials()
        latest = analyzer.builder.build_window(frame.t_s, frame.t_s)  # this frame, after guards
        image_norm = latest.image[-1] if len(latest) else None
        framing = framing_check(image_norm, self.config.stance.min_visibility)
        self._track_sway(frame.t_s, latest)
        cues = self.protocol.update(frame.t_s, framing, analyzer.detector.state, new)
        for cue in cues:
            if self.on_cue is not None:
                self.on_cue(cue)
        if self.display is not None:
            self._show(frame, image_norm)
        if self.protocol.phase == "done" and not self.options.is_file:
            self.quit, self.quit_reason = True, self.quit_reason or "done"

    def _save_new_trials(self) -> list[Trial]:
        trials = self.analyzer.trials[self._seen:]
        self._seen = len(self.analyzer.trials)
        for trial in trials:
            window = self.analyzer.builder.build_window(trial.start_s, trial.end_s)
            self.history.add_trial(self.session_id, trial, window)
            log.info("trial %d saved: %s leg, %.2f s (%s)", trial.index, trial.stance,
                     trial.hold_s, trial.stop_reason)  # fmt: skip
        return list(trials)

    def _track_sway(self, t_s: float, latest: LandmarkSeries) -> None:
        """Live sway trace: pelvis minus stance ankle, medio-lateral, as the offline metric
        measures it (image pixels / leg length, × cm per leg length), smoothed causally with a
        One-Euro filter (display only; the trial's metrics use the zero-phase filter)."""
        stance = self.analyzer.detector.stance
        features = self.analyzer.detector.last_features
        if stance is None or not len(latest) or features is None or not features.valid:
            if stance is None:
                self.sway.clear()
                self._sway_filter = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)
            return
        raw_cm = instant_ml_cm(latest.pixels()[-1], stance, features.leg_length_px,
                               features.leg_length_w, self.config.sway.height_cm)  # fmt: skip
        ml_cm = float(self._sway_filter(t_s, raw_cm))
        if np.isfinite(ml_cm):
            self.sway.append((t_s, ml_cm))

    def hold_s(self, t_s: float) -> float:
        """The timer value: running hold, or the last trial's hold while stopped."""
        det = self.analyzer.detector
        if det.state == "holding":
            return det.elapsed_s(t_s)
        last = self.protocol.last_trial
        return last.hold_s if last is not None and self.protocol.phase == "stopped" else 0.0

    def _show(self, frame: Frame, image_norm: np.ndarray | None) -> None:
        assert self.display is not None
        shown = self.display.render(frame, image_norm, self)
        key = self.display.show(shown)
        self._on_key(key, frame.t_s)
        if self.on_shown is not None:
            self.on_shown(frame, self.analyzer, self)

    def _on_key(self, key: str | None, t_s: float) -> None:
        if key is None:
            return
        if key in ("q", "esc", "closed"):
            self.quit, self.quit_reason = True, "quit"
        elif key == "space" and self.protocol.phase == "holding":
            span = self.analyzer.finish("stopped")  # ends the running trial now
            if span is not None:
                self.protocol.update(t_s, self.protocol.framing, "ready", self._save_new_trials())
        elif key == "space":
            self.protocol.skip(t_s)
        elif key == "r":
            trial = self.protocol.redo(t_s)
            if trial is not None:
                self.history.discard_trial(self.session_id, trial.index)

    # -- end --------------------------------------------------------------------------------
    def _close(self, source: dict[str, Any], backend: Any, interrupted: bool,
               error: str | None) -> LiveOutcome:  # fmt: skip
        ended_by_file = self.options.is_file and not self.quit and not interrupted and not error
        self.analyzer.finish("end_of_video" if ended_by_file else "stopped")
        self.protocol.update(self.analyzer.last_t_s, self.protocol.framing, "ready",
                             self._save_new_trials())  # fmt: skip
        complete = not interrupted and error is None and (
            ended_by_file or self.quit_reason == "done")  # fmt: skip
        result = self._result(source, backend, complete, error, interrupted)
        self.history.finish_session(self.session_id, result, complete=complete)
        if self.display is not None:
            if not interrupted:
                self.display.show_card(result, self.options.card_s, self)
            self.display.close()
        return LiveOutcome(result, self.analyzer.series(), self.session_id, self.history.path,
                           interrupted, error)  # fmt: skip

    def _result(self, source: dict[str, Any], backend: Any, complete: bool, error: str | None,
                interrupted: bool) -> AnalysisResult:  # fmt: skip
        warnings = [w for w in (error, "interrupted" if interrupted else None) if w]
        if self.options.is_file:
            source = {**source, "frames_decoded": len(self.analyzer.builder)}
        extra = {"live": {**self.stats.to_dict(), "session_id": self.session_id,
                          "discarded_trials": list(self.protocol.discarded),
                          "legs": list(self.options.legs),
                          "trials_per_leg": self.options.trials_per_leg,
                          "protocol_done": self.protocol.leg is None}}  # fmt: skip
        result = self.analyzer.result(source, backend.info.to_dict(), warnings=warnings,
                                      complete=complete, extra=extra)  # fmt: skip
        if self.protocol.discarded:
            kept = tuple(t for t in result.trials if t.index not in self.protocol.discarded)
            result = replace(result, trials=kept, summary=summarize(kept, self.config.summary))
        return result


# -- window -----------------------------------------------------------------------------------
_KEYS = {32: "space", 27: "esc", ord("q"): "q", ord("Q"): "q", ord("r"): "r", ord("R"): "r"}


class LiveDisplay:
    """The OpenCV window: one reused display buffer, overlay drawn in place, keys read back."""

    WINDOW = "balance-cam live"

    def __init__(self, options: LiveOptions, width_px: int, height_px: int,
                 open_window: bool = True) -> None:  # fmt: skip
        import os
        import sys

        import cv2

        from balance_cam.render import overlay as A

        if open_window and sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            raise LiveError("no display to open a window on (DISPLAY is not set); "
                            "use --no-window")  # fmt: skip

        self.scale = min(1.0, options.display_max_px / max(width_px, height_px))
        self.size_wh = (max(1, round(width_px * self.scale)), max(1, round(height_px * self.scale)))
        self.mirror = (not options.is_file) if options.mirror is None else options.mirror
        self._buf = np.empty((self.size_wh[1], self.size_wh[0], 3), np.uint8)
        self._flip = np.empty_like(self._buf) if self.mirror else None
        self.skeleton, self.timer = A.SkeletonAnnotator(), A.TimerAnnotator()
        self.status, self.trace = A.StatusAnnotator(), A.SwayTraceAnnotator()
        self.fps, self.card = A.FpsAnnotator(), A.ResultCardAnnotator()
        self.limit_s = None
        self._opened = False
        if open_window:  # False: render only (benchmarks)
            try:
                cv2.namedWindow(self.WINDOW, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
            except cv2.error as exc:
                raise LiveError(f"cannot open a window ({exc.err}); use --no-window") from exc
            self._opened = True

    def _frame_bgr(self, rgb: np.ndarray) -> np.ndarray:
        """The frame scaled to the display and converted to BGR once, into the reused buffer."""
        import cv2

        if self.scale < 1.0:
            cv2.resize(rgb, self.size_wh, dst=self._buf, interpolation=cv2.INTER_AREA)
            cv2.cvtColor(self._buf, cv2.COLOR_RGB2BGR, dst=self._buf)
        else:
            cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR, dst=self._buf)
        if self._flip is not None:
            cv2.flip(self._buf, 1, dst=self._flip)
            return self._flip
        return self._buf

    def landmarks_px(self, image_norm: np.ndarray | None) -> np.ndarray | None:
        if image_norm is None:
            return None
        xy = image_norm[:, :2].astype(np.float64) * self.size_wh
        if self.mirror:
            xy[:, 0] = self.size_wh[0] - 1 - xy[:, 0]
        return xy

    def render(self, frame: Frame, image_norm: np.ndarray | None,
               session: LiveSession) -> np.ndarray:  # fmt: skip
        """Draw the live overlay for one frame; returns the display image."""
        img = self._frame_bgr(frame.rgb)
        det = session.analyzer.detector
        vis = None if image_norm is None else image_norm[:, 3]
        self.skeleton.annotate(img, self.landmarks_px(image_norm), vis, det.stance)
        view = session.protocol.view(frame.t_s)
        limit = session.config.stance.limit_s
        countdown = None if view.countdown is None else str(view.countdown)
        self.timer.annotate(img, session.hold_s(frame.t_s), limit, text=countdown)
        if session.sway:
            t, v = zip(*session.sway, strict=True)
            self.trace.annotate(img, t, v)
        dropped = session.camera.dropped if session.camera is not None else None
        self.fps.annotate(img, session.stats.recent_fps(), dropped)
        self.status.annotate(img, view.headline, view.detail, view.tone)
        return img

    def show(self, image_bgr: np.ndarray, wait_ms: int = 1) -> str | None:
        """Show the image and return the key pressed (``"closed"`` when the window was closed)."""
        import cv2

        cv2.imshow(self.WINDOW, image_bgr)
        code = cv2.waitKey(wait_ms)
        if cv2.getWindowProperty(self.WINDOW, cv2.WND_PROP_VISIBLE) < 1:
            return "closed"
        return _KEYS.get(code & 0xFF) if code >= 0 else None

    def show_card(self, result: AnalysisResult, card_s: float, session: LiveSession) -> None:
        """The end-of-session result card over the last frame, until a key or ``card_s``."""
        img = (self._flip if self._flip is not None else self._buf).copy()
        self.card.annotate(img, result.summary, title="Result" if result.complete
                           else "Result (session incomplete)")  # fmt: skip
        deadline = time.monotonic() + card_s
        while time.monotonic() < deadline:
            key = self.show(img, 50)
            if session.on_shown is not None:
                session.on_shown(None, session.analyzer, session)
            if key is not None:
                return

    def close(self) -> None:
        import cv2

        if self._opened:
            cv2.destroyWindow(self.WINDOW)
            cv2.waitKey(1)
            self._opened = False


def run_live(options: LiveOptions, config: AnalysisConfig | None = None,
             **kwargs: Any) -> LiveOutcome:  # fmt: skip
    """Run one live session (see :class:`LiveSession` for the keyword arguments)."""
    return LiveSession(options, config, **kwargs).run()
