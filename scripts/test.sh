#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs it:
#   - the whole suite on Python 3.11 (.venv, constraints.txt);
#   - a fast subset on every other supported Python the machine has (3.10, 3.12): install,
#     `analyze` on a sample clip, the core unit tests (.venv-py3.X, constraints-py3X.txt where it
#     exists, else constraints.txt); a supported Python that is absent is reported loudly;
#   - Python 3.13, when present, must be refused by pip with its one "requires a different
#     Python" line.
#   system: ffmpeg (test clips), Xvfb (live window test), Chromium (report tests),
#           espeak-ng + libportaudio2 (live cues: spoken-prompt WAVs, tones into ALSA's null device)
# Where it looks for python3.X: PATH, then $(pyenv root)/versions/3.X.*, ~/.pyenv/versions/3.X.*,
# /usr/bin, /usr/local/bin, /opt/homebrew/bin; the first that runs and really is 3.X.
# OTHER_PYTHONS="" skips the other Pythons (say so in a report); OTHER_PYTHONS="3.12" picks some.
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

find_python() {  # $1 = 3.X: print the first interpreter that runs and really is that version
  local v=$1 c roots=()
  command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)/versions")
  roots+=("$HOME/.pyenv/versions")
  for c in "$(command -v "python$v" 2>/dev/null || true)" \
           $(for r in "${roots[@]}"; do ls -d "$r/$v".*/bin/"python$v" 2>/dev/null | sort -V -r; done) \
           "/usr/bin/python$v" "/usr/local/bin/python$v" "/opt/homebrew/bin/python$v"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    if [ "$("$c" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$v" ]; then
      echo "$c"; return 0
    fi
  done
  return 1
}

MAIN=3.11
PY=${PYTHON:-$(find_python $MAIN || echo python3)}
OTHER_PYTHONS=${OTHER_PYTHONS-"3.10 3.12"}
declare -A STATUS PYBIN
# start installing the other Pythons' venvs now, in the background (mostly unpacking wheels),
# so that they are ready when the main suite has run
for v in $OTHER_PYTHONS; do
  if ! PYBIN[$v]=$(find_python "$v"); then
    printf '\n!!!!!! MISSING: no Python %s on this machine - %s NOT TESTED !!!!!!\n\n' "$v" "$v" >&2
    STATUS[$v]="MISSING: no python$v found (PATH, pyenv, /usr/bin, /usr/local/bin, /opt/homebrew/bin)"
    continue
  fi
  cons=constraints-py${v/./}.txt; [ -f "$cons" ] || cons=constraints.txt
  ( { [ -x ".venv-py$v/bin/python" ] || "${PYBIN[$v]}" -m venv ".venv-py$v"; } &&
    ".venv-py$v/bin/python" -m pip install -q --upgrade pip &&
    ".venv-py$v/bin/python" -m pip install -q -c "$cons" -e ".[test]" ) > ".venv-py$v.install.log" 2>&1 &
  PYBIN[$v.pid]=$!
done

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"

.venv/bin/ruff check balance_cam tests benchmarks
.venv/bin/mypy   # the analysis core (balance_cam/core), configured in pyproject.toml
set +e
# two workers, one per core of the CI machine (TEST_WORKERS=0 runs in this process). Measured on
# 2 cores: one process 20:23; two workers 14:24 (worksteal), 14:25 (loadfile: its last files ran
# alone); three 15:09, and the live-window screenshot then caught an unpainted window
.venv/bin/python -m pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "no tests were collected: failing" >&2; rc=1; fi

# -- the other supported Pythons: install, analyze a sample clip, the core unit tests --------------
FAST="tests/test_stance.py tests/test_metrics.py tests/test_summary.py tests/test_filtering.py
      tests/test_results.py tests/test_series.py tests/test_history_core.py tests/test_live_protocol.py
      tests/test_live_cues.py tests/test_architecture.py"
for v in $OTHER_PYTHONS; do
  [ -n "${STATUS[$v]:-}" ] && continue
  venv=.venv-py$v
  if ! wait "${PYBIN[$v.pid]}"; then
    STATUS[$v]="FAIL (install): $(grep -m1 -E '^ERROR' "$venv.install.log" || tail -n 1 "$venv.install.log")"; rc=1; continue
  fi
  echo "== Python $v: ${PYBIN[$v]} ($("$venv/bin/python" -V 2>&1))"
  if ! "$venv/bin/balance-cam" analyze sample_videos/pose_1.mp4 --json > "$venv.analyze.json" 2> "$venv.analyze.err" ||
     ! "$venv/bin/python" -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["trials"], "no trial"' \
         "$venv.analyze.json"; then
    STATUS[$v]="FAIL (analyze): $(tail -n 1 "$venv.analyze.err")"; rc=1; continue
  fi
  # shellcheck disable=SC2086
  trial=$("$venv/bin/python" -c 'import json, sys; t = json.load(open(sys.argv[1]))["trials"][0]
print("%s leg %.2f s" % (t["stance"], t["hold_s"]))' "$venv.analyze.json")
  if "$venv/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" $FAST > "$venv.pytest.log" 2>&1; then
    STATUS[$v]="ok: install, analyze pose_1.mp4 ($trial), $(tail -n 1 "$venv.pytest.log")"
  else
    STATUS[$v]="FAIL (tests): $(tail -n 1 "$venv.pytest.log") - see $venv.pytest.log"; rc=1
  fi
done

# -- Python 3.13 (no mediapipe 0.10.21 wheel): pip must refuse with one clear line ---------------
if py313=$(find_python 3.13); then
  [ -x .venv-py3.13/bin/python ] || "$py313" -m venv .venv-py3.13
  msg=$(.venv-py3.13/bin/python -m pip install --dry-run --no-deps -e . 2>&1 | grep -m1 -E '^ERROR' || true)
  case $msg in
    *"requires a different Python"*) STATUS[3.13]="refused as it should: $msg" ;;
    *) STATUS[3.13]="FAIL: not refused with pip's one line: ${msg:-it installs}"; rc=1 ;;
  esac
fi

echo; echo "== Pythons (whole suite on $MAIN: exit $rc so far)"
for v in $OTHER_PYTHONS 3.13; do [ -n "${STATUS[$v]:-}" ] && printf '  %-5s %s\n' "$v" "${STATUS[$v]}"; done
for v in $OTHER_PYTHONS; do
  case ${STATUS[$v]:-} in MISSING*) printf '!!!!!! Python %s was NOT TESTED (not on this machine) !!!!!!\n' "$v" >&2 ;; esac
done
exit $rc
