"""Graphics burnt into the picture after it was filmed: what web and phone clips carry.

A broadcaster's or app's *logo* (a semi-transparent box with letters, top right) and a running
*clock* (date and time, one change a second, top left, as phones, action cameras and CCTV burn
in). Both are fixed to the frame, not to the scene: through a moving camera they are features
that do not move with the background, which a camera-motion estimate must not follow, and they
stay on through a cut and a fade. They sit in the top 9 % of the frame, above the head in the
sources' framing at zoom 1 (``tests/test_corpus.py`` checks pose_1's nose); a phone's zoom and
pan, or arms raised overhead, could bring a head or a hand under them.

:func:`burn_in` draws them on one output frame (RGB uint8, in place); the clock reads
``14:03:00`` plus the frame's time.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Overlay = Literal["logo", "clock"]
OVERLAYS: tuple[Overlay, ...] = ("logo", "clock")
TOP_FRAC = 0.09
"""The overlays' band: the top 9 % of the frame's height."""


def burn_in(rgb: np.ndarray, kinds: tuple[Overlay, ...], t_s: float) -> np.ndarray:
    """Draw ``kinds`` on ``rgb`` (H, W, 3 uint8) at frame time ``t_s``; returns ``rgb``."""
    import cv2

    h, w = rgb.shape[:2]
    band = max(12, int(TOP_FRAC * h))
    font = cv2.FONT_HERSHEY_SIMPLEX
    thick = max(1, round(w / 360))

    def fit(text: str, width_px: float, height_px: float) -> float:  # the font scale that fits
        (tw, th), _ = cv2.getTextSize(text, font, 1.0, thick)
        return min(width_px / tw, height_px / th)

    if "logo" in kinds:
        x0, x1, y0, y1 = int(0.74 * w), int(0.97 * w), int(0.15 * band), int(0.80 * band)
        box = rgb[y0:y1, x0:x1].astype(np.float32)
        rgb[y0:y1, x0:x1] = (0.45 * box + 0.55 * 235.0).astype(np.uint8)  # semi-transparent white
        cv2.rectangle(rgb, (x0, y0), (x1 - 1, y1 - 1), (40, 40, 160), thick)
        scale = fit("BC TV", 0.8 * (x1 - x0), 0.6 * (y1 - y0))
        cv2.putText(rgb, "BC TV", (x0 + int(0.1 * (x1 - x0)), y1 - int(0.2 * (y1 - y0))), font, scale,
                    (40, 40, 160), thick, cv2.LINE_AA)  # fmt: skip
    if "clock" in kinds:
        s = 14 * 3600 + 3 * 60 + int(t_s)
        text = f"2026-05-17 {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        scale = fit(text, 0.62 * w, 0.45 * band)
        org = (int(0.03 * w), int(0.65 * band))
        cv2.putText(rgb, text, org, font, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)  # outline
        cv2.putText(rgb, text, org, font, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return rgb
