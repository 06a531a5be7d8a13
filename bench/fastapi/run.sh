#!/usr/bin/env bash
# Start the FastAPI peer: bench/fastapi/run.sh PORT WORKERS
# Env: MODEL_DIR (default <repo>/samples/models), INFER_MODE (inline|threadpool, default inline).
# Runs in the foreground (exec), so the caller's PID is uvicorn's master process.
set -euo pipefail
PORT="${1:?usage: run.sh PORT WORKERS}"
WORKERS="${2:?usage: run.sh PORT WORKERS}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/starling/venv-fastapi"
[ -x "$VENV/bin/uvicorn" ] || "$HERE/setup.sh" >/dev/null
export MODEL_DIR="${MODEL_DIR:-$REPO/samples/models}"
# Keep numpy/BLAS from spawning extra threads; onnxruntime is set to 1 thread in app.py.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$VENV/bin/uvicorn" app:app --app-dir "$HERE" \
  --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" \
  --no-access-log --log-level warning \
  --loop uvloop --http httptools
