"""The spoken prompts rendered to WAV files as CI can (no sound card needed), then measured.

:func:`balance_cam.render.speech.render_wav` runs ``espeak-ng -s WPM -w FILE TEXT`` (the same
program and rate live speaks with), 16-bit mono PCM at 22050 Hz. Checks, and where the numbers
come from:

- not silent: the voiced part (20 ms windows above -40 dBFS) has an RMS above -35 dBFS.
  espeak-ng's level is about -20 dBFS RMS for these sentences (measured -21.8 to -18.2 dBFS at
  120, 160 and 220 wpm), so -35 dBFS leaves 15 dB of margin and is still above the floor.
- not clipped: fewer than 0.1 % of the samples at full scale.
- duration: ``-s`` is "speed in approximate words per minute" (espeak-ng's man page), so the
  voiced time should be about spoken words / wpm. Numbers count as spoken ("23" is two words,
  "4.5" three). Bounds 0.5x..2x: words have no fixed length and punctuation adds pauses
  (measured 0.7x..1.4x); a truncated, doubled or wrong-rate render falls outside.
- rate honoured: the same sentence at 120 and 240 wpm: a duration ratio of 1.5..2.5 (ideal 2).

Without espeak-ng the tests skip locally; under ``CI=true`` they fail (scripts/test.sh installs it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from balance_cam.apps.live.cues import all_sentences, stop_sentence
from balance_cam.io.wav import read_wav
from balance_cam.render.speech import DEFAULT_RATE_WPM, espeak_program, render_wav
from balance_cam.render.tones import rms_dbfs, voiced_span_s

N_SINGLE_WORD_NUMBERS = 20  # zero .. nineteen are one word each


@pytest.fixture(autouse=True)
def _espeak() -> None:
    if espeak_program() is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("espeak-ng is required in CI (scripts/test.sh installs it)")
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")


def spoken_words(text: str) -> int:
    """Words as said: integers below 100 are 1 or 2 words, "4.5" is "four point five"."""
    n = 0
    for tok in re.findall(r"\d+(?:\.\d+)?|[A-Za-z']+", text):
        if tok[0].isdigit():
            whole, _, frac = tok.partition(".")
            v = int(whole)
            n += 1 if v < N_SINGLE_WORD_NUMBERS or v % 10 == 0 else 2
            n += (1 + len(frac)) if frac else 0
        else:
            n += 1
    return n


def rendered(text: str, path: Path, wpm: int = DEFAULT_RATE_WPM) -> tuple[np.ndarray, int]:
    return read_wav(render_wav(text, path, wpm))


def test_spoken_words() -> None:
    assert spoken_words("Left leg: 23 seconds, foot touched down.") == 8
    assert spoken_words("4.5 seconds") == 4
    assert spoken_words("best 20 seconds") == 3


@pytest.mark.parametrize("text", all_sentences())
def test_prompt_renders_audible_and_about_the_right_length(text: str, tmp_path: Path) -> None:
    x, sr = rendered(text, tmp_path / "s.wav")
    assert sr == 22050
    start, end = voiced_span_s(x, sr, floor_dbfs=-40.0)
    assert np.isfinite(start), "silent WAV"
    assert rms_dbfs(x[int(start * sr): int(end * sr)]) > -35.0
    assert np.mean(np.abs(x) >= 0.999) < 1e-3
    nominal_s = spoken_words(text) / DEFAULT_RATE_WPM * 60
    assert 0.5 * nominal_s <= end - start <= 2.0 * nominal_s, (end - start, nominal_s)


def test_rate_is_honoured(tmp_path: Path) -> None:
    text = stop_sentence("left", 23.4, "touchdown")
    slow = voiced_span_s(*rendered(text, tmp_path / "slow.wav", 120))
    fast = voiced_span_s(*rendered(text, tmp_path / "fast.wav", 240))
    ratio = (slow[1] - slow[0]) / (fast[1] - fast[0])
    assert 1.5 <= ratio <= 2.5, ratio
