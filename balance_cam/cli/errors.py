"""How the CLI ends: one stderr line and an exit code for every known error, never a traceback."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from balance_cam.apps.errors import EXIT_INPUT, EXIT_INTERNAL

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    from balance_cam.core.text import terminal_safe

    typer.echo(f"balance-cam: error: {terminal_safe(message)}", err=True)
    return typer.Exit(code)


def user_errors(func: F) -> F:
    """Turn known errors into one stderr line and an exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from balance_cam.apps.errors import AppError
        from balance_cam.io.history import HistoryError
        from balance_cam.io.sources import SourceError
        from balance_cam.pose.base import PoseError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except AppError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except (SourceError, HistoryError, PoseError, ValueError) as exc:
            raise fail(str(exc), EXIT_INPUT) from None
        except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM (Terminated) through the StopGuard
            from balance_cam.apps.signals import exit_code, stop_word

            raise fail(stop_word(exc), exit_code(exc)) from None
        except OSError as exc:
            raise fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), EXIT_INPUT) from None
        except Exception as exc:  # last resort: still one line, but say it is a bug
            logging.getLogger("balance_cam").debug("internal error", exc_info=True)
            raise fail(f"internal error ({exc.__class__.__name__}: {exc}); please report it",
                       EXIT_INTERNAL) from None  # fmt: skip

    return wrapper  # type: ignore[return-value]


def quiet_native_logs() -> None:
    """MediaPipe/TFLite write C++ log lines to stderr; keep the CLI's stderr for our messages.

    The C++ side (absl logging, TFLite's "Created XNNPACK delegate", calculator warnings)
    ignores ``GLOG_minloglevel`` and writes to file descriptor 2 from the graph's own threads,
    at unpredictable times after the model is created, so redirecting fd 2 around single calls
    is racy. Instead Python's ``sys.stderr`` is moved to a duplicate of the real stderr and
    fd 2 itself points at ``/dev/null``: everything Python writes (our error line, logging,
    rich, tracebacks) still reaches the terminal; native writes do not. ``-v``/``--verbose``
    or ``BALANCE_CAM_NATIVE_LOGS=1`` keep the native logs.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if os.environ.get("BALANCE_CAM_NATIVE_LOGS") or {"-v", "--verbose"} & set(sys.argv[1:]):
        return
    try:
        sys.stderr.flush()
        real_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):  # no usable fd 2 (embedded, closed)
        return
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = os.fdopen(real_fd, "w", buffering=1, encoding=encoding, errors="backslashreplace")
    os.dup2(devnull, 2)
    os.close(devnull)
