"""Is the body in the picture: the one geometric rule shared by the live framing guide
(:func:`balance_cam.apps.live.protocol.framing_check`) and the recorded-video check
(:meth:`balance_cam.core.analyzer.Analyzer.video_checks`).

A landmark is *in the picture* when its image-normalised position lies inside the image,
``0 ≤ x ≤ 1`` and ``0 ≤ y ≤ 1`` (MediaPipe extrapolates a joint the frame cuts off to outside
that square). A frame *shows the feet* when both ankles are in the picture. Visibility is
deliberately not part of this rule: a raised foot resting against the thigh (tree pose) is rated
low but is in the picture, and the stance rules (:mod:`balance_cam.core.stance`) deal with it.

A recorded video whose frames with a person mostly do not show the feet (a laptop webcam that
sees the body from the knees up, a phone held too close) cannot be timed, and says why:
:func:`feet_out_warning`.
"""

from __future__ import annotations

import numpy as np

from balance_cam.core.skeleton import idx

ANKLES = (idx("left", "ankle"), idx("right", "ankle"))
#: Share of the frames with a person that must not show the feet before the result says so.
FEET_OUT_WARN_FRAC = 0.5


def in_picture(xy_norm: np.ndarray) -> np.ndarray:
    """(...,) bool: the points (..., 2) (image-normalised x, y) lie inside the image; NaN: False."""
    xy = np.asarray(xy_norm, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return ((xy >= 0.0) & (xy <= 1.0)).all(axis=-1)


def shows_feet(image_norm: np.ndarray) -> np.ndarray:
    """(N,) bool: both ankles in the picture, per frame of ``image_norm`` (N, 33, >=2); a frame
    without a person (NaN) is False."""
    return in_picture(np.asarray(image_norm)[:, list(ANKLES), :2]).all(axis=-1)


def feet_out_frac(image_norm: np.ndarray) -> float:
    """Share of the frames with a person (finite landmarks) that do not show the feet; NaN when
    no frame has a person."""
    image_norm = np.asarray(image_norm)
    person = np.isfinite(image_norm[:, :, :2]).all(axis=(1, 2))
    if not person.any():
        return float("nan")
    return float(1.0 - shows_feet(image_norm[person]).mean())


def feet_out_warning(image_norm: np.ndarray, warn_frac: float = FEET_OUT_WARN_FRAC) -> str | None:
    """The warning for a video whose frames with a person mostly (more than ``warn_frac``) do
    not show both feet, or None."""
    frac = feet_out_frac(image_norm)
    if not np.isfinite(frac) or frac <= warn_frac:
        return None
    return (f"the feet were outside the picture in {frac * 100:.0f} % of the frames with a person: no "
            "hold can be timed without them. Film the whole body, feet and some floor included.")  # fmt: skip
