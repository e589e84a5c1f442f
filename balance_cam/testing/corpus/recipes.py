"""What defines a corpus clip: a timeline of :class:`Piece`\\ s of real footage plus the
conditions it is seen through (:class:`Recipe`), the builders of typical clips, and the
baseline corpus (:func:`baseline_conditions`).

A clip is a sequence of pieces, each showing one source clip (:data:`~.sources.SOURCES`) as a
still frame, played at a given speed, or ping-ponged (played back and forth, so a 0.8-4 s real
movement - arms out, overhead, back; a leg swinging - lasts as long as needed). A change of
source between pieces is a **cut**.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from balance_cam.testing.corpus.overlays import Overlay
from balance_cam.testing.corpus.signals import HandheldCamera, SwaySignal, realistic_sway
from balance_cam.testing.corpus.sources import (
    DOWN_FRAME,
    LEG_OUT_FRAME,
    LOW_FOOT_FRAME,
    MID_FOOT_FRAME,
    SOURCES,
    TWO_FEET_FRAME,
)
from balance_cam.testing.synthetic import CLEAN, Degradation

PieceMode = Literal["still", "play", "pingpong"]


@dataclass(frozen=True)
class Piece:
    """``duration_s`` of source ``source`` (a key of :data:`~.sources.SOURCES`).

    ``still``: frame ``first``; ``play``: from ``first`` towards ``last`` at ``speed`` times real
    time (holding ``last`` when it is reached); ``pingpong``: back and forth between ``first``
    and ``last`` at ``speed``, starting at ``first``. A generalisation of
    :class:`balance_cam.testing.synthetic.Segment` to moving content.
    """

    source: str
    duration_s: float
    first: int
    last: int | None = None
    mode: PieceMode = "still"
    speed: float = 1.0
    label: str = ""

    def source_frame(self, u_s: np.ndarray) -> np.ndarray:
        """Source frame index shown at local times ``u_s`` (seconds from the piece's start)."""
        u = np.asarray(u_s, np.float64)
        if self.mode == "still" or self.last is None or self.last == self.first:
            return np.full(u.shape, self.first, int)
        pos = u * self.speed * SOURCES[self.source].fps
        span = float(self.last - self.first)
        step = math.copysign(1.0, span)
        if self.mode == "play":
            return (self.first + step * np.round(np.minimum(pos, abs(span)))).astype(int)
        phase = np.mod(pos, 2 * abs(span))
        tri = np.where(phase <= abs(span), phase, 2 * abs(span) - phase)
        return (self.first + step * np.round(tri)).astype(int)

    def pingpong_period_s(self) -> float:
        return 2 * abs((self.last or self.first) - self.first) / (self.speed * SOURCES[self.source].fps)


def piece_starts_s(pieces: Sequence[Piece]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum([p.duration_s for p in pieces])])


def timeline(pieces: Sequence[Piece], t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(piece index, source frame index) of every frame time."""
    starts = piece_starts_s(pieces)
    k = np.clip(np.searchsorted(starts, np.asarray(t_s) + 1e-9, side="right") - 1, 0, len(pieces) - 1)
    frames = np.zeros(len(t_s), int)
    for j, piece in enumerate(pieces):
        sel = k == j
        frames[sel] = piece.source_frame(np.asarray(t_s)[sel] - starts[j])
    return k, frames


@dataclass(frozen=True)
class Recipe:
    """Everything that defines one corpus clip (deterministic given ``seed``).

    ``sway``: the body sway signal (None: :func:`~.signals.realistic_sway` with
    ``sway_rms_deg``); ``hide_raised_foot_s``: intervals in which the raised foot is painted
    over; ``fade_out_s``: fade to black ending ``black_tail_s`` before the end;
    ``gain``/``gamma``: low light ``255 * gain * (x / 255) ** gamma``; ``aspect_hw``: output
    height / width (None: the first source's). ``sway_mode="person"``: only the person
    (segmentation mask) is rotated, over a fixed background (as in real sway, so
    background-based camera-motion estimates see no motion); ``"frame"``: the whole image, as
    :func:`balance_cam.testing.synthetic.sway_frames`. ``heavy``: a heavily degraded condition,
    scored with the wider event tolerance of :mod:`.scoring`. ``overlays``: graphics burnt in
    after filming (:mod:`.overlays`: a logo, a running clock), fixed to the frame.
    """

    name: str
    pieces: tuple[Piece, ...]
    width_px: int = 360
    fps: float = 30.0
    seed: int = 0
    sway_rms_deg: float = 1.2
    sway: SwaySignal | None = None
    camera: HandheldCamera | None = None
    mirror: bool = False
    hide_raised_foot_s: tuple[tuple[float, float], ...] = ()
    fade_out_s: float = 0.0
    black_tail_s: float = 0.0
    grey: bool = False
    gain: float = 1.0
    gamma: float = 1.0
    degradation: Degradation = CLEAN
    aspect_hw: float | None = None
    sway_mode: Literal["person", "frame"] = "person"
    description: str = ""
    heavy: bool = False
    overlays: tuple[Overlay, ...] = ()

    @property
    def duration_s(self) -> float:
        return float(sum(p.duration_s for p in self.pieces)) + self.black_tail_s

    def sway_signal(self) -> SwaySignal:
        if self.sway is not None:
            return self.sway
        return realistic_sway(self.seed, self.duration_s, self.sway_rms_deg)

    def with_(self, **changes: object) -> Recipe:
        return replace(self, **changes)  # type: ignore[arg-type]

    def static_twin(self) -> Recipe:
        """The same hold filmed by a still camera: same pieces, seed and sway signal."""
        return replace(self, name=f"{self.name} (static twin)", camera=None)


# -- builders --------------------------------------------------------------------------------
def lift_pieces(cam: str, to_frame: int, pre_s: float = 3.0) -> tuple[Piece, Piece]:
    """The opening of every Pose2Sim hold: two feet (still), then the real lift played from
    :data:`~.sources.TWO_FEET_FRAME` to ``to_frame`` (60 fps source)."""
    return (Piece(cam, pre_s, TWO_FEET_FRAME, label="two feet"),
            Piece(cam, (to_frame - TWO_FEET_FRAME) / 60.0, TWO_FEET_FRAME, to_frame, "play", label="lift"))


def pose2sim_hold(name: str, cam: str = "cam02", hold_s: float = 30.0, hold: str = "still",
                  hold_frame: int = LEG_OUT_FRAME, touchdown: str | None = None, pre_s: float = 3.0,
                  post_s: float = 3.0, pingpong: tuple[int, int] = (24, 60), pingpong_speed: float = 0.25,
                  **kw: object) -> Recipe:  # fmt: skip
    """Two feet (still) → the real lift (played) → a long hold → a touchdown → two feet (still).

    ``hold="still"``: frame ``hold_frame`` swaying; ``"pingpong"``: frames ``pingpong`` back and
    forth at ``pingpong_speed`` (raised leg and arms moving), a whole number of periods so that
    the clip plays on from where the hold started. ``touchdown="real"``: the recorded touchdown
    (frames to 78: the leg swings out, comes back and lands beside the stance foot);
    ``"reverse"``: the lift played backwards (the foot goes back down where it stood; kinematically
    a real lowering, time reversed). Default: reverse for a still hold with the foot beside the
    stance leg (``hold_frame`` up to :data:`~.sources.MID_FOOT_FRAME`), real otherwise.
    """
    if touchdown is None:
        touchdown = "reverse" if hold == "still" and hold_frame <= MID_FOOT_FRAME else "real"
    if hold == "still":
        start = hold_frame
        holding = Piece(cam, hold_s, hold_frame, label="hold")
    else:
        start, b = pingpong
        pp = Piece(cam, 0.0, start, b, "pingpong", pingpong_speed, "hold")
        periods = max(1, round(hold_s / pp.pingpong_period_s()))
        holding = replace(pp, duration_s=periods * pp.pingpong_period_s())
    end = DOWN_FRAME if touchdown == "real" else TWO_FEET_FRAME
    pieces = (*lift_pieces(cam, start, pre_s),
              holding,
              Piece(cam, abs(end - start) / 60.0 + 1e-6, start, end, "play",
                    label=f"touchdown ({touchdown})"),
              Piece(cam, post_s, end, label="two feet"))  # fmt: skip
    return Recipe(name, pieces, **kw)  # type: ignore[arg-type]


def pose1_hold(name: str, duration_s: float = 40.0, speed: float = 1.0, frames: tuple[int, int] = (0, 119),
               **kw: object) -> Recipe:  # fmt: skip
    """pose_1 ping-ponged: on the left leg from the first frame (a trimmed video: the lift is not
    seen), arms out → overhead → chest and back, ``speed`` times real time."""
    return Recipe(name, (Piece("pose_1", duration_s, frames[0], frames[1], "pingpong", speed, "hold"),),
                  **kw)  # type: ignore[arg-type]  # fmt: skip


def multicam_edit(name: str, shots: Sequence[str] = ("cam01", "cam04", "cam02"), hold_s: float = 30.0,
                  pre_s: float = 3.0, post_s: float = 3.0, hold_frame: int = LEG_OUT_FRAME,
                  **kw: object) -> Recipe:  # fmt: skip
    """An edited multi-camera video of one continuous hold: the Pose2Sim cameras are
    synchronised, so cutting between them at the same source frame shows the same instant. The
    lift is seen in the first shot, the touchdown (the recorded one, played from ``hold_frame``)
    in the last; the hold is cut evenly."""
    f = hold_frame
    first, last = shots[0], shots[-1]
    pieces = list(lift_pieces(first, f, pre_s))
    for cam in shots:
        pieces.append(Piece(cam, hold_s / len(shots), f, label=f"hold ({cam})"))
    pieces += [Piece(last, (DOWN_FRAME - f) / 60.0 + 1e-6, f, DOWN_FRAME, "play", label="touchdown"),
               Piece(last, post_s, DOWN_FRAME, label="two feet")]  # fmt: skip
    return Recipe(name, tuple(pieces), **kw)  # type: ignore[arg-type]


def compilation(name: str, shot_s: tuple[float, float, float] = (12.0, 10.0, 14.0), pre_s: float = 3.0,
                fade_out_s: float = 0.5, black_tail_s: float = 1.5, **kw: object) -> Recipe:  # fmt: skip
    """Shots from different clips and cameras: cam03 (from behind: the lift, then holding with
    the foot beside the stance leg), cam04 (holding with the leg out, another viewpoint and person
    size), pose_1 (another person and scene, arms moving), then a fade to black while the foot is
    still up. Truth: the foot is never seen down after the lift, so the on-screen hold runs from
    the lift to the last full-brightness frame; timed within shots
    (:meth:`~.truth.CorpusTruth.expected` with ``per_shot=True``) it is one trial per shot."""
    a = MID_FOOT_FRAME
    pieces = (*lift_pieces("cam03", a, pre_s),
              Piece("cam03", shot_s[0], a, label="hold A"),
              Piece("cam04", shot_s[1], LEG_OUT_FRAME, label="hold B"),
              Piece("pose_1", shot_s[2], 0, 119, "pingpong", 1.0, label="hold C"))  # fmt: skip
    return Recipe(name, pieces, fade_out_s=fade_out_s, black_tail_s=black_tail_s, **kw)  # type: ignore[arg-type]


def two_feet(name: str, cam: str = "cam02", duration_s: float = 20.0, **kw: object) -> Recipe:
    """Negative: standing on both feet (still frame), swaying; no trial."""
    return Recipe(name, (Piece(cam, duration_s, TWO_FEET_FRAME, label="two feet"),), **kw)  # type: ignore[arg-type]


def _conditions(hh: HandheldCamera) -> list[Recipe]:
    return [
        # long holds, still camera: several people, viewpoints and raised-foot positions
        pose2sim_hold("cam02 leg out 30 s", "cam02", 30.0, hold_frame=LEG_OUT_FRAME, sway_rms_deg=1.2,
                      description="leg out sideways, still frame + sway"),
        pose2sim_hold("cam01 low foot 35 s", "cam01", 35.0, hold_frame=LOW_FOOT_FRAME, sway_rms_deg=0.8,
                      description="raised foot ~7 cm up beside the stance leg"),
        pose2sim_hold("cam04 moving leg 30 s", "cam04", 30.0, hold="pingpong", sway_rms_deg=1.0,
                      description="raised leg and arms moving (frames 24-60 ping-pong, 1/4 speed)"),
        pose2sim_hold("cam03 from behind 30 s", "cam03", 30.0, hold_frame=MID_FOOT_FRAME, sway_rms_deg=1.0,
                      description="camera behind the subject"),
        pose1_hold("pose_1 arms 40 s", 40.0, sway_rms_deg=1.5,
                   description="other person/scene, arms out-overhead-chest, lift not seen"),
        pose1_hold("pose_1 mirrored 50 s 10 fps", 50.0, speed=0.5, mirror=True, fps=10.0, sway_rms_deg=2.0,
                   description="right leg (mirrored), past the 45 s limit"),
        # a phone held in the hand
        pose2sim_hold("handheld cam02 35 s", "cam02", 35.0, hold_frame=MID_FOOT_FRAME, camera=hh,
                      description="phone in the hand"),
        pose2sim_hold("handheld cam02 moving foot mirrored 30 s", "cam02", 30.0, hold="pingpong",
                      pingpong=(18, 32), touchdown="reverse", camera=hh, mirror=True, aspect_hw=4 / 3,
                      description="phone in the hand (3:4), raised foot bobbing, right leg (mirrored)"),
        pose2sim_hold("handheld cam03 from behind 25 s", "cam03", 25.0, hold_frame=LOW_FOOT_FRAME, camera=hh,
                      description="phone in the hand, behind the subject"),
        pose1_hold("handheld pose_1 30 s", 30.0, camera=hh, aspect_hw=16 / 9,
                   description="phone in the hand, portrait crop"),
        # the raised foot hidden
        pose2sim_hold("hidden raised foot cam02 25 s", "cam02", 25.0, hold_frame=MID_FOOT_FRAME,
                      hide_raised_foot_s=((0.0, 1e9),), description="raised foot painted over, whole hold"),
        pose1_hold("hidden raised foot pose_1 30 s", 30.0, hide_raised_foot_s=((10.0, 20.0),),
                   description="raised foot painted over 10-20 s"),
        # edited videos
        multicam_edit("multicam cuts 30 s", description="cam01 → cam04 → cam02, one continuous hold"),
        compilation("compilation + fade 36 s", aspect_hw=16 / 9,
                    description="cam03 → cam04 → pose_1, fade to black with the foot up"),
        # image conditions
        pose2sim_hold("grey cam02 20 s", "cam02", 20.0, hold_frame=LEG_OUT_FRAME, grey=True,
                      description="greyscale, leg out sideways"),
        pose1_hold("grey pose_1 20 s", 20.0, grey=True, description="greyscale, lift not seen"),
        pose2sim_hold("low light cam01 20 s", "cam01", 20.0, hold_frame=LEG_OUT_FRAME, gain=0.45, gamma=1.8,
                      degradation=Degradation(noise_sigma=6, crf=23), heavy=True,
                      description="dark and noisy, leg out sideways"),
        pose2sim_hold("crf 35 cam01 20 s", "cam01", 20.0, hold_frame=MID_FOOT_FRAME,
                      degradation=Degradation(noise_sigma=3, crf=35), heavy=True,
                      description="strong compression (a web upload)"),
        pose2sim_hold("10 fps cam01 30 s", "cam01", 30.0, hold_frame=MID_FOOT_FRAME, fps=10.0,
                      description="10 frames/s"),
        pose2sim_hold("60 fps cam02 15 s", "cam02", 15.0, hold_frame=LEG_OUT_FRAME, fps=60.0,
                      description="60 frames/s, leg out sideways"),
        two_feet("negative: two feet cam02 20 s", "cam02", 20.0, fps=15.0, sway_rms_deg=1.5,
                 description="standing on both feet, swaying: no trial"),
    ]


#: ``--quick``: one condition per family (still camera x3 people/views, handheld, hidden foot,
#: synchronised cuts, cuts + fade, negative).
QUICK = ("cam02 leg out", "cam01 low foot", "cam03 from behind 30", "pose_1 arms", "handheld pose_1",
         "hidden raised foot pose_1", "multicam", "compilation", "negative")


def baseline_conditions(seed: int = 0) -> list[Recipe]:
    """The robustness corpus (``benchmarks/robustness.py``): varied people, cameras, holds,
    edits and degradations, 21 conditions.

    Each condition has its own seed (``seed`` + its number), so sway signals and camera paths
    differ between conditions, and a different ``seed`` gives a different corpus.
    """
    return seeded(_conditions(HandheldCamera()), seed)


def seeded(recipes: Sequence[Recipe], seed: int) -> list[Recipe]:
    """Give the i-th recipe (and its camera path) the seed ``seed + i``."""
    out = []
    for i, r in enumerate(recipes):
        s = seed + i
        cam = replace(r.camera, seed=s) if r.camera is not None else None
        out.append(replace(r, seed=s, camera=cam))
    return out
