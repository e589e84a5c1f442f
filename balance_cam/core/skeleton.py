"""BlazePose 33-landmark skeleton: names, indices and left/right pairs, defined once.

Image convention: x points right, **y points down** (pixels or [0, 1] image-normalised).
"Left"/"right" always mean the subject's own sides, as MediaPipe labels them.
World landmarks (MediaPipe ``pose_world_landmarks``) are metres, origin at the hip
midpoint, y also pointing down.
"""

from __future__ import annotations

from typing import Any, Literal

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
N_LANDMARKS = len(LANDMARK_NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

FACE = tuple(range(0, 11))
#: Both hips (the pelvis is their midpoint) and both ankles, left first; index with ``list(...)``.
HIPS = (INDEX["left_hip"], INDEX["right_hip"])
ANKLES = (INDEX["left_ankle"], INDEX["right_ankle"])
LEG_JOINTS = ("hip", "knee", "ankle", "heel", "foot_index")


def idx(side: Side, joint: str) -> int:
    """Index of ``{side}_{joint}``, e.g. ``idx("left", "ankle") == 27``."""
    return INDEX[f"{side}_{joint}"]


def other(side: Side) -> Side:
    """The opposite side."""
    return "right" if side == "left" else "left"


def _mirror_index() -> tuple[int, ...]:
    out = []
    for name in LANDMARK_NAMES:
        if name.startswith("left_"):
            out.append(INDEX["right_" + name[5:]])
        elif name.startswith("right_"):
            out.append(INDEX["left_" + name[6:]])
        else:
            out.append(INDEX[name])
    return tuple(out)


#: ``array[..., MIRROR, :]`` swaps every left landmark with its right twin.
MIRROR: tuple[int, ...] = _mirror_index()

#: Leg landmarks swapped together by the left/right swap guard.
LEFT_LEG = tuple(idx("left", j) for j in LEG_JOINTS)
RIGHT_LEG = tuple(idx("right", j) for j in LEG_JOINTS)
#: ``array[..., LEG_SWAP, :]`` swaps the left and right leg landmarks (hip to toe), nothing else.
LEG_SWAP: tuple[int, ...] = tuple(
    {**dict(zip(LEFT_LEG, RIGHT_LEG, strict=True)), **dict(zip(RIGHT_LEG, LEFT_LEG, strict=True))}.get(i, i)
    for i in range(N_LANDMARKS)
)


def leg_length(points: Any, side: Side) -> Any:
    """Hip→knee→ankle polyline length of one leg; ``points`` (..., 33, D), any units."""
    import numpy as np

    h, k, a = (points[..., idx(side, j), :] for j in ("hip", "knee", "ankle"))
    return np.linalg.norm(h - k, axis=-1) + np.linalg.norm(k - a, axis=-1)

#: Bones drawn by the annotators: pairs of landmark indices.
BONES: tuple[tuple[int, int], ...] = tuple(
    (INDEX[a], INDEX[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("left_ankle", "left_heel"),
        ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
        ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"), ("right_ankle", "right_foot_index"),
    )
)  # fmt: skip
