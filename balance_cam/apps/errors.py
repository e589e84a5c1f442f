"""Errors the commands end with, each carrying the exit code the CLI gives it.

The CLI maps these (and the lower layers' one-line errors: ``SourceError``, ``PoseError``,
``HistoryError``, ``ResultFileError``, ``ValueError``) to one stderr line and an exit code.
"""

from __future__ import annotations

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_PARTIAL, EXIT_NO_PERSON, EXIT_FAILED_FILES = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM


class AppError(RuntimeError):
    """A command cannot do what it was asked (one line for the user; exit 2)."""

    exit_code = EXIT_INPUT


class NoPersonError(AppError):
    """No person was found in any frame (exit 4)."""

    exit_code = EXIT_NO_PERSON


class PartialResultError(AppError):
    """The input broke part-way; what came before was analysed and written (exit 3)."""

    exit_code = EXIT_PARTIAL


class OutputsNotWrittenError(AppError):
    """The result was printed (and stored in the history, if asked) but its ``--out`` files
    could not be written, e.g. on a full disk (exit 2)."""


class FailedFilesError(AppError):
    """A batch finished but some videos failed or were partial (exit 5)."""

    exit_code = EXIT_FAILED_FILES


class InterruptedRunError(AppError):
    """The run was interrupted (exit 130) or terminated (SIGTERM, exit 143); finished results
    are kept."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, exit_code: int = EXIT_INTERRUPTED) -> None:
        super().__init__(message)
        self.exit_code = exit_code
