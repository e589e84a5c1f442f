"""Command-line interface: parses arguments and calls the library, nothing more.

Exit codes (all commands): 0 success; 1 unexpected internal error; 2 bad input or usage
(missing file, not a video, bad option); 3 partial result (e.g. video damaged part-way,
results written); 4 no person found; 5 batch finished with failed files; 130 interrupted.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_PARTIAL, EXIT_NO_PERSON, EXIT_FAILED_FILES = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="balance-cam", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Single-leg balance test from a camera: hold time and sway per side.",
)  # fmt: skip
F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    """Single-leg balance test from a camera: hold time and sway per side."""
    if verbose:
        logging.getLogger("balance_cam").setLevel(logging.DEBUG)


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"balance-cam: error: {message}", err=True)
    return typer.Exit(code)


def user_errors(func: F) -> F:
    """Turn known errors into one stderr line and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from balance_cam.apps.analyze import AnalysisError, NoPersonError
        from balance_cam.io.history import HistoryError
        from balance_cam.io.sources import SourceError
        from balance_cam.pose.base import PoseError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except NoPersonError as exc:
            raise fail(str(exc), EXIT_NO_PERSON) from None
        except (SourceError, AnalysisError, HistoryError, PoseError, ValueError) as exc:
            raise fail(str(exc), EXIT_INPUT) from None
        except KeyboardInterrupt:
            raise fail("interrupted", EXIT_INTERRUPTED) from None
        except OSError as exc:
            raise fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), EXIT_INPUT) from None
        except Exception as exc:  # last resort: still one line, but say it is a bug
            logging.getLogger("balance_cam").debug("internal error", exc_info=True)
            raise fail(f"internal error ({exc.__class__.__name__}: {exc}); please report it",
                       EXIT_INTERNAL) from None  # fmt: skip

    return wrapper  # type: ignore[return-value]


def _quiet_native_logs() -> None:
    """MediaPipe/TFLite write C++ log lines to stderr; keep the CLI's stderr for our messages.

    The C++ side (absl logging, TFLite's "Created XNNPACK delegate", calculator warnings)
    ignores ``GLOG_minloglevel`` and writes to file descriptor 2 from the graph's own threads,
    at unpredictable times after the model is created, so redirecting fd 2 around single calls
    is racy. Instead Python's ``sys.stderr`` is moved to a duplicate of the real stderr and
    fd 2 itself points at ``/dev/null``: everything Python writes (our error line, logging,
    rich, tracebacks) still reaches the terminal; native writes do not. ``-v``/``--verbose``
    or ``BALANCE_CAM_NATIVE_LOGS=1`` keep the native logs.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if os.environ.get("BALANCE_CAM_NATIVE_LOGS") or {"-v", "--verbose"} & set(sys.argv[1:]):
        return
    try:
        sys.stderr.flush()
        real_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):  # no usable fd 2 (embedded, closed)
        return
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = os.fdopen(real_fd, "w", buffering=1, encoding=encoding, errors="backslashreplace")
    os.dup2(devnull, 2)
    os.close(devnull)


Limit = Annotated[float, typer.Option("--limit", help="Trial time limit, seconds (30-45 s clinically).")]
HeightCm = Annotated[
    float | None, typer.Option("--height-cm", help="Subject height; scales centimetres (else world landmarks).")
]
Age = Annotated[int | None, typer.Option("--age", help="Compare holds with Springer et al. 2007 norms.")]
Model = Annotated[str, typer.Option("--model", help="Pose model: full (bundled), lite, heavy or a .task path.")]


@app.command()
@user_errors
def analyze(
    video: Annotated[Path, typer.Argument(
        help="Video file (mp4/mov/avi/webm), a folder of images, or saved landmarks (.landmarks.npz)."
    )],
    json_out: Annotated[bool, typer.Option("--json", help="Print the result JSON to stdout.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write result JSON, frames CSV/Parquet, landmarks.")] = None,
    limit: Limit = 45.0,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    annotate: Annotated[Path | None, typer.Option("--annotate", help="Write an annotated video here.")] = None,
    blur_faces: Annotated[bool, typer.Option("--blur-faces", help="Blur faces in the annotated video.")] = False,
    athlete: Annotated[str | None, typer.Option("--athlete", help="Also save to the history under this name.")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="History database (default: user data dir).")] = None,
    person: Person = None,
) -> None:  # fmt: skip
    """Analyse one recorded video: trials, hold time, sway, left/right verdict."""
    from balance_cam.apps.analyze import analyze_video_series
    from balance_cam.core.config import AnalysisConfig

    config = AnalysisConfig().with_options(limit_s=limit, height_cm=height_cm, age=age, model=model)
    if video.suffix == ".npz":  # saved landmarks (analyze --out): recompute without pose
        from balance_cam.apps.analyze import analyze_landmarks_file

        if annotate is not None or person is not None:
            raise fail("--annotate and --person need a video, not saved landmarks")
        result = analyze_landmarks_file(video, config)
        emit(result, None, video.name.removesuffix(".landmarks.npz").removesuffix(".npz"), json_out, out)
        _save_history(result, athlete, db)
        return
    on_frame, close = None, None
    if annotate is not None:
        from balance_cam.render.video import VideoAnnotator

        writer = VideoAnnotator(video, annotate, blur_faces=blur_faces)
        on_frame, close = writer.on_frame, writer.close
    backend = model_backend(model, person)
    try:
        result, series = analyze_video_series(video, config, backend=backend, on_frame=on_frame)
    finally:
        if close is not None:
            close()
        if backend is not None:
            backend.close()
    emit(result, series, video.stem, json_out, out)
    _save_history(result, athlete, db)
    if not result.complete:
        raise fail("; ".join(result.warnings) + " (partial result written)", EXIT_PARTIAL)


def _save_history(result: Any, athlete: str | None, db: Path | None) -> None:
    """With ``--athlete``, store the result in the history database."""
    if athlete is not None:
        from balance_cam.io.history import History

        with History(db) as h:
            h.save_result(result, athlete=athlete, kind="analyze")


LiveCamera = Annotated[str, typer.Option(
    "--camera", help="Camera index (0 = default camera) or a video file standing in for it."
)]  # fmt: skip
LiveLeg = Annotated[str, typer.Option("--leg", help="Stance leg(s) to test: left, right or both.")]
LiveTrials = Annotated[int, typer.Option("--trials", min=1, max=10, help="Trials per leg (best).")]
LiveDb = Annotated[Path | None, typer.Option("--db", help="History database (default: data dir).")]
LiveOut = Annotated[Path | None, typer.Option("--out", help="Also write JSON, frames, landmarks.")]
LiveJson = Annotated[bool, typer.Option("--json", help="Print the result JSON to stdout.")]


@app.command()
@user_errors
def live(
    camera: LiveCamera = "0",
    leg: LiveLeg = "both",
    trials: LiveTrials = 3,
    limit: Limit = 45.0,
    athlete: Annotated[str, typer.Option("--athlete", help="Name saved with the session.")] = "",
    no_window: Annotated[bool, typer.Option("--no-window", help="Run without a window.")] = False,
    json_out: LiveJson = False,
    db: LiveDb = None,
    out: LiveOut = None,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
) -> None:  # fmt: skip
    """Live guided test in front of a camera: each leg, best of N, results saved to the history."""
    from balance_cam.apps.live.session import LiveError, LiveOptions, run_live
    from balance_cam.core.config import AnalysisConfig

    legs = {"left": ("left",), "right": ("right",), "both": ("left", "right")}.get(leg.lower())
    if legs is None:
        raise fail(f"--leg must be left, right or both, but got {leg!r}")
    config = AnalysisConfig().with_options(limit_s=limit, height_cm=height_cm, age=age, model=model)
    options = LiveOptions(camera=camera, legs=legs, trials_per_leg=trials, athlete=athlete,
                          window=not no_window, db=db)  # type: ignore[arg-type]  # fmt: skip
    bell = (lambda cue: sys.stderr.write("\a")) if sys.stderr.isatty() and not json_out else None
    try:
        outcome = run_live(options, config, on_cue=bell)
    except LiveError as exc:
        raise fail(str(exc)) from None
    if outcome.result.frames_with_person == 0 and not outcome.interrupted:
        raise fail(f"{camera}: no person detected in {outcome.result.frames_decoded} frames",
                   EXIT_NO_PERSON)  # fmt: skip
    stem = Path(camera).stem if options.is_file else f"live_{outcome.session_id}"
    emit(outcome.result, outcome.series, stem, json_out, out)
    saved = (f"{len(outcome.result.trials)} finished trial(s) saved as session "
             f"{outcome.session_id} in {outcome.db_path}")  # fmt: skip
    if outcome.error:
        raise fail(f"{outcome.error}; {saved} (incomplete)", EXIT_PARTIAL)
    if outcome.interrupted:
        raise fail(f"interrupted; {saved} (incomplete)", EXIT_INTERRUPTED)
    if not json_out:
        typer.echo(saved + ("" if outcome.result.complete else " (incomplete)"), err=True)


def emit(result: Any, series: Any, stem: str, json_out: bool, out: Path | None) -> None:
    """Write ``--out`` files, then print JSON or the human-readable summary."""
    if out is not None:
        from balance_cam.io.results import write_outputs

        write_outputs(out, stem, result, series)
    if json_out:
        typer.echo(result.to_json())
    else:
        from balance_cam.render.console import print_result

        print_result(result)


DbPath = Annotated[
    Path | None, typer.Option("--db", help="History database (default: user data dir).")
]
ReportAthlete = Annotated[str | None, typer.Option(
    "--athlete", help="Without RESULT_JSON: this athlete's history report; with it: the name shown."
)]  # fmt: skip
ReportVideo = Annotated[Path | None, typer.Option(
    "--video", help="The analysed video, for key frames (default: the result's source.path)."
)]  # fmt: skip


@app.command()
@user_errors
def report(
    result_json: Annotated[
        Path | None, typer.Argument(help="Result JSON from `analyze --out`.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    athlete: ReportAthlete = None,
    db: DbPath = None,
    video: ReportVideo = None,
    notes: Annotated[str, typer.Option("--notes", help="Coach's notes (one-test report).")] = "",
) -> None:  # fmt: skip
    """Write a self-contained HTML report: one test, or an athlete's history with trends."""
    from balance_cam.render import report as rep

    if result_json is not None:
        result = rep.load_result(result_json)
        html = rep.render_result_report(result, video=rep.find_video(result, result_json, video),
                                        athlete=athlete or "", notes=notes)  # fmt: skip
    elif athlete is not None:
        html = rep.render_athlete_report(db, athlete, video=video)
    else:
        raise fail("give a result JSON, or --athlete NAME for a history report")
    typer.echo(str(rep.write_report(out, html)))


@app.command()
@user_errors
def history(
    athlete: Annotated[
        str | None, typer.Option("--athlete", help="Only this athlete (adds trend lines).")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write one row per trial to this CSV.")
    ] = None,
    db: DbPath = None,
) -> None:  # fmt: skip
    """List stored tests: best hold and sway per leg and session, with trends per athlete."""
    from rich.console import Console

    from balance_cam.io.history import History, session_sides, write_csv

    with History(db) as h:
        trials = h.trials(athlete)
    if csv is not None:
        typer.echo(f"{write_csv(csv, trials)} ({len(trials)} trials)", err=True)
    console = Console()
    rows = session_sides(trials)
    if not rows:
        console.print("No trials in the history" + (f" for {athlete!r}." if athlete else "."))
        return
    console.print(_history_table(rows, athlete))
    for line in _trend_lines(rows) if athlete else ():
        console.print(line)


def _history_table(rows: list[dict[str, Any]], athlete: str | None) -> Any:
    from rich.markup import escape
    from rich.table import Table

    def f(v: float | None) -> str:
        return "–" if v is None or v != v else f"{v:.1f}"

    title = "Balance history" + (f": {escape(athlete)}" if athlete else "")
    table = Table(title=title, title_justify="left")
    for col in ("date", "athlete", "leg", "trials", "best hold s", "mean hold s", "ML RMS cm",
                "angle RMS °"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("date", "athlete", "leg") else "right",
                         no_wrap=col == "date")
    for r in rows:
        table.add_row(r["started_at"][:16].replace("T", " "), escape(r["athlete"]), r["stance"],
                      str(r["n_trials"]), f(r["best_hold_s"]), f(r["mean_hold_s"]),
                      f(r["ml_rms_cm"]), f(r["angle_rms_deg"]))  # fmt: skip
    return table


def _trend_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Per leg, the least-squares trend of best hold and ML sway per week."""
    from balance_cam.io.history import days_since, linear_trend

    lines = []
    for side in ("left", "right"):
        mine = [r for r in rows if r["stance"] == side]
        days = days_since([r["started_at"] for r in mine])
        hold = linear_trend(days, [r["best_hold_s"] for r in mine])
        sway = linear_trend(days, [r["ml_rms_cm"] for r in mine])
        if hold is not None:
            text = f"{side} leg trend, {hold.n} sessions: hold {hold.per_week('s')}"
            lines.append(text + (f", ML sway {sway.per_week('cm')}" if sway else ""))
    return lines


# -- models: list / build / download (balance_cam.pose.registry) ------------------------------------
models_app = typer.Typer(
    no_args_is_help=True, help="Pose model bundles: list, build offline, download."
)
app.add_typer(models_app, name="models")
ModelsDir = Annotated[Path | None, typer.Option(
    "--dir", help="Models folder (default: $BALANCE_CAM_MODELS_DIR, else models/ of the "
    "checkout, else the user data folder).")]  # fmt: skip
Person = Annotated[str | None, typer.Option(
    "--person", help="Tasks models: who is tested among several people: auto (who stands on one "
    "leg), largest, center, or an index from the left (0 = leftmost).")]  # fmt: skip


@models_app.command("list")
@user_errors
def models_list(directory: ModelsDir = None) -> None:
    """What is installed: sizes, sha256, integrity, and which model is the default."""
    from rich.console import Console
    from rich.table import Table

    from balance_cam.pose.registry import list_models, models_dir

    table = Table(title=f"pose models ({directory or models_dir()})")
    for col in ("--model", "status", "size", "sha256", "source"):
        table.add_column(col)
    for m in list_models(directory):
        size = f"{m.size_bytes / 1e6:.1f} MB" if m.size_bytes else ""
        name = m.name + (" (default)" if m.default else "")
        table.add_row(name, m.status, size, m.sha256[:16], m.source)
    Console().print(table)


@models_app.command("build")
@user_errors
def models_build(
    directory: ModelsDir = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing bundle.")] = False,
) -> None:
    """Build pose_landmarker_full.task offline from the model inside the installed mediapipe."""
    from balance_cam.pose.base import sha256_of
    from balance_cam.pose.registry import build_full_bundle

    path = build_full_bundle(directory, force=force)
    typer.echo(f"built {path} (sha256 {sha256_of(path)}); use it with --model full-tasks")


@models_app.command("download")
@user_errors
def models_download(
    variant: Annotated[str, typer.Argument(help="lite, full or heavy.")],
    directory: ModelsDir = None,
    url: Annotated[str | None, typer.Option("--url", help="Download from a mirror.")] = None,
    sha256: Annotated[str | None, typer.Option("--sha256", help="Expected sha256.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds without data.")] = 30.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:  # fmt: skip
    """Download an official MediaPipe pose_landmarker bundle (checksum-verified, resumable)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from balance_cam.pose.registry import download_model, spec_for

    spec = spec_for(variant)
    columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
    bar = Progress(*columns, console=_stderr_console(), transient=True)
    task = bar.add_task(spec.file_name, total=None)

    def progress(done: int, total: int | None) -> None:
        if not bar.live.is_started:  # started on the first byte: errors stay one line
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        path = download_model(variant, directory, url=url, sha256=sha256, timeout_s=timeout,
                              force=force, progress=progress)  # fmt: skip
    finally:
        if bar.live.is_started:
            bar.stop()
    typer.echo(f"installed {path}; use it with --model {spec.name}")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def model_backend(model: str, person: str | None) -> Any:
    """A backend for ``--person`` (``None`` when not given: the analysis makes its own)."""
    if person is None:
        return None
    from balance_cam.pose.registry import is_legacy

    if is_legacy(model):
        raise ValueError(f"--person needs a Tasks model (lite, heavy, full-tasks or a .task "
                         f"file); the legacy {model} model follows one person only")  # fmt: skip
    from balance_cam.pose.base import create_backend

    return create_backend(model, person=person)

@app.command()
@user_errors
def batch(
    inputs: Annotated[list[str], typer.Argument(
        help='Video files, folders (searched recursively) or quoted globs such as "videos/**/*.mp4".',
        show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Results folder: per-video results, tables.")],
    workers: Annotated[int | None, typer.Option("--workers", "-j", min=1,
        help="Local worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler",
        help="Dask scheduler (tcp://host:8786); workers need balance-cam and the same paths.")] = None,
    resume: Annotated[bool, typer.Option("--resume",
        help="Skip videos whose result exists with the same file hash and settings.")] = False,
    name_pattern: Annotated[str | None, typer.Option("--name-pattern",
        help='Fields in file names, e.g. "{athlete}_{leg}_{trial}" (or "{athlete}/{leg}_{trial}").')] = None,
    frames: Annotated[bool, typer.Option("--frames/--no-frames",
        help="Also write per-frame tables and landmarks for each video.")] = True,
    limit: Limit = 45.0,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    save_history: Annotated[bool, typer.Option("--save-history",
        help="Also store each result in the history database (athlete from {athlete}).")] = False,
    athlete: Annotated[str | None, typer.Option("--athlete",
        help="With --save-history: the athlete of every video (else the {athlete} field).")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="History database (default: user dir).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
        help="No progress bar: failed files and the final summary only (for logs).")] = False,
) -> None:  # fmt: skip
    """Analyse many videos on all cores or a Dask cluster; resumable; combined tables.

    Exit codes: 0 every video analysed; 5 some videos failed or gave partial results (see
    batch_errors.csv); 130 interrupted (finished results are kept: rerun with --resume);
    2 bad input (nothing found, bad pattern, scheduler unreachable).
    """
    from balance_cam.apps.batch.runner import BatchOptions, run_batch, save_to_history
    from balance_cam.core.config import AnalysisConfig

    if scheduler and workers:
        logging.getLogger("balance_cam").warning("--workers is ignored with --scheduler")
    _quiet_dask_logs()
    config = AnalysisConfig().with_options(limit_s=limit, height_cm=height_cm, age=age, model=model)
    options = BatchOptions(out, name_pattern, resume, frames, workers, scheduler)
    with _BatchProgress(quiet) as progress:
        report, tables = run_batch(inputs, options, config, on_outcome=progress.outcome,
                                   on_start=progress.start)  # fmt: skip
    if save_history:
        added = save_to_history(report.outcomes, out, db, athlete)
        typer.echo(f"history: {added} session(s) added")
    _batch_summary(report, tables)
    if report.interrupted:
        raise fail("interrupted; finished results are kept (rerun with --resume)", EXIT_INTERRUPTED)
    if report.count("failed", "partial"):
        raise typer.Exit(EXIT_FAILED_FILES)


def _quiet_dask_logs() -> None:
    """Dask logs cluster life (and benign shutdown races) at INFO to ERROR; what matters for a
    video reaches its outcome, so keep Dask quiet unless ``-v``."""
    import distributed  # noqa: F401 - configures its loggers on import

    level = logging.getLogger("balance_cam").level
    logging.getLogger("distributed").setLevel(logging.INFO if level == logging.DEBUG else logging.CRITICAL)


class _BatchProgress:
    """Live progress bar of a batch (files done/failed, frames per second, ETA), or in quiet
    mode one stderr line per failed file."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.bar, self.task = quiet, None, None
        self.frames, self.failed, self.t0 = 0, 0, 0.0

    def __enter__(self) -> _BatchProgress:
        if not self.quiet:
            import rich.progress as rp

            self.bar = rp.Progress(
                rp.TextColumn("[bold]batch"), rp.BarColumn(), rp.MofNCompleteColumn(),
                rp.TextColumn("[red]{task.fields[failed]} failed"),
                rp.TextColumn("{task.fields[fps]:.0f} frames/s"), rp.TimeElapsedColumn(),
                rp.TextColumn("ETA"), rp.TimeRemainingColumn(), console=_stderr_console(),
            )  # fmt: skip
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, total: int, n_workers: int) -> None:
        import time

        self.t0 = time.perf_counter()
        if self.bar is not None:
            self.task = self.bar.add_task("batch", total=total, failed=0, fps=0.0)
        else:
            typer.echo(f"batch: {total} videos on {n_workers} workers", err=True)

    def outcome(self, o: Any) -> None:
        import time

        if o.status != "skipped":
            self.frames += o.frames
        self.failed += o.failed
        fps = self.frames / max(time.perf_counter() - self.t0, 1e-9)
        if o.failed:
            line = f"{o.status}: {o.path}: {o.error_kind}: {o.reason}"
            if self.bar is not None:
                self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
            else:
                typer.echo(f"balance-cam: {line}", err=True)
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed, fps=fps)


def _batch_summary(report: Any, tables: dict[str, Path]) -> None:
    """One summary line per count, and where the tables are."""
    total_frames = sum(o.frames for o in report.outcomes if o.status != "skipped")
    fps = total_frames / max(report.elapsed_s, 1e-9)
    counts = ", ".join(f"{report.count(s)} {s.replace('_', ' ')}" for s in
                       ("ok", "partial", "skipped", "failed", "not_run") if report.count(s))  # fmt: skip
    typer.echo(f"batch: {report.total} videos on {report.workers} workers in "
               f"{report.elapsed_s:.1f} s ({fps:.0f} frames/s): {counts}")  # fmt: skip
    typer.echo(f"tables: {tables['trials.csv'].parent}/batch_{{trials,videos,athletes,errors}}"
               ".{csv,parquet}")  # fmt: skip


def main() -> None:
    """Entry point of the ``balance-cam`` script."""
    _quiet_native_logs()
    logging.basicConfig(level=logging.WARNING, format="balance-cam: %(levelname)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("balance-cam: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # outside user_errors (e.g. a broken install): still one line
        logging.getLogger("balance_cam").debug("internal error", exc_info=True)
        typer.echo(f"balance-cam: error: internal error ({exc.__class__.__name__}: {exc}); "
                   "please report it", err=True)  # fmt: skip
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
