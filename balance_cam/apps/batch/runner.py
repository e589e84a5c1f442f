"""Running a batch: tasks for every video, on a local Dask cluster or an existing scheduler.

:func:`run_tasks` submits :func:`~balance_cam.apps.batch.worker.analyze_one` to a local
``LocalCluster`` (one single-threaded worker process per core, the default) or to an existing
Dask scheduler (``scheduler="tcp://host:8786"``). Resuming (``resume=True``) skips a video
whose ``{stem}.json`` exists and records the same input sha256 and analysis configuration.
Combined tables are built by :mod:`balance_cam.apps.batch.tables`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from balance_cam.apps.batch.cluster import ClusterOptions, check_cluster
from balance_cam.apps.batch.inputs import BatchError, NamePattern, config_for, discover, output_stems
from balance_cam.apps.batch.store import save_to_history
from balance_cam.apps.batch.worker import (
    BatchTask,
    Outcome,
    analyze_one,
    done_outcome,
    installed_version,
    warm_up,
)
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.jsonvalues import clean_json
from balance_cam.io.results import try_read_result, verify_result_set

log = logging.getLogger(__name__)


def make_tasks(
    paths: Sequence[Path], out_dir: str | Path, config: AnalysisConfig, *,
    name_pattern: NamePattern | None = None, resume: bool = False, write_frames: bool = True,
) -> list[BatchTask]:  # fmt: skip
    """One task per video, largest file first (so the longest videos do not finish last)."""
    out = str(Path(out_dir).resolve())
    stems = output_stems(paths)
    tasks = []
    for p in paths:
        rel = stems[p].removesuffix(p.suffix)
        names = name_pattern.parse(rel) if name_pattern else None
        if name_pattern and names is None:
            log.warning("%s: file name does not match --name-pattern %r", p, name_pattern.text)
        size = p.stat().st_size if p.exists() else 0
        tasks.append(BatchTask(str(p), stems[p], out, config_for(config, names, str(p)), names, resume,
                               write_frames, size))  # fmt: skip
    return sorted(tasks, key=lambda t: (-t.size_bytes, t.path))


@dataclass(frozen=True)
class BatchReport:
    """The outcome of every video that finished, and whether the run was interrupted."""

    outcomes: tuple[Outcome, ...]
    total: int
    interrupted: bool
    elapsed_s: float
    workers: int

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)


def _check_workers(client: Any, scheduler: str) -> int:
    """Number of workers; fails early when workers cannot import balance_cam."""
    try:
        versions = client.run(installed_version)
    except ImportError as exc:
        raise BatchError(f"workers of {scheduler} cannot import balance_cam ({exc}); install "
                         "balance-cam on every worker") from exc  # fmt: skip
    mine = installed_version()
    for address, version in versions.items():
        if version != mine:
            log.warning("worker %s has balance-cam %s, this client %s", address, version, mine)
    if not versions:
        log.warning("no worker is connected to %s yet; tasks wait until one is", scheduler)
    return len(versions)


@contextmanager
def dask_client(
    workers: int | None = None, scheduler: str | None = None, cluster: ClusterOptions | None = None,
    videos: int | None = None,
) -> Iterator[tuple[Any, int]]:
    """``(client, n_workers)``: a Dask client to ``scheduler`` if given, else to a local
    cluster of ``workers`` single-threaded worker processes (default: one per core; never more
    than the cores or the ``videos``) that only this process can use
    (:mod:`balance_cam.apps.batch.cluster`)."""
    from balance_cam.apps.batch.cluster import remote_client, secure_local_client

    options = cluster or ClusterOptions(workers, scheduler)
    if options.scheduler:
        with remote_client(options) as client:
            yield client, _check_workers(client, options.scheduler)
        return
    with secure_local_client(options.workers, options.dashboard, videos) as (client, n):
        yield client, n


def _lost(task: BatchTask, exc: BaseException) -> Outcome:
    """Outcome of a task the cluster itself gave up on (e.g. its worker died 3 times)."""
    return Outcome(task.path, task.stem, "failed", names=task.names, error_kind="worker_lost",
                   reason=f"{exc.__class__.__name__}: {exc}")  # fmt: skip


def _warm_workers(client: Any, model: str) -> None:
    """Run :func:`warm_up` once on every connected worker; workers joining later warm up
    on their first video."""
    from distributed import wait

    futures = [client.submit(warm_up, model, workers=[address], allow_other_workers=False,
                             pure=False) for address in client.scheduler_info()["workers"]]  # fmt: skip
    wait(futures)
    for fut in futures:
        try:
            fut.result()
        except Exception as exc:
            raise BatchError(f"a worker cannot load the pose model {model!r}: {exc}") from exc
        finally:
            fut.release()


def run_tasks(
    tasks: Sequence[BatchTask], *, workers: int | None = None, scheduler: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None, cluster: ClusterOptions | None = None,
) -> BatchReport:  # fmt: skip
    """Run every task on Dask (local cluster or ``scheduler``) and collect the outcomes.

    Ctrl-C or SIGTERM, at any point of the cluster's life (start-up, warm-up, the result loop,
    shutdown), cancels what has not finished and returns with ``interrupted=True``; every result
    already written stays on disk, and later signals are muted by the command's
    :class:`~balance_cam.apps.signals.StopGuard`. ``on_start(n_workers)`` is called once the
    cluster is up and its workers have loaded the pose model.
    """
    t0 = time.perf_counter()
    outcomes: list[Outcome] = []
    interrupted, n_workers = False, 0
    try:
        with dask_client(workers, scheduler, cluster, videos=len(tasks)) as (client, n_workers):
            _warm_workers(client, tasks[0].config.model if tasks else "full")
            if on_start is not None:
                on_start(n_workers)
            interrupted = _collect(client, tasks, outcomes, on_outcome)
    except KeyboardInterrupt:
        interrupted = True
    return BatchReport(tuple(outcomes), len(tasks), interrupted, time.perf_counter() - t0,
                       n_workers)  # fmt: skip


def _collect(client: Any, tasks: Sequence[BatchTask], outcomes: list[Outcome],
             on_outcome: Callable[[Outcome], None] | None) -> bool:  # fmt: skip
    """Submit the tasks and gather outcomes as they finish; True if interrupted."""
    from distributed import as_completed

    futures = client.map(analyze_one, list(tasks), pure=False)
    by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
    try:
        for fut in as_completed(futures):
            try:
                outcome = fut.result()
            except Exception as exc:  # KilledWorker, cancelled by the scheduler, ...
                outcome = _lost(by_key[fut.key], exc)
            fut.release()
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    except KeyboardInterrupt:
        client.cancel(futures)
        return True
    return False


def _unreported(task: BatchTask, started: float) -> Outcome:
    """After an interrupt: a result this run wrote but did not hear of yet (finished as
    Ctrl-C arrived) counts as done; otherwise the video was not analysed."""
    path = task.json_path
    try:
        fresh = path.stat().st_mtime >= started
    except OSError:
        fresh = False
    complete = fresh and verify_result_set(path, need_frames=task.write_frames)
    result = try_read_result(path) if complete else None
    if result is None:
        return Outcome(task.path, task.stem, "not_run", names=task.names,
                       reason="not analysed: the batch was interrupted")  # fmt: skip
    sha256 = result.extra.get("batch", {}).get("input_sha256", "")
    base = Outcome(task.path, task.stem, "ok", names=task.names, sha256=sha256)
    return replace(done_outcome(base, result, "ok", time.perf_counter()), elapsed_s=0.0, worker_rss_mb=0.0)


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch (the analysis itself is configured by :class:`AnalysisConfig`)."""

    out_dir: Path
    name_pattern: str | None = None
    resume: bool = False
    write_frames: bool = True
    workers: int | None = None
    scheduler: str | None = None
    cluster: ClusterOptions | None = None
    """Where to run (overrides ``workers``/``scheduler``): dashboard, TLS files."""

    @property
    def cluster_options(self) -> ClusterOptions:
        return self.cluster or ClusterOptions(self.workers, self.scheduler)


def run_batch(
    inputs: Sequence[str | Path], options: BatchOptions, config: AnalysisConfig | None = None, *,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    planned: tuple[list[BatchTask], NamePattern | None] | None = None,
) -> tuple[BatchReport, dict[str, Path]]:  # fmt: skip
    """Find the videos, analyse them all, write the combined tables and ``batch_run.json``.

    ``on_start(n_videos, n_workers)`` is called once the cluster is up, ``on_outcome`` after
    each video. Returns the report (outcomes include ``not_run`` ones after an interrupt)
    and the paths of the written tables. Raises :class:`BatchError` when nothing can start.
    """
    from balance_cam.apps.batch.tables import write_tables
    from balance_cam.apps.signals import deferred

    config = config or AnalysisConfig()
    started = time.time()
    tasks, pattern = planned or plan_batch(inputs, options, config)
    report = run_tasks(
        tasks, cluster=options.cluster_options, on_outcome=on_outcome,
        on_start=None if on_start is None else (lambda n: on_start(len(tasks), n)),
    )
    finished = {o.path for o in report.outcomes}
    with deferred():  # the tables are written whole, whatever signal arrives now
        report = replace(report, outcomes=report.outcomes + tuple(
            _unreported(t, started) for t in tasks if t.path not in finished))  # fmt: skip
        names = pattern.fields if pattern else ()
        paths_out = write_tables(options.out_dir, report.outcomes, names, config.summary)
        paths_out["run"] = _write_manifest(inputs, options, config, report, started)
    return report, paths_out


def plan_batch(
    inputs: Sequence[str | Path], options: BatchOptions, config: AnalysisConfig
) -> tuple[list[BatchTask], NamePattern | None]:
    """Everything checked before a cluster starts: the pattern, the inputs (a named file that
    is missing becomes a ``missing`` row of the errors table), the ``--out`` folder (never an
    input, never a file); then the temporaries a killed earlier run left are removed."""
    from balance_cam.io.files import check_output_dir, clean_stale_temps, refuse_overwriting_inputs

    pattern = NamePattern.compile(options.name_pattern) if options.name_pattern else None
    for field, meant in (pattern.near_misses() if pattern else {}).items():
        log.warning("--name-pattern field {%s} is only a table column; did you mean {%s}?", field, meant)
    check_output_dir(options.out_dir, "--out")
    missing: list[Path] = []
    paths = discover(inputs, exclude=options.out_dir, missing=missing)
    if not paths and missing:
        raise BatchError(f"{missing[0]}: no such file or folder")
    if not paths:
        raise BatchError(f"no video files found in {', '.join(map(str, inputs))}")
    refuse_overwriting_inputs({"--out": options.out_dir}, {str(p): p for p in paths})
    for p in missing:
        log.warning("%s: no such file or folder (listed in batch_errors)", p)
    if Path(options.out_dir).is_dir():
        clean_stale_temps(options.out_dir)
    tasks = make_tasks(sorted(paths + missing), options.out_dir, config, name_pattern=pattern,
                       resume=options.resume, write_frames=options.write_frames)  # fmt: skip
    return tasks, pattern


def _write_manifest(
    inputs: Sequence[str | Path], options: BatchOptions, config: AnalysisConfig,
    report: BatchReport, started: float,
) -> Path:  # fmt: skip
    """``batch_run.json``: what was run, with which settings, and the counts."""
    import datetime as dt
    import json

    from balance_cam.io.files import write_text

    def iso(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(timespec="seconds")

    counts = {s: report.count(s) for s in ("ok", "partial", "skipped", "failed", "not_run")}
    manifest = {
        "tool_version": installed_version(), "started_at": iso(started),
        "finished_at": iso(time.time()), "elapsed_s": round(report.elapsed_s, 3),
        "inputs": [str(i) for i in inputs], "out_dir": str(Path(options.out_dir).resolve()),
        "name_pattern": options.name_pattern, "resume": options.resume,
        "scheduler": options.scheduler, "workers": report.workers, "videos": report.total,
        "interrupted": report.interrupted, **counts,
        "frames_analysed": sum(o.frames for o in report.outcomes if o.status != "skipped"),
        "config": clean_json(config.to_dict()),
    }  # fmt: skip
    return write_text(Path(options.out_dir) / "batch_run.json", json.dumps(manifest, indent=2))


def quiet_dask_logs(verbose: bool) -> None:
    """Dask logs cluster life (and benign shutdown races) at INFO to ERROR; what matters for a
    video reaches its outcome, so keep Dask quiet unless verbose."""
    import distributed  # noqa: F401 - configures its loggers on import

    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.CRITICAL)


def batch_command(
    inputs: Sequence[str], options: BatchOptions, config: AnalysisConfig, *, quiet: bool = False,
    save_history: bool = False, athlete: str | None = None, db: Path | None = None,
    team: str | None = None,
) -> BatchReport:  # fmt: skip
    """``balance-cam batch``: run with a progress bar, store in the history if asked, summarise;
    raises :class:`~balance_cam.apps.errors.InterruptedRunError` or
    :class:`~balance_cam.apps.errors.FailedFilesError` after everything is written."""
    from balance_cam.apps.errors import FailedFilesError, InterruptedRunError
    from balance_cam.apps.signals import exit_code, stop_word, stopped_by
    from balance_cam.pose.base import model_threads
    from balance_cam.render.console import batch_summary_lines, print_lines
    from balance_cam.render.progress import BatchProgress

    cluster = options.cluster_options
    if cluster.scheduler and cluster.workers:
        log.warning("--workers is ignored with --scheduler")
    if save_history:
        from balance_cam.apps.saving import check_history

        check_history(db)
        if athlete is None and "{athlete}" not in (options.name_pattern or ""):
            log.warning("no --athlete and no {athlete} name field: sessions are stored without a name")
    quiet_dask_logs(logging.getLogger("balance_cam").level == logging.DEBUG)
    check_cluster(cluster)
    model_threads()  # a bad $BALANCE_CAM_MODEL_THREADS: one line now, not one failure per video
    planned = plan_batch(inputs, options, config)  # refusals before the progress bar and the cluster
    with BatchProgress(quiet) as progress:
        report, tables = run_batch(inputs, options, config, on_outcome=progress.outcome,
                                   on_start=progress.start, planned=planned)  # fmt: skip
    if save_history:
        added = save_to_history(report.outcomes, options.out_dir, db, athlete, team)
        print_lines([f"history: {added} session(s) added"])
    print_lines(batch_summary_lines(report, tables["trials.csv"].parent))
    if report.interrupted:
        stop = stopped_by() or KeyboardInterrupt()
        raise InterruptedRunError(f"{stop_word(stop)}; finished results are kept (rerun with --resume)",
                                  exit_code(stop))  # fmt: skip
    failed = report.count("failed", "partial")
    if failed:
        raise FailedFilesError(f"{failed} of {report.total} videos failed or gave partial results "
                               f"(see {options.out_dir}/batch_errors.csv)")  # fmt: skip
    return report
