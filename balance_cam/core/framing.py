"""What the recording shows of the test: the body in the picture (the one geometric rule shared
by the live framing guide
(:func:`balance_cam.apps.live.protocol.framing_check`) and the recorded-video check
(:meth:`balance_cam.core.analyzer.Analyzer.video_checks`)), and enough frames per second.

A landmark is *in the picture* when its image-normalised position lies inside the image,
``0 ≤ x ≤ 1`` and ``0 ≤ y ≤ 1`` (MediaPipe extrapolates a joint the frame cuts off to outside
that square). A frame *shows the feet* when both ankles are in the picture. Visibility is
deliberately not part of this rule: a raised foot resting against the thigh (tree pose) is rated
low but is in the picture, and the stance rules (:mod:`balance_cam.core.stance`) deal with it.

A recorded video whose frames with a person mostly do not show the feet (a laptop webcam that
sees the body from the knees up, a phone held too close) cannot be timed, and says why:
:func:`feet_out_warning`.

The *frame rate* is the median of the inverse frame intervals (robust to a variable-rate phone
video and to a few dropped live frames). Under ``LOW_FPS_HZ`` every event time is uncertain by a
larger frame interval and the touchdown rules (``touchdown_confirm_s`` frame after frame) see
only a few frames: in the robustness corpora 2 of the 6 conditions at 10-15 frames/s failed a
must-hold at their first runs against 6 of the 50 at 24-60 frames/s (docs/accuracy.md, part 5).
The result says so: :func:`low_frame_rate_warning`.

A trial that ended because the person was lost (``lost_tracking``: the pelvis or the stance
ankle not seen for more than ``grace_s``) whose person is *seen again* (both hips and that ankle
at ``min_visibility``) within ``REFOUND_S`` of its end, in the same shot, may have been cut short
by the model rather than by the person: MediaPipe loses people for a fraction of a second in dim
light (docs/accuracy.md, "low light cam03 leg out"). The result says so:
:func:`refound_warnings`. A fade to black or a person walking out is not seen again that soon.
A trial timed *through* such a gap (up to ``bridge_s``, :mod:`balance_cam.core.gaps`) says so
too: :func:`bridged_warnings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from balance_cam.core.results import Trial
from balance_cam.core.skeleton import ANKLES, HIPS, idx

#: Share of the frames with a person that must not show the feet before the result says so.
FEET_OUT_WARN_FRAC = 0.5
#: Frame rate under which the result says that events are timed coarsely.
LOW_FPS_HZ = 20.0
#: A person lost from a trial and seen again within this long: the result says the hold may have gone on.
REFOUND_S = 2.0


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
    return (f"the feet were outside the picture in {frac * 100:.0f} % of the frames with a person: nothing "
            "is timed in those frames. Film the whole body, feet and some floor included.")  # fmt: skip


def frame_rate_hz(t_s: np.ndarray) -> float:
    """Median of the inverse frame intervals of the frame times ``t_s`` (s); NaN under two frames."""
    dt = np.diff(np.asarray(t_s, dtype=np.float64))
    dt = dt[np.isfinite(dt) & (dt > 0)]
    return float(1.0 / np.median(dt)) if len(dt) else float("nan")


def low_frame_rate_warning(t_s: np.ndarray, low_fps_hz: float = LOW_FPS_HZ) -> str | None:
    """The warning for a video under ``low_fps_hz`` frames per second, or None."""
    fps = frame_rate_hz(t_s)
    if not np.isfinite(fps) or fps >= low_fps_hz:
        return None
    return (f"the video has {fps:.0f} frames/s: event times are uncertain by a frame ({1 / fps:.2f} s) "
            "and a brief touchdown can be missed or misread; 25-30 frames/s or more is better.")  # fmt: skip


def _tracked(image: np.ndarray, stance: str, min_visibility: float) -> np.ndarray:
    """(N,) bool: both hips and the ``stance`` ankle at ``min_visibility`` in ``image`` (N, 33, 4)."""
    joints = [*HIPS, idx(stance, "ankle")]  # type: ignore[arg-type]
    return (np.nan_to_num(np.asarray(image)[:, joints, 3]) >= min_visibility).all(axis=1)


def bridged_warnings(trials: Iterable[Trial], t_s: np.ndarray, image: np.ndarray, min_visibility: float,
                     grace_s: float) -> list[str]:  # fmt: skip
    """The warnings for trials timed through a gap in which their person was not tracked for
    longer than ``grace_s`` (first to last frame without them, as the detector counts;
    :mod:`balance_cam.core.gaps`: the first frame back showed the hold going on)."""
    t = np.asarray(t_s, dtype=np.float64)
    out = []
    for trial in trials:
        inside = _tracked(image, trial.stance, min_visibility) & (t >= trial.start_s) & (t <= trial.end_s)
        seen_t = t[inside]
        for i in np.flatnonzero(np.diff(seen_t) > grace_s):
            unseen = t[(t > seen_t[i]) & (t < seen_t[i + 1])]
            if len(unseen) == 0 or unseen[-1] - unseen[0] <= grace_s + 1e-9:
                continue
            out.append(f"trial {trial.index + 1} ({trial.stance} leg): the person was lost for "
                       f"{seen_t[i + 1] - seen_t[i]:.1f} s at {seen_t[i]:.1f} s and seen again still on one "
                       "leg, the stance foot in place: the hold was timed through the gap. The model "
                       "loses people in dim light, against a busy background or behind someone: light "
                       "the person well.")  # fmt: skip
    return out


def refound_warnings(trials: Iterable[Trial], t_s: np.ndarray, image: np.ndarray, cuts_s: Sequence[float],
                     min_visibility: float, within_s: float = REFOUND_S) -> list[str]:  # fmt: skip
    """The warnings for trials that ended ``lost_tracking`` while their person is seen again (both
    hips and the stance ankle at ``min_visibility`` in ``image`` (N, 33, 4), frame times ``t_s``)
    within ``within_s`` of the end and before the next cut in ``cuts_s``."""
    t = np.asarray(t_s, dtype=np.float64)
    out = []
    for trial in trials:
        if trial.stop_reason != "lost_tracking":
            continue
        seen = _tracked(image, trial.stance, min_visibility)
        cut = min((c for c in cuts_s if c > trial.end_s), default=np.inf)
        after = seen & (t > trial.end_s) & (t < cut) & (t <= trial.end_s + within_s)
        if after.any():
            gap = float(t[after][0] - trial.end_s)
            out.append(f"trial {trial.index + 1} ({trial.stance} leg) ended at {trial.end_s:.1f} s because "
                       f"the person was lost, but they were seen again {gap:.1f} s later: if they were "
                       "still on one leg, the hold went on. The model loses people in dim light, against "
                       "a busy background or behind someone: light the person well.")  # fmt: skip
    return out
