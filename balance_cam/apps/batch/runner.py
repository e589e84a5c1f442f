"""Batch analysis of many recorded videos, on this machine or on a Dask cluster.

One task per video. :func:`analyze_one` runs :func:`balance_cam.apps.analyze.analyze_video_series`
(the same core as ``analyze``) with a pose backend loaded once per worker process and reset
between videos, writes that video's outputs atomically as soon as it finishes, and returns a
small :class:`Outcome` (no frames, no landmarks). :func:`run_tasks` submits the same task
function to a local ``LocalCluster`` (one single-threaded worker process per core, the
default) or to an existing Dask scheduler (``scheduler="tcp://host:8786"``).

A failed video never stops the batch: its :class:`Outcome` records the reason. Resuming
(``resume=True``) skips a video whose ``{stem}.json`` exists and records the same input
sha256 and analysis configuration. Combined tables are built by :mod:`balance_cam.apps.batch.tables`.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from balance_cam.core.config import AnalysisConfig
from balance_cam.core.results import AnalysisResult, _clean_json
from balance_cam.pose.base import sha256_of

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".3gp", ".mpg", ".mpeg",
     ".wmv"}
)  # fmt: skip
_LEFT = frozenset({"l", "left", "lt", "lft", "links", "gauche", "izquierda", "sinistra"})
_RIGHT = frozenset({"r", "right", "rt", "rgt", "rechts", "droite", "derecha", "destra"})


class BatchError(ValueError):
    """The batch cannot start (bad inputs, pattern or cluster); one line for the user."""


# -- inputs -------------------------------------------------------------------------------
def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _is_video_name(p: Path) -> bool:
    return p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")


def discover(inputs: Sequence[str | Path], exclude: str | Path | None = None) -> list[Path]:
    """Absolute paths of the videos named by ``inputs``, sorted, without duplicates.

    A file is taken as given (whatever its suffix, so a non-video fails visibly); a folder is
    searched recursively and a glob pattern (``**`` is recursive) expanded, both keeping only
    names with a video suffix (:data:`VIDEO_SUFFIXES`) that are not hidden (``.name``).
    Files under ``exclude`` (the output folder) are left out. Symlinks are not resolved, so
    two links to one clip are two videos.
    """
    found: set[Path] = set()
    for item in inputs:
        text = str(item)
        path = Path(text)
        if _is_glob(text):
            hits = [Path(m) for m in glob.glob(text, recursive=True)]
            files = [h for h in hits if h.is_file() and _is_video_name(h)]
            if not files:
                raise BatchError(f"{text}: no video file matches this pattern")
        elif path.is_dir():
            files = [f for f in path.rglob("*") if f.is_file() and _is_video_name(f)]
        elif path.exists():
            files = [path]
        else:
            raise BatchError(f"{text}: no such file or folder")
        found.update(Path(os.path.abspath(f)) for f in files)
    if exclude is not None:
        out = Path(os.path.abspath(exclude))
        found = {f for f in found if out not in f.parents}
    return sorted(found)


def output_stems(paths: Sequence[Path]) -> dict[Path, str]:
    """Output stem of each video: its path relative to the inputs' common folder, without
    suffix (``a/b/clip``); the suffix is kept where two inputs would share a stem."""
    if not paths:
        return {}
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    stems = {p: p.relative_to(root).with_suffix("").as_posix() for p in paths}
    counts: dict[str, int] = {}
    for s in stems.values():
        counts[s] = counts.get(s, 0) + 1
    return {p: (p.relative_to(root).as_posix() if counts[s] > 1 else s) for p, s in stems.items()}


# -- file names ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NamePattern:
    """Fields parsed from a file name, e.g. ``"{athlete}_{leg}_{trial}"``.

    The pattern is matched against the whole file name without its suffix, or, when it
    contains ``/``, against the path relative to the inputs' common folder (so
    ``"{athlete}/{leg}_{trial}"`` reads the athlete from the folder). A field matches one or
    more characters other than the pattern's own separator characters; ``{}`` matches
    anything and is not kept.
    """

    text: str
    regex: re.Pattern[str]
    fields: tuple[str, ...]

    @classmethod
    def compile(cls, text: str) -> NamePattern:
        parts = re.split(r"(\{\w*\})", text)
        literals = "".join(parts[0::2])
        names = [p[1:-1] for p in parts[1::2]]
        kept = [n for n in names if n]
        if not kept:
            raise BatchError(f"name pattern {text!r} has no field such as {{athlete}}")
        from balance_cam.apps.batch.tables import RESERVED_COLUMNS

        if len(set(kept)) != len(kept) or set(kept) & RESERVED_COLUMNS:
            clash = ", ".join(sorted(set(kept) & RESERVED_COLUMNS))
            raise BatchError(f"name pattern {text!r}: fields must be unique and not a table "
                             f"column ({clash})")  # fmt: skip
        if "{" in literals or "}" in literals:
            raise BatchError(f"name pattern {text!r}: write fields as {{name}} (letters, digits)")
        any_re = f"[^{re.escape(''.join(sorted(set(literals))))}]+" if literals else ".+?"
        regex = "".join(
            re.escape(part) if i % 2 == 0 else any_re if part == "{}"
            else f"(?P<{part[1:-1]}>{any_re})"
            for i, part in enumerate(parts)
        )  # fmt: skip
        return cls(text, re.compile(regex), tuple(kept))

    def parse(self, rel_stem: str) -> dict[str, str] | None:
        """The fields of one video (``rel_stem``: relative path without suffix), or None."""
        target = rel_stem if "/" in self.text else rel_stem.rsplit("/", 1)[-1]
        m = self.regex.fullmatch(target)
        return m.groupdict() if m else None


def leg_side(text: str | None) -> str | None:
    """``"left"``/``"right"`` for common spellings of a leg in file names (L, lt, left, ...)."""
    t = (text or "").strip().lower()
    return "left" if t in _LEFT else "right" if t in _RIGHT else None


# -- one video ----------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchTask:
    """One video to analyse; paths are absolute so any worker can open them."""

    path: str
    stem: str
    out_dir: str
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    names: dict[str, str] | None = None
    resume: bool = False
    write_frames: bool = True
    size_bytes: int = 0

    @property
    def json_path(self) -> Path:
        return Path(self.out_dir) / f"{self.stem}.json"


@dataclass(frozen=True)
class Outcome:
    """What became of one video. ``status``: ``ok``, ``partial`` (damaged part-way; result
    written), ``skipped`` (``--resume``: unchanged result reused) or ``failed``."""

    path: str
    stem: str
    status: str
    names: dict[str, str] | None = None
    sha256: str = ""
    frames: int = 0
    elapsed_s: float = 0.0
    error_kind: str = ""
    reason: str = ""
    result: AnalysisResult | None = None
    worker: str = ""
    worker_rss_mb: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "partial")


_local = threading.local()
_MALLOC_TUNED: list[bool] = []


def tune_malloc() -> bool:
    """Keep decoded frames on the heap in this process (Linux/glibc); True if applied.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which freezes glibc's
    adaptive mmap threshold at 128 KiB: every decoded frame (6 MB at 1080p) is then mmap'ed,
    zero-filled and unmapped again, which made decode + pose about 25 % slower (measured with
    ``benchmarks/bench_batch.py``). A fixed 32 MiB mmap threshold (frames up to 4K stay on the
    heap) and a 64 MiB trim threshold keep the memory bounded without that churn.
    """
    if _MALLOC_TUNED or not sys.platform.startswith("linux"):
        return bool(_MALLOC_TUNED)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(-3, 32 << 20) == 1 and libc.mallopt(-1, 64 << 20) == 1  # M_MMAP_/M_TRIM_
    except (OSError, AttributeError):  # not glibc
        return False
    _MALLOC_TUNED.append(ok)
    return ok


def _worker_backend(model: str) -> Any:
    """This thread's pose backend for ``model``, loaded once and reset between videos
    (MediaPipe's tracking state would otherwise carry over from the previous video)."""
    from balance_cam.pose import create_backend

    cache: dict[str, Any] = _local.__dict__.setdefault("backends", {})
    backend = cache.get(model)
    if backend is not None and hasattr(backend, "reset"):
        backend.reset()
        return backend
    if backend is not None:  # no reset: a fresh instance keeps results equal to `analyze`
        backend.close()
    tune_malloc()
    cache[model] = create_backend(model)
    return cache[model]


def _drop_backend(model: str) -> None:
    backend = _local.__dict__.get("backends", {}).pop(model, None)
    if backend is not None:
        try:
            backend.close()
        except Exception:  # a backend that failed may not close cleanly; it is dropped anyway
            log.debug("closing a failed backend", exc_info=True)


def _strip_traces(result: AnalysisResult) -> AnalysisResult:
    return replace(result, trials=tuple(replace(t, trace=None) for t in result.trials))


def _previous(task: BatchTask, sha256: str) -> AnalysisResult | None:
    """The recorded result of ``task`` if it was made from these bytes with this config."""
    result = _read_result(task.json_path)
    if result is None:
        return None
    recorded = result.extra.get("batch", {}).get("input_sha256")
    if recorded != sha256:
        return None
    if result.config != _clean_json(task.config.to_dict()):
        log.info("%s: analysis settings changed; analysing again", task.path)
        return None
    return result


def looks_like_video(path: str | Path) -> bool:
    """Whether the file starts like a video container (MP4/MOV ``ftyp``, Matroska/WebM, AVI,
    MPEG-PS/TS, ASF), to tell a damaged video from a file that is no video at all."""
    try:
        with open(path, "rb") as f:
            head = f.read(189)
    except OSError:
        return False
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
        or head.startswith((b"\x1a\x45\xdf\xa3", b"\x00\x00\x01\xba", b"\x30\x26\xb2\x75"))
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
        or head[0:1] == head[188:189] == b"\x47"  # MPEG-TS sync bytes
    )


def _classify(exc: BaseException, path: str = "") -> str:
    """A short error kind for the errors table."""
    from balance_cam.apps.analyze import NoPersonError
    from balance_cam.io.sources import SourceError
    from balance_cam.pose.base import PoseError

    if isinstance(exc, NoPersonError):
        return "no_person"
    if isinstance(exc, SourceError):
        text = str(exc)
        if "no video stream" in text or "not a readable video" in text:
            return "corrupt" if looks_like_video(path) else "not_a_video"
        return "missing" if "no such file" in text else "corrupt"
    if isinstance(exc, PoseError):
        return "pose_model"
    if isinstance(exc, FileNotFoundError):
        return "missing"
    if isinstance(exc, OSError):
        return "unreadable"
    return "internal"


def analyze_one(task: BatchTask) -> Outcome:
    """Analyse one video and write its outputs; never raises for a bad video.

    This is the task function run by every worker, local or remote.
    """
    t0 = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    base = Outcome(task.path, task.stem, "failed", names=task.names, worker=worker)
    try:
        sha256 = sha256_of(task.path)
    except OSError as exc:
        return replace(base, error_kind=_classify(exc), reason=f"{exc.strerror or exc}")
    if os.path.getsize(task.path) == 0:
        return replace(base, sha256=sha256, error_kind="empty", reason="the file is empty")
    if task.resume and (previous := _previous(task, sha256)) is not None:
        return _done(replace(base, sha256=sha256), previous, "skipped", t0)
    try:
        result = _analyze(task, sha256)
    except Exception as exc:  # recorded per file: a bad video must never stop the batch
        kind = _classify(exc, task.path)
        if kind in ("internal", "pose_model"):
            _drop_backend(task.config.model)
            log.debug("%s failed", task.path, exc_info=True)
        reason = str(exc) if kind != "internal" else f"{exc.__class__.__name__}: {exc}"
        reason = reason.removeprefix(f"{task.path}: ")  # the file has its own column
        return replace(base, sha256=sha256, error_kind=kind, reason=reason,
                       elapsed_s=time.perf_counter() - t0, worker_rss_mb=_rss_mb())  # fmt: skip
    return _done(replace(base, sha256=sha256), result, "ok", t0)


def _analyze(task: BatchTask, sha256: str) -> AnalysisResult:
    from balance_cam.apps.analyze import analyze_video_series
    from balance_cam.io.results import write_outputs

    backend = _worker_backend(task.config.model)
    result, series = analyze_video_series(task.path, task.config, backend=backend)
    batch = {"input_sha256": sha256, "stem": task.stem, "names": task.names}
    result = replace(result, extra={**result.extra, "batch": batch})
    write_outputs(task.out_dir, task.stem, result, series if task.write_frames else None)
    return result


def _rss_mb() -> float:
    """Resident memory of this worker process after a video, MiB (to check it stays flat)."""
    import psutil  # a dependency of dask.distributed

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _done(base: Outcome, result: AnalysisResult, status: str, t0: float) -> Outcome:
    if not result.complete:  # damaged part-way: reported as partial, also when resumed
        status = "partial"
    kind, reason = ("", "")
    if not result.complete:
        kind = "partial"
        reason = "; ".join(w.removeprefix(f"{base.path}: ") for w in result.warnings)
    return replace(base, status=status, result=_strip_traces(result), frames=result.frames_decoded,
                   elapsed_s=time.perf_counter() - t0, error_kind=kind, reason=reason,
                   worker_rss_mb=_rss_mb())  # fmt: skip


# -- many videos --------------------------------------------------------------------------
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
        tasks.append(BatchTask(str(p), stems[p], out, config, names, resume, write_frames, size))
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


def _installed_version() -> str:
    from balance_cam._version import __version__

    return __version__


def _check_workers(client: Any, scheduler: str) -> int:
    """Number of workers; fails early when workers cannot import balance_cam."""
    try:
        versions = client.run(_installed_version)
    except ImportError as exc:
        raise BatchError(f"workers of {scheduler} cannot import balance_cam ({exc}); install "
                         "balance-cam on every worker") from exc  # fmt: skip
    mine = _installed_version()
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


def warm_up(model: str) -> str:
    """Import the analysis stack and load this worker thread's pose model before the first
    video (so a model that cannot load stops the batch at once, not on every video)."""
    import pandas  # noqa: F401 - per-video tables
    import pyarrow.parquet  # noqa: F401

    import balance_cam.apps.analyze  # noqa: F401
    import balance_cam.io.results  # noqa: F401

    _worker_backend(model)
    return f"{socket.gethostname()}:{os.getpid()}"


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
    result = _read_result(path) if fresh else None
    if result is None:
        return Outcome(task.path, task.stem, "not_run", names=task.names,
                       reason="not analysed: the batch was interrupted")  # fmt: skip
    sha256 = result.extra.get("batch", {}).get("input_sha256", "")
    base = Outcome(task.path, task.stem, "ok", names=task.names, sha256=sha256)
    return replace(_done(base, result, "ok", time.perf_counter()), elapsed_s=0.0, worker_rss_mb=0.0)


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

    from balance_cam.io.results import write_text

    def iso(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")

    counts = {s: report.count(s) for s in ("ok", "partial", "skipped", "failed", "not_run")}
    manifest = {
        "tool_version": _installed_version(), "started_at": iso(started),
        "finished_at": iso(time.time()), "elapsed_s": round(report.elapsed_s, 3),
        "inputs": [str(i) for i in inputs], "out_dir": str(Path(options.out_dir).resolve()),
        "name_pattern": options.name_pattern, "resume": options.resume,
        "scheduler": options.scheduler, "workers": report.workers, "videos": report.total,
        "interrupted": report.interrupted, **counts,
        "frames_analysed": sum(o.frames for o in report.outcomes if o.status != "skipped"),
        "config": _clean_json(config.to_dict()),
    }  # fmt: skip
    return write_text(Path(options.out_dir) / "batch_run.json", json.dumps(manifest, indent=2))


def save_to_history(
    outcomes: Sequence[Outcome], out_dir: str | Path, db: str | Path | None = None,
    athlete: str | None = None,
) -> int:  # fmt: skip
    """Store every analysed video in the history database as a ``batch`` session.

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
            result = _read_result(Path(out_dir) / f"{o.stem}.json") or o.result
            name = athlete or (o.names or {}).get("athlete") or ""
            history.save_result(result, athlete=name, kind="batch")
            added += 1
    return added


def _read_result(path: Path) -> AnalysisResult | None:
    try:
        return AnalysisResult.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _in_history(history: Any, source: str, created_at: str) -> bool:
    row = history.conn.execute(
        "SELECT 1 FROM sessions WHERE kind = 'batch' AND source = ?"
        " AND json_extract(result_json, '$.created_at') = ? LIMIT 1", (source, created_at),
    ).fetchone()  # fmt: skip
    return row is not None
