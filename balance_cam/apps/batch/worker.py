"""The batch task: one video analysed by one worker, outputs written, a small outcome returned.

:func:`analyze_one` is the task function every worker runs, local or remote: it runs
:func:`balance_cam.apps.analyze.analyze_video_series` (the same core as ``analyze``) with a pose
backend loaded once per worker process and reset between videos, writes that video's outputs
atomically as soon as it finishes, and returns a small :class:`Outcome` (no frames, no
landmarks). A failed video never raises: its outcome records the reason.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from balance_cam.core.config import AnalysisConfig
from balance_cam.core.jsonvalues import clean_json
from balance_cam.core.results import AnalysisResult
from balance_cam.io.files import sha256_of
from balance_cam.io.results import try_read_result, verify_result_set

log = logging.getLogger(__name__)


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
    (MediaPipe's tracking state would otherwise carry over from the previous video). Its model
    runs on ``$BALANCE_CAM_MODEL_THREADS`` threads, else one: a cluster runs a model per core
    (the local cluster sets the variable to its share, :func:`.cluster.secure_local_client`)."""
    from balance_cam.pose.base import model_threads
    from balance_cam.pose.factory import create_backend

    cache: dict[str, Any] = _local.__dict__.setdefault("backends", {})
    backend = cache.get(model)
    if backend is not None and hasattr(backend, "reset"):
        backend.reset()
        return backend
    if backend is not None:  # no reset: a fresh instance keeps results equal to `analyze`
        backend.close()
    tune_malloc()
    cache[model] = create_backend(model, threads=model_threads(default=1))
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
    """The recorded result of ``task`` if it was made from these bytes with this config and
    its result set is complete (:func:`~balance_cam.io.results.verify_result_set`: a set a
    killed run left half-written is analysed again)."""
    if not verify_result_set(task.json_path, need_frames=task.write_frames):
        return None
    result = try_read_result(task.json_path)
    if result is None:
        return None
    recorded = result.extra.get("batch", {}).get("input_sha256")
    if recorded != sha256:
        return None
    if result.config != clean_json(task.config.to_dict()):
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


def classify(exc: BaseException, path: str = "") -> str:
    """A short error kind for the errors table, from the exception's type and ``kind``."""
    from balance_cam.apps.errors import NoPersonError
    from balance_cam.io.sources import SourceError
    from balance_cam.pose.base import PoseError

    if isinstance(exc, NoPersonError):
        return "no_person"
    if isinstance(exc, SourceError):
        if exc.kind in ("not_a_video", "no_stream"):
            return "corrupt" if looks_like_video(path) else "not_a_video"
        return "missing" if exc.kind == "missing" else "corrupt"
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
        return replace(base, error_kind=classify(exc), reason=f"{exc.strerror or exc}")
    if os.path.getsize(task.path) == 0:
        return replace(base, sha256=sha256, error_kind="empty", reason="the file is empty")
    if task.resume and (previous := _previous(task, sha256)) is not None:
        return done_outcome(replace(base, sha256=sha256), previous, "skipped", t0)
    try:
        result = _analyze(task, sha256)
    except Exception as exc:  # recorded per file: a bad video must never stop the batch
        kind = classify(exc, task.path)
        if kind in ("internal", "pose_model"):
            _drop_backend(task.config.model)
            log.debug("%s failed", task.path, exc_info=True)
        reason = str(exc) if kind != "internal" else f"{exc.__class__.__name__}: {exc}"
        reason = reason.removeprefix(f"{task.path}: ")  # the file has its own column
        return replace(base, sha256=sha256, error_kind=kind, reason=reason,
                       elapsed_s=time.perf_counter() - t0, worker_rss_mb=_rss_mb())  # fmt: skip
    return done_outcome(replace(base, sha256=sha256), result, "ok", t0)


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


def done_outcome(base: Outcome, result: AnalysisResult, status: str, t0: float) -> Outcome:
    if not result.complete:  # damaged part-way: reported as partial, also when resumed
        status = "partial"
    kind, reason = ("", "")
    if not result.complete:
        kind = "partial"
        reason = result.incomplete_reason.removeprefix(f"{base.path}: ")
    return replace(base, status=status, result=_strip_traces(result), frames=result.frames_decoded,
                   elapsed_s=time.perf_counter() - t0, error_kind=kind, reason=reason,
                   worker_rss_mb=_rss_mb())  # fmt: skip


def installed_version() -> str:
    from balance_cam._version import __version__

    return __version__


def warm_up(model: str) -> str:
    """Import the analysis stack and load this worker thread's pose model before the first
    video (so a model that cannot load stops the batch at once, not on every video)."""
    import pandas  # noqa: F401 - per-video tables
    import pyarrow.parquet  # noqa: F401

    import balance_cam.apps.analyze  # noqa: F401
    import balance_cam.io.results  # noqa: F401

    _worker_backend(model)
    return f"{socket.gethostname()}:{os.getpid()}"
