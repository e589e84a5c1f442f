"""The history database file itself: where it lives, and the checks made before it is used.

:func:`check_header` and :func:`quick_check` run on every open (:class:`HistoryDamaged` names
the first problem, before anything is written); :func:`check_writable` runs before a command's
work when it will store a result (``--db`` a folder or read-only: one line, exit 2).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from balance_cam.core.text import one_line

SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_S = 10.0


class HistoryError(RuntimeError):
    """The history database cannot be used (one line for the user)."""


class HistoryDamaged(HistoryError):
    """The database file is damaged; nothing was written to it (one line for the user)."""


def _damaged(path: Path, problem: str) -> HistoryDamaged:
    return HistoryDamaged(f"{path}: not a usable history database, it is damaged "
                          f"({one_line(problem)}); it was not changed: restore a backup or try "
                          f"`sqlite3 {path} .recover`")  # fmt: skip


def check_header(path: Path) -> None:
    """An existing, non-empty file must start with SQLite's 16-byte magic string."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if head and head != SQLITE_MAGIC:
        raise _damaged(path, "no SQLite header: not a database, or its first page is overwritten")


def quick_check(conn: sqlite3.Connection, path: Path, max_errors: int = 5) -> None:
    """``PRAGMA quick_check``; raises :class:`HistoryDamaged` unless it returns ``ok``."""
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA quick_check({int(max_errors)})")]
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed", "not a database"
        raise _damaged(path, str(exc)) from exc
    if rows != ["ok"]:
        more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
        raise _damaged(path, rows[0] + more)


def check_writable(path: str | Path | None) -> Path:
    """The database path, checked before a command's work: not a folder, and the file (or the
    folder it will be made in) writable. Raises :class:`HistoryError` (one line)."""
    p = Path(path) if path else default_db_path()
    if p.is_dir():
        raise HistoryError(f"--db {p} is a folder, not a history database file")
    folder = next((q for q in p.parents if q.exists()), Path("."))
    if not folder.is_dir():
        raise HistoryError(f"--db {p}: {folder} is a file, not a folder")
    if (p.exists() and not os.access(p, os.W_OK)) or not os.access(p.parent if p.parent.exists()
                                                                   else folder, os.W_OK | os.X_OK):
        raise HistoryError(f"--db {p} is read-only (no permission to write it or its folder)")
    return p


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("balance_cam", appauthor=False)) / "history.db"
