"""A second local process that knows only port numbers and tries to use a Dask cluster.

``python -m tests.helpers.intruder PORT [PORT ...]`` prints one JSON object: for each port,
whether a plain-TCP and a TLS (own self-signed certificate) Dask handshake got an answer,
and what an HTTP GET returned; and the pid of the worker that ran a submitted task, if any.
Test helper for tests/test_cluster_security.py, not library code.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from typing import Any


async def _identity(address: str, connection_args: dict[str, Any]) -> str:
    from distributed.comm import connect

    comm = await connect(address, timeout=3, **connection_args)
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await asyncio.wait_for(comm.read(), 3)
        return f"answered: {reply.get('type', reply)}"
    finally:
        comm.abort()


def _try_identity(address: str, connection_args: dict[str, Any]) -> str:
    try:
        return asyncio.run(asyncio.wait_for(_identity(address, connection_args), 6))
    except Exception as exc:  # any failure means "not let in"
        return f"refused: {exc.__class__.__name__}"


def _try_http(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/identity.json", timeout=3) as r:
            return f"answered: {r.status}"
    except urllib.error.HTTPError as exc:
        return f"http {exc.code}"
    except Exception as exc:
        return f"refused: {exc.__class__.__name__}"


def _try_task(port: int, security: Any) -> int | None:
    """PID of the worker that ran ``os.getpid`` for us through a Client on ``port``."""
    import os

    from distributed import Client

    for scheme, sec in (("tcp", None), ("tls", security)):
        try:
            with Client(f"{scheme}://127.0.0.1:{port}", timeout=4, security=sec) as client:
                return int(client.submit(os.getpid, pure=False).result(timeout=10))
        except Exception:
            continue
    return None


def main(ports: list[int]) -> dict[str, Any]:
    from distributed.security import Security

    own = Security.temporary()  # a valid certificate, but not from the cluster's CA
    report: dict[str, Any] = {"ports": {}, "task_pid": None}
    for port in ports:
        http = _try_http(port)
        if not http.startswith("refused"):  # an HTTP server: no Dask comm behind it
            report["ports"][str(port)] = {"http": http}
            continue
        report["ports"][str(port)] = {
            "tcp": _try_identity(f"tcp://127.0.0.1:{port}", {}),
            "tls": _try_identity(f"tls://127.0.0.1:{port}", own.get_connection_args("client")),
            "http": http,
        }
        if report["task_pid"] is None:
            report["task_pid"] = _try_task(port, own)
    return report


if __name__ == "__main__":
    import logging

    logging.disable(logging.CRITICAL)
    print(json.dumps(main([int(p) for p in sys.argv[1:]])))
