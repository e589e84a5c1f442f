"""User text made safe to show: file names, athletes, notes and error reasons.

A name can hold anything a file system allows: escape sequences (``ESC ] 8`` forges a terminal
hyperlink even where rich markup is off), newlines that break one-line messages, bidi overrides
that reorder what is shown. :func:`terminal_safe` writes those characters as visible escapes;
letters of every script stay as they are.
"""

from __future__ import annotations

import logging
import unicodedata

#: Unicode categories written as escapes: controls (C0/C1: ESC, CR, LF, DEL, ...), format
#: characters (bidi overrides, zero-width), line and paragraph separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: object) -> str:
    """``text`` with control and format characters written as ``\\xNN``/``\\uNNNN``."""
    return "".join(_escape_char(c) if unicodedata.category(c) in UNSAFE_CATEGORIES else c
                   for c in str(text))  # fmt: skip


def one_line(text: object) -> str:
    """A multi-line message (e.g. SQLite's integrity report) joined into one line."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


class SafeLogFormatter(logging.Formatter):
    """A log formatter whose lines carry no raw control characters (names in messages)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(terminal_safe(line) for line in super().format(record).split("\n"))


def count_of(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: "1 frame", "30 frames"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
