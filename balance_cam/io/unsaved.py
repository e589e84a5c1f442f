"""Results the history could not take, kept in fallback files until they are imported.

When a result cannot be stored (another process holds the database's lock past the busy
timeout, the disk is full, the file is damaged or read-only), the whole result is written as
``history-unsaved-<UTC time>-<pid>-<id>.json`` to the first folder that takes it
(:func:`fallback_dirs`: ``unsaved/`` beside the database, the command's output folder,
``~/balance_cam_unsaved``, the temporary folder). The file records the database it was meant
for, the reason, the athlete and kind, and, for a live session stored in part, the session
id and which trials are already in the database. :func:`import_fallback` stores it later
(``balance-cam history --import FILE``): a partly stored live session is completed in place,
so every trial ends up in the history exactly once, and the file is deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balance_cam.core.results import AnalysisResult, ResultFormatError
from balance_cam.io.files import write_text
from balance_cam.io.history import History, HistoryError

FALLBACK_FORMAT = "balance-cam-history-fallback/1"


@dataclass(frozen=True)
class StoredPart:
    """The part of a live session already in the database: its session id, start time (to
    recognise the row) and the indices of the trials stored there."""

    session_id: int
    started_at: str
    trials: tuple[int, ...] = ()


def fallback_dirs(db: Path, extra: Sequence[Path] = ()) -> list[Path]:
    """Where a result that could not be stored goes, first that works."""
    return [db.parent / "unsaved", *extra, Path.home() / "balance_cam_unsaved",
            Path(tempfile.gettempdir())]  # fmt: skip


def fallback_record(
    result: AnalysisResult, *, db: Path, reason: str, athlete: str, kind: str,
    stored: StoredPart | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The content of a fallback file (JSON-ready)."""
    part = None if stored is None else {"session_id": stored.session_id, "started_at": stored.started_at,
                                        "trials": list(stored.trials)}  # fmt: skip
    return {"format": FALLBACK_FORMAT, "id": uuid.uuid4().hex, "db": str(db), "reason": reason,
            "athlete": athlete, "kind": kind, "stored": part,
            "result": json.loads(result.to_json(traces=True))}  # fmt: skip


def write_fallback(record: dict[str, Any], dirs: Sequence[Path]) -> Path:
    """Write ``record`` into the first folder of ``dirs`` that takes it; raises
    :class:`HistoryError` (naming every folder tried) when none does."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"history-unsaved-{stamp}-{os.getpid()}-{record['id'][:8]}.json"
    text = json.dumps(record, indent=1)
    errors = []
    for folder in map(Path, dirs):
        made = not folder.exists()
        try:
            return write_text(folder / name, text)
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
            if made:  # a full disk: leave no empty folder behind
                with contextlib.suppress(OSError):
                    folder.rmdir()
    raise HistoryError("could not write the result anywhere (" + "; ".join(errors) + ")")


def read_fallback(path: str | Path) -> dict[str, Any]:
    """A fallback file's record; :class:`HistoryError` if it is not one."""
    p = Path(path)
    try:
        record = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HistoryError(f"{p}: no such file") from None
    except (OSError, ValueError) as exc:
        raise HistoryError(f"{p}: cannot be read as a fallback file ({exc.__class__.__name__})") from None
    if not isinstance(record, dict) or record.get("format") != FALLBACK_FORMAT:
        raise HistoryError(f"{p}: not a balance-cam history fallback file")
    if not isinstance(record.get("result"), dict):
        raise HistoryError(f"{p}: a damaged history fallback file (no result in it)")
    stored = record.get("stored") or {}
    if not isinstance(stored, dict) or (stored and not (
            isinstance(stored.get("session_id"), int) and isinstance(stored.get("started_at"), str))):
        raise HistoryError(f"{p}: a damaged history fallback file (its 'stored' is not a session id "
                           "and start time)")  # fmt: skip
    return record


def import_fallback(db: str | Path | None, path: str | Path) -> int:
    """Store a fallback file in ``db`` and delete the file; returns the session id.

    A live session stored in part (the same session id and start time are in ``db``) gets
    its trials and result replaced by the file's; anything else becomes a new session.
    """
    record = read_fallback(path)
    try:
        result = AnalysisResult.from_dict(record["result"])
    except ResultFormatError as exc:
        raise HistoryError(f"{path}: a damaged history fallback file (its result: {exc})") from None
    stored = record.get("stored") or {}
    with History(db) as h:
        row = h.session_row(int(stored["session_id"])) if stored else None
        if row is not None and row["started_at"] == stored.get("started_at"):
            sid = int(row["id"])
            h.replace_session(sid, result, complete=result.complete)
        else:
            sid = h.save_result(result, athlete=str(record.get("athlete", "")),
                                kind=str(record.get("kind", "analyze")))  # fmt: skip
    Path(path).unlink()
    return sid
