"""WAV files with the standard library: mono 16-bit PCM written, 16-bit PCM of any channel count
read (the spoken prompts that ``espeak-ng -w`` renders, the cue tones)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def write_wav(path: str | Path, samples: np.ndarray, sample_rate_hz: int) -> Path:
    """Write float ``samples`` in [-1, 1] (clipped) as mono 16-bit PCM."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate_hz)
        f.writeframes(pcm.tobytes())
    return Path(path)


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """(float32 mono samples in [-1, 1], sample rate) of a 16-bit PCM WAV; channels averaged."""
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is read, but got {8 * f.getsampwidth()}-bit")
        n_ch, rate_hz = f.getnchannels(), f.getframerate()
        raw = f.readframes(f.getnframes())
    x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    return x.reshape(-1, n_ch).mean(axis=1), rate_hz
