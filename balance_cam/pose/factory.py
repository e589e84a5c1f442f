"""The one place that creates pose backends, by ``--model`` name.

``full`` (default) and ``legacy`` are BlazePose full through the legacy
``mediapipe.solutions.pose`` graph with the model bundled in the mediapipe wheel (one person).
Every other value (``lite``, ``heavy``, ``full-tasks`` or a ``.task`` path, see
:mod:`balance_cam.pose.registry`) goes to the Tasks API backend (:mod:`balance_cam.pose.tasks`),
which can follow one person among several (``person``). Backends are imported lazily, inside
the branch that needs them.
"""

from __future__ import annotations

from balance_cam.pose.base import PoseBackend, PoseError
from balance_cam.pose.registry import is_legacy


def create_backend(model: str = "full", person: str | None = None, threads: int | None = None,
                   **kwargs: object) -> PoseBackend:  # fmt: skip
    """A backend for ``model``; ``person`` (Tasks models only) chooses who is tested:
    ``auto``, ``largest``, ``center`` or an index from the left. ``threads``: the legacy
    model's inference threads (default :func:`~balance_cam.pose.base.model_threads`; Tasks
    models run on MediaPipe's own default). Keyword arguments go to the backend (e.g.
    ``num_poses``, ``running_mode``)."""
    if is_legacy(model):
        if person is not None:
            raise ValueError(f"--person needs a Tasks model (lite, heavy, full-tasks or a .task "
                             f"file); the legacy {model} model follows one person only")  # fmt: skip
        from balance_cam.pose.mediapipe_legacy import LegacyPoseBackend

        return LegacyPoseBackend(threads=threads, **kwargs)  # type: ignore[arg-type]
    try:
        from balance_cam.pose.tasks import TasksPoseBackend
    except ImportError as exc:  # pragma: no cover - depends on what is installed
        raise PoseError(f"model {model!r} needs the Tasks backend, which is unavailable: {exc}") from exc
    if person is not None:
        kwargs["person"] = person
    return TasksPoseBackend(model, **kwargs)  # type: ignore[arg-type]
