"""Column names of the batch tables (and the names a file-name field may not take)."""

from __future__ import annotations

from dataclasses import fields

from balance_cam.core.results import SwayMetrics

SWAY_FIELDS = tuple(f.name for f in fields(SwayMetrics))
# fmt: off
TRIAL_FIELDS = ("trial_index", "stance", "start_s", "end_s", "hold_s", "stop_reason",
                "lift_observed", "start_frame", "end_frame", "condition", "surface", "protocol",
                "hands_on_hips", "stable_s", "stable_reason", "corrections", "errors",
                "errors_max_reason")
QUALITY_FIELDS = ("third1_ml_rms_cm", "third2_ml_rms_cm", "third3_ml_rms_cm",
                  "third1_mean_velocity_cm_s", "third2_mean_velocity_cm_s", "third3_mean_velocity_cm_s",
                  "last_first_ml_rms_ratio", "last_first_velocity_ratio")
#: Table columns a file-name field may set (the video's test set-up; the table shows it once).
NAME_SETTABLE = frozenset({"condition", "surface"})
VIDEO_FIELDS = ("status", "error_kind", "reason", "n_trials", "n_left", "n_right", "best_hold_s",
                "frames_decoded", "frames_with_person", "duration_s", "fps", "width", "height",
                "complete", "elapsed_s", "verdict", "warnings", "worker", "worker_rss_mb", "input_sha256")
SIDE_FIELDS = ("trials", "best_hold_s", "mean_hold_s", "best_file", "best_trial", "ml_rms_cm",
               "ml_range_cm", "path_length_cm", "mean_velocity_cm_s", "under_stable_min", "stable_s",
               "corrections", "errors")
SETUP_FIELDS = ("condition", "surface", "protocol")
TABLE_NAMES = ("trials", "videos", "athletes", "errors")
#: Column names a file-name field may not take.
RESERVED_COLUMNS = frozenset({"file", "stem", "stance_matches_leg", "complete", "result_json",
                              "n_videos", "n_failed", *TRIAL_FIELDS, *QUALITY_FIELDS, *SWAY_FIELDS,
                              *VIDEO_FIELDS}) - NAME_SETTABLE
# fmt: on
