"""Rendering: a planned clip → frames → an H.264 file.

Frame ``i`` is the background warped by ``camera_transform[i]`` (source pixels to output pixels:
the window, then the optional mirror) with the person warped by ``transform[i]`` (rotation about
the ankle first) blended over it, through the person's segmentation mask (soft edge). The strip
the rotation uncovers is filled from a clean plate of the static source camera, so body sway is
not also camera roll. Then the raised foot may be painted over (Telea inpainting), and the
photometry applied: fade, greyscale, low light; then graphics burnt in after filming
(:mod:`.overlays`), then :class:`balance_cam.testing.synthetic.Degradation` (noise, blur, JPEG,
H.264 crf).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from balance_cam.core.skeleton import Side, other
from balance_cam.testing.corpus.overlays import burn_in
from balance_cam.testing.corpus.plan import Plan, plan
from balance_cam.testing.corpus.recipes import Recipe
from balance_cam.testing.corpus.signals import as3
from balance_cam.testing.corpus.sources import SOURCES, SourceTrack, default_samples_dir
from balance_cam.testing.corpus.truth import CorpusTruth
from balance_cam.testing.synthetic import TimedFrame, write_video


def _working_size(size_wh: tuple[int, int], scale: float) -> tuple[int, int]:
    return max(2, round(size_wh[0] * scale)), max(2, round(size_wh[1] * scale))


def person_alpha(track: SourceTrack, frame: int, size_wh: tuple[int, int]) -> np.ndarray:
    """float32 (H, W) soft person mask in [0, 1] at ``size_wh``: the segmentation probability
    mapped from [0.3, 0.7] to [0, 1] (a soft edge a few pixels wide)."""
    import cv2

    m = cv2.resize(track.masks[frame], size_wh, interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
    return np.clip((m - 0.3) / 0.4, 0.0, 1.0)


def load_source(path: Path, track: SourceTrack, wanted: set[int], scale: float,
                plate: bool = True) -> tuple[dict[int, np.ndarray], np.ndarray | None]:  # fmt: skip
    """One pass over a source clip: the ``wanted`` frames resized by ``scale`` (area
    interpolation) and, with ``plate``, its clean plate (the background without the person;
    the cameras are static): per pixel the mean over all frames in which the person mask,
    dilated by 2 px, is below 0.1; pixels the person covers in every frame are inpainted (Telea).
    """
    import cv2

    from balance_cam.io.sources import iter_frames

    size = _working_size(track.size_wh, scale)
    acc = np.zeros((size[1], size[0], 3), np.float32)
    weight = np.zeros((size[1], size[0]), np.float32)
    frames: dict[int, np.ndarray] = {}
    kernel = np.ones((5, 5), np.uint8)
    for frame in iter_frames(path):
        if not plate and len(frames) == len(wanted):
            break
        same = size == (frame.rgb.shape[1], frame.rgb.shape[0])
        small = frame.rgb if same else cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA)
        if frame.index in wanted:
            frames[frame.index] = small
        if plate and frame.index < len(track.masks):
            m = cv2.dilate(cv2.resize(track.masks[frame.index], size, interpolation=cv2.INTER_LINEAR), kernel)
            w = (m < 26).astype(np.float32)
            acc += small * w[..., None]
            weight += w
    missing = wanted - set(frames)
    if missing:
        raise ValueError(f"{path}: frames {sorted(missing)[:5]} not found")
    if not plate:
        return frames, None
    bg = (acc / np.maximum(weight, 1)[..., None] + 0.5).astype(np.uint8)
    holes = (weight < 1).astype(np.uint8) * 255
    return frames, (cv2.inpaint(bg, holes, 5, cv2.INPAINT_TELEA) if holes.any() else bg)


def raised_foot_mask(track: SourceTrack, frame: int, stance: Side, shape_hw: tuple[int, int],
                     radius_ll: float = 0.07) -> np.ndarray:  # fmt: skip
    """uint8 mask (255 inside) of the raised foot in a (resized) source image: the convex hull
    of its ankle, heel and toe landmarks grown by ``radius_ll`` leg lengths."""
    import cv2

    raised = other(stance)
    sx, sy = shape_hw[1] / track.size_wh[0], shape_hw[0] / track.size_wh[1]
    pts = np.array([track.px(f"{raised}_{j}")[frame] for j in ("ankle", "heel", "foot_index")]) * (sx, sy)
    mask = np.zeros(shape_hw, np.uint8)
    if not np.all(np.isfinite(pts)):
        return mask
    r = max(2, round(radius_ll * track.leg_length_px(stance, frame) * sx))
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(pts).astype(np.int32)), 255)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))


def hide_raised_foot(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Paint over ``mask`` from its surroundings (Telea inpainting)."""
    import cv2

    return cv2.inpaint(rgb, mask, 5, cv2.INPAINT_TELEA)


def photometric(rgb: np.ndarray, gain: float, grey: bool, gamma: float) -> np.ndarray:
    """``255 * gain * (x / 255) ** gamma`` (fade and low light), optionally grey first."""
    import cv2

    out = rgb
    if grey:
        out = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    if gain == 1.0 and gamma == 1.0:
        return np.ascontiguousarray(out)
    lut = np.clip(255.0 * gain * (np.arange(256) / 255.0) ** gamma + 0.5, 0, 255).astype(np.uint8)
    return lut[out]


Layer = tuple[np.ndarray, np.ndarray, np.ndarray]


class _Layers:
    """Working-scale source images of one clip, their person masks and backgrounds (LRU cache)."""

    def __init__(self, recipe: Recipe, p: Plan, samples_dir: Path, max_items: int = 96) -> None:
        self.recipe, self.p = recipe, p
        self.images: dict[str, dict[int, np.ndarray]] = {}
        self.plates: dict[str, np.ndarray] = {}
        self.cache: dict[tuple[str, int, bool], Layer] = {}
        self.max_items = max_items
        self.boxes: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        truth = p.truth
        theta_max = float(np.max(np.abs(truth.applied_angle_deg))) if truth.n_frames else 0.0
        self.reveal_rad = math.radians(theta_max) * 1.15 + 1e-3
        for key, scale in p.work_scale.items():
            wanted = {int(f) for f, s in zip(truth.source_frame, truth.source, strict=True) if s == key}
            path = samples_dir / SOURCES[key].file
            frames, plate = load_source(path, p.tracks[key], wanted, scale, recipe.sway_mode == "person")
            self.images[key] = frames
            if plate is not None:
                self.plates[key] = plate

    def person_box(self, key: str, frame: int, alpha: np.ndarray) -> tuple[int, int, int, int]:
        """Bounding box ``x0, y0, x1, y1`` (exclusive) of ``alpha`` > 0, cached per frame."""
        box = self.boxes.get((key, frame))
        if box is None:
            ys, xs = np.nonzero(alpha)
            box = (0, 0, 0, 0)
            if len(xs):
                box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
            self.boxes[(key, frame)] = box
        return box

    def get(self, key: str, frame: int, hidden: bool) -> Layer:
        """(image, person alpha (uint8, 255 = person), background with the person's
        surroundings filled from the plate)."""
        item = self.cache.get((key, frame, hidden))
        if item is not None:
            return item
        img = self.images[key][frame]
        track = self.p.tracks[key]
        if hidden:
            img = hide_raised_foot(img, raised_foot_mask(track, frame, SOURCES[key].stance, img.shape[:2]))
        if self.recipe.sway_mode == "frame":
            item = (img, np.full(img.shape[:2], 255, np.uint8), img)
        else:
            item = self._person_layers(key, frame, img, track)
        if len(self.cache) >= self.max_items:
            self.cache.pop(next(iter(self.cache)))
        self.cache[(key, frame, hidden)] = item
        return item

    def _person_layers(self, key: str, frame: int, img: np.ndarray, track: SourceTrack) -> Layer:
        import cv2

        size = (img.shape[1], img.shape[0])
        alpha = person_alpha(track, frame, size)
        # Rotating about the ankle uncovers at most reveal_rad x (distance from the ankle).
        ankle = track.px(f"{SOURCES[key].stance}_ankle")[frame] * (size[0] / track.size_wh[0])
        ys, xs = np.nonzero(alpha > 0.01)
        reach = float(np.max(np.hypot(xs - ankle[0], ys - ankle[1]))) if len(xs) else 0.0
        r = math.ceil(self.reveal_rad * reach) + 3
        grown = cv2.dilate((alpha > 0.01).astype(np.uint8), cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))  # fmt: skip
        grown = cv2.GaussianBlur(grown.astype(np.float32), (0, 0), 1.5)[..., None]
        background = (img * (1 - grown) + self.plates[key] * grown).astype(np.uint8)
        return img, (alpha * 255 + 0.5).astype(np.uint8), background


def _paste_person(frame: np.ndarray, img: np.ndarray, alpha: np.ndarray, m: np.ndarray,
                  box: tuple[int, int, int, int]) -> None:  # fmt: skip
    """Warp the person (``img`` where ``alpha`` > 0, box ``x0, y0, x1, y1`` in ``img``) by ``m``
    and blend it into ``frame`` in place, only over the output rectangle it covers."""
    import cv2

    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64) @ m[:, :2].T + m[:, 2]
    h, w = frame.shape[:2]
    ox0, oy0 = (max(0, int(np.floor(v)) - 2) for v in corners.min(axis=0))
    ox1, oy1 = min(w, int(np.ceil(corners[:, 0].max())) + 2), min(h, int(np.ceil(corners[:, 1].max())) + 2)
    if ox1 <= ox0 or oy1 <= oy0:
        return
    mm = m.copy()
    mm[:, 2] -= (ox0, oy0)
    size = (ox1 - ox0, oy1 - oy0)
    person = cv2.warpAffine(img, mm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpAffine(alpha, mm, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    a16 = a.astype(np.uint16)[..., None]
    roi = frame[oy0:oy1, ox0:ox1]
    mixed = person.astype(np.uint16) * a16 + roi.astype(np.uint16) * (255 - a16) + 127
    roi[:] = (mixed // 255).astype(np.uint8)


def _to_working(truth_m: np.ndarray, track: SourceTrack, shape_hw: tuple[int, ...]) -> np.ndarray:
    """Affine from working-scale pixels (centres at integers, as OpenCV) via source pixels."""
    sx, sy = shape_hw[1] / track.size_wh[0], shape_hw[0] / track.size_wh[1]
    to_src = np.array([[1 / sx, 0, 0.5 / sx - 0.5], [0, 1 / sy, 0.5 / sy - 0.5], [0, 0, 1]])
    return (as3(truth_m) @ to_src)[:2]


def render(recipe: Recipe, samples_dir: Path | None = None,
           cache_dir: Path | None = None) -> tuple[CorpusTruth, Iterator[TimedFrame]]:  # fmt: skip
    """The truth of a recipe and an iterator over its frames (not yet encoded)."""
    samples_dir = samples_dir or default_samples_dir()
    p = plan(recipe, samples_dir, cache_dir)
    return p.truth, _frames(recipe, p, samples_dir)


def _frames(recipe: Recipe, p: Plan, samples_dir: Path) -> Iterator[TimedFrame]:
    import cv2

    truth = p.truth
    layers = _Layers(recipe, p, samples_dir)
    rng = np.random.default_rng(recipe.seed + 7919)
    w, h = truth.size_wh
    for i, t in enumerate(truth.t_s):
        key, f = truth.source[i], int(truth.source_frame[i])
        img, alpha, background = layers.get(key, f, bool(truth.hidden[i]))
        track = p.tracks[key]
        m = _to_working(truth.transform[i], track, img.shape)
        if recipe.sway_mode == "frame":
            frame = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        else:
            cam_m = _to_working(truth.camera_transform[i], track, img.shape)
            frame = cv2.warpAffine(background, cam_m, (w, h), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
            _paste_person(frame, img, alpha, m, layers.person_box(key, f, alpha))
        frame = photometric(frame, float(truth.gain[i]) * recipe.gain, recipe.grey, recipe.gamma)
        if recipe.overlays:  # burnt in after filming: not faded, not darkened
            frame = burn_in(frame.copy(), recipe.overlays, float(t))
        yield float(t), recipe.degradation.apply(frame, rng)


def make_clip(recipe: Recipe, path: str | Path, samples_dir: Path | None = None,
              cache_dir: Path | None = None) -> CorpusTruth:  # fmt: skip
    """Render ``recipe`` and write it as H.264 (crf from ``recipe.degradation``); return the truth."""
    truth, frames = render(recipe, samples_dir, cache_dir)
    n = write_video(path, frames, recipe.fps, recipe.degradation.crf)
    if n != truth.n_frames:
        raise RuntimeError(f"wrote {n} frames, planned {truth.n_frames}")
    return truth
