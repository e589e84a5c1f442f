"""The licensed real clips the corpus is built from, and their pose-model tracks.

What is known about each source clip (:class:`SourceClip`: which leg stands, in which frames
the other foot is up) comes from ``sample_videos/SOURCES.md``: the Pose2Sim balancing trial's
lift and touchdown frames from its 4-camera triangulation (lowest right-foot marker: the foot
rises at frames 13-15 and is back down at frames 72-74, so lift = 14 and touchdown = 73, ±1
frame; the left, stance, foot moves only from frame ~81); ``pose_1`` is on the left leg in every
frame. Landmark positions and person masks in the source frames come from one pass of the real
pose model over each clip (:func:`track_source`, cached in memory and, with ``cache_dir``, on
disk: the cache is regenerated on first use, never committed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from balance_cam.core.skeleton import INDEX, LEG_SWAP, Side, idx, other


def default_samples_dir() -> Path:
    """``sample_videos`` next to the ``balance_cam`` package (the repository root; an editable
    install)."""
    return Path(__file__).resolve().parents[3] / "sample_videos"


@dataclass(frozen=True)
class SourceClip:
    """A licensed real clip and the frames in which one foot is up.

    ``lift_frame``/``touchdown_frame``: first frame with the raised foot up / back down (None:
    the foot is up in every frame); ``event_tol_frames``: their uncertainty; ``planted``: frame
    range (inclusive) in which the stance foot stands still.
    """

    file: str
    fps: float
    stance: Side
    planted: tuple[int, int]
    lift_frame: int | None = None
    touchdown_frame: int | None = None
    event_tol_frames: float = 0.0

    def foot_up(self, frame: np.ndarray | int) -> np.ndarray:
        f = np.asarray(frame)
        if self.lift_frame is None or self.touchdown_frame is None:
            return np.ones(f.shape, bool)
        return (f >= self.lift_frame) & (f < self.touchdown_frame)


def _pose2sim(file: str) -> SourceClip:
    """A camera of the Pose2Sim balancing trial (60 fps; see the module docstring)."""
    return SourceClip(file, 60.0, "left", (4, 80), lift_frame=14, touchdown_frame=73, event_tol_frames=1.0)


SOURCES: dict[str, SourceClip] = {
    "cam01": _pose2sim("pose2sim_cam01.mp4"),
    "cam02": _pose2sim("pose2sim_cam02.mp4"),
    "cam03": _pose2sim("pose2sim_cam03.mp4"),  # from behind
    "cam04": _pose2sim("pose2sim_cam04.mp4"),
    "pose_1": SourceClip("pose_1.mp4", 30.0, "left", (0, 119)),
}
#: Pose2Sim frames: both feet down (before the lift / after the touchdown), and on the left leg
#: with the right foot beside the left leg ~7 cm (LOW) or ~14 cm (MID) above where it stood
#: (triangulated lowest foot marker), or swung out sideways (~33 cm).
TWO_FEET_FRAME, LOW_FOOT_FRAME, MID_FOOT_FRAME, LEG_OUT_FRAME, DOWN_FRAME = 6, 24, 32, 45, 78


@dataclass(frozen=True, eq=False)
class SourceTrack:
    """Pose-model landmarks and person masks of every frame of a source clip.

    ``landmarks``: (N, 33, 4) normalised x, y, z and visibility as MediaPipe gives them, except
    that the leg landmarks are swapped back in frames where the model had swapped them
    (``relabelled``): inside ``planted`` the stance ankle is the one nearer to where it stood
    in the first planted frame (the stance foot does not move there: triangulated left ankle
    within 5 cm over Pose2Sim frames 4-80; MediaPipe swaps the subject's legs in cam02 frames
    41-73). ``masks``: (N, h, w) uint8 person segmentation (255 = person) at a quarter of the
    source size.
    """

    file: str
    size_wh: tuple[int, int]
    landmarks: np.ndarray
    relabelled: np.ndarray
    masks: np.ndarray = field(repr=False)

    def px(self, name: str) -> np.ndarray:
        """(N, 2) pixel positions of one landmark."""
        return self.landmarks[:, INDEX[name], :2].astype(np.float64) * self.size_wh

    def leg_length_px(self, side: Side, frame: int) -> float:
        hip, knee, ankle = (self.px(f"{side}_{j}")[frame] for j in ("hip", "knee", "ankle"))
        return float(np.linalg.norm(hip - knee) + np.linalg.norm(knee - ankle))


def relabel_legs(landmarks: np.ndarray, size_wh: tuple[int, int], stance: Side,
                 planted: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Swap the leg landmarks back where the model swapped them (see :class:`SourceTrack`)."""
    out = landmarks.copy()
    swapped = np.zeros(len(out), bool)
    px = out[:, :, :2] * np.asarray(size_wh, np.float64)
    a, b = idx(stance, "ankle"), idx(other(stance), "ankle")
    first, last = planted
    ref = px[first, a]
    for i in range(first, min(last, len(out) - 1) + 1):
        if np.linalg.norm(px[i, b] - ref) < np.linalg.norm(px[i, a] - ref):
            out[i] = out[i][list(LEG_SWAP)]
            swapped[i] = True
    return out, swapped


def _track_file(cache_dir: Path, path: Path) -> Path:
    st = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|seg1".encode()).hexdigest()[:12]
    return cache_dir / f"track_{path.stem}_{key}.npz"


def run_pose_with_masks(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks (N, 33, 4) and quarter-size person masks (N, h, w) of every frame of ``path``.

    Test material only, so the model is made here and not through
    :func:`balance_cam.pose.factory.create_backend`: the corpus needs the person's segmentation
    mask (to rotate only the person over a still background, and to build the clean plate), and
    no analysis backend produces one. It is the same BlazePose full legacy graph with the same
    settings as :class:`balance_cam.pose.mediapipe_legacy.LegacyPoseBackend` (tracking mode,
    ``model_complexity=1``, no landmark smoothing) plus ``enable_segmentation``; enabling it
    left the landmarks bit-identical on pose2sim_cam02 and pose_1 (checked when the corpus was
    written). Frames without a person give NaN landmarks and an empty mask.
    """
    import cv2
    from mediapipe.python.solutions import pose as mp_pose

    from balance_cam.io.sources import iter_frames

    rows, masks = [], []
    with mp_pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=False,
                      enable_segmentation=True, smooth_segmentation=False) as model:  # fmt: skip
        for frame in iter_frames(path):
            res = model.process(frame.rgb)
            h, w = frame.rgb.shape[:2]
            q = (max(2, w // 4), max(2, h // 4))
            if res.pose_landmarks is None:
                rows.append(np.full((33, 4), np.nan, np.float32))
                masks.append(np.zeros(q[::-1], np.uint8))
                continue
            lm = res.pose_landmarks.landmark
            rows.append(np.array([(p.x, p.y, p.z, p.visibility) for p in lm], np.float32))
            m = res.segmentation_mask if res.segmentation_mask is not None else np.zeros((h, w), np.float32)
            m8 = (np.clip(m, 0, 1) * 255).astype(np.uint8)
            masks.append(cv2.resize(m8, q, interpolation=cv2.INTER_AREA))
    return np.asarray(rows, np.float32), np.asarray(masks, np.uint8)


@cache
def _track_source_cached(path: Path, stance: Side, planted: tuple[int, int],
                         cache_dir: Path | None) -> SourceTrack:  # fmt: skip
    from balance_cam.io.sources import probe

    info = probe(path)
    size = (int(info.width), int(info.height))
    file = _track_file(cache_dir, path) if cache_dir is not None else None
    if file is not None and file.exists():
        with np.load(file) as data:
            raw, masks = data["landmarks"], data["masks"]
    else:
        raw, masks = run_pose_with_masks(path)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, landmarks=raw, masks=masks)
            tmp.replace(file)
    lm, swapped = relabel_legs(raw, size, stance, planted)
    return SourceTrack(path.name, size, lm, swapped, masks)


def track_source(key: str, samples_dir: Path | None = None, cache_dir: Path | None = None) -> SourceTrack:
    """Landmarks and person masks of every frame of source ``key`` (pose model in video mode;
    cached in memory, and in ``cache_dir`` when given)."""
    clip = SOURCES[key]
    path = (samples_dir or default_samples_dir()) / clip.file
    return _track_source_cached(path, clip.stance, clip.planted, cache_dir)
