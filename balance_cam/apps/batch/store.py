"""Storing a batch's results in the history (``batch --save-history``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from balance_cam.apps.batch.worker import Outcome
from balance_cam.io.results import try_read_result


def save_to_history(
    outcomes: Sequence[Outcome], out_dir: str | Path, db: str | Path | None = None,
    athlete: str | None = None,
) -> int:  # fmt: skip
    """Store every analysed video in the history database as a ``batch`` session.

    The athlete is ``athlete`` if given, else the file name's ``{athlete}`` field, else "".
    The full result (with sway traces) is read back from its JSON file. A result already
    stored (same source path and creation time) is not stored again, so re-running after
    ``--resume`` adds nothing twice. A result the history cannot take (lock held past the busy
    timeout, disk full) goes to a fallback file named on stderr. Returns the number of
    sessions added.
    """
    import sqlite3

    from balance_cam.apps.saving import save_or_fallback
    from balance_cam.io.history import History, HistoryError

    added = 0
    try:
        history: Any = History(db)
    except (HistoryError, sqlite3.Error, OSError):
        history = None  # every result below goes to its fallback file, with the reason
    try:
        for o in outcomes:
            if o.result is None:
                continue
            result = try_read_result(Path(out_dir) / f"{o.stem}.json") or o.result
            name = athlete or (o.names or {}).get("athlete") or ""
            added += _save_one(history, result, name, db, Path(out_dir), save_or_fallback)
    finally:
        if history is not None:
            history.close()
    return added


def _save_one(history: Any, result: Any, name: str, db: Any, out_dir: Path, fallback: Any) -> int:
    import sqlite3

    from balance_cam.io.history import HistoryError

    src, created = str(result.source.get("path", "")), result.created_at
    if history is not None:
        try:
            if _in_history(history, src, created):
                return 0
            history.save_result(result, athlete=name, kind="batch")
            return 1
        except (HistoryError, sqlite3.Error, OSError):
            pass  # tried once more below, then kept in a fallback file
    return int(fallback(result, db, athlete=name, kind="batch", extra_dirs=(out_dir,)).session_id is not None)


def _in_history(history: Any, source: str, created_at: str) -> bool:
    row = history.conn.execute(
        "SELECT 1 FROM sessions WHERE kind = 'batch' AND source = ?"
        " AND json_extract(result_json, '$.created_at') = ? LIMIT 1", (source, created_at),
    ).fetchone()  # fmt: skip
    return row is not None
