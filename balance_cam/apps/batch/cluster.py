"""Dask clusters that let nobody else in.

**Local cluster** (``batch`` without ``--scheduler``): scheduler, nannies and workers speak TLS
on loopback with a throw-away CA made in this process by
:meth:`distributed.security.Security.temporary` (the ``cryptography`` package). Every endpoint
requires a peer certificate signed by that CA (mutual TLS), and the key lives only in this
process and the worker processes it spawns (handed over through multiprocessing's pipe), so
another local user who finds the ports can neither run a task nor read a result
(https://distributed.dask.org/en/stable/tls.html).

Distributed also starts an HTTP server on the scheduler and on every worker even with
``dashboard_address=None`` (dask/distributed#7207): plain HTTP with worker addresses, logs and
call stacks. :data:`NO_HTTP_ROUTES` leaves those servers with no route and
:class:`CloseHttpWorker` / :class:`CloseHttpScheduler` close their listening sockets as soon as
each server starts (also in a worker its nanny restarts). ``--dashboard`` keeps the scheduler's
dashboard, on 127.0.0.1 only, and says that it is unauthenticated. Workers ignore SIGINT
(:class:`IgnoreSigint`): the main process stops the batch in order.

**Remote cluster** (``--scheduler``): :func:`remote_security` builds the client's credentials
from ``--tls-ca-file/--tls-cert/--tls-key`` or, without them, from Dask's own configuration
(``distributed.comm.tls.*``, ``distributed.comm.require-encryption``).
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from distributed.diagnostics.plugin import SchedulerPlugin, WorkerPlugin

from balance_cam.apps.batch.inputs import BatchError
from balance_cam.core.text import count_of
from balance_cam.pose.base import MODEL_THREADS_ENV, auto_model_threads, usable_cores

log = logging.getLogger(__name__)

#: Dask config that leaves the always-started HTTP servers with no route (404 for everything).
NO_HTTP_ROUTES: dict[str, list[str]] = {
    "distributed.scheduler.http.routes": [],
    "distributed.worker.http.routes": [],
}


@dataclass(frozen=True)
class ClusterOptions:
    """Where a batch runs: a local cluster of ``workers`` processes, or ``scheduler``."""

    workers: int | None = None
    scheduler: str | None = None
    dashboard: bool = False
    tls_ca_file: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None


def local_security() -> Any:
    """Fresh in-memory TLS credentials (self-signed CA, one key for every role)."""
    from distributed.security import Security

    try:
        return Security.temporary()
    except ImportError as exc:
        raise BatchError("a local cluster needs the 'cryptography' package for TLS "
                         "(pip install cryptography)") from exc  # fmt: skip


def _stop_http(server: Any) -> None:
    http = getattr(server, "http_server", None)
    if http is not None:
        http.stop()  # closes the listening sockets; idempotent (tornado TCPServer.stop)


class CloseHttpWorker(WorkerPlugin):  # type: ignore[misc]
    """Closes a worker's HTTP server when the worker starts (also after a nanny restart)."""

    name = "balance-cam-close-http"

    def setup(self, worker: Any) -> None:
        _stop_http(worker)


class IgnoreSigint(WorkerPlugin):  # type: ignore[misc]
    """Local workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and
    workers dying on their own would be restarted by their nannies mid-shutdown. The main
    process cancels the tasks and closes the cluster in order instead."""

    name = "balance-cam-ignore-sigint"

    def setup(self, worker: Any) -> None:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():  # a worker process's loop
            signal.signal(signal.SIGINT, signal.SIG_IGN)


class CloseHttpScheduler(SchedulerPlugin):  # type: ignore[misc]
    """Closes the scheduler's HTTP server when the scheduler starts."""

    name = "balance-cam-close-http"

    async def start(self, scheduler: Any) -> None:
        _stop_http(scheduler)


def check_cluster(options: ClusterOptions) -> None:
    """Before the batch starts: the options can work (one line otherwise)."""
    if options.scheduler:
        if options.dashboard:
            raise BatchError("--dashboard is for the local cluster; a --scheduler has its own")
        remote_security(options.scheduler, options.tls_ca_file, options.tls_cert, options.tls_key,
                        warn=False)  # the client warns once, when it connects
    elif any((options.tls_ca_file, options.tls_cert, options.tls_key)):
        raise BatchError("--tls-* options are for a tls:// --scheduler; the local cluster makes its own")
    elif options.dashboard:
        try:
            import bokeh  # noqa: F401
        except ImportError:
            raise BatchError("--dashboard needs the bokeh package (pip install 'bokeh>=3.1')") from None


def _dashboard_kwargs(dashboard: bool) -> dict[str, Any]:
    if not dashboard:  # port 0: never clashes with another cluster's 8787; closed at start
        return {"dashboard_address": "127.0.0.1:0", "plugins": [CloseHttpScheduler()]}
    check_cluster(ClusterOptions(dashboard=True))
    return {"dashboard_address": "127.0.0.1:8787"}


@contextmanager
def _no_half_started_cluster() -> Iterator[None]:
    """A Ctrl-C (or any error) while ``LocalCluster`` starts leaves a cluster whose workers are
    still starting; distributed's own exit hook then fails on it with a traceback
    (``AssertionError: Status.init`` in ``SpecCluster._close``), and asyncio logs the nannies
    whose worker process the press stopped as "Task exception was never retrieved". Close such
    a cluster here, quietly and as far as it goes, and take it off that hook's list (on any
    error; the error itself is raised on); after a Ctrl-C or SIGTERM, also mute those loggers
    for the rest of the process, which is exiting (the one-line error says why)."""
    from distributed.core import Status
    from distributed.deploy.spec import SpecCluster

    before = set(SpecCluster._instances)
    try:
        yield
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):  # Ctrl-C or SIGTERM: the process is exiting
            for name in ("asyncio", "distributed", "tornado"):  # "Task exception was never
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)  # retrieved" of nannies
        for cluster in set(SpecCluster._instances) - before:
            try:
                cluster.close(timeout=5)
            except BaseException:  # noqa: BLE001 - half started (or a second press): close what can be
                log.debug("closing a half-started cluster", exc_info=True)
            finally:
                cluster.status = Status.closed
                SpecCluster._instances.discard(cluster)
        raise


def local_worker_count(requested: int | None, videos: int | None, cores: int) -> int:
    """Worker processes for a local cluster: ``requested`` (default: one per core), but at most
    one per core (pose is CPU-bound: more workers only wait for a core, and each loads its own
    model, ~0.4 GB) and at most one per video (``videos``; None: not known), at least 1."""
    n = min(requested or cores, cores)
    return max(1, n if videos is None else min(n, videos))


@contextmanager
def secure_local_client(workers: int | None = None, dashboard: bool = False,
                        videos: int | None = None) -> Iterator[tuple[Any, int]]:  # fmt: skip
    """``(client, n_workers)`` of a local cluster that only this process can use.

    ``workers`` single-threaded worker processes (:func:`local_worker_count`: default one per
    core, never more than the cores or the ``videos``; asking for more than the cores logs a
    warning), TLS on loopback, no
    HTTP listener left open unless ``dashboard`` (the scheduler's, on 127.0.0.1). Each worker's
    pose model gets its share of the cores (``$BALANCE_CAM_MODEL_THREADS``, unless set;
    :func:`~balance_cam.pose.base.auto_model_threads` of cores / workers): one thread with a
    worker per core, three for each of 2 workers on 8 cores.
    """
    import dask
    from distributed import Client, LocalCluster

    cores = usable_cores()
    n = local_worker_count(workers, videos, cores)
    if workers is not None and workers > cores:
        log.warning("--workers %d: this machine has %s, so %s (more would only wait for a core, "
                    "each holding its own pose model)", workers, count_of(cores, "core"),
                    count_of(n, "local worker"))  # fmt: skip
    security = local_security()
    share = auto_model_threads(usable_cores() // n)
    env = {} if MODEL_THREADS_ENV in os.environ else {MODEL_THREADS_ENV: str(share)}
    routes = NO_HTTP_ROUTES if not dashboard else {"distributed.worker.http.routes": []}
    with dask.config.set(routes), _no_half_started_cluster():  # config: captured by each Nanny
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
            protocol="tls://", security=security, dashboard_address=None,
            scheduler_kwargs=_dashboard_kwargs(dashboard),
            plugins=(CloseHttpWorker(), IgnoreSigint()), silence_logs=logging.CRITICAL, env=env,
        )  # fmt: skip
    with cluster, Client(cluster, security=security) as client:
        if dashboard:
            log.warning("dashboard at %s (plain HTTP, no login: any local user can see it)",
                        cluster.dashboard_link)  # fmt: skip
        yield client, n


# -- remote schedulers ----------------------------------------------------------------------
def _is_loopback(address: str) -> bool:
    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _readable(path: str | Path, option: str) -> str:
    p = Path(path).expanduser()
    try:
        with p.open("rb"):
            pass
    except OSError as exc:
        raise BatchError(f"{option} {p}: {exc.strerror or exc}") from exc
    return str(p)


def remote_security(
    address: str, ca_file: str | Path | None = None, cert: str | Path | None = None,
    key: str | Path | None = None, *, warn: bool = True,
) -> Any:  # fmt: skip
    """The client's :class:`~distributed.security.Security` for ``--scheduler address``.

    With ``--tls-ca-file`` and ``--tls-cert`` (``--tls-key`` unless the key is in the cert
    file): those files, encryption required, and the address must be ``tls://``. Without
    them: Dask's configuration (``~/.config/dask/*.yaml`` or ``DASK_DISTRIBUTED__COMM__TLS__*``),
    so a ``tls://`` address then needs ``distributed.comm.tls.ca-file`` and
    ``distributed.comm.tls.client.cert`` there. A plain ``tcp://`` address off this machine
    is allowed (the user's cluster) but logged as unauthenticated (unless ``warn`` is false).
    """
    from distributed.security import Security

    scheme = address.split("://", 1)[0] if "://" in address else "tcp"
    given = {"--tls-ca-file": ca_file, "--tls-cert": cert, "--tls-key": key}
    if any(v is not None for v in given.values()):
        if ca_file is None or cert is None:
            raise BatchError("--tls-ca-file and --tls-cert are needed together (--tls-key too "
                             "unless the certificate file holds the key)")  # fmt: skip
        if scheme != "tls":
            raise BatchError(f"--tls-* options need a tls:// scheduler address, not {address}")
        files = {opt: _readable(v, opt) for opt, v in given.items() if v is not None}
        return Security(tls_ca_file=files["--tls-ca-file"], tls_client_cert=files["--tls-cert"],
                        tls_client_key=files.get("--tls-key"), require_encryption=True)  # fmt: skip
    security = Security()  # from Dask's configuration
    if scheme == "tls" and not (security.tls_ca_file and security.tls_client_cert):
        raise BatchError(f"{address} needs --tls-ca-file and --tls-cert (or Dask's "
                         "distributed.comm.tls.ca-file and .client.cert settings)")  # fmt: skip
    if scheme == "tcp" and security.require_encryption:
        raise BatchError(f"{address}: Dask's distributed.comm.require-encryption is set; use a "
                         "tls:// scheduler address")  # fmt: skip
    if warn and scheme == "tcp" and not _is_loopback(address):
        log.warning("%s is unauthenticated tcp://: anyone who can reach it can run code on its "
                    "workers and on this client; prefer tls:// (see docs/batch.md)", address)  # fmt: skip
    return security


@contextmanager
def remote_client(options: ClusterOptions) -> Iterator[Any]:
    """A client of ``options.scheduler`` with :func:`remote_security`."""
    from distributed import Client

    address = str(options.scheduler)
    security = remote_security(address, options.tls_ca_file, options.tls_cert, options.tls_key)
    try:
        client = Client(address, timeout="15s", security=security)
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc
    try:
        yield client
    finally:
        client.close()
