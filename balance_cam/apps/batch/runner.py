"""Running a batch: tasks for every video, on a local Dask cluster or an existing scheduler.

:func:`run_tasks` submits :func:`~balance_cam.apps.batch.worker.analyze_one` to a local
``LocalCluster`` (one single-threaded worker process per core, the default) or to an existing
Dask scheduler (``scheduler="tcp://host:8786"``). Resuming (``resume=True``) skips a video
whose ``{stem}.json`` exists and records the same input sha256 and analysis configuration.
Combined tables are built by :mod:`balance_cam.apps.batch.tables`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from balance_cam.apps.batch.inputs import BatchError, NamePattern, config_for, discover, output_stems
from balance_cam.apps.batch.worker import (
    BatchTask,
    Outcome,
    analyze_one,
    done_outcome,
    installed_version,
    warm_up,
)
from balance_cam.core.config import AnalysisConfig
from balance_cam.core.results import clean_json
from balance_cam.io.results import try_read_result

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
    workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Any, int]]:
    """``(client, n_workers)``: a Dask client to ``scheduler`` if given, else to a local
    cluster of ``workers`` single-threaded worker processes (default: one per core)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc
        try:
            yield client, _check_workers(client, scheduler)
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                     silence_logs=logging.CRITICAL) as cluster,  # fmt: skip
        Client(cluster) as client,
    ):
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
    on_start: Callable[[int], None] | None = None,
) -> BatchReport:  # fmt: skip
    """Run every task on Dask (local cluster or ``scheduler``) and collect the outcomes.

    Ctrl-C cancels what has not finished and returns with ``interrupted=True``; every result
    already written stays on disk. ``on_start(n_workers)`` is called once the cluster is up
    and its workers have loaded the pose model.
    """
    from distributed import as_completed

    t0 = time.perf_counter()
    outcomes: list[Outcome] = []
    interrupted = False
    with dask_client(workers, scheduler) as (client, n_workers):
        _warm_workers(client, tasks[0].config.model if tasks else "full")
        if on_start is not None:
            on_start(n_workers)
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
            interrupted = True
            client.cancel(futures)
    return BatchReport(tuple(outcomes), len(tasks), interrupted, time.perf_counter() - t0,
                       n_workers)  # fmt: skip


def _unreported(task: BatchTask, started: float) -> Outcome:
    """After an interrupt: a result this run wrote but did not hear of yet (finished as
    Ctrl-C arrived) counts as done; otherwise the video was not analysed."""
    path = task.json_path
    try:
        fresh = path.stat().st_mtime >= started
    except OSError:
        fresh = False
    result = try_read_result(path) if fresh else None
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


def run_batch(
    inputs: Sequence[str | Path], options: BatchOptions, config: AnalysisConfig | None = None, *,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> tuple[BatchReport, dict[str, Path]]:  # fmt: skip
    """Find the videos, analyse them all, write the combined tables and ``batch_run.json``.

    ``on_start(n_videos, n_workers)`` is called once the cluster is up, ``on_outcome`` after
    each video. Returns the report (outcomes include ``not_run`` ones after an interrupt)
    and the paths of the written tables. Raises :class:`BatchError` when nothing can start.
    """
    from balance_cam.apps.batch.tables import write_tables

    config = config or AnalysisConfig()
    started = time.time()
    pattern = NamePattern.compile(options.name_pattern) if options.name_pattern else None
    paths = discover(inputs, exclude=options.out_dir)
    if not paths:
        raise BatchError(f"no video files found in {', '.join(map(str, inputs))}")
    tasks = make_tasks(paths, options.out_dir, config, name_pattern=pattern,
                       resume=options.resume, write_frames=options.write_frames)  # fmt: skip
    report = run_tasks(
        tasks, workers=options.workers, scheduler=options.scheduler, on_outcome=on_outcome,
        on_start=None if on_start is None else (lambda n: on_start(len(tasks), n)),
    )
    finished = {o.path for o in report.outcomes}
    report = replace(report, outcomes=report.outcomes + tuple(
        _unreported(t, started) for t in tasks if t.path not in finished))  # fmt: skip
    names = pattern.fields if pattern else ()
    paths_out = write_tables(options.out_dir, report.outcomes, names, config.summary)
    paths_out["run"] = _write_manifest(inputs, options, config, report, started)
    return report, paths_out


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


def save_to_history(
    outcomes: Sequence[Outcome], out_dir: str | Path, db: str | Path | None = None,
    athlete: str | None = None, team: str | None = None,
) -> int:  # fmt: skip
    """Store every analysed video in the history database as a ``batch`` session (and tag its
    athlete with ``team`` when given).

    The athlete is ``athlete`` if given, else the file name's ``{athlete}`` field, else "".
    The full result (with sway traces) is read back from its JSON file. A result already
    stored (same source path and creation time) is not stored again, so re-running after
    ``--resume`` adds nothing twice. Returns the number of sessions added.
    """
    from balance_cam.io.history import History

    added = 0
    with History(db) as history:
        for o in outcomes:
            if o.result is None:
                continue
            src, created = str(o.result.source.get("path", "")), o.result.created_at
            if _in_history(history, src, created):
                continue
            result = try_read_result(Path(out_dir) / f"{o.stem}.json") or o.result
            name = athlete or (o.names or {}).get("athlete") or ""
            history.save_result(result, athlete=name, kind="batch")
            if team is not None:
                history.set_team(name, team)
            added += 1
    return added


def _in_history(history: Any, source: str, created_at: str) -> bool:
    row = history.conn.execute(
        "SELECT 1 FROM sessions WHERE kind = 'batch' AND source = ?"
        " AND json_extract(result_json, '$.created_at') = ? LIMIT 1", (source, created_at),
    ).fetchone()  # fmt: skip
    return row is not None


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
    from balance_cam.render.console import batch_summary_lines, print_lines
    from balance_cam.render.progress import BatchProgress

    if options.scheduler and options.workers:
        log.warning("--workers is ignored with --scheduler")
    quiet_dask_logs(logging.getLogger("balance_cam").level == logging.DEBUG)
    with BatchProgress(quiet) as progress:
        report, tables = run_batch(inputs, options, config, on_outcome=progress.outcome,
                                   on_start=progress.start)  # fmt: skip
    if save_history:
        added = save_to_history(report.outcomes, options.out_dir, db, athlete, team)
        print_lines([f"history: {added} session(s) added"])
    print_lines(batch_summary_lines(report, tables["trials.csv"].parent))
    if report.interrupted:
        raise InterruptedRunError("interrupted; finished results are kept (rerun with --resume)")
    failed = report.count("failed", "partial")
    if failed:
        raise FailedFilesError(f"{failed} of {report.total} videos failed or gave partial results "
                               f"(see {options.out_dir}/batch_errors.csv)")  # fmt: skip
    return report
