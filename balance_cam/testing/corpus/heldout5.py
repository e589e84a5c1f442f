"""Held-out set 5: graphics burnt into the picture, and a shakier hand.

Written after stop 35 and before its own first run (``python benchmarks/robustness.py
--held-out 5``, seeds from 5000). Web and phone clips often carry graphics fixed to the frame
(:mod:`.overlays`: a broadcaster's logo, a running date-and-time clock). Through a phone held in
the hand these are features that do not move with the background, so a camera-motion estimate
that follows the majority of its features may lock onto them; they also stay on through a cut
and a fade. None of the four earlier sets has any. This set puts them on holds through a sixth
phone path, on a still camera, on an edited clip and a compilation, on a negative; and adds a
hand that shakes 1.6 times as much as the shakiest earlier path (no graphics), at 10, 24, 30 and 60
frames/s.
"""

from __future__ import annotations

from balance_cam.testing.corpus.heldout import compilation_of
from balance_cam.testing.corpus.recipes import (
    Recipe,
    multicam_edit,
    pose1_hold,
    pose2sim_hold,
    seeded,
    two_feet,
)
from balance_cam.testing.corpus.signals import HandheldCamera
from balance_cam.testing.corpus.sources import LEG_OUT_FRAME, LOW_FOOT_FRAME, MID_FOOT_FRAME

#: A sixth phone: zooms out a little then in, moderate pan, shake and roll.
SIXTH_HAND = HandheldCamera(zoom_keys=(1.0, 0.95, 1.08), zoom_change_s=2.2, pan_frac=0.10, shake_frac=0.004,
                            roll_deg=1.6)  # fmt: skip
#: A shaky hand: little zoom or pan, but 1.6x the shake of the shakiest earlier path (0.005) and 3° of roll.
SHAKY_HAND = HandheldCamera(zoom_keys=(1.0, 0.95), zoom_change_s=2.0, pan_frac=0.06, shake_frac=0.008,
                            roll_deg=3.0)  # fmt: skip
BOTH = ("logo", "clock")


def _fifth(hh: HandheldCamera, shaky: HandheldCamera) -> list[Recipe]:
    return [
        pose2sim_hold("handheld cam02 low foot + logo + clock 30 s", "cam02", 30.0, hold_frame=LOW_FOOT_FRAME,
                      camera=hh, overlays=BOTH, aspect_hw=4 / 3,
                      description="phone in the hand (3:4), logo and clock burnt in"),
        pose2sim_hold("handheld cam01 low foot + clock 30 s", "cam01", 30.0, hold_frame=LOW_FOOT_FRAME,
                      camera=hh, overlays=("clock",), description="phone in the hand, foot held low, clock"),
        pose2sim_hold("handheld cam03 from behind + logo 25 s", "cam03", 25.0, hold_frame=MID_FOOT_FRAME,
                      camera=hh, overlays=("logo",), description="phone in the hand, from behind, logo"),
        pose1_hold("handheld pose_1 + logo + clock 30 s 24 fps", 30.0, camera=hh, overlays=BOTH,
                   fps=24000 / 1001, aspect_hw=16 / 9, description="other person, phone (portrait), both"),
        pose2sim_hold("handheld cam03 moving leg + clock 30 s", "cam03", 30.0, hold="pingpong", camera=hh,
                      overlays=("clock",), aspect_hw=4 / 3,
                      description="raised leg and arms moving, phone (3:4), clock"),
        pose2sim_hold("cam04 leg out + logo + clock 30 s", "cam04", 30.0, hold_frame=LEG_OUT_FRAME,
                      overlays=BOTH, description="still camera, logo and clock (no camera motion)"),
        pose2sim_hold("shaky handheld cam02 foot beside 25 s", "cam02", 25.0, hold_frame=MID_FOOT_FRAME,
                      camera=shaky, description="a shaky hand (1.6x the shake, 3° roll), foot beside"),
        pose1_hold("shaky handheld pose_1 mirrored 25 s 60 fps", 25.0, camera=shaky, mirror=True, fps=60.0,
                   description="a shaky hand, other person, right leg (mirrored), 60 frames/s"),
        pose2sim_hold("10 fps handheld cam01 foot beside + logo 30 s", "cam01", 30.0,
                      hold_frame=MID_FOOT_FRAME, camera=hh, overlays=("logo",), fps=10.0, aspect_hw=4 / 3,
                      description="phone (3:4), logo, 10 frames/s"),
        pose2sim_hold("hidden raised foot handheld cam03 + clock 25 s", "cam03", 25.0,
                      hold_frame=LEG_OUT_FRAME, camera=hh, overlays=("clock",),
                      hide_raised_foot_s=((6.0, 20.0),),
                      description="phone, raised foot painted over 6-20 s, clock"),
        multicam_edit("multicam cuts cam02-cam04-cam01 + logo 30 s", shots=("cam02", "cam04", "cam01"),
                      overlays=("logo",), description="cam02 → cam04 → cam01, the logo on through the cuts"),
        compilation_of("compilation cam04-cam01-pose_1 + logo + fade 34 s", ("cam04", LEG_OUT_FRAME, 10.0),
                        ("cam01", LEG_OUT_FRAME, 10.0), (11.0, 1.0), 3.0, fade_out_s=0.8, black_tail_s=1.5,
                        overlays=BOTH, description="cam04 → cam01 → pose_1, fade to black; graphics stay on"),
        two_feet("negative: two feet handheld cam03 + logo + clock 20 s", "cam03", 20.0, camera=hh,
                 overlays=BOTH, sway_rms_deg=1.5, description="both feet down, phone, graphics: no trial"),
    ]  # fmt: skip


def fifth_heldout_conditions(seed: int = 5000) -> list[Recipe]:
    """The fifth held-out corpus, 13 conditions; each has its own seed (``seed`` + its number)."""
    return seeded(_fifth(SIXTH_HAND, SHAKY_HAND), seed)
