"""How a live session runs: the options the CLI fills in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from balance_cam.core.skeleton import Side


@dataclass(frozen=True)
class LiveOptions:
    """How a live session runs (the CLI fills this from its options)."""

    camera: str = "0"
    """Camera index, or a video file / image folder standing in for the camera."""
    legs: tuple[Side, ...] = ("left", "right")
    trials_per_leg: int = 3
    athlete: str = ""
    window: bool = True
    db: Path | None = None
    countdown_s: float = 3.0
    rest_s: float = 5.0
    framing_hold_s: float = 1.0
    card_s: float = 15.0
    """With a window, the result card stays this long at the end (any key closes it)."""
    mirror: bool | None = None
    """Show a mirror image (default: yes for a camera, no for a file)."""
    display_max_px: int = 960
    """The window is scaled down so its longer side is at most this many pixels."""
    fallback_dirs: tuple[Path, ...] = ()
    """Where the session goes, after the history's own folder, if the history cannot take it."""

    @property
    def is_file(self) -> bool:
        return not self.camera.strip().isdigit()
