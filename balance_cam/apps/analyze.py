"""``analyze``: one recorded video (or image folder, or saved landmarks) end to end.

:func:`run` is the frame loop every way in shares: frames → pose backend →
:class:`~balance_cam.core.analyzer.Analyzer`, with an optional per-frame callback that gets the
frame and the analyzer's :class:`~balance_cam.core.analyzer.FrameStep` (annotated video, live
window). :func:`analyze_video_series` is the offline driver; :func:`analyze_command` is what
the ``analyze`` command does (outputs, printing, history).
"""

from __future__ import annotations

import contextlib
import logging
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balance_cam.apps.errors import NoPersonError, OutputsNotWrittenError, PartialResultError
from balance_cam.apps.frames import FramePipeline, PreparedFrame, in_thread, person_box
from balance_cam.core.analyzer import Analyzer, FrameStep, analyze_series
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.results import AnalysisResult
from balance_cam.core.series import LandmarkSeries, PoseFrame
from balance_cam.core.text import count_of
from balance_cam.io.landmarks import load_series
from balance_cam.io.results import write_outputs
from balance_cam.io.sources import Frame, SourceError, open_video
from balance_cam.pose.base import PoseBackend
from balance_cam.pose.factory import create_backend
from balance_cam.vision.checks import FrameChecks

log = logging.getLogger(__name__)

FrameCallback = Callable[[Frame, FrameStep], None]
Posed = tuple[PreparedFrame, PoseFrame | None]


def picture_checks(config: AnalysisConfig) -> FrameChecks | None:
    """The per-frame picture checks the configuration asks for (camera motion, cuts), or None."""
    if not (config.stabilise or config.detect_cuts):
        return None
    return FrameChecks(stabilise=config.stabilise)


def run(
    frames: Iterable[Frame], backend: PoseBackend, analyzer: Analyzer,
    on_frame: FrameCallback | None = None, *, checks: FrameChecks | None = None,
    threaded: bool = False,
) -> None:  # fmt: skip
    """Feed frames through the picture checks, pose and the analyzer.

    Timestamps reach the model strictly increasing in ms. Frames with no usable picture (black,
    blank) get no pose; on a cut the model's tracking starts afresh. ``threaded`` (files; a live
    camera has its own reader): three stages, each in order, like a video-analytics pipeline on
    a small CPU: a reader thread decodes and checks the next frames
    (:class:`~balance_cam.apps.frames.FramePipeline`), a model thread runs the pose model, and
    this thread runs the analyzer and ``on_frame`` (a window, a signal, the history stay on the
    calling thread), so the model's core does nothing else. Results are identical to
    ``threaded=False`` (tested).
    """
    pipeline = FramePipeline(frames, checks, threaded=threaded)
    posed = (in_thread(lambda: _posed(pipeline, backend), "pose-model", on_close=pipeline.stop)
             if threaded else _posed(pipeline, backend))  # fmt: skip
    with contextlib.closing(posed):  # an error or Ctrl-C here stops both threads at once
        for n, (item, pose) in enumerate(posed):
            frame = item.frame
            step = analyzer.update(frame.t_s, frame.index, pose, item.camera, item.cut)
            pipeline.done(n, person_box(step.landmarks_px, step.visibility))
            if on_frame is not None:
                on_frame(frame, step)


def _posed(pipeline: FramePipeline, backend: PoseBackend) -> Generator[Posed]:
    """Each prepared frame with its pose (None for a blank picture), the model's tracking
    started afresh at a cut; model timestamps in ms, strictly increasing."""
    last_ms = -1
    for item in pipeline:
        t_ms = max(last_ms + 1, int(round(item.frame.t_s * 1000)))
        last_ms = t_ms
        if item.cut:
            backend.reset()
        yield item, None if item.blank else backend.process(item.frame.rgb, t_ms)


def analyze_video(
    path: str | Path, config: AnalysisConfig | None = None, *,
    backend: PoseBackend | None = None, on_frame: FrameCallback | None = None,
) -> AnalysisResult:  # fmt: skip
    """Analyse one recorded video (or image folder) end to end; see :func:`analyze_video_series`."""
    return analyze_video_series(path, config, backend=backend, on_frame=on_frame)[0]


def analyze_video_series(
    path: str | Path, config: AnalysisConfig | None = None, *,
    backend: PoseBackend | None = None, on_frame: FrameCallback | None = None, threaded: bool = True,
) -> tuple[AnalysisResult, LandmarkSeries]:  # fmt: skip
    """Analyse one recorded video (or image folder); return the result and the landmarks.

    Raises :class:`~balance_cam.io.sources.SourceError` for unreadable input and
    :class:`~balance_cam.apps.errors.NoPersonError` when nobody is found. A video damaged
    part-way gives a result with ``complete = False`` and a warning, covering the frames
    before the damage.
    """
    config = config or AnalysisConfig()
    own_backend = backend is None
    backend = backend or create_backend(config.model)
    warnings: list[str] = []
    try:
        info, frames = open_video(path)  # after the model: a failing model leaves no file open
        analyzer = Analyzer(info.width, info.height, config)
        try:
            run(frames, backend, analyzer, on_frame, checks=picture_checks(config), threaded=threaded)
        except SourceError as exc:
            if analyzer.frames_seen == 0:
                raise
            warnings.append(str(exc))
    finally:
        if own_backend:
            backend.close()
    analyzer.finish()
    if analyzer.frames_with_person == 0:
        raise NoPersonError(f"{path}: no person detected in {count_of(analyzer.frames_seen, 'frame')}")
    source = {**info.to_dict(), "frames_decoded": analyzer.frames_seen}
    result = analyzer.result(source, backend.info.to_dict(), warnings=warnings,
                             complete=not warnings)  # fmt: skip
    return result, analyzer.series()


def analyze_landmarks_file(path: str | Path, config: AnalysisConfig | None = None) -> AnalysisResult:
    """Recompute a result from a saved ``.landmarks.npz`` (written by ``analyze --out``)."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: no such file", "missing")
    try:
        series = load_series(p)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # cut, foreign
        raise SourceError(f"{p}: not a balance-cam landmarks file ({exc})", "not_a_video") from exc
    source = {"path": str(p), "frames": len(series), "width": series.width_px,
              "height": series.height_px, "recomputed_from_landmarks": True}  # fmt: skip
    return analyze_series(series, config, source=source, model={"backend": "saved-landmarks"})


# -- the command ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OutputOptions:
    """Where a command's result goes besides the summary on stdout."""

    json_out: bool = False
    """Print the JSON contract on stdout instead of the readable summary."""
    out_dir: Path | None = None
    """Write the result set (JSON with traces, frames CSV/Parquet, landmarks) here."""
    athlete: str | None = None
    """Also store the result in the history under this name."""
    db: Path | None = None
    team: str | None = None
    """Tag the athlete with this team in the history (the squad page filters on it)."""


def output_set(out_dir: Path, stem: str) -> dict[str, Path]:
    """The files ``--out`` writes for ``stem``, by label (to refuse any that is an input)."""
    from balance_cam.io.results import COMPANION_SUFFIXES

    return {f"--out ({stem}{sfx})": Path(out_dir) / f"{stem}{sfx}"
            for sfx in (".json", *COMPANION_SUFFIXES.values())}  # fmt: skip


def emit(result: AnalysisResult, series: LandmarkSeries | None, stem: str,
         out: OutputOptions) -> OutputsNotWrittenError | None:  # fmt: skip
    """Print the JSON or the readable summary, then write the ``--out`` files (a signal arriving
    meanwhile waits until the set is complete). Files that cannot be written (a full disk, a
    folder gone read-only) do not lose the result: it is printed first, and the error is
    returned, for the caller to raise (the history is saved before this). A print that fails (a
    closed pipe) still lets the files be written, then is raised."""
    from balance_cam.apps.signals import deferred

    not_printed: OSError | None = None
    try:
        if out.json_out:
            from balance_cam.render.console import print_json

            print_json(result)
        else:
            from balance_cam.render.console import print_result

            print_result(result)
    except OSError as exc:
        not_printed = exc
    if out.out_dir is not None:
        try:
            with deferred():
                write_outputs(out.out_dir, stem, result, series)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            shown = "; the result is printed above" if not_printed is None else ""
            return OutputsNotWrittenError(f"--out {out.out_dir}: the result files could not be written"
                                          f"{where}: {exc.strerror or exc}{shown}")  # fmt: skip
    if not_printed is not None:
        raise not_printed
    return None


def save_to_history(result: AnalysisResult, athlete: str | None, db: Path | None, kind: str,
                    out_dir: Path | None = None, team: str | None = None) -> None:  # fmt: skip
    """With an athlete name, store the whole result as one history session (and tag the
    athlete with ``team`` when given); a result the history cannot take goes to a fallback
    file named on stderr (:func:`~balance_cam.apps.saving.save_or_fallback`)."""
    if athlete is not None:
        from balance_cam.apps.saving import save_or_fallback

        save_or_fallback(result, db, athlete=athlete, kind=kind,
                         extra_dirs=() if out_dir is None else (out_dir,), team=team)  # fmt: skip


def check_analyze(video: Path, out: OutputOptions, annotate: Path | None) -> None:
    """Before the analysis: every output can be written and none is an input (the video,
    the history); the history, if used, is writable and undamaged. One line, exit 2."""
    from balance_cam.io.files import check_output_dir, check_output_file, refuse_overwriting_inputs

    inputs = {"VIDEO": video, "--db": out.db if out.athlete is not None else None}
    outputs: dict[str, Path | None] = {"--annotate": annotate}
    if out.out_dir is not None:
        check_output_dir(out.out_dir, "--out")
        outputs |= output_set(out.out_dir, _stem(video))
    if annotate is not None:
        check_output_file(annotate, "--annotate")
    refuse_overwriting_inputs(outputs, inputs)
    if out.out_dir is not None and out.out_dir.is_dir():
        from balance_cam.io.files import clean_stale_temps

        clean_stale_temps(out.out_dir)
    if out.athlete is not None:
        from balance_cam.apps.saving import check_history

        check_history(out.db)


def _stem(video: Path) -> str:
    if video.suffix == ".npz":
        return video.name.removesuffix(".landmarks.npz").removesuffix(".npz")
    return video.stem


def _no_person(exc: NoPersonError, backend: PoseBackend, person: str | None) -> NoPersonError:
    """A ``--person`` index nobody had: say so instead of "no person detected"."""
    most = getattr(backend, "most_people", None)
    if person is None or not person.isdigit() or most is None or int(person) < most or most == 0:
        return exc
    return NoPersonError(f"--person {person}: at most {most} people were seen in one frame, so the "
                         f"index from the left is 0 to {most - 1}")  # fmt: skip


def analyze_command(
    video: Path, config: AnalysisConfig, out: OutputOptions, *, annotate: Path | None = None,
    blur_faces: bool = False, person: str | None = None,
) -> AnalysisResult:  # fmt: skip
    """``balance-cam analyze``: analyse, write and print; raises
    :class:`~balance_cam.apps.errors.PartialResultError` after writing a partial result."""
    if video.suffix == ".npz":  # saved landmarks (analyze --out): recompute without pose
        if annotate is not None or person is not None:
            raise ValueError("--annotate and --person need a video, not saved landmarks")
        check_analyze(video, out, None)
        result = analyze_landmarks_file(video, config)
        save_to_history(result, out.athlete, out.db, "analyze", out.out_dir, out.team)
        unwritten = emit(result, None, _stem(video), out)
        if unwritten is not None:
            raise unwritten
        return result
    check_analyze(video, out, annotate)
    writer: Any = None
    if annotate is not None:
        from balance_cam.render.video import AnnotatedVideoWriter

        writer = AnnotatedVideoWriter(video, annotate, blur_faces=blur_faces,
                                      limit_s=config.stance.limit_s)
    backend = create_backend(config.model, person=person)
    try:
        result, series = analyze_video_series(video, config, backend=backend,
                                              on_frame=writer.on_frame if writer else None)  # fmt: skip
    except NoPersonError as exc:
        raise _no_person(exc, backend, person) from None
    finally:
        if writer is not None:
            writer.close()
        backend.close()
    save_to_history(result, out.athlete, out.db, "analyze", out.out_dir, out.team)
    unwritten = emit(result, series, video.stem, out)
    if unwritten is not None and not result.complete:
        raise OutputsNotWrittenError(f"{result.incomplete_reason} (partial result); {unwritten}")
    if unwritten is not None:
        raise unwritten
    if not result.complete:
        raise PartialResultError(f"{result.incomplete_reason} (partial result written)")
    return result
