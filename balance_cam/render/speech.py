"""Spoken cues: the system's own speech program, one process per sentence.

- Linux: ``espeak-ng`` (Debian/Ubuntu package ``espeak-ng``; ``espeak`` is accepted too),
- macOS: ``/usr/bin/say`` (part of the system),
- Windows: PowerShell's ``System.Speech`` (SAPI), the text passed in an environment variable.

A process per sentence keeps synthesis and playback out of this interpreter (no GIL, nothing
on our stdout, so ``--json`` stays clean), sends the program's own chatter (ALSA messages) to
/dev/null, and lets a sentence be interrupted by ending its process. Starting one costs about
0.2-0.3 % of the sentence's duration in CPU (espeak-ng, measured).

The speaker cannot tell whether sound came out: ``espeak-ng`` exits 0 when its audio output
failed. Whether there is a device is asked of PortAudio (:mod:`balance_cam.render.audio`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

DEFAULT_RATE_WPM = 160


class Speaker(Protocol):
    name: str

    def speak(self, text: str, cancel: threading.Event) -> bool:
        """Say ``text``; block until said (True) or ``cancel`` was set (False)."""
        ...


class CommandSpeaker:
    """Says each sentence with one process (output silenced), ended when cancelled."""

    def __init__(self, name: str, argv: list[str], text_in_env: str | None = None,
                 timeout_s: float = 30.0) -> None:  # fmt: skip
        self.name, self.argv, self.text_in_env, self.timeout_s = name, argv, text_in_env, timeout_s

    def command(self, text: str) -> tuple[list[str], dict[str, str] | None]:
        """(argv, env or None) that says ``text``."""
        if self.text_in_env:
            return list(self.argv), {**os.environ, self.text_in_env: text}
        return [*self.argv, text], None

    def speak(self, text: str, cancel: threading.Event) -> bool:
        argv, env = self.command(text)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)  # fmt: skip
        deadline = time.monotonic() + self.timeout_s
        try:
            while proc.poll() is None:
                if cancel.wait(0.02) or time.monotonic() > deadline:
                    proc.terminate()
                    proc.wait(2.0)
                    return False
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name} exited with status {proc.returncode}")
        return True


_PS_SCRIPT = ("Add-Type -AssemblyName System.Speech; $s = New-Object "
              "System.Speech.Synthesis.SpeechSynthesizer; $s.Rate = {rate}; "
              "$s.Speak($env:BALANCE_CAM_SAY)")  # fmt: skip


def espeak_program() -> str | None:
    """Path of ``espeak-ng`` (or ``espeak``), or None."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def pick_speaker(backend: str = "auto", rate_wpm: int = DEFAULT_RATE_WPM) -> tuple[Speaker | None, str]:
    """(speaker, "") or (None, why not) for ``backend`` in auto, espeak-ng, say, powershell."""
    if backend == "auto":
        backend = {"darwin": "say", "win32": "powershell"}.get(sys.platform, "espeak-ng")
    if backend == "espeak-ng":
        exe = espeak_program()
        if exe is None:
            return None, "espeak-ng not found (Debian/Ubuntu: apt install espeak-ng)"
        return CommandSpeaker(Path(exe).name, [exe, "-s", str(rate_wpm)]), ""
    if backend == "say":
        exe = shutil.which("say")
        return (CommandSpeaker("say", [exe, "-r", str(rate_wpm)]), "") if exe else (None, "`say` not found")
    if backend == "powershell":
        exe = shutil.which("powershell") or shutil.which("pwsh")
        if exe is None:
            return None, "PowerShell not found (System.Speech)"
        rate = max(-10, min(10, round((rate_wpm - 180) / 20)))  # SAPI: -10..10, 0 ≈ 180 wpm
        return CommandSpeaker("sapi", [exe, "-NoProfile", "-Command", _PS_SCRIPT.format(rate=rate)],
                              text_in_env="BALANCE_CAM_SAY"), ""  # fmt: skip
    raise ValueError(f"speech back end must be auto, espeak-ng, say or powershell, but got {backend!r}")


def render_wav(text: str, path: str | Path, rate_wpm: int = DEFAULT_RATE_WPM) -> Path:
    """Render ``text`` to a WAV file with espeak-ng, at the rate live speaks it (no sound card
    needed: this is how CI checks the spoken prompts)."""
    exe = espeak_program()
    if exe is None:
        raise FileNotFoundError("espeak-ng not found (Debian/Ubuntu: apt install espeak-ng)")
    subprocess.run([exe, "-s", str(rate_wpm), "-w", str(path), text], check=True, timeout=30,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
    return Path(path)
