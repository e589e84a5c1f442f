"""A test corpus of long single-leg holds with known truth, built from licensed real frames.

Every sample clip is shorter than 4 s; clinical holds last 10-45 s with the arms moving, the
raised foot against the other leg, a phone held in the hand and videos trimmed or edited. This
package stretches the real frames of ``sample_videos`` into such clips and returns, for each, a
frozen :class:`~.truth.CorpusTruth`: which leg stands, when the foot lifts and lands, how long
the hold is, the sway angle applied to every frame, the camera transform of every frame, the
cut times. It extends :mod:`balance_cam.testing.synthetic`, with the same conventions.

How a clip is made:

- **Timeline** (:class:`~.recipes.Piece`, :mod:`.recipes`): a clip is a sequence of pieces, each
  showing one source clip as a still frame, played at a given speed, or ping-ponged (played back
  and forth, so a 0.8-4 s real movement - arms out, overhead, back; a leg swinging - lasts as
  long as needed). A change of source between pieces is a **cut**. Whether a frame shows one
  foot up is known per source frame (:class:`~.sources.SourceClip`: the Pose2Sim trial's lift
  and touchdown frames come from its 4-camera triangulation, see ``sample_videos/SOURCES.md``;
  ``pose_1`` is on one leg throughout), so the lift is the first frame showing the foot up
  after a frame showing both down, and the touchdown the first frame showing both down again,
  as in :class:`balance_cam.testing.synthetic.EventTruth`.
- **Sway** (:class:`~.signals.SwaySignal`, :func:`~.signals.realistic_sway`): the person is
  rotated about the stance ankle by a known angle: slow drift, several 0.1-1 Hz components
  (more power at low frequency, as in centre-of-pressure spectra) and a few slow weight shifts,
  seeded. A rotation turns every image vector by the same angle, so the ankle-to-pelvis angle
  changes by exactly ``theta(t)``. Only the person (MediaPipe segmentation mask) turns; the
  background stays still and the strip the rotation uncovers is filled from a clean plate of
  the static source camera, so body sway is not also camera roll (``sway_mode="frame"`` rotates
  the whole image instead, as the synthetic module does).
- **Camera** (:class:`~.signals.HandheldCamera`): the output frame is a moving crop window over
  the larger source frame (zoom, pan, shake, roll), fitted so that it never leaves the source
  (no artificial borders). Frame ``i`` is the background warped by ``camera_transform[i]``
  (source pixels to output pixels: the window, then the optional mirror) with the person warped
  by ``transform[i]`` (rotation about the ankle first) blended over it; both are recorded as
  truth. A mirror (a selfie camera) turns a left-leg stance into a right-leg one.
- **Occlusion**: the raised foot (its ankle, heel and toe landmarks, located once per source
  frame with the pose model) is painted over with :func:`cv2.inpaint` in given intervals.
- **Photometry**: fade to black, greyscale, low light (gain and gamma), then
  :class:`balance_cam.testing.synthetic.Degradation` (noise, blur, JPEG, H.264 crf).

Truth is what the frames show; what the product should report for it (the time limit, the
within-shot policy for edited videos) is :meth:`~.truth.CorpusTruth.expected`, and
:mod:`.scoring` checks a result against it. Landmark positions in source frames come from
running the real pose model once over each source clip (:func:`~.sources.track_source`,
cached); everything else is numpy/OpenCV.

Modules, in the order they depend on each other: :mod:`.sources` (source clips, tracks,
caching) → :mod:`.signals` (sway, camera paths) → :mod:`.recipes` (``Recipe``, ``Piece``,
builders, :func:`~.recipes.baseline_conditions`; :mod:`.heldout` and :mod:`.heldout5`,
conditions never tuned on; :mod:`.overlays`, graphics burnt in)
→ :mod:`.truth` (``CorpusTruth``,
``expected``) → :mod:`.plan` (recipe → truth) → :mod:`.render` (frames, :func:`~.render.make_clip`)
→ :mod:`.scoring` (the must-holds).
"""

from balance_cam.testing.corpus.heldout import (
    fourth_heldout_conditions,
    heldout_conditions,
    second_heldout_conditions,
    third_heldout_conditions,
)
from balance_cam.testing.corpus.heldout5 import fifth_heldout_conditions
from balance_cam.testing.corpus.overlays import OVERLAYS, burn_in
from balance_cam.testing.corpus.plan import Plan, conditions_label, output_size_wh, plan
from balance_cam.testing.corpus.recipes import (
    QUICK,
    Piece,
    Recipe,
    baseline_conditions,
    compilation,
    multicam_edit,
    piece_starts_s,
    pose1_hold,
    pose2sim_hold,
    seeded,
    timeline,
    two_feet,
)
from balance_cam.testing.corpus.render import (
    hide_raised_foot,
    load_source,
    make_clip,
    person_alpha,
    photometric,
    raised_foot_mask,
    render,
)
from balance_cam.testing.corpus.signals import (
    NO_SWAY,
    CameraPath,
    HandheldCamera,
    SwaySignal,
    as3,
    centred_rms,
    fit_window,
    realistic_sway,
    window_matrix,
)
from balance_cam.testing.corpus.sources import (
    DOWN_FRAME,
    LEG_OUT_FRAME,
    LOW_FOOT_FRAME,
    MID_FOOT_FRAME,
    SOURCES,
    TWO_FEET_FRAME,
    SourceClip,
    SourceTrack,
    default_samples_dir,
    relabel_legs,
    track_source,
)
from balance_cam.testing.corpus.truth import CorpusTruth, ExpectedTrial, landmark_px

__all__ = [
    "DOWN_FRAME", "LEG_OUT_FRAME", "LOW_FOOT_FRAME", "MID_FOOT_FRAME", "NO_SWAY", "QUICK", "SOURCES",
    "TWO_FEET_FRAME", "CameraPath", "CorpusTruth", "ExpectedTrial", "HandheldCamera", "Piece", "Plan",
    "Recipe", "SourceClip", "SourceTrack", "SwaySignal", "as3", "baseline_conditions", "centred_rms",
    "compilation", "conditions_label", "default_samples_dir", "fifth_heldout_conditions", "fit_window",
    "fourth_heldout_conditions", "heldout_conditions", "OVERLAYS", "burn_in",
    "hide_raised_foot", "landmark_px", "load_source", "make_clip", "multicam_edit", "output_size_wh",
    "person_alpha", "photometric", "piece_starts_s", "plan", "pose1_hold", "pose2sim_hold",
    "raised_foot_mask", "realistic_sway", "relabel_legs", "render", "second_heldout_conditions", "seeded",
    "third_heldout_conditions", "timeline", "track_source", "two_feet", "window_matrix",
]
