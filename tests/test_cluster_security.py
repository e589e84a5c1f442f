"""A local batch cluster accepts only this process; remote clusters get TLS from files.

The intruder is a second *process* (``tests.helpers.intruder``) that knows every listening
port of the cluster's processes and tries a plain Dask handshake, a TLS one with its own
self-signed certificate, an HTTP GET, and a Client that submits ``os.getpid``. Against a
plain ``LocalCluster`` (tcp://, HTTP servers) it runs its task, so the test fails if the
batch's cluster ever falls back to tcp:// or leaves an HTTP listener open.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from balance_cam.apps.batch.cluster import (
    ClusterOptions,
    check_cluster,
    remote_security,
    secure_local_client,
)
from balance_cam.apps.batch.inputs import BatchError as ClusterError
from balance_cam.pose.base import usable_cores
from tests.conftest import ROOT


def listening_ports(pids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """TCP listening sockets ``(ip, port)`` of each process."""
    import psutil

    out: dict[int, list[tuple[str, int]]] = {}
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        out[pid] = sorted((c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN)
    return out


def cluster_pids() -> list[int]:
    """This process and all its descendants (nannies and workers)."""
    import psutil

    me = psutil.Process()
    return [me.pid, *(c.pid for c in me.children(recursive=True))]


def _intrude(ports: list[int]) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.helpers.intruder", *map(str, ports)],
                         capture_output=True, text=True, timeout=120, env=os.environ, cwd=ROOT)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ports(pids: list[int]) -> dict[int, int]:
    """{port: pid} of every TCP listener of the cluster's processes."""
    return {port: pid for pid, socks in listening_ports(pids).items() for _, port in socks}


def _expected_ports(client) -> set[int]:  # noqa: ANN001
    info = client.scheduler_info()
    addrs = [info["address"], *info["workers"], *(w["nanny"] for w in info["workers"].values())]
    return {int(a.rsplit(":", 1)[1]) for a in addrs}


def test_secure_local_cluster_lets_no_other_process_in() -> None:
    with secure_local_client(2) as (client, n):
        assert client.submit(sum, [1, 2]).result() == 3  # it works for us
        assert client.scheduler.address.startswith("tls://127.0.0.1:")
        time.sleep(0.3)  # plugins have closed the HTTP servers
        ports = _ports(cluster_pids())
        assert set(ports) == _expected_ports(client), "a listener that is no Dask comm (HTTP?)"
        assert 8787 not in ports and n == min(2, usable_cores())  # 1 on a runner with 1 core
        assert len(client.scheduler_info()["workers"]) == n  # as many started as it says
        report = _intrude(sorted(ports))
    for port, tries in report["ports"].items():
        assert set(tries) == {"tcp", "tls", "http"}, (port, tries)  # no HTTP server
        assert all(v.startswith("refused") for v in tries.values()), (port, tries)
    assert report["task_pid"] is None


def test_control_the_intruder_gets_into_a_plain_cluster() -> None:
    """The intruder is not vacuous: a plain tcp:// cluster (threads, one process) lets it run a task."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        port = int(cluster.scheduler_address.rsplit(":", 1)[1])
        report = _intrude([port])
    assert report["task_pid"] == os.getpid()


def test_the_batch_runs_on_the_secure_cluster() -> None:
    from balance_cam.apps.batch.runner import dask_client

    with dask_client(1) as (client, n):
        assert n == 1 and client.scheduler.address.startswith("tls://127.0.0.1:")
        assert all(a.startswith("tls://127.0.0.1:") for a in client.scheduler_info()["workers"])


# -- remote clusters: certificates from files --------------------------------------------
def _pki(folder: Path) -> dict[str, Path]:
    """A CA, and one certificate + key signed by it (all roles), as PEM files; plus a second,
    unrelated CA's certificate + key (an outsider)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def cert(name: str, key, issuer_name: str, issuer_key, ca: bool):  # noqa: ANN001, ANN202
        def cn(text: str) -> x509.Name:
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

        b = (x509.CertificateBuilder().subject_name(cn(name)).issuer_name(cn(issuer_name))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))  # fmt: skip
        return b.sign(issuer_key, hashes.SHA256())

    def write(name: str, obj) -> Path:  # noqa: ANN001
        p = folder / name
        if hasattr(obj, "private_bytes"):
            p.write_bytes(obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))  # fmt: skip
            p.chmod(0o600)
        else:
            p.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
        return p

    ca_key, leaf_key, out_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = cert("balance-cam test CA", ca_key, "balance-cam test CA", ca_key, True)
    return {
        "ca": write("ca.pem", ca), "cert": write("node.pem", cert("node", leaf_key, "balance-cam test CA",
                                                                  ca_key, False)),
        "key": write("node.key", leaf_key),
        "other_cert": write("other.pem", cert("other", out_key, "other", out_key, True)),
        "other_key": write("other.key", out_key),
    }  # fmt: skip


@pytest.fixture
def tls_scheduler(tmp_path: Path) -> Iterator[tuple[str, dict[str, Path]]]:
    """A ``dask scheduler`` + one ``dask worker``, TLS from certificate files (CLI options)."""
    pki = _pki(tmp_path)
    tls = ["--tls-ca-file", str(pki["ca"]), "--tls-cert", str(pki["cert"]), "--tls-key", str(pki["key"])]
    info = tmp_path / "scheduler.json"
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--protocol", "tls",
                              "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                              str(info), *tls], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)  # fmt: skip
    procs = [sched]
    try:
        deadline = time.monotonic() + 60
        while not info.exists():
            assert sched.poll() is None and time.monotonic() < deadline, "scheduler did not start"
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                       "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", *tls],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))  # fmt: skip
        yield address, pki
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_remote_tls_scheduler_with_certificate_files(tls_scheduler) -> None:  # noqa: ANN001
    from distributed import Client

    address, pki = tls_scheduler
    assert address.startswith("tls://")
    security = remote_security(address, pki["ca"], pki["cert"], pki["key"])
    with Client(address, security=security, timeout=30) as client:
        client.wait_for_workers(1, timeout=60)
        assert client.submit(sum, [2, 3]).result(timeout=30) == 5
    outsider = remote_security(address, pki["ca"], pki["other_cert"], pki["other_key"])
    with pytest.raises((OSError, TimeoutError)):  # handshake fails: cert not signed by the CA
        Client(address, security=outsider, timeout=5)
    port = int(address.rsplit(":", 1)[1])
    report = _intrude([port])
    assert report["task_pid"] is None and all(v.startswith("refused")
                                              for v in report["ports"][str(port)].values())


def test_remote_security_option_rules(tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    import dask

    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    with pytest.raises(ClusterError, match="needed together"):
        remote_security("tls://h:8786", ca_file=ca)
    with pytest.raises(ClusterError, match="need a tls:// scheduler"):
        remote_security("tcp://h:8786", ca, ca)
    with pytest.raises(ClusterError, match=r"--tls-cert .*missing\.pem: No such file"):
        remote_security("tls://h:8786", ca, tmp_path / "missing.pem")
    with pytest.raises(ClusterError, match="needs --tls-ca-file"):
        remote_security("tls://h:8786")
    with dask.config.set({"distributed.comm.require-encryption": True}), \
            pytest.raises(ClusterError, match="require-encryption"):  # fmt: skip
        remote_security("tcp://h:8786")
    with caplog.at_level("WARNING"):
        remote_security("tcp://127.0.0.1:8786")
        assert not caplog.records
        remote_security("tcp://10.0.0.5:8786")
        assert "unauthenticated" in caplog.text
        caplog.clear()  # the batch checks its options, then connects: one warning, not two
        check_cluster(ClusterOptions(scheduler="tcp://10.0.0.5:8786"))
        assert not caplog.records
    sec = remote_security("tls://h:8786", ca, ca, ca)
    assert sec.require_encryption and sec.tls_client_cert == str(ca)


def _sigint_ignored() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_a_restarted_worker_keeps_the_protections() -> None:
    """A worker killed mid-batch is restarted by its nanny: again TLS, no HTTP, and it
    ignores a terminal's Ctrl-C (so only the main process handles it)."""
    import signal

    with secure_local_client(2) as (client, n):
        before = client.run(os.getpid)
        assert all(client.run(_sigint_ignored).values())
        os.kill(next(iter(before.values())), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:  # the nanny starts a new worker process on a new address
            workers = set(client.scheduler_info()["workers"])
            if len(workers) == n and workers != set(before):
                break
            assert time.monotonic() < deadline, "the nanny did not restart the worker"
            time.sleep(0.2)
        time.sleep(0.3)
        assert set(_ports(cluster_pids())) == _expected_ports(client)
        assert all(a.startswith("tls://") for a in client.scheduler_info()["workers"])
        assert all(client.run(_sigint_ignored).values())
        assert client.submit(sum, [4, 5]).result() == 9
