#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian/Python 3.11 machine, then runs it.
#   system: ffmpeg (test clips), Xvfb (live window test), Chromium (report test),
#           espeak-ng + libportaudio2 (live cues: spoken-prompt WAVs, tones into ALSA's null device)
#   python: a virtualenv in .venv with balance-cam[test] from constraints.txt
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v Xvfb >/dev/null || need_apt+=(xvfb)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)                        # spoken prompts (WAV test)
ldconfig -p 2>/dev/null | grep 'libportaudio\.so\.2' >/dev/null || need_apt+=(libportaudio2)  # tones
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"

.venv/bin/ruff check balance_cam tests benchmarks
.venv/bin/mypy   # the analysis core (balance_cam/core), configured in pyproject.toml
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "no tests were collected: failing" >&2; exit 1; fi
exit $rc
