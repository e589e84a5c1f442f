"""Live with sound: the cues of real sessions on sample clips, and the session with no audio
device (one warning line, the same trials and numbers, exit 0) or with one (an ALSA null device
standing in: no warning, stdout still pure JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

try:  # tests/ as a plain folder or as a package
    from conftest import analyzed, sample
except ImportError:
    from tests.conftest import analyzed, sample

from balance_cam.apps.live.cues import Cue, result_sentence, stop_sentence
from balance_cam.apps.live.options import LiveOptions
from balance_cam.apps.live.session import run_live
from balance_cam.render.audio import DeviceProbe

CLIP = "pose2sim_cam01.mp4"
WARNING = "balance-cam: warning:"


@pytest.mark.slow
@pytest.mark.parametrize("name", [CLIP, "pose_1.mp4"])
def test_cues_of_a_real_session(name: str, tmp_path: Path) -> None:
    """Bounds are logical, not fitted: the lift cue cannot come before the lift the analyzer
    back-dates the trial to, nor after the trial's end; the stop cue comes at or after the end."""
    cues: list[Cue] = []
    out = run_live(LiveOptions(camera=str(sample(name)), window=False, db=tmp_path / "h.db"),
                   on_cue=cues.append)  # fmt: skip
    (trial,) = out.result.trials  # both clips: one left-leg trial (SOURCES.md)
    assert [c.kind for c in cues] == ["lift", "stop", "result"]
    lift, stop, result = cues
    assert trial.start_s <= lift.t_s <= trial.end_s
    assert stop.t_s >= trial.end_s - 1e-9
    assert stop.text == stop_sentence("left", trial.hold_s, trial.stop_reason)
    summary = result_sentence([("left", trial.hold_s)], complete=False)
    assert result.text in (summary, f"{stop.text} {summary}")  # the stop repeated when on the last frame


def _live(args: list[str], monkeypatch: pytest.MonkeyPatch, probe: DeviceProbe) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    import balance_cam.render.audio as audio
    from balance_cam.cli import app

    monkeypatch.setattr(audio, "probe_output_device", lambda: probe)
    res = CliRunner().invoke(app, ["live", *args])
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.slow
def test_no_audio_device_same_trials_one_warning_exit_0(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    ref, _ = analyzed(CLIP)
    args = ["--camera", str(sample(CLIP)), "--no-window", "--json"]
    none = DeviceProbe(False, True, "no audio output device (Error querying device -1)")
    code, stdout, stderr = _live([*args, "--db", str(tmp_path / "a.db"), "--athlete", "Sam", "--team", "U18"],
                                 monkeypatch, none)  # fmt: skip
    assert code == 0, stderr
    from balance_cam.io.history import History

    with History(tmp_path / "a.db") as h:
        assert h.teams() == {"Sam": "U18"}  # --team tags the athlete
    warnings = [ln for ln in stderr.splitlines() if ln.startswith(WARNING)]
    assert warnings == [f"{WARNING} no audio output device (Error querying device -1); live cues are silent"]
    assert "Traceback" not in stderr
    got = json.loads(stdout)
    silent_code, silent_out, silent_err = _live([*args, "--no-voice", "--no-sound", "--db",
                                                 str(tmp_path / "b.db")], monkeypatch, none)  # fmt: skip
    assert silent_code == 0 and WARNING not in silent_err  # nothing asked, nothing to warn about
    silent = json.loads(silent_out)
    ref_json = json.loads(ref.to_json())
    def key(trials: list[dict]) -> list[tuple]:
        return [(t["stance"], t["start_s"], t["end_s"], t["stop_reason"], t["sway"]) for t in trials]

    for out in (got, silent):
        assert key(out["trials"]) == key(ref_json["trials"])
        assert out["summary"] == ref_json["summary"]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA null device: Linux only")
def test_with_a_device_no_warning_and_stdout_stays_json(tmp_path: Path) -> None:
    """ALSA's null device stands in for a sound card: tones and espeak-ng play into it; stdout
    carries only the JSON and espeak-ng's ALSA chatter never reaches stderr."""
    from tests.test_audio import NULL_ALSA, missing

    (tmp_path / ".asoundrc").write_text(NULL_ALSA)
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "balance_cam.cli", "live", "--camera", str(sample("pose_1.mp4")),
         "--no-window", "--json", "--db", str(tmp_path / "h.db")],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["trials"][0]["stance"] == "left"
    if WARNING in proc.stderr:
        if "PortAudio" in proc.stderr:
            missing("libportaudio2")
        if "espeak-ng" in proc.stderr:
            missing("espeak-ng")
    assert WARNING not in proc.stderr and "ALSA lib" not in proc.stderr, proc.stderr
