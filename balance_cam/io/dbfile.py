"""The history database file itself: where it lives, and the checks made before it is used.

:func:`check_header`, :func:`quick_check` and :func:`check_ours` run on every open
(:class:`HistoryDamaged` names the first problem, and another program's database is refused,
before anything is written); :func:`check_writable` runs before a command's
work when it will store a result (``--db`` a folder or read-only: one line, exit 2).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from balance_cam.core.text import one_line
from balance_cam.io.migrations import SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_S = 10.0
FULL_DISK_BYTES = 1 << 20
"""Under this much free space, a failed write is put down to a full disk (SQLite often says
only "disk I/O error" when it cannot grow its WAL or shared-memory file)."""


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


OUR_COLUMNS: dict[str, frozenset[str]] = {
    "sessions": frozenset({"id", "athlete", "started_at", "kind", "result_json"}),
    "trials": frozenset({"session_id", "idx", "stance", "trial_json"}),
}
"""Tables and columns every history has had since the first schema (:mod:`balance_cam.io.migrations`)."""


def check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """A database of another program is refused before anything is written to it (no tables
    added, no WAL mode set): tables but ``user_version`` 0 (a history database always has a
    version), or a version this code knows without the first schema's ``sessions`` and
    ``trials`` tables and their key columns (:data:`OUR_COLUMNS`). A newer version is left to
    the migration check, which names it."""
    sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    conn.execute("BEGIN")  # one snapshot: another process may be creating our tables right now
    try:
        tables = [r[0] for r in conn.execute(sql)]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        columns = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in OUR_COLUMNS}
    finally:
        conn.execute("COMMIT")
    ours = all(cols <= columns[t] for t, cols in OUR_COLUMNS.items())
    if (version == 0 and tables) or (0 < version <= SCHEMA_VERSION and not ours):
        shown = ", ".join(tables[:4]) + (f" and {len(tables) - 4} more" if len(tables) > 4 else "")
        raise HistoryError(f"{path}: a SQLite database of another program (tables: {shown or 'none'}), "
                           "not a balance-cam history; it was not changed: give --db a new file")  # fmt: skip


def nearest_folder(path: Path) -> Path | None:
    """The nearest of ``path``'s parents that exists (None when none does)."""
    return next((q for q in path.parents if q.exists()), None)


def check_writable(path: str | Path | None) -> Path:
    """The database path, checked before a command's work: not a folder, and the file (or the
    folder it will be made in) writable. Raises :class:`HistoryError` (one line)."""
    p = Path(path) if path else default_db_path()
    if p.is_dir():
        raise HistoryError(f"--db {p} is a folder, not a history database file")
    folder = nearest_folder(p) or Path(".")
    if not folder.is_dir():
        raise HistoryError(f"--db {p}: {folder} is a file, not a folder")
    if (p.exists() and not os.access(p, os.W_OK)) or not os.access(p.parent if p.parent.exists()
                                                                   else folder, os.W_OK | os.X_OK):
        raise HistoryError(f"--db {p} is read-only (no permission to write it or its folder)")
    return p


def store_failure(exc: BaseException, path: Path) -> str:
    """Why a result could not be stored in the database at ``path``, in one line; when the
    error could be a full disk and the disk holding ``path`` has under ``FULL_DISK_BYTES``
    free, it says that first."""
    text = one_line(exc)
    said = any(k in text for k in ("disk I/O error", "disk is full", "No space left"))
    maybe_full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        isinstance(exc, sqlite3.Error | HistoryError) and said)
    if not maybe_full:
        return text
    try:  # never raises: it runs inside the callers' handlers
        folder = nearest_folder(Path(path).absolute())
        free = shutil.disk_usage(folder).free if folder is not None else FULL_DISK_BYTES
    except OSError:
        return text
    return f"the disk holding {folder} is full ({text})" if free < FULL_DISK_BYTES else text


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("balance_cam", appauthor=False)) / "history.db"
