"""Online estimate of the camera's own motion (zoom, pan, roll, shake) from the background.

Model: between a frame and the shot's reference (first) frame the background moves by one
similarity x_ref = s R(theta) x_cur + t: exact for zoom and roll, first-order for pan/tilt,
approximate for a moving camera (parallax ignored; Hartley & Zisserman 2004, 8.4). Estimated
on a small grey frame (:mod:`balance_cam.vision.small_frame`), outside the person's box:

1. Shi-Tomasi corners (``cv2.goodFeaturesToTrack``) tracked frame to frame with pyramidal
   Lucas-Kanade (``cv2.calcOpticalFlowPyrLK``; Bouguet 2000). Each point keeps its position in
   the reference frame; a RANSAC similarity (``cv2.estimateAffinePartial2D``) from current to
   reference positions is the estimate. Points added later (``top_up``) take their reference
   position from the estimate of the frame where they were found, so drift grows only through
   new points (never by composing frame-to-frame transforms).
2. Anchoring, every ``anchor_s``: the frame is warped onto the reference with the estimate and
   the reference frame's own corners are tracked into it; a good fit corrects the estimate and
   re-anchors every tracked point. While the camera still sees the reference view, the error
   does not grow with time (30 s handheld test: no drift); far pans fall back to step 1 alone.

Unreliable frames (``ok=False``: fewer than ``min_inliers``, a low inlier fraction, inliers
bunched in a small area) *hold the last good transform*: an unseen camera most likely stayed
where it was, while identity would move every landmark by the whole accumulated pan at once,
i.e. fake exactly the "stance foot moved" this module exists to prevent. Failures (blur, a
passer-by) are bridged: tracking restarts from the last good frame, or from the reference
(anchoring); after ``bridge_s`` a new chain starts and ``segment`` increments (positions in
reference pixels are then not comparable across segments, as across a cut).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from balance_cam.core.camera import CameraMotion, make_motion
from balance_cam.vision.small_frame import (
    Box,
    SmallFrame,
    apply_affine,
    box_to_small,
    inverse_affine,
    normalise_for_tracking,
    outside_box,
    spread_frac,
    track_lk,
)


@dataclass(frozen=True)
class MotionConfig:
    """Parameters of :class:`CameraMotionEstimator` (sizes are fractions of the frame)."""

    max_features: int = 80
    min_distance_frac: float = 0.03  # between corners, of the longer side
    quality_level: float = 0.01  # Shi-Tomasi, relative to the best corner
    box_margin_frac: float = 0.08  # the person box grows by this share of its size on each side
    ransac_frac: float = 0.004  # RANSAC inlier distance, of the longer side (1.3 px at 320 px)
    min_inliers: int = 10  # a similarity has 4 degrees of freedom; 10 give a stable fit
    min_inlier_fraction: float = 0.5
    min_spread_frac: float = 0.08  # RMS radius of the inliers about their centroid, of the diagonal
    top_up_fraction: float = 0.7  # detect more corners when fewer than this share remain
    anchor_s: float = 0.2  # how often to register against the reference frame
    anchor_max_frac: float = 0.03  # larger corrections (of the longer side) are not trusted
    lk_win_frac: float = 0.034  # LK window side, of the longer side (11 px at 320 px)
    lk_levels: int = 3  # LK pyramid levels frame to frame (11 px window: follows ~44 px per frame)
    bridge_s: float = 0.5  # failures up to this long keep tracking from the last good frame
    photometric: str = "highpass"  # see small_frame.normalise_for_tracking


class CameraMotionEstimator:
    """Feed one :class:`~balance_cam.vision.small_frame.SmallFrame` per frame in time order (module doc)."""

    def __init__(self, config: MotionConfig | None = None) -> None:
        self.cfg = config or MotionConfig()
        self.segment = -1
        self.reset()

    def reset(self) -> None:
        """Start a new shot: the next frame becomes the reference (call it on a cut)."""
        self.segment += 1
        self._prev: np.ndarray | None = None
        self._pts = self._ref_pts = np.zeros((0, 2), np.float32)
        self._m = np.eye(3)  # last good current -> reference map, small-frame pixels
        self._n_topped = 0
        self._bad_since: float | None = None
        self._anchor: np.ndarray | None = None
        self._anchor_pts = np.zeros((0, 2), np.float32)
        self._anchor_fails = np.zeros(0, int)
        self._anchor_t = -math.inf

    def update(self, frame: SmallFrame, t_s: float, person_box_px: Box | None = None) -> CameraMotion:
        """Motion of this frame; ``person_box_px`` (full-frame pixels) is left out of the fit."""
        cfg = self.cfg
        g = normalise_for_tracking(frame.grey, cfg.photometric)
        box = box_to_small(person_box_px, frame, cfg.box_margin_frac)
        s = frame.to_full
        if self._prev is not None and self._prev.shape != g.shape:
            self.reset()  # another frame size is another shot
        if self._prev is None:
            self._top_up(g, box)
            self._prev, self._anchor, self._anchor_t = g, g, t_s
            self._anchor_pts, self._anchor_fails = self._pts.copy(), np.zeros(len(self._pts), int)
            ok = len(self._pts) >= cfg.min_inliers
            self._bad_since = None if ok else t_s
            return make_motion(np.eye(3), frame.full_wh, float(ok), len(self._pts), ok, self.segment)
        cur, st = track_lk(self._prev, g, self._pts, self._win(g), cfg.lk_levels)
        fit = self._fit((cur, st), self._ref_pts, box, g.shape)
        if fit is not None:
            self._m, self._pts, self._ref_pts = fit[0], cur[fit[1]], self._ref_pts[fit[1]]
            self._bad_since, self._prev = None, g
            if t_s - self._anchor_t >= cfg.anchor_s:
                self._anchor_t = t_s
                self._register_to_anchor(g, box)
            if len(self._pts) < max(2 * cfg.min_inliers, cfg.top_up_fraction * self._n_topped):
                self._top_up(g, box)
            to_ref = s @ self._m @ inverse_affine(s)
            return make_motion(to_ref, frame.full_wh, fit[3], fit[2], True, self.segment, True)
        rescue = self._register_to_anchor(g, box)  # frame-to-frame lost: try the reference itself
        if rescue is not None:
            self._pts = self._ref_pts = np.zeros((0, 2), np.float32)
            self._prev, self._bad_since = g, None
            self._top_up(g, box)
            to_ref = s @ self._m @ inverse_affine(s)
            return make_motion(to_ref, frame.full_wh, rescue[3], rescue[2], True, self.segment, True)
        if self._bad_since is None:
            self._bad_since = t_s
        if t_s - self._bad_since > cfg.bridge_s:  # give up bridging: a new chain from here
            self.segment += 1
            self._pts = self._ref_pts = np.zeros((0, 2), np.float32)
            self._prev, self._bad_since = g, t_s
            self._top_up(g, box)
        return make_motion(s @ self._m @ inverse_affine(s), frame.full_wh, 0.0, 0, False, self.segment)

    def _win(self, g: np.ndarray) -> int:
        return max(5, int(self.cfg.lk_win_frac * max(g.shape)) | 1)

    def _fit(self, tracked: tuple[np.ndarray, np.ndarray], ref: np.ndarray, box: np.ndarray | None,
             shape: tuple[int, ...]):  # fmt: skip  # noqa: ANN202
        """RANSAC similarity from tracked current points to their reference points; None unless
        reliable, else (map (3, 3), inlier mask over the input points, n_inliers, fraction)."""
        cur, st = tracked
        use = st & outside_box(cur, box)
        cfg = self.cfg
        if use.sum() < cfg.min_inliers:
            return None
        m, inl = cv2.estimateAffinePartial2D(cur[use], ref[use], method=cv2.RANSAC,
                                             ransacReprojThreshold=cfg.ransac_frac * max(shape),
                                             maxIters=500, confidence=0.995, refineIters=10)  # fmt: skip
        if m is None:
            return None
        sel = np.zeros(len(cur), bool)
        sel[np.flatnonzero(use)[inl.ravel().astype(bool)]] = True
        n_in, frac = int(sel.sum()), float(sel.sum() / use.sum())
        if n_in < cfg.min_inliers or frac < cfg.min_inlier_fraction:
            return None
        if spread_frac(cur[sel], shape) < cfg.min_spread_frac:
            return None
        return np.vstack([m, [0, 0, 1]]), sel, n_in, frac

    def _register_to_anchor(self, g: np.ndarray, box: np.ndarray | None):  # noqa: ANN202
        """Correct the estimate by tracking the reference frame's corners into this frame warped
        onto the reference; on success (returns the fit, else None) every tracked point gets its
        corrected reference position."""
        h, w, cfg = *g.shape, self.cfg
        pred = apply_affine(inverse_affine(self._m), self._anchor_pts)  # where they should be now
        m = 0.02 * max(h, w)
        tried = outside_box(pred, box) & (pred[:, 0] > m) & (pred[:, 0] < w - 1 - m) & (pred[:, 1] > m) \
            & (pred[:, 1] < h - 1 - m)
        if tried.sum() < self.cfg.min_inliers:
            return None
        warped = cv2.warpAffine(g, self._m[:2], (w, h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        found, st = track_lk(self._anchor, warped, self._anchor_pts[tried], self._win(g), cfg.lk_levels)
        fit = self._fit((found, st), self._anchor_pts[tried], None, g.shape)
        corners = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], np.float32)
        step = np.abs(apply_affine(fit[0], corners) - corners).max() if fit is not None else 0.0
        if fit is None or step > cfg.anchor_max_frac * max(w, h):
            return None  # no fit, or too large a correction for a drift: more likely a wrong match
        self._m = fit[0] @ self._m
        self._ref_pts = apply_affine(self._m, self._pts)
        hit = np.zeros(len(tried), bool)
        hit[np.flatnonzero(tried)[fit[1]]] = True
        self._anchor_fails = np.where(hit, 0, self._anchor_fails + tried)
        keep = self._anchor_fails < 3  # corners that keep failing a good fit (on the person) go
        self._anchor_pts, self._anchor_fails = self._anchor_pts[keep], self._anchor_fails[keep]
        return fit

    def _top_up(self, g: np.ndarray, box: np.ndarray | None) -> None:
        """Add corners away from the person and from the points already tracked; their reference
        positions come from the current estimate (the older points keep theirs)."""
        cfg = self.cfg
        mask = np.full(g.shape, 255, np.uint8)
        if box is not None:
            x0, y0, x1, y1 = np.round(box).astype(int)
            mask[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = 0
        min_dist = cfg.min_distance_frac * max(g.shape)
        for x, y in self._pts:
            cv2.circle(mask, (int(x), int(y)), int(min_dist), 0, -1)
        n_new = cfg.max_features - len(self._pts)  # 0 would mean "no limit" to OpenCV
        pts = cv2.goodFeaturesToTrack(g, n_new, cfg.quality_level, min_dist, mask=mask, blockSize=5) \
            if n_new > 0 else None
        if pts is not None:
            new = pts.reshape(-1, 2)
            self._pts = np.vstack([self._pts, new])
            self._ref_pts = np.vstack([self._ref_pts, apply_affine(self._m, new)])
        self._n_topped = len(self._pts)
