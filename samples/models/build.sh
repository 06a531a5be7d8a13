#!/usr/bin/env bash
# Rebuild Starling's sample ONNX models (samples/models/*.onnx + example requests/responses).
# Creates/updates a pinned venv at ${XDG_CACHE_HOME:-$HOME/.cache}/starling/venv-models.
# Usage: samples/models/build.sh        (STARLING_SKIP_TIMING=1 to skip the timing printout)
#        samples/models/build.sh --script OTHER.py ARGS...   (another generator in the same venv,
#        e.g. runtime/src/test/resources/models/build_test_models.py)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/starling/venv-models"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
# Reinstall only when requirements.txt changed since the last successful install.
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$WANT" > "$STAMP"
fi

# Single-threaded BLAS/OpenMP so training is bit-for-bit reproducible.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
SCRIPT="$HERE/build_models.py"
if [ "${1:-}" = "--script" ]; then
  SCRIPT="$2"
  shift 2
fi
exec "$VENV/bin/python" "$SCRIPT" "$@"
