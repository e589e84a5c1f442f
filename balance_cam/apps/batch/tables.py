"""Combined tables of a batch: one row per trial, per video, per athlete and per failure.

Built from :class:`balance_cam.apps.batch.worker.Outcome` objects (results without landmarks) and
written as CSV and Parquet beside the per-video results. The per-athlete table reuses
:func:`balance_cam.core.summary.summarize` on all trials of that athlete's videos, so its best
holds, asymmetries, flags and verdict follow the same definitions as ``analyze``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balance_cam.apps.batch.columns import (
    QUALITY_FIELDS,
    SETUP_FIELDS,
    SIDE_FIELDS,
    SWAY_FIELDS,
    TRIAL_FIELDS,
    VIDEO_FIELDS,
)
from balance_cam.apps.batch.inputs import leg_side
from balance_cam.apps.batch.worker import Outcome
from balance_cam.core.config import SummaryConfig, TestConfig
from balance_cam.core.results import Trial
from balance_cam.core.summary import SetupKey, by_test, summarize

if TYPE_CHECKING:
    import pandas as pd


def _key_columns(names: Sequence[str]) -> list[str]:
    return ["file", "stem", *names]


def _keys(o: Outcome, names: Sequence[str]) -> dict[str, Any]:
    fields_ = o.names or {}
    return {"file": o.path, "stem": o.stem, **{n: fields_.get(n) for n in names}}


def _matches_leg(leg: str | None, stance: str) -> bool | None:
    side = leg_side(leg)
    return None if side is None else side == stance


def quality_columns(t: Trial) -> dict[str, Any]:
    """The quality columns of one trial row (:data:`~balance_cam.apps.batch.columns.TRIAL_FIELDS`
    from ``condition`` on, and the sway by thirds)."""
    thirds = list(t.sway_by_third) or []
    row: dict[str, Any] = dict(
        condition=t.condition, surface=t.surface, protocol=t.protocol, hands_on_hips=t.hands_on_hips,
        stable_s=t.stable_s, stable_reason=t.stable_reason, corrections=t.corrections, errors=t.errors,
        errors_max_reason=t.errors_max_reason, last_first_ml_rms_ratio=t.last_first_ml_rms_ratio,
        last_first_velocity_ratio=t.last_first_velocity_ratio,
    )  # fmt: skip
    for k in range(3):
        third = thirds[k] if k < len(thirds) else None
        row[f"third{k + 1}_ml_rms_cm"] = third.ml_rms_cm if third else None
        row[f"third{k + 1}_mean_velocity_cm_s"] = third.mean_velocity_cm_s if third else None
    return row


def trials_table(outcomes: Sequence[Outcome], names: Sequence[str] = ()) -> pd.DataFrame:
    """One row per trial: file, name fields, trial timing, test set-up, balance quality and
    every sway metric.

    With a ``leg`` name field, ``stance_matches_leg`` says whether the stance leg found in
    the video is the one the file name gives (None when the name's leg is not recognised).
    A ``{condition}`` or ``{surface}`` name field is the column of the same name (the set-up
    the video was analysed with, spelled out).
    """
    import pandas as pd

    check = ["stance_matches_leg"] if "leg" in names else []
    trial_fields = [f for f in TRIAL_FIELDS if f not in names]
    columns = [*_key_columns(names), *check, *trial_fields, *QUALITY_FIELDS, *SWAY_FIELDS, "complete",
               "input_sha256", "result_json"]  # fmt: skip
    rows = []
    for o in outcomes:
        if o.result is None:
            continue
        for t in o.result.trials:
            row = _keys(o, names)
            if check:
                row["stance_matches_leg"] = _matches_leg(row.get("leg"), t.stance)
            row.update(trial_index=t.index, stance=t.stance, start_s=t.start_s, end_s=t.end_s,
                       hold_s=t.hold_s, stop_reason=t.stop_reason, lift_observed=t.lift_observed,
                       start_frame=t.start_frame, end_frame=t.end_frame, **quality_columns(t),
                       **asdict(t.sway), complete=o.result.complete, input_sha256=o.sha256,
                       result_json=f"{o.stem}.json")  # fmt: skip
            rows.append(row)
    df = _nullable_ints(pd.DataFrame(rows, columns=columns), ("corrections", "errors"))
    return df.sort_values(["file", "trial_index"], ignore_index=True)


def _video_row(o: Outcome) -> dict[str, Any]:
    row: dict[str, Any] = dict(status=o.status, error_kind=o.error_kind, reason=o.reason,
                               elapsed_s=round(o.elapsed_s, 3), worker=o.worker,
                               worker_rss_mb=o.worker_rss_mb, input_sha256=o.sha256)  # fmt: skip
    r = o.result
    if r is None:
        return row
    src = r.source
    holds = [t.hold_s for t in r.trials]
    row.update(n_trials=len(r.trials), n_left=sum(t.stance == "left" for t in r.trials),
               n_right=sum(t.stance == "right" for t in r.trials),
               best_hold_s=max(holds) if holds else None, frames_decoded=r.frames_decoded,
               frames_with_person=r.frames_with_person, duration_s=src.get("duration_s"),
               fps=src.get("fps"), width=src.get("width"), height=src.get("height"),
               complete=r.complete, verdict=r.summary.verdict,
               warnings=" | ".join(r.warnings))  # why a video has no trial, or a lower bound  # fmt: skip
    return row


def videos_table(outcomes: Sequence[Outcome], names: Sequence[str] = ()) -> pd.DataFrame:
    """One row per input video (also failed ones and those with zero trials)."""
    import pandas as pd

    rows = [{**_keys(o, names), **_video_row(o)} for o in outcomes]
    df = pd.DataFrame(rows, columns=[*_key_columns(names), *VIDEO_FIELDS])
    df = _nullable_ints(df, ("n_trials", "n_left", "n_right", "frames_decoded",
                             "frames_with_person", "width", "height"))  # fmt: skip
    return df.sort_values("file", ignore_index=True)


def _nullable_ints(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Integer columns that are empty for some rows (failed videos) stay integers."""
    return df.astype({c: "Int64" for c in columns})


def errors_table(outcomes: Sequence[Outcome], names: Sequence[str] = ()) -> pd.DataFrame:
    """One row per video that failed or gave only a partial result, with the reason."""
    import pandas as pd

    rows = [{**_keys(o, names), "status": o.status, "error_kind": o.error_kind,
             "reason": o.reason} for o in outcomes if o.failed]  # fmt: skip
    columns = [*_key_columns(names), "status", "error_kind", "reason"]
    return pd.DataFrame(rows, columns=columns).sort_values("file", ignore_index=True)


def _side_columns(side: str) -> list[str]:
    return [f"{side}_{f}" for f in SIDE_FIELDS]


def _setup_of(o: Outcome) -> SetupKey | None:
    """The test set-up a video was analysed with (None: it gave no result)."""
    if o.result is None:
        return None
    keys = list(by_test(o.result.trials))
    if keys:
        return keys[0]
    try:
        return TestConfig.from_dict(o.result.config.get("test")).key
    except ValueError:  # a newer file's set-up
        return None


def _athlete_row(group: Sequence[Outcome], cfg: SummaryConfig) -> dict[str, Any]:
    trials: list[Trial] = []
    origin: list[tuple[str, int]] = []
    for o in group:
        for t in o.result.trials if o.result is not None else ():
            origin.append((o.stem, t.index))
            trials.append(replace(t, index=len(trials)))
    summary = summarize(trials, cfg)
    setup = next((k for k in map(_setup_of, group) if k is not None), None)
    row: dict[str, Any] = {**dict(zip(SETUP_FIELDS, setup or (None,) * 3, strict=True)),
                           "n_videos": len(group), "n_failed": sum(o.failed for o in group)}  # fmt: skip
    for side in (summary.left, summary.right):
        if side is None:
            continue
        best_stem, best_index = origin[side.best_trial]
        row.update(dict(zip(_side_columns(side.stance), (
            side.n_trials, side.best_hold_s, side.mean_hold_s, best_stem, best_index,
            side.sway.ml_rms_cm, side.sway.ml_range_cm, side.sway.path_length_cm,
            side.sway.mean_velocity_cm_s, side.under_stable_min, side.stable_s, side.corrections,
            side.errors), strict=True)))  # fmt: skip
    verdict = summary.verdict
    if not any(o.result is not None for o in group):
        verdict = "No video of this athlete could be analysed."
    row.update(hold_asymmetry_pct=summary.hold_asymmetry_pct,
               sway_asymmetry_pct=summary.sway_asymmetry_pct, weaker_side=summary.weaker_side,
               flags="; ".join(summary.flags), verdict=verdict)  # fmt: skip
    return row


def athletes_table(
    outcomes: Sequence[Outcome], names: Sequence[str] = (), cfg: SummaryConfig | None = None
) -> pd.DataFrame:
    """Left/right summary per athlete (the ``athlete`` name field), or per video without one,
    and per test set-up: one row for each (athlete, condition, surface, protocol), so an
    eyes-closed test is never set against an eyes-open one.

    Best and mean holds, the sway of each side's best trial (with the video it came from),
    asymmetries, flags and verdict are those of :func:`balance_cam.core.summary.summarize` over
    all trials of the athlete's videos of that set-up. Videos that gave no result (set-up
    unknown) count in the athlete's first row.
    """
    import pandas as pd

    key = "athlete" if "athlete" in names else "stem"
    groups: dict[tuple[str, SetupKey | None], list[Outcome]] = {}
    for o in sorted(outcomes, key=lambda o: o.path):
        value = ((o.names or {}).get("athlete") if key == "athlete" else o.stem) or ""
        groups.setdefault((value, _setup_of(o)), []).append(o)
    for value, setup in list(groups):
        first = next((k for k in groups if k[0] == value and k[1] is not None), None)
        if setup is None and first is not None:
            groups[first] += groups.pop((value, setup))
    cfg = cfg or SummaryConfig()
    order = sorted(groups, key=lambda k: (k[0], k[1] or ("",)))
    rows = [{key: k[0], **_athlete_row(groups[k], cfg)} for k in order]
    columns = [key, *SETUP_FIELDS, "n_videos", "n_failed", *_side_columns("left"), *_side_columns("right"),
               "hold_asymmetry_pct", "sway_asymmetry_pct", "weaker_side", "flags",
               "verdict"]  # fmt: skip
    df = pd.DataFrame(rows, columns=columns)
    return _nullable_ints(df, [f"{s}_{f}" for s in ("left", "right")
                               for f in ("trials", "best_trial", "corrections", "errors")])  # fmt: skip


def build_tables(
    outcomes: Sequence[Outcome], names: Sequence[str] = (), cfg: SummaryConfig | None = None
) -> dict[str, pd.DataFrame]:
    """All combined tables by name (:data:`TABLE_NAMES`)."""
    return {
        "trials": trials_table(outcomes, names),
        "videos": videos_table(outcomes, names),
        "athletes": athletes_table(outcomes, names, cfg),
        "errors": errors_table(outcomes, names),
    }


def write_tables(
    out_dir: str | Path, outcomes: Sequence[Outcome], names: Sequence[str] = (),
    cfg: SummaryConfig | None = None,
) -> dict[str, Path]:  # fmt: skip
    """Write ``batch_{name}.csv`` and ``batch_{name}.parquet`` for every table, atomically.

    CSV cells that a spreadsheet would run as a formula (a file named ``=HYPERLINK(…)``, a name
    field, a reason) are neutralised (:func:`balance_cam.io.files.to_csv_safe`); the Parquet
    files keep the values as they are.
    """
    from balance_cam.io.files import atomic_write, to_csv_safe

    paths: dict[str, Path] = {}
    for name, df in build_tables(outcomes, names, cfg).items():
        base = Path(out_dir) / f"batch_{name}"
        paths[f"{name}.csv"] = atomic_write(base.with_suffix(".csv"),
                                            lambda p, df=df: to_csv_safe(df, p))  # fmt: skip
        paths[f"{name}.parquet"] = atomic_write(
            base.with_suffix(".parquet"), lambda p, df=df: df.to_parquet(p, index=False)
        )
    return paths
