"""Pose model files: the registry of known bundles, where they live, and their checksums.

Names a user can pass to ``--model``:

- ``full`` (default) and ``legacy``: BlazePose full through the legacy ``mediapipe.solutions``
  API, with the model bundled in the mediapipe 0.10.21 wheel. Always available, offline.
- ``lite``, ``heavy``, ``full-tasks``: the MediaPipe Tasks ``PoseLandmarker`` bundles
  ``pose_landmarker_{lite,heavy,full}.task`` in the models folder (:func:`models_dir`).
  ``full-tasks`` can be built offline (:func:`build_full_bundle`); all three can be downloaded
  (:func:`download_model`).
- a path to any ``.task`` file.

Integrity: the official bundles' sha256 are pinned (:data:`REGISTRY`). Every file this module
writes is also recorded in ``manifest.json`` beside it, and :func:`verify_model` checks a file
against the pinned and recorded hashes before it is loaded. A ``.task`` file copied into the
models folder by hand with no record is trusted on first use: once it has *loaded*, its hash is
recorded (:func:`record_first_use`) and checked from then on. A ``--model path/x.task``
elsewhere is the user's own file: nothing is ever written beside it (no manifest there).
Building and downloading bundles, and listing what is installed: :mod:`balance_cam.pose.install`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from balance_cam.io.files import sha256_of, write_text
from balance_cam.pose.base import PoseError
from balance_cam.pose.bundle import built_full_sha256

log = logging.getLogger(__name__)

MODELS_DIR_ENV = "BALANCE_CAM_MODELS_DIR"
DEFAULT_MODEL = "full"
LEGACY_NAMES = ("full", "legacy", "legacy-full")
MANIFEST = "manifest.json"
_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{v}/float16/1/pose_landmarker_{v}.task"  # noqa: E501


class ModelError(PoseError):
    """A model file is missing, corrupted, or could not be built or downloaded (one line)."""


@dataclass(frozen=True)
class ModelSpec:
    """One official MediaPipe PoseLandmarker bundle."""

    name: str  # the --model name
    variant: str  # lite / full / heavy
    file_name: str
    url: str
    sha256: tuple[str, ...]  # accepted hashes of the official download
    size_bytes: int
    buildable: bool = False  # can be made offline from the model inside mediapipe 0.10.21

    @property
    def install_hint(self) -> str:
        if self.buildable:
            return "run balance-cam models build (offline) or balance-cam models download full"
        return f"run balance-cam models download {self.variant}"


# Versioned ("float16/1") URLs rather than ".../latest/", so a pinned hash stays valid.
# Hashes and sizes: as published by several independent projects that pin these files
# (see docs/models.md). Two different sha256 are in circulation for the full bundle with
# the same size (Google re-uploaded it); both are accepted.
REGISTRY: dict[str, ModelSpec] = {
    "lite": ModelSpec(
        "lite", "lite", "pose_landmarker_lite.task", _URL.format(v="lite"),
        ("59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a",), 5_777_746,
    ),
    "full-tasks": ModelSpec(
        "full-tasks", "full", "pose_landmarker_full.task", _URL.format(v="full"),
        ("5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1",
         "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"), 9_398_198,
        buildable=True,
    ),
    "heavy": ModelSpec(
        "heavy", "heavy", "pose_landmarker_heavy.task", _URL.format(v="heavy"),
        ("64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b",), 30_664_242,
    ),
}  # fmt: skip
VARIANTS = {spec.variant: spec for spec in REGISTRY.values()}


def spec_for(name: str) -> ModelSpec:
    """The registry entry for a ``--model`` name (``full-tasks``) or a variant (``full``)."""
    spec = REGISTRY.get(name) or VARIANTS.get(name)
    if spec is None:
        raise ModelError(f"unknown model {name!r}; choose one of: lite, full, heavy")
    return spec


def models_dir() -> Path:
    """Where ``.task`` bundles live: ``$BALANCE_CAM_MODELS_DIR``, else ``models/`` of a source
    checkout, else ``models`` in the per-user data folder."""
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "models"
    if (checkout / "README.md").exists():
        return checkout
    from platformdirs import user_data_dir

    return Path(user_data_dir("balance_cam", appauthor=False)) / "models"


# -- resolving and verifying -------------------------------------------------------------------
def is_legacy(model: str) -> bool:
    return model in LEGACY_NAMES


def resolve_model(model: str, directory: Path | None = None) -> tuple[str, Path]:
    """(name, path) of the ``.task`` bundle for a ``--model`` value that is not legacy."""
    if model.endswith(".task") or os.sep in model or "/" in model:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelError(f"model file {model} does not exist")
        return path.name, path
    spec = REGISTRY.get(model)
    if spec is None:
        raise ModelError(
            f"unknown model {model!r}; choose full (bundled, default), lite, heavy, "
            "full-tasks, or a path to a .task file"
        )
    path = (directory or models_dir()) / spec.file_name
    if not path.is_file():
        raise ModelError(f"model {model} is not installed; {spec.install_hint}")
    return spec.name, path


def read_manifest(directory: Path) -> dict[str, dict[str, object]]:
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def record(path: Path, sha256: str, source: str) -> None:
    """Add ``path``'s hash, size and origin to the manifest of its folder (atomic write)."""
    manifest = read_manifest(path.parent)
    manifest[path.name] = {
        "sha256": sha256, "size_bytes": path.stat().st_size, "source": source,
        "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }  # fmt: skip
    write_text(path.parent / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def expected_hashes(path: Path) -> tuple[str, ...]:
    """Hashes ``path`` may have: the pinned official ones (by file name) and the recorded one."""
    pinned = next((s.sha256 for s in REGISTRY.values() if s.file_name == path.name), ())
    entry = read_manifest(path.parent).get(path.name)
    recorded = entry.get("sha256") if isinstance(entry, dict) else None  # a foreign manifest: ignored
    return (*pinned, recorded) if isinstance(recorded, str) else pinned


def verify_model(path: Path, hint: str = "") -> str:
    """sha256 of ``path``, checked against :func:`expected_hashes`; nothing is written.

    Raises :class:`ModelError` when the file has a pinned or recorded hash and does not match.
    """
    digest = sha256_of(path)
    expected = expected_hashes(path)
    if expected and digest not in expected and path.name == REGISTRY["full-tasks"].file_name:
        expected = (*expected, built_full_sha256())  # a bundle built here, copied in by hand
    if expected and digest not in expected:
        raise ModelError(
            f"{path} does not match its known checksum (sha256 {digest[:12]}…, expected "
            f"{' or '.join(h[:12] + '…' for h in expected)}): corrupted or replaced"
            + (f"; {hint}" if hint else "")
        )
    return digest


def record_first_use(path: Path, digest: str, directory: Path | None = None) -> None:
    """After ``path`` has loaded: record its hash if it sits in the models folder (``directory``
    or :func:`models_dir`) with no pinned or recorded hash; a file elsewhere is left alone."""
    folder = (directory or models_dir()).resolve()
    if path.resolve().parent != folder or expected_hashes(path):
        return
    log.warning("%s has no recorded checksum; recording sha256 %s now", path, digest[:12])
    try:
        record(path, digest, "recorded on first use")
    except OSError as exc:  # read-only folder: still usable, just not recorded
        log.warning("could not record the checksum of %s: %s", path, exc)
