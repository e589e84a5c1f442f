"""The squad page for coaches: one row per athlete, who needs attention first, and its CSV.

Rendered from :class:`balance_cam.core.sessions.SquadRow` (the same per-session summaries
``balance-cam history`` prints). One self-contained HTML file like the other reports: inline
styles, inline SVG sparklines (one per leg: best hold per session, dashed at the stable
minimum), no network. The one script is inline and sorts the table when a header is clicked
(or Enter is pressed on it); the Content-Security-Policy allows that script by its SHA-256
hash only, so nothing else can run, and every user text (athlete names, teams) is escaped by
Jinja2's autoescaping and only ever moved as DOM nodes by the script, never parsed as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from balance_cam.core.sessions import LegStatus, SquadRow
from balance_cam.render.history_report import local_date
from balance_cam.render.report import definitions, env, now_text

SORT_SCRIPT = """(() => {
  const table = document.getElementById('squad');
  const body = table.tBodies[0];
  const heads = [...table.tHead.rows[0].cells].filter(th => th.dataset.type);
  const sortBy = th => {
    const col = th.cellIndex, num = th.dataset.type === 'num';
    const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    for (const other of heads) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    const key = tr => tr.cells[col].dataset.sort;
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === '' || y === '') return (x === '') - (y === '');
      return dir * (num ? Number(x) - Number(y) : x.localeCompare(y));
    });
    for (const tr of rows) body.appendChild(tr);
  };
  for (const th of heads) {
    th.tabIndex = 0;
    th.addEventListener('click', () => sortBy(th));
    th.addEventListener('keydown', e => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); }
    });
  }
})();"""
SIDES = ("left", "right")


def script_hash(script: str) -> str:
    """The CSP source of an inline script: ``sha256-<base64 of its UTF-8 bytes' digest>``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def athlete_page_name(athlete: str) -> str:
    """A safe, unique file name for an athlete's report: the name's letters and digits, and a
    short hash of the whole name (two names never share a file, any name gives a file name)."""
    stem = re.sub(r"[^a-z0-9]+", "-", athlete.casefold()).strip("-")[:40] or "athlete"
    return f"{stem}-{hashlib.sha256(athlete.encode('utf-8')).hexdigest()[:8]}.html"


def sparkline_svg(leg: LegStatus | None, side: str, stable_min_s: float = 10.0,
                  width_px: int = 90, height_px: int = 30) -> Markup:  # fmt: skip
    """A leg's best hold per session as a tiny line (dashed: the stable minimum; dot: the last
    session). Only numbers go into it, so it is built as text."""
    if leg is None:
        return Markup('<span class="note">–</span>')
    days, holds = leg.days, leg.holds_s
    top = max(max(h for h in holds if math.isfinite(h)), 1.2 * stable_min_s) if holds else stable_min_s
    span = max(days[-1] - days[0], 1e-9)
    pad = 3

    def xy(d: float, h: float) -> str:
        x = pad + (d - days[0]) / span * (width_px - 2 * pad) if len(days) > 1 else width_px / 2
        y = height_px - pad - (h / top) * (height_px - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    ref_y = height_px - pad - (stable_min_s / top) * (height_px - 2 * pad)
    pts = " ".join(xy(d, h) for d, h in zip(days, holds, strict=True) if math.isfinite(h))
    last = xy(days[-1], holds[-1]).split(",")
    title = f"{side} leg, best hold per session: " + ", ".join(f"{h:.1f} s" for h in holds)
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width_px} {height_px}" width="{width_px}" height="{height_px}"'
        f' role="img"><title>{title}</title>'
        f'<line x1="0" x2="{width_px}" y1="{ref_y:.1f}" y2="{ref_y:.1f}" class="ref"/>'
        f'<polyline points="{pts}" class="{side}"/><circle cx="{last[0]}" cy="{last[1]}" r="2.5"'
        f' class="{side}"/></svg>'
    )  # fmt: skip


def sort_key(value: Any) -> str:
    """A cell's ``data-sort``: numbers as plain decimals, text as is, missing as ""."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value))
    return str(value)


_TEXT_COLUMNS = ("athlete", "team", "left_condition", "right_condition", "flags")


@dataclass(frozen=True)
class SquadTable:
    """The squad as a table: the page's rows and the CSV's, from the same values."""

    rows: Sequence[SquadRow]
    links: dict[str, str] = field(default_factory=dict)
    stable_min_s: float = 10.0

    def cells(self, rank: int, r: SquadRow) -> dict[str, Any]:
        """One row's values by column: numbers unrounded (NaN when missing), text as is."""
        out: dict[str, Any] = {"rank": rank, "athlete": r.athlete, "team": r.team,
                               "last_test": local_date(r.last_at) if r.last_at else "",
                               "sessions": r.n_sessions}  # fmt: skip
        for side in SIDES:
            leg = r.legs.get(side)
            nan = float("nan")
            out |= {f"{side}_best_s": leg.best_hold_s if leg else nan,
                    f"{side}_condition": leg.condition if leg else "",
                    f"{side}_personal_best_s": leg.personal_best_s if leg else nan,
                    f"{side}_ml_rms_cm": leg.side.sway.ml_rms_cm if leg else nan,
                    f"{side}_last_session": local_date(leg.started_at) if leg else "",
                    f"{side}_sessions": len(leg.holds_s) if leg else 0}  # fmt: skip
        out |= {"hold_asymmetry_pct": r.hold_asymmetry_pct,
                "sway_asymmetry_pct": r.sway_asymmetry_pct,
                "weaker_side": r.weaker_side or "", "attention": r.attention,
                "flags": "; ".join(f.words for f in r.flags),
                "report": self.links.get(r.athlete, "")}  # fmt: skip
        return out

    def csv_columns(self) -> list[str]:
        return list(self.cells(1, self.rows[0]).keys()) if self.rows else []

    def csv_rows(self) -> list[dict[str, Any]]:
        """The CSV rows (numbers to 4 decimals); text cells that a spreadsheet would run as a
        formula are quoted."""
        return [{k: _no_formula(v) if k in _TEXT_COLUMNS else round(v, 4) if isinstance(v, float) else v
                 for k, v in self.cells(i, r).items()} for i, r in enumerate(self.rows, 1)]  # fmt: skip

    def page_rows(self) -> list[dict[str, Any]]:
        """The page's rows: the CSV values plus each leg's sparkline and status."""
        out = []
        for i, r in enumerate(self.rows, 1):
            cells = self.cells(i, r)
            cells["row"] = r
            cells["spark"] = {s: sparkline_svg(r.legs.get(s), s, self.stable_min_s) for s in SIDES}
            out.append(cells)
        return out


def _no_formula(value: Any) -> Any:
    """OWASP CSV injection: a text cell starting with = + - @ (or a tab/CR) gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_squad_page(table: SquadTable, *, athlete: str | None = None, team: str | None = None) -> str:
    """HTML of the squad page (see the module docstring)."""
    filters = [f for f in (f"athlete matches “{athlete}”" if athlete else "",
                           f"team “{team}”" if team else "") if f]  # fmt: skip
    jinja = env()
    jinja.filters["sortkey"] = sort_key
    return jinja.get_template("squad.html.j2").render(
        table=table, rows=table.page_rows(), filters=filters, generated=now_text(),
        definitions=definitions(), script=Markup(SORT_SCRIPT), script_sha256=script_hash(SORT_SCRIPT),
        stable_min_s=table.stable_min_s,
    )  # fmt: skip
