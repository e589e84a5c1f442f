"""Sway plots for the coach report: matplotlib (Agg) figures returned as inline SVG text.

Every function takes plain numbers or result objects and returns one ``<svg>…</svg>`` string
(no XML prolog), ready to embed in HTML; nothing is written to disk. Text stays text
(``svg.fonttype = "none"``) so the plots print sharply and stay small. Element ids are salted
per figure, so several plots can share one HTML page without id clashes.

Colours: left leg blue, right leg orange (colour-blind safe pair, Okabe & Ito 2008).
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from balance_cam.core.results import Summary, SwayTrace
from balance_cam.core.stops import stop_label

SIDE_COLOURS = {"left": "#0072B2", "right": "#E69F00"}
MARK_COLOUR = "#444444"
CORRECTION_COLOUR = "#009E73"  # bluish green (Okabe & Ito)
ERROR_COLOUR = "#D55E00"  # vermillion
_counter = itertools.count()


def _figure(width_in: float, height_in: float, nrows: int = 1, ncols: int = 1, **kw: Any):  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def to_svg(fig: Any, title: str = "") -> str:
    """A matplotlib figure as an inline ``<svg>`` element (``title`` for screen readers)."""
    import matplotlib

    buf = io.StringIO()
    salt = f"bc{next(_counter)}"
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Title": title or None})
    text = buf.getvalue()
    svg = _prefix_ids(text[text.index("<svg"):], salt)
    return svg.replace("<svg ", '<svg role="img" class="plot-svg" ', 1)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every ``id`` unique to this figure (matplotlib names groups ``figure_1``,
    ``axes_1``… in every figure) and update the ``#id`` references to match."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r'(url\(#|href="#)([^")]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _mark_events(ax: Any, start_s: float, end_s: float, stop_reason: str, label: bool) -> None:
    """Dashed lines at the lift (start) and the stop, labelled on the top axis only."""
    marks = ((start_s, "lift", 3, "left"),
             (end_s, f"stop: {stop_label(stop_reason)}", -3, "right"))  # fmt: skip
    for t, text, dx, ha in marks:
        if math.isfinite(t):
            ax.axvline(t, color=MARK_COLOUR, linestyle="--", linewidth=1)
            if label:
                ax.annotate(text, (t, 1.0), xycoords=("data", "axes fraction"), xytext=(dx, -2),
                            textcoords="offset points", va="top", ha=ha, fontsize=8,
                            color=MARK_COLOUR)  # fmt: skip


def _mark_quality(
    ax: Any, trace: SwayTrace, corrections_s: Sequence[float], errors: Sequence[tuple[float, str]],
    unstable_from_s: float,
) -> None:  # fmt: skip
    """Corrections as triangles on the ML trace, BESS errors as red crosses labelled with their
    kind, and the time after stability was lost shaded."""
    t, y = np.asarray(trace.t_s), np.asarray(trace.ml_cm)
    if len(t) == 0:
        return
    if math.isfinite(unstable_from_s) and unstable_from_s < t[-1] - 1e-3:
        ax.axvspan(unstable_from_s, t[-1], color=CORRECTION_COLOUR, alpha=0.08, linewidth=0,
                   label="after stability was lost")  # fmt: skip
    if len(corrections_s):
        cs = np.asarray(corrections_s, dtype=float)
        ax.plot(cs, np.interp(cs, t, np.nan_to_num(y)), "v", color=CORRECTION_COLOUR, markersize=6,
                label="correction")  # fmt: skip
    for k, (te, kind) in enumerate(errors):
        ax.plot([te], [float(np.interp(te, t, np.nan_to_num(y)))], "x", color=ERROR_COLOUR, markersize=8,
                markeredgewidth=2, label="BESS error" if k == 0 else None)  # fmt: skip
        ax.annotate(kind.replace("_", " "), (te, 0.0), xycoords=("data", "axes fraction"), xytext=(2, 2),
                    textcoords="offset points", fontsize=7, color=ERROR_COLOUR, rotation=90)  # fmt: skip
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3,
                  borderaxespad=0.2)  # fmt: skip


def trace_svg(
    trace: SwayTrace, stance: str, start_s: float, end_s: float, stop_reason: str, *,
    corrections_s: Sequence[float] = (), errors: Sequence[tuple[float, str]] = (),
    stable_s: float = float("nan"),
) -> str:  # fmt: skip
    """Medio-lateral displacement (cm) and sway angle (°) over time, lift and stop marked;
    corrections, BESS errors and the end of stable time marked on the ML trace."""
    fig, axes = _figure(6.4, 3.4, 2, 1, sharex=True)
    colour = SIDE_COLOURS.get(stance, "k")
    for ax, y, ylabel in ((axes[0, 0], trace.ml_cm, "ML displacement (cm)"),
                          (axes[1, 0], trace.angle_deg, "sway angle (°)")):  # fmt: skip
        ax.plot(trace.t_s, y, color=colour, linewidth=1.6)
        ax.axhline(0, color="#999999", linewidth=0.6)
        ax.set_ylabel(ylabel, fontsize=9)
        _style(ax)
        _mark_events(ax, start_s, end_s, stop_reason, label=ax is axes[0, 0])
    lost = math.isfinite(stable_s) and stable_s < end_s - start_s - 0.05
    unstable = start_s + stable_s if lost else math.nan
    _mark_quality(axes[0, 0], trace, corrections_s, errors, unstable)
    axes[1, 0].set_xlabel("time in video (s)", fontsize=9)
    axes[0, 0].set_title(f"{stance} leg stance: sway over time", fontsize=10, loc="left")
    return to_svg(fig, f"{stance} leg sway trace")


def stabilogram_svg(trace: SwayTrace, stance: str) -> str:
    """Pelvis path relative to the stance ankle (ML vs AP, cm) with its 95 % prediction ellipse."""
    from balance_cam.core.metrics import ellipse95

    fig, axes = _figure(3.4, 3.4)
    ax = axes[0, 0]
    colour = SIDE_COLOURS.get(stance, "k")
    xy = np.column_stack([trace.ml_cm, trace.ap_cm])
    ax.plot(xy[:, 0], xy[:, 1], color=colour, linewidth=1.0, alpha=0.9)
    finite = xy[np.all(np.isfinite(xy), axis=1)]
    if len(finite) >= 3:
        centre, semi, axes_dir = ellipse95(finite)
        angle = np.linspace(0, 2 * np.pi, 120)
        unit = np.stack([np.cos(angle) * semi[0], np.sin(angle) * semi[1]])
        ring = (axes_dir @ unit).T + centre
        ax.plot(ring[:, 0], ring[:, 1], color=MARK_COLOUR, linestyle="--", linewidth=1.1,
                label="95 % prediction ellipse")  # fmt: skip
        ax.plot(*finite[0], "o", color=colour, markersize=4, label="lift")
        ax.legend(fontsize=7, loc="upper right", frameon=False)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("medio-lateral (cm)", fontsize=9)
    ax.set_ylabel("antero-posterior (cm)", fontsize=9)
    ax.set_title(f"{stance} leg stabilogram", fontsize=10, loc="left")
    _style(ax)
    return to_svg(fig, f"{stance} leg stabilogram")


def _bar_panel(ax: Any, values: dict[str, float], ylabel: str, ref: float | None = None) -> None:
    sides = ("left", "right")
    heights = [values.get(s, float("nan")) for s in sides]
    ax.bar(sides, np.nan_to_num(heights), color=[SIDE_COLOURS[s] for s in sides], width=0.6)
    for i, h in enumerate(heights):
        text = "not tested" if not math.isfinite(h) else f"{h:.1f}"
        ax.annotate(text, (i, np.nan_to_num(h)), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=9)  # fmt: skip
    if ref is not None:
        ax.axhline(ref, color=MARK_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(f"{ref:g} s", (1.45, ref), xytext=(0, 2), textcoords="offset points",
                    ha="right", fontsize=8, color=MARK_COLOUR)  # fmt: skip
    ax.set_ylabel(ylabel, fontsize=9)
    ax.margins(y=0.15)
    _style(ax)


def _pct(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.0f} %"


def left_right_svg(summary: Summary, stable_min_s: float = 10.0) -> str:
    """Left vs right bars: best hold (with the 10 s line) and ML RMS sway of the best trial."""
    fig, axes = _figure(6.0, 2.4, 1, 2)
    sides = {s.stance: s for s in (summary.left, summary.right) if s is not None}
    _bar_panel(axes[0, 0], {k: s.best_hold_s for k, s in sides.items()}, "best hold (s)",
               ref=stable_min_s)  # fmt: skip
    axes[0, 0].set_title(f"hold: asymmetry {_pct(summary.hold_asymmetry_pct)}", fontsize=10)
    _bar_panel(axes[0, 1], {k: s.sway.ml_rms_cm for k, s in sides.items()}, "ML sway RMS (cm)")
    axes[0, 1].set_title(f"sway: asymmetry {_pct(summary.sway_asymmetry_pct)}", fontsize=10)
    return to_svg(fig, "left versus right")


def trend_svg(
    days: Sequence[float], values: Sequence[float], stances: Sequence[str], ylabel: str,
    *, unit: str, x_labels: Sequence[tuple[float, str]] = (), ref: float | None = None,
) -> str:  # fmt: skip
    """One point per session and leg, with a least-squares trend line per leg (slope per week).

    ``days``: session time in days from the first session; ``x_labels``: (day, text) ticks.
    """
    from balance_cam.core.trends import linear_trend

    fig, axes = _figure(6.4, 2.8)
    ax = axes[0, 0]
    d, v, s = np.asarray(days, float), np.asarray(values, float), np.asarray(stances)
    for side in ("left", "right"):
        mask = (s == side) & np.isfinite(v)
        if not mask.any():
            continue
        ax.plot(d[mask], v[mask], "o", color=SIDE_COLOURS[side], label=f"{side} leg")
        fit = linear_trend(d[mask], v[mask])
        if fit is not None:
            xs = np.array([d[mask].min(), d[mask].max()])
            label = f"{side} trend {fit.per_week(unit)}"
            ax.plot(xs, fit.intercept + fit.slope_per_day * xs, "-", color=SIDE_COLOURS[side],
                    linewidth=1.4, label=label)
    if ref is not None:
        ax.axhline(ref, color=MARK_COLOUR, linestyle="--", linewidth=1)
    ax.set_ylim(bottom=0)
    ax.ticklabel_format(axis="y", useOffset=False)
    if x_labels:
        ax.set_xticks([x for x, _ in x_labels], [t for _, t in x_labels], fontsize=8,
                      rotation=30, ha="right")  # fmt: skip
    ax.set_ylabel(ylabel, fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.margins(x=0.08, y=0.15)
    _style(ax)
    return to_svg(fig, ylabel)
