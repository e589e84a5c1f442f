"""Installing pose bundles: building the full one offline, downloading official ones, listing.

Every file written here is recorded in the models folder's ``manifest.json`` with its sha256
(:func:`balance_cam.pose.registry.record`), so :func:`~balance_cam.pose.registry.verify_model`
can check it before it is loaded.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from balance_cam.io.files import atomic_write, refuse_overwriting_inputs, sha256_of
from balance_cam.pose.base import PoseError
from balance_cam.pose.bundle import bundled_tflite, full_bundle_members, write_bundle
from balance_cam.pose.registry import (
    REGISTRY,
    ModelError,
    ModelSpec,
    models_dir,
    read_manifest,
    record,
    spec_for,
)

log = logging.getLogger(__name__)


def build_full_bundle(directory: Path | None = None, force: bool = False) -> Path:
    """Build ``pose_landmarker_full.task`` offline into ``directory`` (atomic) and record it."""
    spec = REGISTRY["full-tasks"]
    path = (directory or models_dir()) / spec.file_name
    if path.exists() and not force:
        raise ModelError(f"{path} already exists (use --force to rebuild)")
    _, _, version = bundled_tflite()
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
    source = url or spec.url
    if urllib.parse.urlsplit(source).scheme == "file":  # a local mirror: never the target itself
        refuse_overwriting_inputs({"--dir": path, "--dir (partial)": path.with_name(path.name + ".part")},
                                  {"--url": urllib.request.url2pathname(urllib.parse.urlsplit(source).path)})
    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
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
        det, lmk, version = bundled_tflite()
    except (PoseError, ImportError) as exc:
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
