"""The cue tones, synthesised with numpy, and the loudness measures their tests use.

Each tone is a few sine segments (optionally gliding in frequency: the phase is the running
integral of the instantaneous frequency, so a glide has no phase jump), each shaped by a
raised-cosine attack and release of ``ramp_s`` so the speaker does not click. The tones differ
in pitch *and* rhythm, so they are told apart without a musical ear: a short mid tick for the
countdown, a long high "go", a rising chirp at the lift, a falling two-note "stop" and a
rising three-note "done".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE_HZ = 44_100


@dataclass(frozen=True)
class Segment:
    """One note: frequency from ``f0_hz`` to ``f1_hz`` (linear glide) over ``dur_s``, then
    ``gap_s`` of silence."""

    f0_hz: float
    f1_hz: float
    dur_s: float
    gap_s: float = 0.0


TONES: dict[str, tuple[Segment, ...]] = {
    "tick": (Segment(880, 880, 0.08),),
    "go": (Segment(1320, 1320, 0.30),),
    "lift": (Segment(660, 1320, 0.15),),
    "stop": (Segment(660, 660, 0.15, 0.05), Segment(440, 440, 0.25)),
    "done": (Segment(523.25, 523.25, 0.12, 0.03), Segment(659.25, 659.25, 0.12, 0.03),
             Segment(783.99, 783.99, 0.25)),
}  # fmt: skip


def segment_samples(seg: Segment, sample_rate_hz: int = SAMPLE_RATE_HZ, amplitude: float = 0.5,
                    ramp_s: float = 0.005) -> np.ndarray:  # fmt: skip
    """float32 samples in [-amplitude, amplitude] of one segment, its gap appended."""
    n = max(1, round(seg.dur_s * sample_rate_hz))
    t_s = np.arange(n) / sample_rate_hz
    f_hz = seg.f0_hz + (seg.f1_hz - seg.f0_hz) * t_s / seg.dur_s
    phase = 2 * np.pi * np.cumsum(f_hz) / sample_rate_hz
    ramp_n = min(n // 2, max(1, round(ramp_s * sample_rate_hz)))
    env = np.ones(n)
    rise = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp_n) / ramp_n)
    env[:ramp_n], env[n - ramp_n:] = rise, rise[::-1]
    gap = np.zeros(round(seg.gap_s * sample_rate_hz))
    return np.concatenate([amplitude * env * np.sin(phase), gap]).astype(np.float32)


def tone_samples(name: str, sample_rate_hz: int = SAMPLE_RATE_HZ, amplitude: float = 0.5) -> np.ndarray:
    """float32 mono samples of the named cue tone (see :data:`TONES`)."""
    return np.concatenate([segment_samples(s, sample_rate_hz, amplitude) for s in TONES[name]])


def tone_duration_s(name: str) -> float:
    """Nominal length of a tone, gaps included."""
    return sum(s.dur_s + s.gap_s for s in TONES[name])


# -- measures -----------------------------------------------------------------------------------
def rms_dbfs(samples: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale (a full-scale sine is -3.01 dBFS);
    -inf for digital silence."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    return float(20 * np.log10(rms)) if rms > 0 else float("-inf")


def frame_levels_dbfs(samples: np.ndarray, sample_rate_hz: int, frame_s: float = 0.02) -> np.ndarray:
    """RMS level of consecutive ``frame_s`` windows (a last partial window is dropped)."""
    n = max(1, round(frame_s * sample_rate_hz))
    k = len(samples) // n
    if k == 0:
        return np.empty(0)
    ms = np.mean(np.square(samples[: k * n].reshape(k, n), dtype=np.float64), axis=1)
    with np.errstate(divide="ignore"):
        return 10 * np.log10(ms)


def voiced_span_s(samples: np.ndarray, sample_rate_hz: int, floor_dbfs: float = -40.0,
                  frame_s: float = 0.02) -> tuple[float, float]:  # fmt: skip
    """(first, last) time of a ``frame_s`` window louder than ``floor_dbfs``: the sound without
    its leading and trailing silence; (nan, nan) when nothing is above the floor."""
    loud = np.flatnonzero(frame_levels_dbfs(samples, sample_rate_hz, frame_s) > floor_dbfs)
    if not len(loud):
        return float("nan"), float("nan")
    return float(loud[0] * frame_s), float((loud[-1] + 1) * frame_s)


def dominant_hz(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Frequency of the largest FFT magnitude (Hann window)."""
    spec = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / sample_rate_hz)[int(np.argmax(spec))])
