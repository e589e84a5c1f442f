"""The bundled demo clip: a whole left-then-right test, assembled from licensed frames.

``sample_videos/demo_left_right.mp4`` is two corpus clips (:mod:`balance_cam.testing.corpus`)
written one after the other into one file: the Pose2Sim man (BSD-3-Clause) on his **left** leg
for 21 s, with the real recorded lift and touchdown, then the same scene mirrored so that he
stands on his **right** leg for 12 s with more sway (1.8° RMS applied, against 1.0°). The join
is a change of picture (the mirrored scene), so ``analyze`` reports one cut and times each hold
within its shot, as it does for any edited video. The truth of both holds comes from the
recipes (:func:`demo_truth`) and is written next to the clip as JSON, so a test checks the
bundled file against it without rendering.

Regenerate (deterministic given the recipes' seeds)::

    python -m balance_cam.testing.corpus.demo sample_videos/demo_left_right.mp4
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from balance_cam.testing.corpus.plan import plan
from balance_cam.testing.corpus.recipes import Recipe, pose2sim_hold
from balance_cam.testing.corpus.render import render
from balance_cam.testing.corpus.sources import MID_FOOT_FRAME
from balance_cam.testing.corpus.truth import CorpusTruth
from balance_cam.testing.synthetic import TimedFrame, write_video

FPS = 15.0
CRF = 26

LEFT = pose2sim_hold("demo: left leg", "cam02", 20.0, hold_frame=MID_FOOT_FRAME, touchdown="real",
                     pre_s=2.0, post_s=1.5, sway_rms_deg=1.0, fps=FPS, seed=2601,
                     description="left leg, foot up beside the other, real lift and touchdown")  # fmt: skip
RIGHT = pose2sim_hold("demo: right leg", "cam02", 11.0, hold_frame=MID_FOOT_FRAME, touchdown="real",
                      pre_s=1.5, post_s=2.0, sway_rms_deg=1.8, fps=FPS, seed=2602, mirror=True,
                      description="right leg (the scene mirrored), shorter hold, more sway")  # fmt: skip
PARTS: tuple[Recipe, ...] = (LEFT, RIGHT)


@dataclass(frozen=True)
class DemoTrial:
    """The truth of one hold in the assembled clip (seconds from the clip's start)."""

    stance: str
    lift_s: float
    touchdown_s: float
    stop_reason: str
    shot_start_s: float

    @property
    def hold_s(self) -> float:
        return self.touchdown_s - self.lift_s


def _trials(truths: Iterable[CorpusTruth]) -> tuple[DemoTrial, ...]:
    """The parts' truths one after the other in the assembled clip's time."""
    trials, offset_s = [], 0.0
    for truth in truths:
        assert truth.stance and truth.lift_s is not None and truth.end_s is not None and truth.stop_reason
        trials.append(DemoTrial(truth.stance, offset_s + truth.lift_s, offset_s + truth.end_s,
                                truth.stop_reason, offset_s))  # fmt: skip
        offset_s += truth.n_frames / FPS
    return tuple(trials)


def demo_truth(samples_dir: Path | None = None) -> tuple[DemoTrial, ...]:
    """The two holds (runs the pose model on the source clip once, cached; no rendering)."""
    return _trials(plan(recipe, samples_dir).truth for recipe in PARTS)


def make_demo(path: str | Path, samples_dir: Path | None = None) -> tuple[DemoTrial, ...]:
    """Write the demo clip to ``path`` and its truth to ``path`` with ``.truth.json``."""
    parts = [render(recipe, samples_dir) for recipe in PARTS]  # truth now, frames when written
    trials = _trials(truth for truth, _ in parts)

    def frames() -> Iterator[TimedFrame]:
        for trial, (_, part) in zip(trials, parts, strict=True):
            for t, rgb in part:
                yield trial.shot_start_s + t, rgb

    write_video(path, frames(), FPS, CRF)
    doc = {"clip": Path(path).name, "fps": FPS, "assembled_from": [r.name for r in PARTS],
           "trials": [asdict(t) | {"hold_s": round(t.hold_s, 4)} for t in trials]}  # fmt: skip
    Path(path).with_suffix(".truth.json").write_text(json.dumps(doc, indent=2) + "\n")
    return trials


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "sample_videos/demo_left_right.mp4")
    for trial in make_demo(out):
        print(f"{trial.stance}: {trial.lift_s:.2f} -> {trial.touchdown_s:.2f} s ({trial.hold_s:.2f} s)")
