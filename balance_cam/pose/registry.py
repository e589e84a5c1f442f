"""Pose model files: the registry of known bundles, where they live, building, downloading, listing.

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
against the pinned and recorded hashes before it is loaded. A ``.task`` file copied in by hand
with no record is trusted on first use: its hash is recorded then, and checked from then on.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from balance_cam.pose.base import PoseError, sha256_of

log = logging.getLogger(__name__)

MODELS_DIR_ENV = "BALANCE_CAM_MODELS_DIR"
DEFAULT_MODEL = "full"
LEGACY_NAMES = ("full", "legacy", "legacy-full")
MANIFEST = "manifest.json"
_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{v}/float16/1/pose_landmarker_{v}.task"  # noqa: E501
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same mediapipe builds the same bytes
DetectorMeta = tuple[list[float], list[float], int]


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
    from balance_cam.io.results import write_text

    manifest = read_manifest(path.parent)
    manifest[path.name] = {
        "sha256": sha256, "size_bytes": path.stat().st_size, "source": source,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    write_text(path.parent / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def expected_hashes(path: Path) -> tuple[str, ...]:
    """Hashes ``path`` may have: the pinned official ones (by file name) and the recorded one."""
    pinned = next((s.sha256 for s in REGISTRY.values() if s.file_name == path.name), ())
    recorded = read_manifest(path.parent).get(path.name, {}).get("sha256")
    return (*pinned, recorded) if isinstance(recorded, str) else pinned


def verify_model(path: Path, hint: str = "") -> str:
    """sha256 of ``path``, checked against :func:`expected_hashes`; first use is recorded.

    Raises :class:`ModelError` when the file has a pinned or recorded hash and does not match.
    """
    digest = sha256_of(path)
    expected = expected_hashes(path)
    if expected and digest not in expected and path.name == REGISTRY["full-tasks"].file_name:
        expected = (*expected, built_full_sha256())  # a bundle built here, copied in by hand
    if not expected:
        log.warning("%s has no recorded checksum; recording sha256 %s now", path, digest[:12])
        try:
            record(path, digest, "recorded on first use")
        except OSError as exc:  # read-only folder: still usable, just not recorded
            log.warning("could not record the checksum of %s: %s", path, exc)
    elif digest not in expected:
        raise ModelError(
            f"{path} does not match its known checksum (sha256 {digest[:12]}…, expected "
            f"{' or '.join(h[:12] + '…' for h in expected)}): corrupted or replaced"
            + (f"; {hint}" if hint else "")
        )
    return digest


# -- building the full bundle offline ----------------------------------------------------------
def _bundled_tflite() -> tuple[Path, Path, str]:
    import mediapipe

    root = Path(mediapipe.__file__).parent / "modules"
    det = root / "pose_detection" / "pose_detection.tflite"
    lmk = root / "pose_landmark" / "pose_landmark_full.tflite"
    for f in (det, lmk):
        if not f.is_file():
            raise ModelError(f"cannot build: {f} is missing (needs mediapipe==0.10.21)")
    return det, lmk, mediapipe.__version__


def _with_metadata(model: bytes, name: str, norm: tuple[float, float], n_outputs: int) -> bytes:
    """TFLite ``model`` with Tasks metadata: an RGB image input normalised as
    ``(pixel - mean) / std`` and ``n_outputs`` plain feature outputs."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose GHUM 3D (MediaPipe), metadata added by balance-cam")
    writer.add_image_input(norm_mean=[norm[0]], norm_std=[norm[1]])
    for _ in range(n_outputs):
        writer.add_feature_output()
    content, _ = writer.populate()
    return bytes(content)


def full_bundle_members() -> dict[str, bytes]:
    """The two files of ``pose_landmarker_full.task``, built from mediapipe's bundled TFLite.

    The Tasks graphs read only the input normalisation from the metadata (anchors, output
    decoding and crop sizes are fixed in the graphs). The normalisations are those of the
    legacy graphs that run the same files: ``pose_detection_cpu`` feeds [-1, 1]
    (mean 127.5, std 127.5) and ``pose_landmark_by_roi_cpu`` feeds [0, 1] (mean 0, std 255).
    """
    det, lmk, _ = _bundled_tflite()
    return {
        "pose_detector.tflite": _with_metadata(
            det.read_bytes(), "pose_detector", (127.5, 127.5), 2
        ),
        "pose_landmarks_detector.tflite": _with_metadata(
            lmk.read_bytes(), "pose_landmarks_detector", (0.0, 255.0), 5
        ),
    }


def write_bundle(members: dict[str, bytes], path: Path) -> None:
    """Write a ``.task`` zip as MediaPipe's ``model_asset_bundle_utils`` does (stored, 4-byte
    aligned so it can be memory-mapped), with fixed timestamps so the bytes are reproducible."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import (
        AlignZipFile,
    )

    with AlignZipFile(path, mode="w", alignment=4) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, data)


@functools.cache
def built_full_sha256() -> str:
    """sha256 of the full bundle :func:`build_full_bundle` makes with this mediapipe."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.task"
        write_bundle(full_bundle_members(), path)
        return sha256_of(path)


def build_full_bundle(directory: Path | None = None, force: bool = False) -> Path:
    """Build ``pose_landmarker_full.task`` offline into ``directory`` (atomic) and record it."""
    from balance_cam.io.results import atomic_write

    spec = REGISTRY["full-tasks"]
    path = (directory or models_dir()) / spec.file_name
    if path.exists() and not force:
        raise ModelError(f"{path} already exists (use --force to rebuild)")
    _, _, version = _bundled_tflite()
    members = full_bundle_members()
    atomic_write(path, lambda tmp: write_bundle(members, tmp))
    record(path, sha256_of(path), f"built from mediapipe {version} bundled TFLite files")
    return path


# -- downloading -------------------------------------------------------------------------------
Progress = Callable[[int, "int | None"], None]
"""Called with (bytes so far, total bytes or None) while downloading."""


def download_model(
    name: str, directory: Path | None = None, *, url: str | None = None,
    sha256: str | None = None, timeout_s: float = 30.0, progress: Progress | None = None,
    force: bool = False,
) -> Path:  # fmt: skip
    """Download an official bundle (or ``url``, e.g. a mirror) and install it atomically.

    The file grows as ``<name>.task.part``; a later call resumes it with an HTTP Range
    request. On success the sha256 must be one of ``sha256`` (if given) or the pinned hashes,
    else the partial file is deleted and :class:`ModelError` raised. Network failures and
    timeouts (no data for ``timeout_s``) raise :class:`ModelError` and keep the partial file.
    """
    spec = spec_for(name)
    folder = directory or models_dir()
    path = folder / spec.file_name
    if path.exists() and not force:
        raise ModelError(f"{path} already exists (use --force to download it again)")
    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    source = url or spec.url
    _fetch(source, part, timeout_s, progress)
    digest = sha256_of(part)
    accepted = (sha256.lower(),) if sha256 else spec.sha256
    if digest not in accepted:
        part.unlink(missing_ok=True)
        raise ModelError(
            f"download of {spec.variant} is corrupted: sha256 {digest[:12]}… does not match "
            f"{' or '.join(h[:12] + '…' for h in accepted)} (partial file deleted; try again)"
        )
    with open(part, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(part, path)
    record(path, digest, f"downloaded from {source}")
    return path


def _fetch(url: str, part: Path, timeout_s: float, progress: Progress | None) -> None:
    """Append the rest of ``url`` to ``part`` (resuming from its size)."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "balance-cam"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    host = urllib.parse.urlsplit(url).netloc or url
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            _stream(resp, part, have, progress)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # already complete: nothing left to send
            return
        raise ModelError(
            f"download failed: {host} answered HTTP {exc.code} {exc.reason} for {url}"
        ) from None
    except TimeoutError:
        raise ModelError(
            f"download from {host} timed out (no data for {timeout_s:g} s); "
            "partial file kept, run the same command again to resume"
        ) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ModelError(f"download from {host} timed out after {timeout_s:g} s") from None
        raise ModelError(
            f"cannot reach {host} ({exc.reason}); are you offline? Copy the .task file into "
            f"{part.parent} by hand, or use balance-cam models build for the full model"
        ) from None
    except (ConnectionError, OSError) as exc:
        raise ModelError(f"download from {host} failed ({exc}); partial file kept, "
                         "run the same command again to resume") from None  # fmt: skip


def _stream(resp, part: Path, have: int, progress: Progress | None) -> None:  # noqa: ANN001
    resumed = have > 0 and resp.status == 206
    length = resp.headers.get("Content-Length")
    total = int(length) + (have if resumed else 0) if length is not None else None
    done = have if resumed else 0
    with open(part, "ab" if resumed else "wb") as f:
        while block := resp.read(1 << 16):
            f.write(block)
            done += len(block)
            if progress is not None:
                progress(done, total)
    if total is not None and done < total:
        raise ModelError(
            f"connection closed after {done} of {total} bytes; partial file kept, "
            "run the same command again to resume"
        )


# -- listing -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstalledModel:
    """One row of ``balance-cam models list``."""

    name: str  # the --model value
    path: Path | None
    size_bytes: int
    sha256: str
    status: str  # official (pinned hash), built, recorded, unrecorded, MISMATCH, not installed
    source: str
    default: bool = False


def list_models(directory: Path | None = None) -> list[InstalledModel]:
    """The bundled legacy model, the three registry bundles, and any other ``.task`` files."""
    folder = directory or models_dir()
    rows = [_legacy_row()]
    manifest = read_manifest(folder)
    for spec in REGISTRY.values():
        rows.append(_file_row(spec.name, folder / spec.file_name, manifest, spec))
    known = {s.file_name for s in REGISTRY.values()}
    for path in sorted(folder.glob("*.task")) if folder.is_dir() else []:
        if path.name not in known:
            rows.append(_file_row(str(path), path, manifest, None))
    return rows


def _legacy_row() -> InstalledModel:
    try:
        det, lmk, version = _bundled_tflite()
    except (ModelError, ImportError) as exc:
        return InstalledModel("full", None, 0, "", "not installed", str(exc), default=True)
    return InstalledModel(
        "full", lmk, det.stat().st_size + lmk.stat().st_size, sha256_of(det, lmk), "bundled",
        f"legacy API, inside mediapipe {version}", default=True,
    )  # fmt: skip


def _file_row(
    name: str, path: Path, manifest: dict[str, dict[str, object]], spec: ModelSpec | None
) -> InstalledModel:
    if not path.is_file():
        hint = spec.install_hint if spec else ""
        return InstalledModel(name, path, 0, "", "not installed", hint)
    digest = sha256_of(path)
    entry = manifest.get(path.name, {})
    recorded, source = entry.get("sha256"), str(entry.get("source", ""))
    if spec is not None and digest in spec.sha256:
        status = "official"
    elif recorded == digest:
        status = "built" if source.startswith("built") else "recorded"
    elif recorded is None and spec is None:
        status = "unrecorded"
    else:
        status = "MISMATCH"
    return InstalledModel(name, path, path.stat().st_size, digest, status, source)
