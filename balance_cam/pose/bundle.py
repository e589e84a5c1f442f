"""The full pose bundle built offline from the model files inside the mediapipe wheel.

mediapipe 0.10.21 ships ``pose_detection.tflite`` and ``pose_landmark_full.tflite`` for its
legacy graph; :func:`full_bundle_members` adds the metadata the Tasks API needs and
:func:`write_bundle` zips them as ``pose_landmarker_full.task``, byte for byte reproducibly.
"""

from __future__ import annotations

import functools
import tempfile
import zipfile
from pathlib import Path

from balance_cam.io.files import sha256_of
from balance_cam.pose.base import PoseError
from balance_cam.pose.mp_import import import_mediapipe

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same mediapipe builds the same bytes


def bundled_tflite() -> tuple[Path, Path, str]:
    """(pose detector, full landmark model, mediapipe version) of the installed mediapipe."""
    mediapipe = import_mediapipe()
    root = Path(mediapipe.__file__).parent / "modules"
    det = root / "pose_detection" / "pose_detection.tflite"
    lmk = root / "pose_landmark" / "pose_landmark_full.tflite"
    for f in (det, lmk):
        if not f.is_file():
            raise PoseError(f"bundled MediaPipe model {f} is missing (needs mediapipe==0.10.21)")
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
    det, lmk, _ = bundled_tflite()
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
