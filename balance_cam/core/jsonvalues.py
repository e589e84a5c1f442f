"""JSON values of results: what a result writes (:func:`clean_json`: plain, finite, rounded
numbers; NaN and infinity as ``null``) and JSON's own names for the types it reads
(:func:`json_type`, for the one-line errors of :class:`~balance_cam.core.results.ResultFormatError`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


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
