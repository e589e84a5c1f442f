"""Batch inputs: which files are videos, their output stems, and fields from their names."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from balance_cam.apps.batch.columns import RESERVED_COLUMNS
from balance_cam.core.config import AnalysisConfig, TestConfig

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".3gp", ".mpg", ".mpeg",
     ".wmv"}
)  # fmt: skip
_LEFT = frozenset({"l", "left", "lt", "lft", "links", "gauche", "izquierda", "sinistra"})
_RIGHT = frozenset({"r", "right", "rt", "rgt", "rechts", "droite", "derecha", "destra"})
_CONDITIONS = {"eyes-open": frozenset({"eo", "eyes-open", "eyes_open", "eyesopen", "open"}),
               "eyes-closed": frozenset({"ec", "eyes-closed", "eyes_closed", "eyesclosed", "closed"})}
_SURFACES = {"firm": frozenset({"firm", "floor", "hard"}), "foam": frozenset({"foam", "pad", "soft"})}


class BatchError(ValueError):
    """The batch cannot start (bad inputs, pattern or cluster); one line for the user."""


# -- inputs -------------------------------------------------------------------------------
def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _is_video_name(p: Path) -> bool:
    return p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")


def discover(
    inputs: Sequence[str | Path], exclude: str | Path | None = None, missing: list[Path] | None = None
) -> list[Path]:
    """Absolute paths of the videos named by ``inputs``, sorted, without duplicates.

    A file is taken as given (whatever its suffix, so a non-video fails visibly); a folder is
    searched recursively and a glob pattern (``**`` is recursive) expanded, both keeping only
    names with a video suffix (:data:`VIDEO_SUFFIXES`) that are not hidden (``.name``).
    Files under ``exclude`` (the output folder) are left out. Symlinks are not resolved, so
    two links to one clip are two videos. A named path that does not exist raises
    :class:`BatchError`, or, with a ``missing`` list, is appended to it (absolute) instead.
    """
    found: set[Path] = set()
    for item in inputs:
        text = str(item)
        path = Path(text)
        if _is_glob(text):
            hits = [Path(m) for m in glob.glob(text, recursive=True)]
            files = [h for h in hits if h.is_file() and _is_video_name(h)]
            if not files:
                raise BatchError(f"{text}: no video file matches this pattern")
        elif path.is_dir():
            files = [f for f in path.rglob("*") if f.is_file() and _is_video_name(f)]
        elif path.exists():
            files = [path]
        elif missing is not None:
            missing.append(Path(os.path.abspath(path)))
            continue
        else:
            raise BatchError(f"{text}: no such file or folder")
        found.update(Path(os.path.abspath(f)) for f in files)
    if exclude is not None:
        out = Path(os.path.abspath(exclude))
        found = {f for f in found if out not in f.parents}
    return sorted(found)


def output_stems(paths: Sequence[Path]) -> dict[Path, str]:
    """Output stem of each video: its path relative to the inputs' common folder, without
    suffix (``a/b/clip``); the suffix is kept where two inputs would share a stem."""
    if not paths:
        return {}
    root = Path(os.path.commonpath([str(p.parent) for p in paths]))
    stems = {p: p.relative_to(root).with_suffix("").as_posix() for p in paths}
    counts: dict[str, int] = {}
    for s in stems.values():
        counts[s] = counts.get(s, 0) + 1
    return {p: (p.relative_to(root).as_posix() if counts[s] > 1 else s) for p, s in stems.items()}


# -- file names ---------------------------------------------------------------------------
#: name fields the batch acts on: the history's athlete, stance_matches_leg, the test set-up
MEANINGFUL_FIELDS = ("athlete", "leg", "condition", "surface")


@dataclass(frozen=True)
class NamePattern:
    """Fields parsed from a file name, e.g. ``"{athlete}_{leg}_{trial}"``.

    The pattern is matched against the whole file name without its suffix, or, when it
    contains ``/``, against the path relative to the inputs' common folder (so
    ``"{athlete}/{leg}_{trial}"`` reads the athlete from the folder). A field matches one or
    more characters other than the pattern's own separator characters; ``{}`` matches
    anything and is not kept.
    """

    text: str
    regex: re.Pattern[str]
    fields: tuple[str, ...]

    @classmethod
    def compile(cls, text: str) -> NamePattern:
        parts = re.split(r"(\{\w*\})", text)
        literals = "".join(parts[0::2])
        names = [p[1:-1] for p in parts[1::2]]
        kept = [n for n in names if n]
        if not kept:
            raise BatchError(f"name pattern {text!r} has no field such as {{athlete}}")
        if len(set(kept)) != len(kept) or set(kept) & RESERVED_COLUMNS:
            clash = ", ".join(sorted(set(kept) & RESERVED_COLUMNS))
            raise BatchError(f"name pattern {text!r}: fields must be unique and not a table "
                             f"column ({clash})")  # fmt: skip
        if "{" in literals or "}" in literals:
            raise BatchError(f"name pattern {text!r}: write fields as {{name}} (letters, digits)")
        any_re = f"[^{re.escape(''.join(sorted(set(literals))))}]+" if literals else ".+?"
        regex = "".join(
            re.escape(part) if i % 2 == 0 else any_re if part == "{}"
            else f"(?P<{part[1:-1]}>{any_re})"
            for i, part in enumerate(parts)
        )  # fmt: skip
        return cls(text, re.compile(regex), tuple(kept))

    def near_misses(self) -> dict[str, str]:
        """Fields that look like a misspelt field the batch acts on (``{athelte}``: athlete),
        mapped to that field; any other field is only a table column."""
        import difflib

        missing = [m for m in MEANINGFUL_FIELDS if m not in self.fields]  # {athlete}_{athlete_id}: fine
        return {f: close[0] for f in self.fields if f not in MEANINGFUL_FIELDS
                and (close := difflib.get_close_matches(f.lower(), missing, 1, 0.75))}  # fmt: skip

    def parse(self, rel_stem: str) -> dict[str, str] | None:
        """The fields of one video (``rel_stem``: relative path without suffix), or None."""
        target = rel_stem if "/" in self.text else rel_stem.rsplit("/", 1)[-1]
        m = self.regex.fullmatch(target)
        return m.groupdict() if m else None


def leg_side(text: str | None) -> str | None:
    """``"left"``/``"right"`` for common spellings of a leg in file names (L, lt, left, ...)."""
    t = (text or "").strip().lower()
    return "left" if t in _LEFT else "right" if t in _RIGHT else None


def _spelling(text: str, table: dict[str, frozenset[str]]) -> str | None:
    t = text.strip().lower()
    return next((value for value, spellings in table.items() if t in spellings), None)


def condition_of(text: str | None) -> str | None:
    """``"eyes-open"``/``"eyes-closed"`` for common spellings in file names (EO, EC, open, ...)."""
    return _spelling(text or "", _CONDITIONS)


def config_for(config: AnalysisConfig, names: dict[str, str] | None, path: str = "") -> AnalysisConfig:
    """The analysis configuration of one video: ``{condition}`` and ``{surface}`` name fields
    override the batch's own (raises :class:`BatchError` for a value that is neither)."""
    names = names or {}
    if not {"condition", "surface"} & set(names):
        return config
    test = config.test
    condition, surface = test.condition, test.surface
    if "condition" in names:
        condition = condition_of(names["condition"]) or ""
    if "surface" in names:
        surface = _spelling(names["surface"], _SURFACES) or ""
    if not condition or not surface:
        bad = names.get("condition") if not condition else names.get("surface")
        raise BatchError(f"{path}: {bad!r} in the file name is not a condition (eyes-open, eyes-closed, "
                         "EO, EC) or surface (firm, foam)")  # fmt: skip
    try:
        new = TestConfig(condition, surface, test.protocol, test.hands_on_hips)
    except ValueError as exc:
        raise BatchError(f"{path}: {exc}") from None
    return config.with_options(test=new)
