"""The end-of-session result card, laid out to be read from 3 m.

Someone who just stood on one leg in front of a laptop reads the card from where they stood,
so the card is big and short-lined: it covers most of the image, each leg's best hold is one
large line ("LEFT: 25.0 s", red under the stable minimum), its trial count and sway a smaller
line under it, then the asymmetry and the verdict. The verdict starts a new line with every
sentence and wraps at its clauses (after ":", ";" or ","), by words only when a clause alone
is wider than the card, never into a small block.

Sizes are cap heights as fractions of the image height (:data:`CAP_FRAC`), shrunk only as far
as the width (for one-line roles) or the height (for the whole card) requires. At 5 % of a
720-pixel window, a leg line's capitals are 36 px high: about 6 mm on a 14" 1080p screen, over
6 arcminutes at 3 m, where 5 arcminutes is the size of the 6/6 (20/20) letters of an eye chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from balance_cam.core.results import SideSummary, Summary
from balance_cam.render.overlay import (
    FONT,
    FONT_BOLD,
    STANCE_BGR,
    TEXT_BGR,
    Color,
    Tone,
    blend_rect,
    put_text,
)

Role = Literal["title", "leg", "detail", "body"]
#: Target cap height of each kind of line, as a fraction of the image height.
CAP_FRAC: dict[str, float] = {"title": 0.045, "leg": 0.075, "detail": 0.036, "body": 0.042}
#: The body text (asymmetry, verdict) shrinks to fit the card's height no further than this.
MIN_BODY_CAP_FRAC = 0.022
_FONT_OF = {"title": FONT_BOLD, "leg": FONT_BOLD, "detail": FONT, "body": FONT}
_CARD_BGR: dict[str, Color] = {"info": TEXT_BGR, "good": STANCE_BGR, "warn": (0, 200, 255),
                               "bad": (80, 80, 255)}  # fmt: skip


@dataclass(frozen=True)
class CardLine:
    """One line of the card before layout (a body line may still be wrapped)."""

    text: str
    tone: Tone
    role: Role


@dataclass(frozen=True)
class PlacedLine:
    """One drawn line: text, font scale, baseline, and its size in pixels."""

    text: str
    tone: Tone
    role: Role
    font_scale: float
    thickness: int
    x_px: int
    baseline_px: int
    width_px: int
    cap_px: int


def _num(value: float, unit: str, digits: int = 1) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f} {unit}"


def _leg_lines(side: str, s: SideSummary | None) -> list[CardLine]:
    if s is None:
        return [CardLine(f"{side.upper()}: not tested", "info", "leg")]
    tone: Tone = "bad" if s.under_stable_min else "good"
    return [CardLine(f"{side.upper()}: {s.best_hold_s:.1f} s", tone, "leg"),
            CardLine(f"best of {s.n_trials}, sway {_num(s.sway.ml_rms_cm, 'cm')} RMS", "info",
                     "detail")]  # fmt: skip


def sentences(text: str) -> list[str]:
    """``text`` split after each ".", "!" or "?" that ends a sentence (followed by a space)."""
    return [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]


def card_lines(summary: Summary, title: str = "Result") -> list[CardLine]:
    """The card's lines: title, each leg (big) with its detail, asymmetry, verdict sentences."""
    lines = [CardLine(title, "info", "title")]
    for side in ("left", "right"):
        lines += _leg_lines(side, getattr(summary, side))
    if math.isfinite(summary.hold_asymmetry_pct):
        weak = f" ({summary.weaker_side} weaker)" if summary.weaker_side else ""
        hold, sway = _num(summary.hold_asymmetry_pct, "%", 0), _num(summary.sway_asymmetry_pct, "%", 0)
        lines.append(CardLine(f"Asymmetry: hold {hold}{weak}, sway {sway}", "info", "body"))
    tone: Tone = "warn" if summary.flags else "good"
    # each leg's hold is already in big type above: the verdict's "Left leg: ..." sentences go
    said = [s for s in sentences(summary.verdict) if not s.startswith(("Left leg:", "Right leg:"))]
    return lines + [CardLine(s, tone, "body") for s in said]


def result_lines(summary: Summary) -> list[tuple[str, Tone]]:
    """The card's text without layout, one (text, tone) per line (also for a terminal)."""
    return [(line.text, line.tone) for line in card_lines(summary)[1:]]


def wrap_clauses(sentence: str, fits: Callable[[str], bool]) -> list[str]:
    """Lines of ``sentence`` that each ``fits``: whole clauses packed greedily (a clause ends
    after ":", ";" or ","), a clause too wide on its own wrapped by words."""
    clauses = [c for c in re.split(r"(?<=[:;,])\s+", sentence) if c]
    lines: list[str] = []
    for clause in clauses:
        if lines and fits(f"{lines[-1]} {clause}"):
            lines[-1] = f"{lines[-1]} {clause}"
        elif fits(clause):
            lines.append(clause)
        else:
            lines += _wrap_words(clause, fits)
    return lines


def _wrap_words(text: str, fits: Callable[[str], bool]) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _size(text: str, role: Role, scale: float) -> tuple[int, int, int]:
    """(width, cap height, thickness) of ``text`` drawn as ``role`` at ``scale``."""
    thickness = max(2, int(round(2.2 * scale)))  # never hairlines: strokes carry at a distance
    width = cv2.getTextSize(text, _FONT_OF[role], scale, thickness)[0][0]
    cap = cv2.getTextSize("H", _FONT_OF[role], scale, thickness)[0][1]
    return width, cap, thickness


def _scales(lines: list[CardLine], h: int, text_w: float, shrink: float) -> dict[str, float]:
    """Font scale per role: its target cap height (times ``shrink``), one-line roles limited
    to the widest of their lines; body text no smaller than its minimum."""
    unit_cap = _size("H", "body", 1.0)[1]
    out = {}
    for role, frac in CAP_FRAC.items():
        scale = frac * shrink * h / unit_cap
        texts = [ln.text for ln in lines if ln.role == role]
        if role == "body":  # a clause is never broken if a smaller size (down to the floor) avoids it
            texts = [c for t in texts for c in re.split(r"(?<=[:;,])\s+", t)]
        for text in texts:
            width = _size(text, role, scale)[0]
            scale = min(scale, scale * text_w / max(width, 1))
        out[role] = max(scale, MIN_BODY_CAP_FRAC * h / unit_cap) if role == "body" else scale
    return out


def layout_card(lines: list[CardLine], w: int, h: int) -> tuple[list[PlacedLine], tuple[int, int, int, int]]:
    """Placed lines and the card's box (x0, y0, x1, y1) on a ``w`` x ``h`` image: the largest
    sizes at which every line fits the card's width and the whole card 94 % of the height."""
    x0, x1 = int(0.04 * w), w - int(0.04 * w)
    pad = int(0.03 * w)
    text_w = x1 - x0 - 2 * pad
    placed: list[PlacedLine] = []
    for k in range(40):  # shrink by 5 % until the card fits the height
        scales = _scales(lines, h, text_w, 0.95**k)
        placed, y = [], 0
        for line in lines:
            texts = [line.text] if line.role != "body" else wrap_clauses(
                line.text, lambda t, s=scales["body"]: _size(t, "body", s)[0] <= text_w)  # fmt: skip
            for text in texts:
                width, cap, thick = _size(text, line.role, scales[line.role])
                prev = placed[-1] if placed else None
                if line.role == "detail" and prev is not None and prev.role == "leg" and \
                        prev.width_px + 2 * cap + width <= text_w:  # fmt: skip
                    placed.append(PlacedLine(text, line.tone, line.role, scales[line.role], thick,
                                             prev.x_px + prev.width_px + 2 * cap, prev.baseline_px,
                                             width, cap))  # beside its leg line  # fmt: skip
                    continue
                new_block = prev is not None and prev.role != line.role and line.role == "body"
                y += int(cap * (1.9 if line.role in ("leg", "title") or new_block else 0.75)) + cap
                placed.append(PlacedLine(text, line.tone, line.role, scales[line.role], thick,
                                         x0 + pad, y, width, cap))  # fmt: skip
        height = y + 2 * pad
        if height <= 0.94 * h:
            break
    y0 = max(0, (h - height) // 2)
    shifted = [PlacedLine(p.text, p.tone, p.role, p.font_scale, p.thickness, p.x_px,
                          p.baseline_px + y0 + pad, p.width_px, p.cap_px) for p in placed]  # fmt: skip
    return shifted, (x0, y0, x1, min(h, y0 + height))


class ResultCardAnnotator:
    """End-of-session card over the middle of the image: each leg's best hold in big type,
    trials and sway, asymmetry, verdict (see the module docstring for the layout).

    Args:
        alpha: panel opacity (the last video frame shows faintly behind).
    """

    def __init__(self, alpha: float = 0.85) -> None:
        self.alpha = alpha

    def annotate(self, image_bgr: np.ndarray, summary: Summary, title: str = "Result") -> np.ndarray:
        h, w = image_bgr.shape[:2]
        placed, (x0, y0, x1, y1) = layout_card(card_lines(summary, title), w, h)
        blend_rect(image_bgr, x0, y0, x1, y1, alpha=self.alpha)
        for p in placed:
            put_text(image_bgr, p.text, (p.x_px, p.baseline_px), p.font_scale, _CARD_BGR[p.tone],
                     p.thickness, _FONT_OF[p.role], outline=False)  # fmt: skip
        return image_bgr
