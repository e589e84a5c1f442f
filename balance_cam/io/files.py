"""Writing files safely, hashing them, and refusing to write over an input.

Every write is atomic and durable: the content goes to a temporary file in the same folder
(``.{name}.XXXXXXXX{suffix}``), is flushed to disk (``fsync``; without it a power cut can leave
the new name pointing at an empty file) and is then moved over the target with ``os.replace``,
so an interrupted run never leaves a half-written file that a later run would trust.
:func:`clean_stale_temps` removes the temporaries a killed run left behind, and nothing else.

CSV files written for people (``history --csv``, the batch tables) neutralise cells that a
spreadsheet would run as a formula (:func:`neutralize_cell`, the OWASP CSV-injection rule).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from balance_cam.core.text import terminal_safe


def fsync_dir(folder: str | Path) -> None:
    """Make the renames inside ``folder`` durable (POSIX rename is atomic, durable once the
    directory is synced); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)``, fsync it, then move it into place atomically (mode 0644)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def sha256_of(*paths: str | Path) -> str:
    """Hex sha256 over the bytes of ``paths``, in order."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


# -- outputs over inputs ----------------------------------------------------------------------
def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` name one file: equal resolved paths (also when the output does
    not exist yet, through symlinked folders and ``..``), or equal ``(st_dev, st_ino)`` when
    both exist (hard links, case-insensitive file systems)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_overwriting_inputs(
    outputs: Mapping[str, str | Path | None], inputs: Mapping[str, str | Path | None]
) -> None:
    """Raise ``ValueError`` (one line) if an output is one of the inputs. Keys are what the
    user typed (``"--csv"``, ``"--db"``, ``"VIDEO"``), values the paths (None: not given)."""
    for out_name, out in outputs.items():
        for in_name, inp in inputs.items():
            if out is not None and inp is not None and same_file(out, inp):
                raise ValueError(f"{out_name} {terminal_safe(out)} is the same file as {in_name} "
                                 f"{terminal_safe(inp)}; refusing to overwrite an input")  # fmt: skip


def check_output_dir(path: str | Path, option: str) -> None:
    """``ValueError`` (one line) unless ``path`` is a folder, or can become one, that we can
    write to: checked before the work, so a bad ``--out`` fails at once."""
    p = Path(path)
    existing = next((q for q in (p, *p.parents) if q.exists()), None)
    if p.exists() and not p.is_dir():
        raise ValueError(f"{option} {terminal_safe(p)} is a file, not a folder")
    if existing is not None and not existing.is_dir():
        raise ValueError(f"{option} {terminal_safe(p)}: {terminal_safe(existing)} is a file, not a folder")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {terminal_safe(p)}: cannot write to {terminal_safe(existing)} "
                         "(permission denied)")  # fmt: skip


def check_output_file(path: str | Path, option: str) -> None:
    """``ValueError`` (one line) unless ``path`` can be written as a file (not a folder; its
    folder writable or creatable); checked before the work."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{option} {terminal_safe(p)} is a folder, not a file")
    check_output_dir(p.parent if str(p.parent) else Path("."), option)


# -- temporaries left by a killed run ----------------------------------------------------------
#: Final names our temporaries may stand for (per-video sets, batch tables and manifest).
OUR_OUTPUT_RE = re.compile(
    r".+(\.json|\.landmarks\.npz|\.frames\.csv|\.frames\.parquet)|batch_\w+\.(csv|parquet)"
)
#: ``tempfile.mkstemp(prefix=f".{name}.", suffix=Path(name).suffix)``: 8 characters from
#: ``tempfile._RandomNameSequence`` (a-z, 0-9, _) between prefix and suffix.
_TEMP_RE = re.compile(r"\.(?P<name>.+)\.(?P<rand>[a-z0-9_]{8})(?P<suffix>\.[A-Za-z0-9]+)?")
#: A temporary younger than this may belong to a writer that is still running.
STALE_AFTER_S = 3600.0


def is_our_temp(name: str) -> bool:
    """Whether a file name is one :func:`atomic_write` makes for one of our output names:
    ``.{final}.{8 random}{suffix of final}``, e.g. ``.a.frames.csv.k3j_9x0q.csv``."""
    m = _TEMP_RE.fullmatch(name)
    if m is None:
        return False
    final, suffix = m["name"], m["suffix"] or ""
    return Path(final).suffix == suffix and OUR_OUTPUT_RE.fullmatch(final) is not None


def _stale_temps(folder: Path, older_than_s: float, now_s: float) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not is_our_temp(name):
                continue
            p = Path(root) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid()
                    and now_s - st.st_mtime > older_than_s):  # fmt: skip
                yield p


def clean_stale_temps(folder: str | Path, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Delete the temporaries a killed run left under ``folder``; return what was deleted.

    Only regular files (not symlinks) owned by this user, whose name is exactly one of ours
    (:func:`is_our_temp`), not modified for ``older_than_s`` (a live writer, e.g. a second
    batch into the same folder, is still writing its temporary; no output takes an hour).
    Hidden folders are not entered.
    """
    removed = []
    for p in _stale_temps(Path(folder), older_than_s, time.time()):
        try:
            p.unlink()
        except OSError:
            continue
        removed.append(p)
    return removed


# -- CSV for spreadsheets --------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralize_cell(value: Any) -> Any:
    """``'`` + text that starts like a formula (``= + - @``, tab, CR), unless it is a plain
    number such as ``-1.5``; anything else unchanged
    (https://owasp.org/www-community/attacks/CSV_Injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralize_frame(df: Any) -> Any:
    """A copy of a pandas DataFrame with every non-numeric column neutralised (for CSV;
    Parquet keeps the original values)."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].map(neutralize_cell)
    return out


def to_csv_safe(df: Any, path: str | Path) -> None:
    """``df.to_csv`` for spreadsheets: cells neutralised, and CRLF line ends, so that a field
    holding a bare CR is quoted (with pandas' default ``"\\n"`` it is written raw and a reader
    splits the row there: a name ``"x\\r=cmd"`` would start a new row with a formula)."""
    neutralize_frame(df).to_csv(path, index=False, lineterminator="\r\n")


def write_csv(path: str | Path, rows: Iterable[dict[str, Any]], columns: Iterable[str] | None = None) -> Path:
    """Write dict rows as CSV (atomically; UTF-8; NaN and None as empty cells; formula-like
    text neutralised)."""
    rows = list(rows)
    cols = list(columns or (rows[0].keys() if rows else ()))

    def write(p: Path) -> None:
        with p.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow({k: ("" if v is None or (isinstance(v, float) and v != v) else neutralize_cell(v))
                            for k, v in r.items()})  # fmt: skip

    return atomic_write(path, write)
