"""Progress shown on stderr while a command works: the batch bar and the download bar (rich)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from balance_cam.core.text import count_of, terminal_safe
from balance_cam.render.console import safe, stderr_console


class BatchProgress:
    """Live progress bar of a batch (files done/failed, frames per second, ETA), or in quiet
    mode one stderr line per failed file. Use as a context manager; pass :meth:`start` and
    :meth:`outcome` as the batch's callbacks."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.bar, self.task = quiet, None, None
        self.frames, self.failed, self.t0 = 0, 0, 0.0

    def __enter__(self) -> BatchProgress:
        if not self.quiet:
            import rich.progress as rp

            self.bar = rp.Progress(
                rp.TextColumn("[bold]batch"), rp.BarColumn(), rp.MofNCompleteColumn(),
                rp.TextColumn("[red]{task.fields[failed]} failed"),
                rp.TextColumn("{task.fields[fps]:.0f} frames/s"), rp.TimeElapsedColumn(),
                rp.TextColumn("ETA"), rp.TimeRemainingColumn(), console=stderr_console(),
            )  # fmt: skip
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, total: int, n_workers: int) -> None:
        self.t0 = time.perf_counter()
        if self.bar is not None:
            self.task = self.bar.add_task("batch", total=total, failed=0, fps=0.0)
        else:
            stderr_console().print(f"batch: {count_of(total, 'video')} on {count_of(n_workers, 'worker')}",
                                   markup=False)

    def outcome(self, o: Any) -> None:
        if o.status != "skipped":
            self.frames += o.frames
        self.failed += o.failed
        fps = self.frames / max(time.perf_counter() - self.t0, 1e-9)
        if o.failed:
            line = f"{o.status}: {o.path}: {o.error_kind}: {o.reason}"
            console = self.bar.console if self.bar is not None else stderr_console()
            prefix = "" if self.bar is not None else "balance-cam: "
            console.print(prefix + terminal_safe(line), markup=False, highlight=False, soft_wrap=True)
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed, fps=fps)


class DownloadProgress:
    """A transfer bar that appears with the first byte (so errors before it stay one line)."""

    def __init__(self, name: str) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

        columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
        self.bar = Progress(*columns, console=stderr_console(), transient=True)
        self.task = self.bar.add_task(safe(name), total=None)

    def __enter__(self) -> Callable[[int, int | None], None]:
        return self.update

    def update(self, done: int, total: int | None) -> None:
        if not self.bar.live.is_started:
            self.bar.start()
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar.live.is_started:
            self.bar.stop()
