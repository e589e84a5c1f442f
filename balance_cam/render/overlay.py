"""Overlay annotators for the live window and the annotated-video export.

Modelled on ``supervision``'s annotators: settings go in ``__init__``, drawing happens in
``annotate(image_bgr, ...)``, which draws **in place** on a BGR ``uint8`` image and returns the
same array (so calls chain). Nothing here allocates a full-size overlay: text panels blend
only their own small region, and everything else is drawn directly.

Sizes scale with the image height (``scale = height_px / 720``), so an overlay looks the same
on a 480p webcam and on a 1920-pixel phone video. Image convention: x right, y down (pixels).

Stable API (also used by :mod:`balance_cam.render.video`)::

    SkeletonAnnotator().annotate(img, landmarks_px, visibility, stance="left")
    TimerAnnotator().annotate(img, hold_s=12.3, limit_s=45)
    StatusAnnotator().annotate(img, "holding", detail="stand on your LEFT leg", tone="good")
    SwayTraceAnnotator().annotate(img, t_s, ml_cm)
    FpsAnnotator().annotate(img, fps=48.0, dropped=3)

The end-of-session result card is :class:`balance_cam.render.card.ResultCardAnnotator`.

Colours are BGR tuples; the defaults are in :data:`STANCE_BGR`, :data:`RAISED_BGR`, ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import cv2
import numpy as np

from balance_cam.core.skeleton import BONES, LANDMARK_NAMES, Side

Color = tuple[int, int, int]
Tone = Literal["info", "good", "warn", "bad"]

#: Stance (standing) leg: saturated green. Raised leg: magenta. Rest of the body: light grey.
STANCE_BGR: Color = (60, 230, 60)
RAISED_BGR: Color = (230, 60, 230)
BODY_BGR: Color = (235, 235, 235)
TEXT_BGR: Color = (255, 255, 255)
PANEL_BGR: Color = (30, 30, 30)
TONE_BGR: dict[str, Color] = {
    "info": (200, 160, 40), "good": (60, 170, 60), "warn": (0, 165, 235), "bad": (50, 50, 220),
}  # fmt: skip
FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX

_SIDE_OF = np.array(
    [1 if n.startswith("left_") else 2 if n.startswith("right_") else 0 for n in LANDMARK_NAMES]
)  # 0 = centre/face, 1 = left, 2 = right
_LEG_NAMES = ("hip", "knee", "ankle", "heel", "foot_index")
_IS_LEG = np.array([any(n.endswith("_" + j) for j in _LEG_NAMES) for n in LANDMARK_NAMES])


def scale_of(image: np.ndarray) -> float:
    """Drawing scale of an image: 1.0 at 720 pixels high."""
    return max(image.shape[0], 1) / 720.0


def blend_rect(image: np.ndarray, x0: int, y0: int, x1: int, y1: int,
               color: Color = PANEL_BGR, alpha: float = 0.6) -> None:  # fmt: skip
    """Darken/tint one rectangle in place (only that region is copied)."""
    h, w = image.shape[:2]
    x0, x1 = max(0, min(x0, w)), max(0, min(x1, w))
    y0, y1 = max(0, min(y0, h)), max(0, min(y1, h))
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    cv2.addWeighted(roi, 1.0 - alpha, np.full_like(roi, color), alpha, 0.0, dst=roi)


def put_text(image: np.ndarray, text: str, org_xy: tuple[int, int], font_scale: float,
             color: Color = TEXT_BGR, thickness: int = 2, font: int = FONT,
             outline: bool = True) -> None:  # fmt: skip
    """Text (``org`` = baseline start); the dark outline makes it read on any background
    and can be left out on a panel (it doubles the drawing time)."""
    x, y = int(org_xy[0]), int(org_xy[1])
    if outline:
        cv2.putText(image, text, (x, y), font, font_scale, (0, 0, 0), thickness + 3, cv2.LINE_AA)
    cv2.putText(image, text, (x, y), font, font_scale, color, thickness, cv2.LINE_AA)


def _leg_role(stance: Side | None, side_code: int) -> str:
    if stance is None or side_code == 0:
        return "body"
    side = "left" if side_code == 1 else "right"
    return "stance" if side == stance else "raised"


class SkeletonAnnotator:
    """BlazePose skeleton; during a trial the stance leg and the raised leg get their colours.

    Args:
        stance_bgr, raised_bgr, body_bgr: colours of the stance leg, raised leg, the rest.
        thickness: line width at 720 px image height (scaled with the image).
        min_visibility: landmarks below this MediaPipe visibility are not drawn.
    """

    def __init__(self, stance_bgr: Color = STANCE_BGR, raised_bgr: Color = RAISED_BGR,
                 body_bgr: Color = BODY_BGR, thickness: int = 4,
                 min_visibility: float = 0.5) -> None:  # fmt: skip
        self.colors = {"stance": stance_bgr, "raised": raised_bgr, "body": body_bgr}
        self.thickness = thickness
        self.min_visibility = min_visibility

    def annotate(
        self, image_bgr: np.ndarray, landmarks_px: np.ndarray | None,
        visibility: np.ndarray | None = None, stance: Side | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Draw bones and joints of ``landmarks_px`` (33, 2) pixels; ``stance`` = leg stood on.

        With ``stance=None`` (no trial running) the whole body is drawn in the body colour.
        """
        if landmarks_px is None or not np.all(np.isfinite(landmarks_px[:, :2])):
            return image_bgr
        ok = np.ones(len(landmarks_px), bool) if visibility is None else (
            visibility >= self.min_visibility)  # fmt: skip
        pts = np.round(landmarks_px[:, :2]).astype(np.int32)
        t = max(1, int(round(self.thickness * scale_of(image_bgr))))
        for a, b in BONES:
            if ok[a] and ok[b]:
                same_leg = _IS_LEG[a] and _IS_LEG[b] and _SIDE_OF[a] == _SIDE_OF[b]
                role = _leg_role(stance, _SIDE_OF[a]) if same_leg else "body"
                cv2.line(image_bgr, tuple(pts[a]), tuple(pts[b]), self.colors[role], t, cv2.LINE_AA)
        for i in np.flatnonzero(ok & _IS_LEG):
            role = _leg_role(stance, _SIDE_OF[i])
            cv2.circle(image_bgr, tuple(pts[i]), t + 2, self.colors[role], -1, cv2.LINE_AA)
        return image_bgr


class TimerAnnotator:
    """The hold time in big digits (readable from 3 m on a laptop screen), top right.

    Args:
        height_frac: digit height as a fraction of the image height (less on narrow,
            portrait images, where the digits are limited to ``max_width_frac`` of the width).
        color_bgr: digit colour; the bar under it shows progress towards ``limit_s``.
    """

    def __init__(self, height_frac: float = 0.16, color_bgr: Color = TEXT_BGR,
                 bar_bgr: Color = STANCE_BGR, max_width_frac: float = 0.6) -> None:  # fmt: skip
        self.height_frac, self.max_width_frac = height_frac, max_width_frac
        self.color_bgr = color_bgr
        self.bar_bgr = bar_bgr

    def annotate(self, image_bgr: np.ndarray, hold_s: float, limit_s: float | None = None,
                 text: str | None = None) -> np.ndarray:  # fmt: skip
        """Draw ``hold_s`` as ``12.3`` (one decimal) with a progress bar when ``limit_s`` is set;
        ``text`` replaces the number (e.g. a countdown ``"3"``)."""
        h, w = image_bgr.shape[:2]
        text = text if text is not None else f"{max(hold_s, 0.0):.1f}"
        target_px = self.height_frac * h
        base_h = cv2.getTextSize("0", FONT_BOLD, 1.0, 1)[0][1]
        fs = target_px / max(base_h, 1)
        fs = min(fs, fit_scale(text, self.max_width_frac * w, fs, FONT_BOLD))
        th = max(2, int(round(fs * 2.2)))
        (tw, tht), _ = cv2.getTextSize(text, FONT_BOLD, fs, th)
        pad = int(0.02 * h)
        x0, y0 = w - tw - 3 * pad, pad
        blend_rect(image_bgr, x0, y0, w - pad, y0 + tht + 3 * pad, alpha=0.55)
        put_text(image_bgr, text, (x0 + pad, y0 + tht + pad), fs, self.color_bgr, th, FONT_BOLD,
                 outline=False)  # fmt: skip
        if limit_s and limit_s > 0:
            frac = min(max(hold_s / limit_s, 0.0), 1.0)
            by = y0 + tht + 2 * pad
            x_end = x0 + pad + int(frac * tw)
            cv2.rectangle(image_bgr, (x0 + pad, by), (x_end, by + pad // 2 + 2), self.bar_bgr, -1)
        return image_bgr


class StatusAnnotator:
    """State banner across the bottom: a big headline ("holding") and a smaller detail line.

    Args:
        font_scale: headline size at 720 px image height.
        alpha: panel opacity.
    """

    def __init__(self, font_scale: float = 1.6, alpha: float = 0.65) -> None:
        self.font_scale = font_scale
        self.alpha = alpha

    def annotate(self, image_bgr: np.ndarray, headline: str, detail: str = "",
                 tone: Tone = "info") -> np.ndarray:  # fmt: skip
        """Draw ``headline`` (e.g. "stopped: touchdown") and ``detail`` (an instruction)."""
        h, w = image_bgr.shape[:2]
        s = scale_of(image_bgr)
        fs = self.font_scale * s
        fs = min(fs, fit_scale(headline, w * 0.94, fs, FONT_BOLD))
        ds = min(0.55 * self.font_scale * s, fit_scale(detail, w * 0.94, fs * 0.6, FONT))
        line_h = int(40 * fs) + (int(34 * ds) if detail else 0)
        y0 = h - line_h - int(16 * s)
        blend_rect(image_bgr, 0, y0, w, h, TONE_BGR[tone], self.alpha)
        put_text(image_bgr, headline, (int(14 * s), y0 + int(36 * fs)), fs, TEXT_BGR,
                 max(2, int(2.5 * fs)), FONT_BOLD, outline=False)  # fmt: skip
        if detail:
            put_text(image_bgr, detail, (int(14 * s), y0 + int(36 * fs) + int(36 * ds)), ds,
                     TEXT_BGR, max(1, int(2 * ds)), outline=False)  # fmt: skip
        return image_bgr


def fit_scale(text: str, max_w: float, scale: float, font: int) -> float:
    """Largest font scale <= ``scale`` at which ``text`` fits into ``max_w`` pixels."""
    if not text:
        return scale
    w = cv2.getTextSize(text, font, scale, max(1, int(2 * scale)))[0][0]
    return scale if w <= max_w else scale * max_w / max(w, 1)


#: The sway trace: cyan, apart from the legs' green and magenta and the white text.
TRACE_BGR: Color = (255, 230, 40)
_NICE_HALF_RANGES = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)


def nice_half_range(values: np.ndarray, minimum: float = 1.0) -> float:
    """The smallest of 0.5, 1, 2, 3, 5, 10, 20, 50 (at least ``minimum``) that holds
    1.15 x the largest ``|value|``: the trace fills its strip, the label stays a round number."""
    peak = 1.15 * float(np.max(np.abs(values))) if len(values) else 0.0
    return next((r for r in _NICE_HALF_RANGES if r >= max(peak, minimum)), _NICE_HALF_RANGES[-1])


class SwayTraceAnnotator:
    """Live medio-lateral sway of the running trial, as a strip at the left, readable during
    the hold: it grows from the left edge (the strip spans at least ``min_window_s``), scrolls
    once the trial is longer than ``window_s``, and scales to the sway seen (``half_range``
    None: the nice range of :func:`nice_half_range`, stated in the label) with a thick line
    and a dot at the newest sample.

    Args:
        window_s: seconds shown at most; older samples scroll out.
        half_range: value at the strip's edge (same unit as the values), or None (auto).
        min_window_s: the time axis spans at least this (a new trial starts at the left).
        unit: label of the values.
    """

    def __init__(self, window_s: float = 10.0, half_range: float | None = None, unit: str = "cm",
                 color_bgr: Color = TRACE_BGR, width_frac: float = 0.34, height_frac: float = 0.24,
                 min_window_s: float = 2.0, min_half_range: float = 1.0) -> None:  # fmt: skip
        self.window_s, self.half_range, self.unit = window_s, half_range, unit
        self.min_window_s, self.min_half_range = min(min_window_s, window_s), min_half_range
        self.color_bgr = color_bgr
        self.width_frac, self.height_frac = width_frac, height_frac

    def box(self, image_bgr: np.ndarray) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the strip in pixels."""
        h, w = image_bgr.shape[:2]
        x0, y0 = int(12 * scale_of(image_bgr)), int(0.26 * h)
        return x0, y0, x0 + int(self.width_frac * w), y0 + int(self.height_frac * h)

    def annotate(self, image_bgr: np.ndarray, t_s: np.ndarray | Sequence[float],
                 values: np.ndarray | Sequence[float]) -> np.ndarray:  # fmt: skip
        """Plot ``values`` against ``t_s`` (seconds, increasing), mean removed."""
        t = np.asarray(t_s, dtype=np.float64)
        v = np.asarray(values, dtype=np.float64)
        keep = np.isfinite(v) & np.isfinite(t)
        if len(t):
            keep &= t >= t[-1] - self.window_s
        tt = t[keep]
        vv = v[keep] - np.mean(v[keep]) if keep.any() else v[keep]
        half = self.half_range or nice_half_range(vv, self.min_half_range)
        x0, y0, x1, y1 = self.box(image_bgr)
        s = scale_of(image_bgr)
        blend_rect(image_bgr, x0, y0, x1, y1, alpha=0.6)
        ym, bw, bh = (y0 + y1) // 2, x1 - x0, y1 - y0
        cv2.line(image_bgr, (x0, ym), (x1, ym), (140, 140, 140), 1)
        fs = min(0.75 * s, fit_scale(f"ML sway +/-{half:g} {self.unit}", 0.94 * bw, 0.75 * s, FONT))
        put_text(image_bgr, f"ML sway +/-{half:g} {self.unit}", (x0 + int(6 * s), y0 + int(30 * fs)),
                 fs, TEXT_BGR, max(1, int(2 * fs)))  # fmt: skip
        if len(tt) >= 2:
            span_s = min(self.window_s, max(self.min_window_s, tt[-1] - tt[0]))
            xs = x0 + 4 + (tt - max(tt[0], tt[-1] - span_s)) / span_s * (bw - 8)
            ys = ym - np.clip(vv / half, -1, 1) * (bh / 2 - 4)
            pts = np.stack([xs, ys], axis=1).round().astype(np.int32)
            thick = max(2, int(round(3 * s)))
            cv2.polylines(image_bgr, [pts], False, self.color_bgr, thick, cv2.LINE_AA)
            cv2.circle(image_bgr, tuple(pts[-1]), thick + 3, self.color_bgr, -1, cv2.LINE_AA)
        return image_bgr


class FpsAnnotator:
    """Processing rate (and dropped camera frames) in small text, bottom right above the banner."""

    def __init__(self, font_scale: float = 0.6) -> None:
        self.font_scale = font_scale

    def annotate(self, image_bgr: np.ndarray, fps: float, dropped: int | None = None) -> np.ndarray:
        h, w = image_bgr.shape[:2]
        s = scale_of(image_bgr)
        text = f"{fps:4.1f} fps" if math.isfinite(fps) else "-- fps"
        if dropped:
            text += f"  {dropped} dropped"
        fs = self.font_scale * s
        tw = cv2.getTextSize(text, FONT, fs, 1)[0][0]
        put_text(image_bgr, text, (w - tw - int(12 * s), int(0.75 * h)), fs, TEXT_BGR,
                 max(1, int(1.5 * s)))  # fmt: skip
        return image_bgr


__all__ = [
    "BODY_BGR", "RAISED_BGR", "STANCE_BGR", "TRACE_BGR", "FpsAnnotator",
    "SkeletonAnnotator", "StatusAnnotator", "SwayTraceAnnotator", "TimerAnnotator",
    "blend_rect", "fit_scale", "nice_half_range", "put_text", "scale_of",
]
