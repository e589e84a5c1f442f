"""The reports in a real browser: headless Chromium driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (DevTools messages on file descriptors
3 and 4, NUL-separated JSON), so no port, no websocket library and no network is needed.
Checks: no console error, no uncaught exception, no dialog, no network request other than
the file itself and ``data:`` URLs, every plot rendered with a non-empty box and drawn
paths, every key frame decoded; a full-page screenshot and a PDF print are kept in
``test-artifacts/``. Without Chromium the tests skip locally but fail under ``CI=true``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from balance_cam.apps.review import athlete_report_html
from balance_cam.io.files import write_text
from balance_cam.io.history import History
from balance_cam.render.report import render_result_report
from tests.conftest import sample
from tests.test_report import CLIP, XSS, two_sided

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe")  # fmt: skip


def _browser() -> str:
    exe = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if exe is None:
        message = "Chromium not found (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " — required in CI")
        pytest.skip(message)
    return exe


class DevTools:
    """Minimal DevTools-protocol client over Chromium's pipe transport."""

    def __init__(self, exe: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        cmd = ["bash", "-c", f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', exe,
               *FLAGS, f"--user-data-dir={profile}", "about:blank"]  # fmt: skip
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.proc = subprocess.Popen(cmd, pass_fds=(to_chrome_r, from_chrome_w), **quiet)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, timeout_s: float = 60, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout_s: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        for e in self.events:
            if e.get("method") == event:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == event:
                return e

    def open_page(self) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def evaluate(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in res, res
        return res["result"]["value"]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout_s=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    dt = DevTools(_browser(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        dt.open_page()
        yield dt
    finally:
        dt.close()


CHECK_JS = """(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    title: document.title,
    h1: document.querySelector('h1').textContent,
    plots: [...document.querySelectorAll('figure.plot svg')].map(s => ({
      size: box(s), paths: s.querySelectorAll('path').length,
      drawn: [...s.querySelectorAll('path')]
        .filter(p => p.getBBox().width + p.getBBox().height > 0).length,
    })),
    images: [...document.querySelectorAll('img')]
      .map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
    scripts: document.querySelectorAll('script').length,
  };
})()"""


def _load(dt: DevTools, path: Path, artifacts: Path, name: str) -> dict[str, Any]:
    """Open ``path``; return the page check, after saving a screenshot and a PDF print."""
    dt.events.clear()
    dt.call("Emulation.setDeviceMetricsOverride", width=1100, height=900, deviceScaleFactor=1,
            mobile=False)  # fmt: skip
    dt.call("Page.navigate", url=path.resolve().as_uri())
    dt.wait_for("Page.loadEventFired")
    check = dt.evaluate(CHECK_JS)
    height = dt.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
    dt.call("Emulation.setDeviceMetricsOverride", width=1100, height=int(height),
            deviceScaleFactor=1, mobile=False)  # fmt: skip
    png = base64.b64decode(dt.call("Page.captureScreenshot", format="png")["data"])
    (artifacts / f"{name}.png").write_bytes(png)
    pdf = base64.b64decode(dt.call("Page.printToPDF", printBackground=True,
                                   preferCSSPageSize=True)["data"])  # fmt: skip
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    check.update(png_bytes=len(png), pdf=pdf, problems=_problems(dt.events, path))
    return check


def _problems(events: list[dict[str, Any]], page: Path) -> list[str]:
    """Console errors, exceptions, dialogs and requests to anything but the page or data:."""
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            out.append(f"console {p['type']}: {p.get('args')}")
        elif m == "Runtime.exceptionThrown":
            out.append(f"exception: {p.get('exceptionDetails')}")
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"log: {p['entry'].get('text')}")
        elif m == "Page.javascriptDialogOpening":
            out.append(f"dialog: {p.get('message')}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not (url.startswith("data:") or url == page.resolve().as_uri()):
                out.append(f"request: {url}")
    return out


def _assert_rendered(check: dict[str, Any], n_plots: int, n_images: int) -> None:
    assert check["problems"] == []
    assert check["scripts"] == 0
    assert len(check["plots"]) == n_plots
    for plot in check["plots"]:
        width, height = plot["size"]
        assert width > 200 and height > 100, plot
        assert plot["drawn"] >= 3, plot
    assert len(check["images"]) == n_images
    assert all(complete and w > 0 and h > 0 for complete, w, h in check["images"])
    assert check["png_bytes"] > 20_000
    assert check["pdf"].startswith(b"%PDF") and check["pdf"].count(b"/Type /Page") >= 2


@pytest.mark.slow
def test_result_report_renders_in_chromium(browser, tmp_path, artifacts_dir):
    result = two_sided()
    html = render_result_report(result, video=sample(CLIP), athlete="Sam")
    path = write_text(tmp_path / "report.html", html)
    check = _load(browser, path, artifacts_dir, "report_result")
    _assert_rendered(check, n_plots=1 + 2 * len(result.trials), n_images=2 * len(result.trials))
    assert check["h1"] == "Single-leg balance test: Sam"


@pytest.mark.slow
def test_athlete_report_renders_and_escapes_the_name(browser, tmp_path, artifacts_dir):
    result = two_sided()
    db = tmp_path / "history.db"
    with History(db) as h:
        for week in range(3):
            sid = h.save_result(result, athlete=XSS)
            when = f"2026-0{week + 1}-05T09:00:00+00:00"
            h.conn.execute("UPDATE sessions SET started_at = ?, notes = ? WHERE id = ?",
                           (when, f"<b>week {week}</b>", sid))  # fmt: skip
        h.conn.commit()
    html = athlete_report_html(db, XSS, video=sample(CLIP))
    assert XSS not in html and "<b>week" not in html
    path = write_text(tmp_path / "athlete.html", html)
    check = _load(browser, path, artifacts_dir, "report_athlete")
    # 2 trend plots + the latest session's left/right bars and per-trial plots
    _assert_rendered(check, n_plots=2 + 1 + 2 * len(result.trials),
                     n_images=2 * len(result.trials))  # fmt: skip
    assert check["h1"] == f"Balance history: {XSS}"  # shown as text, never run
    assert XSS in check["title"]
