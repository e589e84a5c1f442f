"""Import mediapipe without matplotlib: 1.0 s of a 1.3 s import, at every process start.

mediapipe's package ``__init__`` imports every legacy solution, and
``mediapipe/python/solutions/drawing_utils.py`` imports ``matplotlib.pyplot`` at its top for one
3-D plotting helper (``plot_landmarks``) that balance_cam never calls. While mediapipe is being
imported, ``matplotlib`` and ``matplotlib.pyplot`` are stand-ins that import the real module on
first attribute use; they are taken out of ``sys.modules`` straight after, so any later
``import matplotlib`` (the plots and reports) gets the real package, and mediapipe's helper
still works if anything calls it. Measured in docs/benchmarks.md (issue 17).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any


class _Deferred(types.ModuleType):
    """A module that is imported for real on first attribute use."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # import-system probes (__path__, __file__ ...) load nothing
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


@functools.cache
def import_mediapipe() -> types.ModuleType:
    """The ``mediapipe`` package, imported once with matplotlib deferred (when not loaded yet).

    Raises ImportError as ``import mediapipe`` does."""
    stand_ins: dict[str, types.ModuleType] = {}
    if "matplotlib" not in sys.modules:
        mpl, plt = _Deferred("matplotlib"), _Deferred("matplotlib.pyplot")
        mpl.pyplot = plt  # type: ignore[attr-defined]  # `import matplotlib.pyplot` finds it here
        stand_ins = {"matplotlib": mpl, "matplotlib.pyplot": plt}
        sys.modules.update(stand_ins)
    try:
        import mediapipe
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return mediapipe
