"""Model registry, offline build, checksums, listing, and downloads from a 127.0.0.1 server.

No test touches the internet: downloads come from a local HTTP server serving a fixture
bundle (the full bundle built offline), a corrupted copy, a server that hangs, and a closed
port standing in for "offline".
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from balance_cam.cli import app
from balance_cam.io.files import sha256_of
from balance_cam.pose import install
from balance_cam.pose import registry as models
from balance_cam.pose.registry import ModelError


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full bundle, built offline once for this module."""
    return install.build_full_bundle(tmp_path_factory.mktemp("built"))


def test_build_is_offline_reproducible_and_has_the_official_layout(bundle: Path, tmp_path: Path):
    again = install.build_full_bundle(tmp_path)
    assert sha256_of(again) == sha256_of(bundle)  # same mediapipe, same bytes
    with zipfile.ZipFile(bundle) as zf:
        assert sorted(zf.namelist()) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        detector = zf.read("pose_detector.tflite")
    assert detector[4:8] == b"TFL3"  # a TFLite flatbuffer...
    assert b"M001" in detector  # ...carrying a TFLite metadata buffer
    manifest = models.read_manifest(tmp_path)
    assert manifest[bundle.name]["sha256"] == sha256_of(again)
    assert "built from mediapipe 0.10.21" in manifest[bundle.name]["source"]
    with pytest.raises(ModelError, match="already exists"):
        install.build_full_bundle(tmp_path)


def test_resolve_names_paths_and_missing_models(bundle: Path, tmp_path: Path) -> None:
    assert models.resolve_model("full-tasks", bundle.parent) == ("full-tasks", bundle)
    assert models.resolve_model(str(bundle), tmp_path) == (bundle.name, bundle)
    with pytest.raises(ModelError, match=r"^model heavy is not installed; run balance-cam "
                       r"models download heavy$"):  # fmt: skip
        models.resolve_model("heavy", tmp_path)
    with pytest.raises(ModelError, match="run balance-cam models build"):
        models.resolve_model("full-tasks", tmp_path)
    with pytest.raises(ModelError, match="model file nowhere/x.task does not exist"):
        models.resolve_model("nowhere/x.task", tmp_path)
    with pytest.raises(ModelError, match="unknown model 'medium'"):
        models.resolve_model("medium", tmp_path)


def test_verify_detects_a_modified_bundle_and_records_first_use(bundle: Path, tmp_path: Path):
    built_here = tmp_path / "pose_landmarker_full.task"  # copied in by hand, no record
    built_here.write_bytes(bundle.read_bytes())
    assert models.verify_model(built_here) == sha256_of(bundle)
    copy = tmp_path / "clinic.task"  # no pin, no record: trusted on first use, recorded once loaded
    copy.write_bytes(bundle.read_bytes())
    digest = models.verify_model(copy)
    assert copy.name not in models.read_manifest(tmp_path)  # verifying writes nothing
    models.record_first_use(copy, digest, directory=tmp_path / "elsewhere")  # not the models folder
    assert copy.name not in models.read_manifest(tmp_path)
    models.record_first_use(copy, digest, directory=tmp_path)
    assert models.read_manifest(tmp_path)[copy.name]["source"] == "recorded on first use"
    assert models.verify_model(copy) == digest
    with open(copy, "r+b") as f:
        f.seek(5000)
        f.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match="does not match its known checksum"):
        models.verify_model(copy)
    heavy = tmp_path / "pose_landmarker_heavy.task"  # pinned name, wrong bytes
    heavy.write_bytes(b"not the official heavy bundle")
    with pytest.raises(ModelError, match="corrupted or replaced"):
        models.verify_model(heavy)


def test_list_shows_default_sizes_and_status(bundle: Path, tmp_path: Path) -> None:
    (tmp_path / "pose_landmarker_full.task").write_bytes(bundle.read_bytes())
    models.record(tmp_path / "pose_landmarker_full.task", sha256_of(bundle), "built x")
    (tmp_path / "custom.task").write_bytes(b"abc")
    rows = {r.name: r for r in install.list_models(tmp_path)}
    assert rows["full"].default and rows["full"].status == "bundled" and rows["full"].size_bytes
    assert rows["full-tasks"].status == "built"
    assert rows["full-tasks"].size_bytes == bundle.stat().st_size
    assert rows["heavy"].status == "not installed"
    assert rows[str(tmp_path / "custom.task")].status == "unrecorded"
    assert rows[str(tmp_path / "custom.task")].sha256 == hashlib.sha256(b"abc").hexdigest()
    assert [r.name for r in install.list_models(tmp_path)].count("full") == 1


def test_registry_pins_official_versioned_urls() -> None:
    for spec in models.REGISTRY.values():
        assert spec.url.startswith("https://storage.googleapis.com/mediapipe-models/")
        assert f"/float16/1/{spec.file_name}" in spec.url
        assert all(len(h) == 64 for h in spec.sha256) and spec.size_bytes > 1_000_000


# -- downloads from 127.0.0.1 ------------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    hang_s = 0.0
    cut_after: int | None = None  # close the connection after this many bytes of the body

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/hang":
            time.sleep(self.hang_s)
            return
        data = self.routes.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.cut_after is not None and not rng:
            body = body[: self.cut_after]
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(bundle: Path) -> Iterator[tuple[str, type[_Handler]]]:
    data = bundle.read_bytes()
    handler = type("Handler", (_Handler,), {
        "routes": {"/good.task": data, "/bad.task": data[:-10] + b"0123456789"},
        "hang_s": 3.0, "cut_after": None,
    })  # fmt: skip
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_and_installs_atomically(server, bundle: Path, tmp_path: Path) -> None:
    base, _ = server
    seen: list[tuple[int, int | None]] = []
    sha = sha256_of(bundle)
    path = install.download_model("full", tmp_path, url=f"{base}/good.task", sha256=sha,
                                 progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert path == tmp_path / "pose_landmarker_full.task"
    assert sha256_of(path) == sha
    assert not list(tmp_path.glob("*.part"))
    assert seen[-1] == (bundle.stat().st_size, bundle.stat().st_size)
    assert models.read_manifest(tmp_path)[path.name]["source"] == f"downloaded from {base}/good.task"
    with pytest.raises(ModelError, match="already exists"):
        install.download_model("full", tmp_path, url=f"{base}/good.task", sha256=sha)


def test_download_of_official_file_from_a_mirror_checks_the_pinned_hash(server, tmp_path: Path):
    base, _ = server  # the fixture bundle is not the official one: the pinned hash rejects it
    with pytest.raises(ModelError, match="download of full is corrupted"):
        install.download_model("full", tmp_path, url=f"{base}/good.task")


def test_corrupted_download_is_deleted(server, bundle: Path, tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(ModelError, match=r"corrupted: sha256 .* does not match .*partial file "
                       r"deleted"):  # fmt: skip
        install.download_model("lite", tmp_path, url=f"{base}/bad.task",
                              sha256=sha256_of(bundle))  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes(server, bundle: Path, tmp_path: Path) -> None:
    base, handler = server
    handler.cut_after = 1_000_000
    sha = sha256_of(bundle)
    with pytest.raises(ModelError, match="connection closed after 1000000 of .* resume"):
        install.download_model("full", tmp_path, url=f"{base}/good.task", sha256=sha)
    part = tmp_path / "pose_landmarker_full.task.part"
    assert part.stat().st_size == 1_000_000
    path = install.download_model("full", tmp_path, url=f"{base}/good.task", sha256=sha)
    assert sha256_of(path) == sha and not part.exists()


def test_hanging_server_times_out(server, tmp_path: Path) -> None:
    base, _ = server
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"timed out"):
        install.download_model("heavy", tmp_path, url=f"{base}/hang", timeout_s=0.5)
    assert time.monotonic() - start < 2.5
    assert not (tmp_path / "pose_landmarker_heavy.task").exists()


def test_offline_and_http_errors_are_one_clear_line(server, tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(ModelError, match=r"cannot reach 127\.0\.0\.1:1 .*are you offline\?"):
        install.download_model("lite", tmp_path, url="http://127.0.0.1:1/x.task", timeout_s=2)
    with pytest.raises(ModelError, match="answered HTTP 404"):
        install.download_model("lite", tmp_path, url=f"{base}/missing.task")


def test_cli_download_list_and_errors(server, bundle: Path, tmp_path: Path) -> None:
    base, _ = server
    runner = CliRunner()
    sha = sha256_of(bundle)
    args = ["models", "download", "full", "--dir", str(tmp_path), "--url", f"{base}/good.task"]
    ok = runner.invoke(app, [*args, "--sha256", sha])
    assert ok.exit_code == 0, ok.output
    assert "--model full-tasks" in ok.stdout
    listed = runner.invoke(app, ["models", "list", "--dir", str(tmp_path)])
    assert listed.exit_code == 0 and sha[:16] in listed.stdout and "(default)" in listed.stdout
    again = runner.invoke(app, [*args, "--sha256", sha])
    assert again.exit_code == 2 and again.stderr.count("\n") == 1
    assert "already exists" in again.stderr
    bad = runner.invoke(app, [*args, "--force"])
    assert bad.exit_code == 2 and bad.stderr.strip().startswith("balance-cam: error: download of")
    assert "Traceback" not in bad.output


def test_cli_analyze_with_a_missing_model_says_how_to_get_it(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from tests.conftest import sample

    monkeypatch.setenv(models.MODELS_DIR_ENV, str(tmp_path))
    res = CliRunner().invoke(app, ["analyze", str(sample("pose_1.mp4")), "--model", "heavy"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "balance-cam: error: model heavy is not installed; run balance-cam models download heavy"
    )
    res = CliRunner().invoke(app, ["analyze", str(sample("pose_1.mp4")), "--person", "largest"])
    assert res.exit_code == 2 and "legacy full model follows one person only" in res.stderr


def test_mediapipe_loads_without_matplotlib_which_stays_importable():
    """Issue 17: the legacy backend loads (and runs on a real frame) without importing
    matplotlib (1.0 s of mediapipe's import); afterwards ``import matplotlib.pyplot`` gives the
    real package, and mediapipe's own plotting module sees the same one."""
    import subprocess
    import sys

    code = """
import sys
import numpy as np
from balance_cam.core.config import AnalysisConfig
from balance_cam.io.sources import iter_frames
from balance_cam.pose.factory import create_backend
backend = create_backend(AnalysisConfig().model)
frame = next(iter(iter_frames(sys.argv[1])))
pose = backend.process(frame.rgb, 0)
assert pose is not None and np.isfinite(pose.image).all()
assert not [m for m in sys.modules if m.split(".")[0] == "matplotlib"], "matplotlib was imported"
import matplotlib.pyplot as plt
from mediapipe.python.solutions import drawing_utils
assert type(plt).__name__ == "module" and plt.__file__.endswith("pyplot.py")
assert drawing_utils.plt.figure is plt.figure
print("ok")
"""
    video = Path(__file__).resolve().parent.parent / "sample_videos" / "pose_1.mp4"
    out = subprocess.run([sys.executable, "-c", code, str(video)], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
