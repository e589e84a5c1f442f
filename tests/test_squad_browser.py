"""The squad page in headless Chromium (the DevTools pipe client of test_report_browser.py).

Checks: no console error, exception, dialog or network request; the inline sort script runs
under the page's CSP (its hash) and sorts when a header is clicked; every athlete link
resolves to that athlete's report; a hostile athlete name stays text (no script of its own,
no dialog). Without Chromium the test skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from balance_cam.apps.review import squad_command
from balance_cam.render.squad import athlete_page_name
from tests.test_report_browser import DevTools, _browser, _problems
from tests.test_squad import XSS, make_squad_db

ROWS_JS = """[...document.querySelectorAll('#squad tbody tr')].map(tr => tr.cells[1].querySelector('a')
  ? tr.cells[1].querySelector('a').textContent : tr.cells[1].textContent.trim())"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):  # noqa: ANN001, ANN201
    dt = DevTools(_browser(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        dt.open_page()
        yield dt
    finally:
        dt.close()


def _open(dt: DevTools, path: Path) -> None:
    dt.events.clear()
    dt.call("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False)
    dt.call("Page.navigate", url=path.resolve().as_uri())
    dt.wait_for("Page.loadEventFired")


def _click_header(dt: DevTools, label: str) -> list[str]:
    """Click the header whose text is ``label`` with a real mouse event; the rows' names after."""
    box = dt.evaluate(f"""(() => {{
      const th = [...document.querySelectorAll('#squad th')].find(t => t.textContent.trim() === {label!r});
      th.scrollIntoView(); const r = th.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
    for kind in ("mousePressed", "mouseReleased"):
        dt.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
    return [name.split("\n")[0].strip() for name in dt.evaluate(ROWS_JS)]


@pytest.mark.slow
def test_squad_page_in_chromium(browser, tmp_path, artifacts_dir):  # noqa: ANN001
    db = make_squad_db(tmp_path / "history.db")
    page = squad_command(tmp_path / "squad.html", athlete=None, team=None, db=db)[0]
    _open(browser, page)
    assert _problems(browser.events, page) == []
    assert browser.evaluate("document.querySelectorAll('script').length") == 1  # ours, not the name's
    names = [n.split("\n")[0].strip() for n in browser.evaluate(ROWS_JS)]
    assert names[0] == "Alex" and XSS in names  # the hostile name is shown as text
    assert browser.evaluate("document.querySelectorAll('svg.spark polyline').length") == 7
    height = browser.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
    browser.call("Emulation.setDeviceMetricsOverride", width=1200, height=int(height), deviceScaleFactor=1,
                 mobile=False)  # fmt: skip
    png = browser.call("Page.captureScreenshot", format="png")["data"]
    (artifacts_dir / "report_squad.png").write_bytes(base64.b64decode(png))
    assert browser.evaluate("document.documentElement.scrollWidth") <= 1200  # the table fits

    by_name = _click_header(browser, "athlete")  # ascending by name
    assert by_name == sorted(by_name, key=str.casefold)
    assert _click_header(browser, "athlete") == by_name[::-1]  # again: descending
    by_left = _click_header(browser, "left best (s)")
    lefts = browser.evaluate("[...document.querySelectorAll('#squad tbody tr')]"
                             ".map(tr => Number(tr.cells[4].dataset.sort))")  # fmt: skip
    assert lefts == sorted(lefts) and by_left[-1] == "Alex"  # 31 s, the longest left hold
    sorted_by = browser.evaluate("document.querySelector('#squad th[aria-sort]').textContent.trim()")
    assert sorted_by == "left best (s)"

    links = browser.evaluate("[...document.querySelectorAll('#squad a')].map(a => [a.textContent, a.href])")
    assert len(links) == 4
    for name, href in links:
        target = Path(unquote(urlparse(href).path))
        assert target.is_file() and target == tmp_path / "squad_athletes" / athlete_page_name(name), href
    xss_href = next(href for name, href in links if name == XSS)
    _open(browser, Path(unquote(urlparse(xss_href).path)))
    assert _problems(browser.events, Path(unquote(urlparse(xss_href).path))) == []
    assert browser.evaluate("document.querySelector('h1').textContent") == f"Balance history: {XSS}"
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    assert not any(e.get("method") == "Page.javascriptDialogOpening" for e in browser.events)
