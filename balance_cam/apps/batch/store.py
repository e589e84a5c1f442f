"""Storing a batch's results in the history (``batch --save-history``).

Each result is one transaction. Once the history fails (another program holds its lock past
the busy timeout, the disk is full), the rest of the batch's results go straight to fallback
files (:mod:`balance_cam.io.unsaved`) instead of each waiting out the timeout again, and one
warning line names them all.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from balance_cam.apps.batch.worker import Outcome
from balance_cam.apps.saving import warn_stderr
from balance_cam.io.dbfile import default_db_path, store_failure
from balance_cam.io.history import History, HistoryError
from balance_cam.io.results import try_read_result
from balance_cam.io.unsaved import fallback_dirs, fallback_record, write_fallback

_FAILURES = (HistoryError, sqlite3.Error, OSError)


def save_to_history(
    outcomes: Sequence[Outcome], out_dir: str | Path, db: str | Path | None = None,
    athlete: str | None = None, team: str | None = None,
) -> int:  # fmt: skip
    """Store every analysed video in the history database as a ``batch`` session (and tag its
    athlete with ``team`` when given).

    The athlete is ``athlete`` if given, else the file name's ``{athlete}`` field, else "".
    The full result (with sway traces) is read back from its JSON file. A result already
    stored (same source path and creation time) is not stored again, so re-running after
    ``--resume`` adds nothing twice. Results the history cannot take go to fallback files,
    named in one warning line. Returns the number of sessions added.
    """
    path = Path(db) if db else default_db_path()
    added, reason, kept = 0, "", []
    history: Any = None
    try:
        history = History(path)
    except _FAILURES as exc:
        reason = store_failure(exc, path)
    try:
        for o in outcomes:
            if o.result is None:
                continue
            result = try_read_result(Path(out_dir) / f"{o.stem}.json") or o.result
            name = athlete or (o.names or {}).get("athlete") or ""
            if not reason:
                try:
                    added += _save_one(history, result, name, team)
                    continue
                except _FAILURES as exc:
                    reason = store_failure(exc, path)
            record = fallback_record(result, db=path, reason=reason, athlete=name, kind="batch")
            try:
                kept.append(write_fallback(record, fallback_dirs(path, (Path(out_dir),))))
            except HistoryError as exc:  # no folder takes it: the record still is not lost
                sys.stderr.write(f"balance-cam: error: {reason}; {exc}; the result follows:\n"
                                 f"{json.dumps(record)}\n")  # fmt: skip
    finally:
        if history is not None:
            history.close()
    if kept:
        warn_stderr(f"history {path} not updated ({reason}); {len(kept)} result(s) kept in "
                    f"{kept[0].parent} as history-unsaved-*.json (import them later with: balance-cam "
                    f"history --db {path} --import FILE ...)")  # fmt: skip
    return added


def _save_one(history: Any, result: Any, name: str, team: str | None) -> int:
    if team is not None:
        history.set_team(name, team)
    if _in_history(history, str(result.source.get("path", "")), result.created_at):
        return 0
    history.save_result(result, athlete=name, kind="batch")
    return 1


def _in_history(history: Any, source: str, created_at: str) -> bool:
    row = history.conn.execute(
        "SELECT 1 FROM sessions WHERE kind = 'batch' AND source = ?"
        " AND json_extract(result_json, '$.created_at') = ? LIMIT 1", (source, created_at),
    ).fetchone()  # fmt: skip
    return row is not None
