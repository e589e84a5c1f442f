"""JSON values of results: what a result writes (:func:`clean_json`: plain, finite, rounded
numbers; NaN and infinity as ``null``) and how what it reads fails: one
:class:`ResultFormatError` (:func:`parse_json`, :func:`format_errors`), in JSON's own names for
types (:func:`json_type`)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


class ResultFormatError(ValueError):
    """Data that is not a result of a schema this version reads; the message says what is
    wrong (a missing field, a wrong type, a newer major schema), in one line."""


def parse_json(text: str) -> Any:
    """``text`` parsed; :class:`ResultFormatError` if it is not JSON text."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ResultFormatError(f"not JSON ({exc})") from None
    except TypeError:  # bytes of another encoding, a number from a database column, ...
        raise ResultFormatError(f"not JSON text (a {type(text).__name__})") from None
    except RecursionError:
        raise ResultFormatError("not a result: JSON nested too deeply") from None


@contextmanager
def format_errors() -> Iterator[None]:
    """Reading parsed JSON into result types: a part missing or not what a result holds (a list
    where an object belongs: AttributeError) is one :class:`ResultFormatError`."""
    try:
        yield
    except ResultFormatError:
        raise
    except KeyError as exc:
        raise ResultFormatError(f"the field {exc} is missing") from None
    except (AttributeError, TypeError, ValueError) as exc:
        raise ResultFormatError(f"{exc.__class__.__name__}: {exc}") from None


def clean_json(value: Any) -> Any:
    """``value`` as JSON writes it: numpy numbers and arrays as Python ones, floats rounded to
    6 decimals, NaN and infinity as ``None``, in dicts, lists and tuples at any depth."""
    if isinstance(value, float | np.floating):
        v = float(value)
        return None if not math.isfinite(v) else round(v, 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return [clean_json(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def json_type(value: Any) -> str:
    """JSON's name for the type of ``value`` (``"object"``, ``"array"``, ...)."""
    names = {bool: "boolean", dict: "object", list: "array", str: "string", int: "number",
             float: "number", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)
