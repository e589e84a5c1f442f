"""Audible cues for the live test: tones through PortAudio, sentences through the system's
speech program, never in the frame loop's way, and silent (with one warning) when impossible.

:class:`AudioCues` takes cues (anything with ``tone``, ``text``, ``priority`` and
``max_age_s``, e.g. :class:`balance_cam.apps.live.cues.Cue`) and returns at once: tones and
speech each have their own daemon thread behind a one-slot mailbox, so the frame loop never
waits for a device, a process start or a sentence.

Speech policy: at most one sentence waits; a new one replaces a waiting one of lower or equal
priority (the newer news wins), is dropped when a higher-priority one waits, and interrupts
the sentence being said when its priority is higher (a stop beats a prompt). A sentence not
started ``max_age_s`` after it was issued is dropped as stale rather than said late. Tones:
the newest replaces a waiting one; a tone not started within 0.25 s is dropped.

Back ends: tones with ``sounddevice`` (PortAudio; installed with mediapipe, whose 0.10.21
wheel depends on it; its macOS and Windows wheels bundle PortAudio, Linux needs the
``libportaudio2`` package). Speech: :mod:`balance_cam.render.speech`.

"Is there an output device?" is asked of PortAudio: ``query_devices(kind="output")`` raises
when there is no default output. Without PortAudio on Linux, ``/proc/asound/cards`` or a
PulseAudio/PipeWire socket is taken as evidence of a device (then only speech plays).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from balance_cam.render.speech import DEFAULT_RATE_WPM, Speaker, pick_speaker
from balance_cam.render.tones import SAMPLE_RATE_HZ, TONES, tone_samples

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Warn = Callable[[str], None]
TONE_MAX_AGE_S = 0.25


class Audible(Protocol):
    """What :class:`AudioCues` needs of a cue."""

    @property
    def tone(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def max_age_s(self) -> float: ...


# -- device probe -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceProbe:
    """Whether sound can come out, and through what (``reason`` is one line either way)."""

    present: bool
    portaudio: bool
    reason: str


def probe_output_device() -> DeviceProbe:
    """Ask PortAudio (through sounddevice) for a default output device; fall back to Linux
    evidence when sounddevice or PortAudio is missing."""
    try:
        import sounddevice as sd
    except ImportError:
        fallback, why = _linux_device_evidence(), "sounddevice is not installed"
    except OSError:  # the sounddevice wheel for Linux does not bundle PortAudio
        fallback, why = _linux_device_evidence(), "PortAudio library not found (apt install libportaudio2)"
    else:
        try:
            dev = sd.query_devices(kind="output")
        except Exception as exc:  # sd.PortAudioError: no default output device
            return DeviceProbe(False, True, f"no audio output device ({exc})")
        if int(dev.get("max_output_channels", 0)) < 1:
            return DeviceProbe(False, True, f"default audio device {dev.get('name')!r} has no output")
        return DeviceProbe(True, True, str(dev.get("name")))
    if fallback:
        return DeviceProbe(True, False, f"{why}; {fallback}")
    return DeviceProbe(False, False, f"{why}; no sound card or sound server found")


def _linux_device_evidence() -> str:
    """A sound card or a sound server socket on Linux ("" when none, or not Linux)."""
    if not sys.platform.startswith("linux"):
        return ""
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text(errors="replace"):
        return "ALSA card found"
    run = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    for sock in (os.environ.get("PULSE_SERVER", ""), f"{run}/pulse/native", f"{run}/pipewire-0"):
        if sock and Path(sock.removeprefix("unix:")).exists():
            return f"sound server at {sock}"
    return ""


# -- tone player --------------------------------------------------------------------------------
class TonePlayer(Protocol):
    name: str

    def play(self, samples: np.ndarray, sample_rate_hz: int) -> None: ...

    def close(self) -> None: ...


class SounddevicePlayer:
    """``sounddevice.play`` (non-blocking; a new tone cuts the previous one short)."""

    name = "sounddevice"

    def __init__(self) -> None:
        import sounddevice as sd

        self._sd = sd

    def play(self, samples: np.ndarray, sample_rate_hz: int) -> None:
        self._sd.play(samples, sample_rate_hz)

    def close(self) -> None:
        self._sd.stop()


# -- workers ------------------------------------------------------------------------------------
@dataclass
class CueStats:
    """What happened to the cues (texts or tone names; :meth:`to_dict` counts them)."""

    spoken: list[str] = field(default_factory=list)
    tones: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, int]:
        return {k: len(v) for k, v in vars(self).items()}


class _Mailbox(threading.Thread):
    """A daemon thread working off a one-slot mailbox; subclasses define :meth:`work`."""

    def __init__(self, name: str, clock: Clock, warn: Warn) -> None:
        super().__init__(name=name, daemon=True)
        self.clock, self.warn = clock, warn
        self.cond = threading.Condition()
        self.pending: tuple[Any, float] | None = None
        self.busy: Any = None
        self.closing = self.failed = False
        self.start()

    def run(self) -> None:
        while True:
            with self.cond:
                while self.pending is None and not self.closing:
                    self.cond.wait()
                if self.pending is None:
                    return
                (item, issued), self.pending = self.pending, None
                self.busy = item
            try:
                if not self.failed:
                    self.work(item, issued)
            except Exception as exc:  # a device vanished mid-session: go silent, never crash
                self.failed = True
                self.on_failure(exc)
            finally:
                with self.cond:
                    self.busy = None
                    self.cond.notify_all()

    def work(self, item: Any, issued: float) -> None:
        raise NotImplementedError

    def on_failure(self, exc: Exception) -> None:
        raise NotImplementedError

    def drain(self, timeout_s: float) -> bool:
        """Wait until nothing is pending or busy (True) or ``timeout_s`` passed (False)."""
        deadline = time.monotonic() + timeout_s
        with self.cond:
            while self.pending is not None or self.busy is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def stop(self) -> None:
        with self.cond:
            self.closing, self.pending = True, None
            self.cond.notify_all()


class SpeechWorker(_Mailbox):
    def __init__(self, speaker: Speaker, stats: CueStats, warn: Warn, clock: Clock) -> None:
        self.speaker, self.stats = speaker, stats
        self.cancel = threading.Event()
        super().__init__("balance-cam-speech", clock, warn)

    def submit(self, cue: Audible) -> None:
        with self.cond:
            if self.pending is not None:
                waiting: Audible = self.pending[0]
                if waiting.priority > cue.priority:
                    self.stats.superseded.append(cue.text)
                    return
                self.stats.superseded.append(waiting.text)
            self.pending = (cue, self.clock())
            if self.busy is not None and cue.priority > self.busy.priority:
                self.cancel.set()
            self.cond.notify_all()

    def work(self, cue: Audible, issued: float) -> None:
        if self.clock() - issued > cue.max_age_s:
            self.stats.stale.append(cue.text)
            return
        self.cancel.clear()
        said = self.speaker.speak(cue.text, self.cancel)
        (self.stats.spoken if said else self.stats.interrupted).append(cue.text)

    def on_failure(self, exc: Exception) -> None:
        self.stats.errors.append(f"speech: {exc}")
        self.warn(f"speech stopped working ({exc}); live goes on without voice")

    def stop(self) -> None:
        self.cancel.set()
        super().stop()


class ToneWorker(_Mailbox):
    def __init__(self, player: TonePlayer, stats: CueStats, warn: Warn, clock: Clock) -> None:
        self.player, self.stats = player, stats
        self.samples = {name: tone_samples(name, SAMPLE_RATE_HZ) for name in TONES}
        super().__init__("balance-cam-tones", clock, warn)

    def submit(self, tone: str) -> None:
        with self.cond:
            self.pending = (tone, self.clock())
            self.cond.notify_all()

    def work(self, tone: str, issued: float) -> None:
        if self.clock() - issued > TONE_MAX_AGE_S:  # a late beep misleads
            self.stats.stale.append(tone)
            return
        self.player.play(self.samples[tone], SAMPLE_RATE_HZ)
        self.stats.tones.append(tone)

    def on_failure(self, exc: Exception) -> None:
        self.stats.errors.append(f"tones: {exc}")
        self.warn(f"sound stopped working ({exc}); live goes on without tones")


# -- the component ------------------------------------------------------------------------------
class AudioCues:
    """Plays cues without blocking the caller (see the module docstring); use :meth:`open`.

    ``AudioCues(speaker, player)`` takes any back ends (tests inject fakes and a fake clock).
    """

    def __init__(self, speaker: Speaker | None = None, player: TonePlayer | None = None, *,
                 warn: Warn | None = None, clock: Clock = time.monotonic,
                 notice: str = "") -> None:  # fmt: skip
        self.stats = CueStats()
        self._warned = False
        self._warn_sink = warn or (lambda msg: log.warning("%s", msg))
        self.notice = notice
        self.speech = SpeechWorker(speaker, self.stats, self._warn_once, clock) if speaker else None
        self.tones = ToneWorker(player, self.stats, self._warn_once, clock) if player else None
        self.description = (f"voice: {speaker.name if speaker else 'off'}, "
                            f"sound: {player.name if player else 'off'}")  # fmt: skip

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self._warn_sink(message)

    @classmethod
    def open(cls, voice: bool = True, sound: bool = True, *, speech: str = "auto",
             rate_wpm: int = DEFAULT_RATE_WPM, warn: Warn | None = None,
             probe: Callable[[], DeviceProbe] = probe_output_device) -> AudioCues:  # fmt: skip
        """Cues with what this machine can do. When something asked for is impossible (no
        device, a library or program missing), ``warn`` gets one line (also kept in
        :attr:`notice`) and the rest goes on; never raises for a missing device. Nothing is
        probed when neither voice nor sound is asked for."""
        if not (voice or sound):
            return cls(warn=warn)
        dev = probe()
        if not dev.present:
            return cls._with_notice(warn, f"{dev.reason}; live cues are silent")
        problems: list[str] = []
        player: TonePlayer | None = None
        if sound and dev.portaudio:
            try:
                player = SounddevicePlayer()
            except (ImportError, OSError) as exc:  # pragma: no cover - probed just before
                problems.append(f"no tones ({exc})")
        elif sound:
            problems.append(f"no tones: {dev.reason.split(';')[0]}")
        speaker: Speaker | None = None
        if voice:
            speaker, why = pick_speaker(speech, rate_wpm)
            if speaker is None:
                problems.append(f"no voice: {why}")
        if problems:
            return cls._with_notice(warn, "; ".join(problems), speaker, player)
        return cls(speaker, player, warn=warn)

    @classmethod
    def _with_notice(cls, warn: Warn | None, message: str, speaker: Speaker | None = None,
                     player: TonePlayer | None = None) -> AudioCues:  # fmt: skip
        cues = cls(speaker, player, warn=warn, notice=message)
        cues._warn_once(message)
        return cues

    @property
    def active(self) -> bool:
        return self.speech is not None or self.tones is not None

    def __call__(self, cue: Audible) -> None:
        """Hand one cue over; returns at once, never raises."""
        try:
            if cue.tone is not None and self.tones is not None:
                self.tones.submit(cue.tone)
            if cue.text and self.speech is not None:
                self.speech.submit(cue)
        except Exception as exc:  # pragma: no cover - defensive: cues never stop the test
            self.stats.errors.append(str(exc))

    def close(self, drain_s: float = 8.0) -> None:
        """Let what is pending be said (up to ``drain_s``: the result sentence), then stop."""
        for worker in (self.tones, self.speech):
            if worker is not None:
                worker.drain(drain_s)
                worker.stop()
                worker.join(2.0)
        if self.tones is not None:
            with contextlib.suppress(Exception):
                self.tones.player.close()

    def __enter__(self) -> AudioCues:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
