"""Self-contained HTML reports for coaches: one test, or one athlete's history.

The HTML has no external resource at all (no CDN, no font, no script): plots are inline SVG
from :mod:`balance_cam.render.plots`, key frames are base64 JPEGs, styles are inline, and a
Content-Security-Policy forbids scripts and network access, so the file opens offline and can
be mailed. Jinja2 autoescapes everything user-provided (athlete names, notes, file names).
Metric definitions are rendered from the docstrings of :mod:`balance_cam.core.metrics` and
:mod:`balance_cam.core.summary`, the one source of truth.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from balance_cam.core.results import AnalysisResult, Trial
from balance_cam.core.stops import stop_phrase
from balance_cam.core.summary import setup_words

log = logging.getLogger(__name__)

KEY_FRAME_HEIGHT_PX = 360
def find_video(
    result: AnalysisResult, json_path: str | Path | None, video: str | Path | None
) -> Path | None:
    """The video a result came from: ``video`` if given, else ``source.path`` as recorded
    (relative to the working directory, then to the JSON's folder, then by name beside it)."""
    if video is not None:
        return Path(video)
    recorded = result.source.get("path")
    if not recorded:
        return None
    candidates = [Path(recorded)]
    if json_path is not None:
        base = Path(json_path).parent
        candidates += [base / recorded, base / Path(recorded).name]
    return next((c for c in candidates if c.is_file()), None)


# -- key frames --------------------------------------------------------------------------
def key_frames(
    video: str | Path, indices: Iterable[int], height_px: int = KEY_FRAME_HEIGHT_PX
) -> dict[int, str]:
    """Base64 JPEGs of the frames with these decoded-frame indices (as in ``Trial.start_frame``).

    Decodes the video once up to the last index; frames are scaled to ``height_px`` high.
    """
    import cv2

    from balance_cam.io.sources import iter_frames

    wanted = set(int(i) for i in indices)
    out: dict[int, str] = {}
    if not wanted:
        return out
    last = max(wanted)
    for frame in iter_frames(video):
        if frame.index in wanted:
            h, w = frame.rgb.shape[:2]
            scale = min(1.0, height_px / h)
            size_wh = (round(w * scale), round(h * scale))
            small = cv2.resize(frame.rgb, size_wh, interpolation=cv2.INTER_AREA)
            ok, jpg = cv2.imencode(".jpg", small[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82])
            if ok:
                out[frame.index] = base64.b64encode(jpg.tobytes()).decode("ascii")
        if frame.index >= last:
            break
    return out


def _trial_key_frames(result: AnalysisResult, video: Path | None) -> tuple[dict[int, str], str]:
    """Key frames at lift and stop of every trial, and a note when they are unavailable."""
    if not result.trials:
        return {}, ""
    if video is None:
        where = result.source.get("path") or "unknown"
        return {}, f"Key frames unavailable: the video ({where}) was not found; pass --video."
    frames = [i for t in result.trials for i in (t.start_frame, t.end_frame)]
    try:
        return key_frames(video, frames), ""
    except Exception as exc:  # a missing or damaged video must not stop the report
        log.warning("key frames from %s failed: %s", video, exc)
        return {}, f"Key frames unavailable: {video.name} could not be decoded."


# -- definitions from docstrings ---------------------------------------------------------
@dataclass(frozen=True)
class DocBlock:
    """A paragraph, or a bullet list when ``items`` is non-empty."""

    text: str = ""
    items: tuple[str, ...] = ()


def doc_blocks(doc: str) -> list[DocBlock]:
    """Split a module docstring into paragraphs and ``- `` bullet lists."""
    blocks: list[DocBlock] = []
    for chunk in re.split(r"\n\s*\n", (doc or "").strip()):
        lines = [ln.strip() for ln in chunk.splitlines()]
        if lines and lines[0].startswith("- "):
            items: list[str] = []
            for ln in lines:
                if ln.startswith("- "):
                    items.append(ln[2:])
                else:
                    items[-1] += " " + ln
            blocks.append(DocBlock(items=tuple(items)))
        else:
            blocks.append(DocBlock(text=" ".join(lines)))
    return blocks


def rst_inline(text: str) -> Markup:
    """Escape ``text`` and turn reST ``literal`` and ``:role:`x``` into ``<code>``."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r":\w+:`~?([^`]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
    return Markup(re.sub(r"``([^`]+)``", r"<code>\1</code>", escaped))


def definitions() -> list[tuple[str, list[DocBlock]]]:
    """(heading, blocks) of the metric and verdict definitions, from the modules' docstrings."""
    from balance_cam.core import bess, metrics, quality, summary

    # the first paragraph of a module docstring is its one-line summary, not a definition
    return [("Sway metrics", doc_blocks(metrics.__doc__ or "")[1:]),
            ("Corrections, stable time and fatigue", doc_blocks(quality.__doc__ or "")[1:]),
            ("BESS errors", doc_blocks(bess.__doc__ or "")[1:]),
            ("Hold time, asymmetry and verdict", doc_blocks(summary.__doc__ or "")[1:])]  # fmt: skip


# -- view models -------------------------------------------------------------------------
def fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    """A number for people: fixed digits, a dash for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}{(' ' + unit) if unit else ''}"


@dataclass(frozen=True)
class TrialView:
    trial: Trial
    best: bool
    stop_words: str
    trace_svg: Markup | None
    stabilogram_svg: Markup | None
    lift_jpeg: str | None
    stop_jpeg: str | None


@dataclass(frozen=True)
class ResultView:
    result: AnalysisResult
    title: str
    source_name: str
    stable_min_s: float
    left_right_svg: Markup | None
    trials_by_side: dict[str, list[TrialView]]
    key_frame_note: str
    notes: str = ""
    sides: list[Any] = field(default_factory=list)
    setup: str = ""
    """The test set-up in words (condition, surface, protocol)."""


def quality_marks(trial: Trial) -> dict[str, Any]:
    """What the sway plot marks besides lift and stop: corrections, BESS errors, stable time."""
    return {"corrections_s": trial.correction_times_s, "stable_s": trial.stable_s,
            "errors": [(e.t_s, e.kind) for e in trial.error_events]}  # fmt: skip


def _trial_view(trial: Trial, best: bool, frames: dict[int, str]) -> TrialView:
    from balance_cam.render.plots import stabilogram_svg, trace_svg

    tr = trial.trace
    has_trace = tr is not None and len(tr.t_s) >= 3
    return TrialView(
        trial=trial, best=best, stop_words=stop_phrase(trial.stop_reason),
        trace_svg=Markup(trace_svg(tr, trial.stance, trial.start_s, trial.end_s, trial.stop_reason,
                                   **quality_marks(trial))) if has_trace else None,
        stabilogram_svg=Markup(stabilogram_svg(tr, trial.stance)) if has_trace else None,
        lift_jpeg=frames.get(trial.start_frame), stop_jpeg=frames.get(trial.end_frame),
    )  # fmt: skip


def result_view(
    result: AnalysisResult, *, video: Path | None = None, title: str | None = None, notes: str = ""
) -> ResultView:
    """Everything the templates show about one result (plots rendered, frames extracted)."""
    from balance_cam.render.plots import left_right_svg

    stable_min_s = float(result.config.get("summary", {}).get("stable_min_s", 10.0))
    frames, note = _trial_key_frames(result, video)
    best = {s.stance: s.best_trial for s in (result.summary.left, result.summary.right) if s}
    by_side: dict[str, list[TrialView]] = {"left": [], "right": []}
    for t in result.trials:
        by_side[t.stance].append(_trial_view(t, best.get(t.stance) == t.index, frames))
    source_name = Path(str(result.source.get("path", ""))).name or "unknown source"
    return ResultView(
        result=result, title=title or source_name, source_name=source_name,
        stable_min_s=stable_min_s,
        left_right_svg=Markup(left_right_svg(result.summary, stable_min_s))
        if result.trials else None,
        trials_by_side=by_side, key_frame_note=note, notes=notes,
        sides=[s for s in (result.summary.left, result.summary.right) if s is not None],
        setup=setup_words(result.summary.test_key, any(t.hands_on_hips for t in result.trials)),
    )  # fmt: skip


# -- rendering ---------------------------------------------------------------------------
def env():  # noqa: ANN202 - jinja2.Environment
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("balance_cam.render", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters["fmt"] = fmt
    env.filters["rst"] = rst_inline
    env.filters["words"] = lambda s: str(s).replace("_", " ")
    return env


def now_text() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def render_result_report(
    result: AnalysisResult, *, video: str | Path | None = None, athlete: str = "", notes: str = ""
) -> str:
    """HTML report of one test (see the module docstring)."""
    view = result_view(result, video=Path(video) if video else None, notes=notes,
                       title=athlete or None)  # fmt: skip
    return env().get_template("result.html.j2").render(
        view=view, athlete=athlete, generated=now_text(), definitions=definitions()
    )
