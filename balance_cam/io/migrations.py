"""The history database's schema, as the ordered list of migrations that build it.

``PRAGMA user_version`` is the number of migrations applied; :class:`balance_cam.io.history.History`
applies the missing ones when it opens a database. A migration is never edited once released:
a change to the schema is a new migration appended at the end.
"""

from __future__ import annotations

from dataclasses import fields

from balance_cam.core.results import SwayMetrics

#: The sway columns of schema 1, frozen here because migration 1 creates them.
_V1_SWAY = (
    "ml_rms_cm", "ml_range_cm", "path_length_cm", "mean_velocity_cm_s", "angle_rms_deg",
    "angle_range_deg", "ap_rms_cm", "ap_range_cm", "ellipse95_area_cm2", "ml_rms_ll",
    "path_length_ll",
)  # fmt: skip
#: One column per :class:`~balance_cam.core.results.SwayMetrics` field (a test checks that the
#: migrations create exactly these: a new metric needs a migration that adds its column).
SWAY_COLUMNS = tuple(f.name for f in fields(SwayMetrics))

MIGRATIONS: tuple[str, ...] = (
    # 1: first schema
    f"""
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        finished_at TEXT,
        kind TEXT NOT NULL,            -- 'live', 'analyze' or 'batch'
        source TEXT NOT NULL DEFAULT '',
        complete INTEGER NOT NULL DEFAULT 0,
        tool_version TEXT NOT NULL DEFAULT '',
        result_json TEXT
    );
    CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        stance TEXT NOT NULL CHECK (stance IN ('left', 'right')),
        start_s REAL NOT NULL, end_s REAL NOT NULL, hold_s REAL NOT NULL,
        stop_reason TEXT NOT NULL,
        {", ".join(f"{c} REAL" for c in _V1_SWAY)},
        trial_json TEXT NOT NULL,
        landmarks_npz BLOB
    );
    CREATE INDEX trials_session ON trials(session_id);
    CREATE INDEX sessions_athlete ON sessions(athlete, started_at);
    """,
    # 2: free-text notes per session (coach comments)
    "ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';",
    # 3: every sway metric has its column (filled from the stored trial JSON)
    """
    ALTER TABLE trials ADD COLUMN ml_range_ll REAL;
    ALTER TABLE trials ADD COLUMN mean_velocity_ll_s REAL;
    ALTER TABLE trials ADD COLUMN cm_per_leg_length REAL;
    ALTER TABLE trials ADD COLUMN scale_source TEXT;
    ALTER TABLE trials ADD COLUMN n_samples INTEGER;
    ALTER TABLE trials ADD COLUMN fs_hz REAL;
    UPDATE trials SET ml_range_ll = json_extract(trial_json, '$.sway.ml_range_ll'),
        mean_velocity_ll_s = json_extract(trial_json, '$.sway.mean_velocity_ll_s'),
        cm_per_leg_length = json_extract(trial_json, '$.sway.cm_per_leg_length'),
        scale_source = json_extract(trial_json, '$.sway.scale_source'),
        n_samples = json_extract(trial_json, '$.sway.n_samples'),
        fs_hz = json_extract(trial_json, '$.sway.fs_hz');
    """,
    # 4: test set-up and balance quality per trial (trials stored before keep the defaults:
    #    eyes open, firm, unipedal, arms free; unknown quality stays NULL)
    """
    ALTER TABLE trials ADD COLUMN condition TEXT NOT NULL DEFAULT 'eyes-open';
    ALTER TABLE trials ADD COLUMN surface TEXT NOT NULL DEFAULT 'firm';
    ALTER TABLE trials ADD COLUMN protocol TEXT NOT NULL DEFAULT 'unipedal';
    ALTER TABLE trials ADD COLUMN hands_on_hips INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE trials ADD COLUMN stable_s REAL;
    ALTER TABLE trials ADD COLUMN corrections INTEGER;
    ALTER TABLE trials ADD COLUMN errors INTEGER;
    UPDATE trials SET condition = COALESCE(json_extract(trial_json, '$.condition'), condition),
        surface = COALESCE(json_extract(trial_json, '$.surface'), surface),
        protocol = COALESCE(json_extract(trial_json, '$.protocol'), protocol),
        hands_on_hips = COALESCE(json_extract(trial_json, '$.hands_on_hips'), hands_on_hips),
        stable_s = json_extract(trial_json, '$.stable_s'),
        corrections = json_extract(trial_json, '$.corrections'),
        errors = json_extract(trial_json, '$.errors');
    """,
    # 5: team tags, one per athlete (the squad page filters on them)
    """
    CREATE TABLE athletes (
        name TEXT PRIMARY KEY,          -- as in sessions.athlete
        team TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO athletes (name) SELECT DISTINCT athlete FROM sessions;
    """,
)
#: The test set-up and quality columns of migration 4, filled from each :class:`Trial`.
QUALITY_COLUMNS = ("condition", "surface", "protocol", "hands_on_hips", "stable_s", "corrections", "errors")
SCHEMA_VERSION = len(MIGRATIONS)
