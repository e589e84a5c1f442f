"""Command-line interface: parses arguments and calls one app function per command, nothing more.

Exit codes (all commands, :mod:`balance_cam.apps.errors`): 0 success; 1 unexpected internal
error; 2 bad input or usage (missing file, not a video, bad option, an output that is an input,
a damaged or read-only history); 3 partial result (e.g. video damaged part-way, results
written); 4 no person found; 5 batch finished with failed files; 130 interrupted (Ctrl-C);
143 terminated (SIGTERM). Usage errors are one line too (:func:`run`).
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

from balance_cam.apps.errors import (  # noqa: F401 - the exit codes are part of the CLI's interface
    EXIT_FAILED_FILES,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_PERSON,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_TERMINATED,
)

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
    from balance_cam.core.text import terminal_safe

    typer.echo(f"balance-cam: error: {terminal_safe(message)}", err=True)
    return typer.Exit(code)


def user_errors(func: F) -> F:
    """Turn known errors into one stderr line and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from balance_cam.apps.errors import AppError
        from balance_cam.io.history import HistoryError
        from balance_cam.io.sources import SourceError
        from balance_cam.pose.base import PoseError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except AppError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except (SourceError, HistoryError, PoseError, ValueError) as exc:
            raise fail(str(exc), EXIT_INPUT) from None
        except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM (Terminated) through the StopGuard
            from balance_cam.apps.signals import exit_code, stop_word

            raise fail(stop_word(exc), exit_code(exc)) from None
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


# -- options shared by several commands -------------------------------------------------------
def in_range(name: str) -> Callable[[Any], Any]:
    """A typer callback checking an option against :data:`balance_cam.core.limits.RANGES`."""

    def check(value: Any) -> Any:
        from balance_cam.core.limits import check_option

        try:
            check_option(name, value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value

    return check


Limit = Annotated[float, typer.Option("--limit", callback=in_range("--limit"),
                                      help="Trial time limit, seconds (30-45 s clinically).")]
HeightCm = Annotated[float | None, typer.Option("--height-cm", callback=in_range("--height-cm"),
                                                help="Subject height; scales centimetres (else world landmarks).")]
Age = Annotated[int | None, typer.Option("--age", callback=in_range("--age"),
                                         help="Compare holds with Springer et al. 2007 norms.")]
Model = Annotated[str, typer.Option("--model", help="Pose model: full (bundled), lite, heavy or a .task path.")]
Person = Annotated[str | None, typer.Option(
    "--person", help="Tasks models: who is tested among several people: auto (who stands on one "
    "leg), largest, center, or an index from the left (0 = leftmost).")]  # fmt: skip
JsonOut = Annotated[bool, typer.Option("--json", help="Print the result JSON to stdout.")]
DbPath = Annotated[Path | None, typer.Option("--db", help="History database (default: user data dir).")]


def _config(limit: float, height_cm: float | None, age: int | None, model: str) -> Any:
    from balance_cam.core.config import AnalysisConfig

    return AnalysisConfig().with_options(limit_s=limit, height_cm=height_cm, age=age, model=model)


@app.command()
@user_errors
def analyze(
    video: Annotated[Path, typer.Argument(
        help="Video file (mp4/mov/avi/webm), a folder of images, or saved landmarks (.landmarks.npz)."
    )],
    json_out: JsonOut = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write result JSON, frames CSV/Parquet, landmarks.")] = None,
    limit: Limit = 45.0,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    annotate: Annotated[Path | None, typer.Option("--annotate", help="Write an annotated video here.")] = None,
    blur_faces: Annotated[bool, typer.Option("--blur-faces", help="Blur faces in the annotated video.")] = False,
    athlete: Annotated[str | None, typer.Option("--athlete", help="Also save to the history under this name.")] = None,
    db: DbPath = None,
    person: Person = None,
) -> None:  # fmt: skip
    """Analyse one recorded video: trials, hold time, sway, left/right verdict."""
    from balance_cam.apps.analyze import OutputOptions, analyze_command

    analyze_command(video, _config(limit, height_cm, age, model), OutputOptions(json_out, out, athlete, db),
                    annotate=annotate, blur_faces=blur_faces, person=person)  # fmt: skip


@app.command()
@user_errors
def live(
    camera: Annotated[str, typer.Option(
        "--camera", help="Camera index (0 = default camera) or a video file standing in for it.")] = "0",
    leg: Annotated[str, typer.Option("--leg", help="Stance leg(s) to test: left, right or both.")] = "both",
    trials: Annotated[int, typer.Option("--trials", callback=in_range("--trials"), help="Trials per leg (best).")] = 3,
    limit: Limit = 45.0,
    athlete: Annotated[str, typer.Option("--athlete", help="Name saved with the session.")] = "",
    no_window: Annotated[bool, typer.Option("--no-window", help="Run without a window.")] = False,
    json_out: JsonOut = False,
    db: DbPath = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write JSON, frames, landmarks.")] = None,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
) -> None:  # fmt: skip
    """Live guided test in front of a camera: each leg, best of N, results saved to the history."""
    from balance_cam.apps.analyze import OutputOptions
    from balance_cam.apps.live.command import LEGS, live_command
    from balance_cam.apps.live.options import LiveOptions

    legs = LEGS.get(leg.lower())
    if legs is None:
        raise fail(f"--leg must be left, right or both, but got {leg!r}")
    options = LiveOptions(camera=camera, legs=legs, trials_per_leg=trials, athlete=athlete,  # type: ignore[arg-type]
                          window=not no_window, db=db)  # fmt: skip
    live_command(options, _config(limit, height_cm, age, model), OutputOptions(json_out, out))


@app.command()
@user_errors
def report(
    result_json: Annotated[Path | None, typer.Argument(help="Result JSON from `analyze --out`.")] = None,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    athlete: Annotated[str | None, typer.Option(
        "--athlete", help="Without RESULT_JSON: this athlete's history report; with it: the name shown.")] = None,
    db: DbPath = None,
    video: Annotated[Path | None, typer.Option(
        "--video", help="The analysed video, for key frames (default: the result's source.path).")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Coach's notes (one-test report).")] = "",
) -> None:  # fmt: skip
    """Write a self-contained HTML report: one test, or an athlete's history with trends."""
    from balance_cam.apps.review import report_command

    typer.echo(str(report_command(result_json, out, athlete=athlete, db=db, video=video, notes=notes)))


@app.command()
@user_errors
def history(
    athlete: Annotated[str | None, typer.Option("--athlete", help="Only this athlete (adds trend lines).")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write one row per trial to this CSV.")] = None,
    db: DbPath = None,
    imports: Annotated[list[Path] | None, typer.Option("--import", help="Store a fallback file "
        "(history-unsaved-*.json, kept when the history could not be written) first; repeatable.")] = None,
) -> None:  # fmt: skip
    """List stored tests: best hold and sway per leg and session, with trends per athlete."""
    from balance_cam.apps.review import history_command

    history_command(athlete, csv, db, imports or ())


# -- models: list / build / download ----------------------------------------------------------
models_app = typer.Typer(no_args_is_help=True, help="Pose model bundles: list, build offline, download.")
app.add_typer(models_app, name="models")
ModelsDir = Annotated[Path | None, typer.Option(
    "--dir", help="Models folder (default: $BALANCE_CAM_MODELS_DIR, else models/ of the "
    "checkout, else the user data folder).")]  # fmt: skip


@models_app.command("list")
@user_errors
def models_list(directory: ModelsDir = None) -> None:
    """What is installed: sizes, sha256, integrity, and which model is the default."""
    from balance_cam.apps.models import list_command

    list_command(directory)


@models_app.command("build")
@user_errors
def models_build(
    directory: ModelsDir = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing bundle.")] = False,
) -> None:
    """Build pose_landmarker_full.task offline from the model inside the installed mediapipe."""
    from balance_cam.apps.models import build_command

    build_command(directory, force)


@models_app.command("download")
@user_errors
def models_download(
    variant: Annotated[str, typer.Argument(help="lite, full or heavy.")],
    directory: ModelsDir = None,
    url: Annotated[str | None, typer.Option("--url", help="Download from a mirror.")] = None,
    sha256: Annotated[str | None, typer.Option("--sha256", help="Expected sha256.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", callback=in_range("--timeout"), help="Seconds without data.")] = 30.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:  # fmt: skip
    """Download an official MediaPipe pose_landmarker bundle (checksum-verified, resumable)."""
    from balance_cam.apps.models import download_command

    download_command(variant, directory, url=url, sha256=sha256, timeout_s=timeout, force=force)


@app.command()
@user_errors
def batch(
    inputs: Annotated[list[str], typer.Argument(
        help='Video files, folders (searched recursively) or quoted globs such as "videos/**/*.mp4".',
        show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Results folder: per-video results, tables.")],
    workers: Annotated[int | None, typer.Option("--workers", "-j", callback=in_range("--workers"),
        help="Local worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler",
        help="Dask scheduler (tls://host:8786 or tcp://); workers need balance-cam and the same paths.")] = None,
    tls_ca_file: Annotated[Path | None, typer.Option("--tls-ca-file",
        help="With a tls:// --scheduler: the cluster's CA certificate (PEM).")] = None,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert",
        help="With a tls:// --scheduler: this client's certificate (PEM), signed by that CA.")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key",
        help="The key of --tls-cert, unless that file holds it.")] = None,
    dashboard: Annotated[bool, typer.Option("--dashboard",
        help="Local cluster: serve Dask's dashboard on 127.0.0.1:8787 (plain HTTP, no login; needs bokeh).")] = False,
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
    db: DbPath = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
        help="No progress bar: failed files and the final summary only (for logs).")] = False,
) -> None:  # fmt: skip
    """Analyse many videos on all cores or a Dask cluster; resumable; combined tables.

    Exit codes: 0 every video analysed; 5 some videos failed or gave partial results (see
    batch_errors.csv); 130 interrupted, 143 terminated (finished results are kept: rerun with
    --resume); 2 bad input (nothing found, bad pattern, scheduler unreachable).
    """
    from balance_cam.apps.batch.runner import BatchOptions, ClusterOptions, batch_command

    cluster = ClusterOptions(workers, scheduler, dashboard, tls_ca_file, tls_cert, tls_key)
    options = BatchOptions(out, name_pattern, resume, frames, workers, scheduler, cluster)
    batch_command(inputs, options, _config(limit, height_cm, age, model), quiet=quiet,
                  save_history=save_history, athlete=athlete, db=db)  # fmt: skip


def run(args: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run one command under a :class:`~balance_cam.apps.signals.StopGuard` (SIGTERM like
    Ctrl-C, later presses quiet) and return its exit status. Usage errors (a bad option value,
    an unknown option) are one stderr line, exit 2, instead of typer's usage text and panel.
    ``exiting``: the process ends after this (``main``), so after a signal later ones are ignored."""
    from balance_cam.apps.signals import StopGuard
    from balance_cam.core.text import terminal_safe

    mro = typer.BadParameter.__mro__  # typer's own (vendored or not) click classes
    click_exception = next(c for c in mro if c.__name__ == "ClickException")
    usage_error = next(c for c in mro if c.__name__ == "UsageError")
    with StopGuard(quiet_after=exiting) as guard:
        try:
            rv = app(args=args, prog_name="balance-cam", standalone_mode=False)
        except click_exception as exc:
            hint = " (see --help)" if isinstance(exc, usage_error) else ""
            typer.echo(f"balance-cam: error: {terminal_safe(exc.format_message())}{hint}", err=True)  # type: ignore[attr-defined]
            return int(exc.exit_code)  # type: ignore[attr-defined]
        except typer.Abort:
            return guard.exit_code or EXIT_INTERRUPTED
    if guard.exit_code is not None and rv in (None, 0, EXIT_INTERRUPTED):  # stopped while parsing
        return guard.exit_code
    return rv if isinstance(rv, int) else EXIT_OK


def main() -> None:
    """Entry point of the ``balance-cam`` script."""
    _quiet_native_logs()
    from balance_cam.core.text import SafeLogFormatter

    logging.basicConfig(level=logging.WARNING, format="balance-cam: %(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(SafeLogFormatter("balance-cam: %(levelname)s: %(message)s"))
    try:
        code = run(exiting=True)
    except KeyboardInterrupt as exc:
        from balance_cam.apps.signals import exit_code

        typer.echo("balance-cam: interrupted", err=True)
        code = exit_code(exc)
    except Exception as exc:  # outside user_errors (e.g. a broken install): still one line
        logging.getLogger("balance_cam").debug("internal error", exc_info=True)
        typer.echo(f"balance-cam: error: internal error ({exc.__class__.__name__}: {exc}); "
                   "please report it", err=True)  # fmt: skip
        code = EXIT_INTERNAL
    sys.exit(code)


if __name__ == "__main__":
    main()
