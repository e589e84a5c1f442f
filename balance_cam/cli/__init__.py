"""Command-line interface: parses arguments and calls one app function per command, nothing more.

Exit codes (all commands, :mod:`balance_cam.apps.errors`): 0 success; 1 unexpected internal
error; 2 bad input or usage (missing file, not a video, bad option, an output that is an input,
a damaged or read-only history); 3 partial result (e.g. video damaged part-way, results
written); 4 no person found; 5 batch finished with failed files; 130 interrupted (Ctrl-C);
143 terminated (SIGTERM). Usage errors are one line too (:func:`run`).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

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
from balance_cam.cli.errors import fail, quiet_native_logs, user_errors
from balance_cam.cli.options import (
    Age,
    Condition,
    DbPath,
    HandsOnHips,
    HeightCm,
    JsonOut,
    Limit,
    Model,
    Person,
    Protocol,
    Surface,
    Team,
    analysis_config,
    in_range,
)

app = typer.Typer(
    name="balance-cam", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Single-leg balance test from a camera: hold time and sway per side.",
)  # fmt: skip


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    """Single-leg balance test from a camera: hold time and sway per side."""
    if verbose:
        logging.getLogger("balance_cam").setLevel(logging.DEBUG)




@app.command()
@user_errors
def analyze(
    video: Annotated[Path, typer.Argument(
        help="Video file (mp4/mov/avi/webm), a folder of images, or saved landmarks (.landmarks.npz)."
    )],
    json_out: JsonOut = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write result JSON, frames CSV/Parquet, landmarks.")] = None,
    limit: Limit = None,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    condition: Condition = None,
    surface: Surface = None,
    protocol: Protocol = None,
    hands_on_hips: HandsOnHips = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="Write an annotated video here.")] = None,
    blur_faces: Annotated[bool, typer.Option("--blur-faces", help="Blur faces in the annotated video.")] = False,
    athlete: Annotated[str | None, typer.Option("--athlete", help="Also save to the history under this name.")] = None,
    db: DbPath = None,
    person: Person = None,
    team: Team = None,
) -> None:  # fmt: skip
    """Analyse one recorded video: trials, hold time, sway, left/right verdict."""
    from balance_cam.apps.analyze import OutputOptions, analyze_command

    if team is not None and athlete is None:
        raise fail("--team needs --athlete (the team tag belongs to an athlete in the history)")
    config = analysis_config(limit, height_cm, age, model, condition, surface, protocol, hands_on_hips)
    analyze_command(video, config, OutputOptions(json_out, out, athlete, db, team),
                    annotate=annotate, blur_faces=blur_faces, person=person)  # fmt: skip


@app.command()
@user_errors
def live(
    camera: Annotated[str, typer.Option(
        "--camera", help="Camera index (0 = default camera) or a video file standing in for it.")] = "0",
    leg: Annotated[str, typer.Option("--leg", help="Stance leg(s) to test: left, right or both.")] = "both",
    trials: Annotated[int, typer.Option("--trials", callback=in_range("--trials"), help="Trials per leg (best).")] = 3,
    limit: Limit = None,
    athlete: Annotated[str, typer.Option("--athlete", help="Name saved with the session.")] = "",
    no_window: Annotated[bool, typer.Option("--no-window", help="Run without a window.")] = False,
    json_out: JsonOut = False,
    db: DbPath = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write JSON, frames, landmarks.")] = None,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    condition: Condition = None,
    surface: Surface = None,
    protocol: Protocol = None,
    hands_on_hips: HandsOnHips = False,
    voice: Annotated[bool, typer.Option("--voice/--no-voice", help="Spoken prompts and results (on when there is a sound device).")] = True,
    sound: Annotated[bool, typer.Option("--sound/--no-sound", help="Countdown, lift and stop tones (on when there is a sound device).")] = True,
    team: Team = None,
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
    if team is not None and not athlete:
        raise fail("--team needs --athlete (the team tag belongs to an athlete in the history)")
    config = analysis_config(limit, height_cm, age, model, condition, surface, protocol, hands_on_hips)
    live_command(options, config, OutputOptions(json_out, out, team=team), voice=voice, sound=sound)


@app.command()
@user_errors
def report(
    result_json: Annotated[Path | None, typer.Argument(help="Result JSON from `analyze --out`.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="HTML file to write (default report.html, squad.html).")] = None,
    athlete: Annotated[str | None, typer.Option(
        "--athlete", help="Without RESULT_JSON: this athlete's history report; with it: the name shown; "
        "with --squad: a name pattern (glob, or part of the name).")] = None,
    db: DbPath = None,
    video: Annotated[Path | None, typer.Option(
        "--video", help="The analysed video, for key frames (default: the result's source.path).")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Coach's notes (one-test report).")] = "",
    squad: Annotated[bool, typer.Option(
        "--squad", help="One page for the whole squad (a row per athlete), its CSV and each athlete's report.")] = False,
    team: Annotated[str | None, typer.Option("--team", help="With --squad: only athletes tagged with this team.")] = None,
) -> None:  # fmt: skip
    """Write a self-contained HTML report: one test, an athlete's history with trends, or the squad."""
    from balance_cam.apps.review import report_command, squad_command

    if squad:
        if result_json is not None:
            raise fail("--squad reads the history: give no RESULT_JSON")
        written = squad_command(out or Path("squad.html"), athlete=athlete, team=team, db=db)
        typer.echo("\n".join(str(p) for p in written[:2]))
        if len(written) > 2:
            typer.echo(f"{len(written) - 2} athlete report(s) in {written[2].parent}")
        return
    if team is not None:
        raise fail("--team filters the squad page: use it with --squad")
    typer.echo(str(report_command(result_json, out or Path("report.html"), athlete=athlete, db=db,
                                  video=video, notes=notes)))  # fmt: skip


@app.command()
@user_errors
def history(
    athlete: Annotated[str | None, typer.Option("--athlete", help="Only this athlete (adds trend lines).")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write one row per trial to this CSV.")] = None,
    db: DbPath = None,
    set_team: Annotated[str | None, typer.Option(
        "--set-team", help="Tag --athlete with this team (\"\" removes the tag), then list.")] = None,
    imports: Annotated[list[Path] | None, typer.Option("--import", help="Store a fallback file "
        "(history-unsaved-*.json, kept when the history could not be written) first; repeatable.")] = None,
) -> None:  # fmt: skip
    """List stored tests: best hold and sway per leg and session, with trends per athlete."""
    from balance_cam.apps.review import history_command, set_team_command

    if set_team is not None:
        if athlete is None:
            raise fail("--set-team needs --athlete NAME")
        set_team_command(athlete, set_team, db)
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
    limit: Limit = None,
    height_cm: HeightCm = None,
    age: Age = None,
    model: Model = "full",
    condition: Annotated[str | None, typer.Option("--condition",
        help="eyes-open (default) or eyes-closed; a {condition} name field overrides it per video.")] = None,
    surface: Surface = None,
    protocol: Protocol = None,
    hands_on_hips: HandsOnHips = False,
    save_history: Annotated[bool, typer.Option("--save-history",
        help="Also store each result in the history database (athlete from {athlete}).")] = False,
    athlete: Annotated[str | None, typer.Option("--athlete",
        help="With --save-history: the athlete of every video (else the {athlete} field).")] = None,
    db: DbPath = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
        help="No progress bar: failed files and the final summary only (for logs).")] = False,
    team: Annotated[str | None, typer.Option("--team",
        help="With --save-history: tag every athlete stored with this team (squad page).")] = None,
) -> None:  # fmt: skip
    """Analyse many videos on all cores or a Dask cluster; resumable; combined tables.

    Exit codes: 0 every video analysed; 5 some videos failed or gave partial results (see
    batch_errors.csv); 130 interrupted, 143 terminated (finished results are kept: rerun with
    --resume); 2 bad input (nothing found, bad pattern, scheduler unreachable).
    """
    from balance_cam.apps.batch.runner import BatchOptions, ClusterOptions, batch_command

    if team is not None and not save_history:
        raise fail("--team needs --save-history (the tag is stored in the history)")
    if athlete is not None and not save_history:
        raise fail("--athlete needs --save-history (the name is stored in the history)")
    cluster = ClusterOptions(workers, scheduler, dashboard, tls_ca_file, tls_cert, tls_key)
    options = BatchOptions(out, name_pattern, resume, frames, workers, scheduler, cluster)
    config = analysis_config(limit, height_cm, age, model, condition, surface, protocol, hands_on_hips)
    batch_command(inputs, options, config, quiet=quiet,
                  save_history=save_history, athlete=athlete, db=db, team=team)  # fmt: skip


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
    quiet_native_logs()
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
