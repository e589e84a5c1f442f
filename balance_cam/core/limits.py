"""The allowed range of every number a user can set on the command line, in one place.

The CLI checks each option against :data:`RANGES` before any work starts (one line naming the
range, exit 2), so a time limit of ``nan`` (which silently disabled the limit) or a height of
``-170`` cm (which gave a velocity of −19 cm/s) never reaches the analysis. Non-finite values
(``nan``, ``inf``) are refused for every option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """A closed (or, with ``lo_open``, half-open) interval of allowed values."""

    lo: float
    hi: float
    lo_open: bool = False
    whole: bool = False
    """Only whole numbers."""

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a finite number"
        return f"{kind} in {'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}]"

    def check(self, value: float) -> None:
        """Raise ``ValueError`` (naming the range) unless ``value`` is inside."""
        above = self.lo < value if self.lo_open else self.lo <= value
        ok = math.isfinite(value) and above and value <= self.hi
        if not ok or (self.whole and value != int(value)):
            raise ValueError(f"must be {self.describe()}, not {value:g}")


#: Option name → allowed range. Seconds, centimetres and years as the options' help says.
RANGES: dict[str, Range] = {
    "--limit": Range(0, 600, lo_open=True),  # clinical protocols use 30-45 s
    "--height-cm": Range(50, 250),  # a standing person
    "--age": Range(5, 120, whole=True),
    "--trials": Range(1, 10, whole=True),
    "--workers": Range(1, 1024, whole=True),
    "--timeout": Range(0, 3600, lo_open=True),
}


def check_option(name: str, value: float | None) -> None:
    """:meth:`Range.check` for option ``name`` (None: not given, always fine)."""
    if value is not None:
        RANGES[name].check(value)
