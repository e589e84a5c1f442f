"""``balance-cam models``: list, build offline, download (:mod:`balance_cam.pose.install`)."""

from __future__ import annotations

from pathlib import Path

from balance_cam.io.files import sha256_of
from balance_cam.pose import install
from balance_cam.pose.registry import models_dir, spec_for


def list_command(directory: Path | None) -> None:
    """What is installed: sizes, sha256, integrity, and which model is the default."""
    from rich.console import Console

    from balance_cam.render.console import models_table

    Console().print(models_table(install.list_models(directory), directory or models_dir()))


def build_command(directory: Path | None, force: bool) -> None:
    """Build ``pose_landmarker_full.task`` offline from the model inside mediapipe."""
    from balance_cam.render.console import print_lines

    path = install.build_full_bundle(directory, force=force)
    print_lines([f"built {path} (sha256 {sha256_of(path)}); use it with --model full-tasks"])


def download_command(
    variant: str, directory: Path | None, *, url: str | None, sha256: str | None, timeout_s: float,
    force: bool,
) -> None:  # fmt: skip
    """Download an official bundle (checksum-verified, resumable) with a progress bar."""
    from balance_cam.render.console import print_lines
    from balance_cam.render.progress import DownloadProgress

    spec = spec_for(variant)
    with DownloadProgress(spec.file_name) as progress:
        path = install.download_model(variant, directory, url=url, sha256=sha256, timeout_s=timeout_s,
                                      force=force, progress=progress)  # fmt: skip
    print_lines([f"installed {path}; use it with --model {spec.name}"])
