"""Cue tones: synthesised with numpy, written as WAV, measured back.

Tolerances: durations to one sample per segment (rounding of dur_s x rate); frequencies to one
FFT bin (rate / n); levels from the definition of RMS (a sine of amplitude A has an RMS of
A/sqrt(2), i.e. 20 log10(A) - 3.01 dB; the 5 ms ramps lower it by at most 10 log10(1 - ramp/dur)
dB); the round trip through 16-bit PCM to one LSB (1/32768 of full scale).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance_cam.apps.live.cues import TONE_OF
from balance_cam.io.wav import read_wav, write_wav
from balance_cam.render.tones import (
    SAMPLE_RATE_HZ,
    TONES,
    dominant_hz,
    rms_dbfs,
    segment_samples,
    tone_duration_s,
    tone_samples,
    voiced_span_s,
)


def test_every_cue_tone_exists() -> None:
    assert set(TONE_OF.values()) == set(TONES)


@pytest.mark.parametrize("name", sorted(TONES))
def test_tone_length_level_and_no_clicks(name: str, tmp_path: Path) -> None:
    x = tone_samples(name)
    assert x.dtype == np.float32
    assert abs(len(x) - tone_duration_s(name) * SAMPLE_RATE_HZ) <= len(TONES[name])
    assert np.max(np.abs(x)) <= 0.5 + 1e-6
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 0.02  # starts and ends at rest (raised-cosine ramps)
    # the steepest step stays that of a 1.4 kHz sine at 44.1 kHz (a click would jump ~amplitude)
    assert np.max(np.abs(np.diff(x))) <= 0.5 * 2 * np.pi * 1400 / SAMPLE_RATE_HZ
    path = write_wav(tmp_path / f"{name}.wav", x, SAMPLE_RATE_HZ)
    y, sr = read_wav(path)
    assert sr == SAMPLE_RATE_HZ and len(y) == len(x)
    assert np.max(np.abs(y - x)) <= 1 / 32768
    start, end = voiced_span_s(y, sr, floor_dbfs=-40.0)
    assert start == pytest.approx(0.0, abs=0.02) and end == pytest.approx(len(y) / sr, abs=0.02)


def test_tick_level_and_pitch() -> None:
    x = segment_samples(TONES["tick"][0])
    ramp_loss_db = 10 * np.log10(1 - 0.005 / 0.08)
    assert rms_dbfs(x) == pytest.approx(20 * np.log10(0.5) - 3.01 + ramp_loss_db / 2, abs=abs(ramp_loss_db))
    assert dominant_hz(x, SAMPLE_RATE_HZ) == pytest.approx(880, abs=SAMPLE_RATE_HZ / len(x))


def test_tones_are_told_apart() -> None:
    """Pitch and length differ: go is higher and longer than tick, stop ends low, lift rises."""
    sr = SAMPLE_RATE_HZ
    tick, go = tone_samples("tick"), tone_samples("go")
    assert dominant_hz(go, sr) > 1.4 * dominant_hz(tick, sr) and len(go) > 3 * len(tick)
    stop = tone_samples("stop")
    half = len(stop) // 2
    assert dominant_hz(stop[half:], sr) < dominant_hz(stop[:half], sr)
    lift = tone_samples("lift")
    q = len(lift) // 4
    assert dominant_hz(lift[-q:], sr) > 1.5 * dominant_hz(lift[:q], sr)


def test_silence_and_empty() -> None:
    assert rms_dbfs(np.zeros(100)) == float("-inf")
    assert rms_dbfs(np.zeros(0)) == float("-inf")
    assert all(np.isnan(voiced_span_s(np.zeros(4410), SAMPLE_RATE_HZ)))
