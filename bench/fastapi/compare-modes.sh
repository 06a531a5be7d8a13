#!/usr/bin/env bash
# Compare the FastAPI peer's two ways of calling onnxruntime (1 uvicorn worker, loopback only):
#   INFER_MODE=inline      async def endpoint, session.run on the event loop
#   INFER_MODE=threadpool  sync def endpoint, FastAPI runs it in its anyio threadpool
# usage: bench/fastapi/compare-modes.sh [DURATION (8s)] [MODELS ("iris mlp heavy")]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DURATION="${1:-8s}"; MODELS="${2:-iris mlp heavy}"; PORT="${PORT:-18090}"
[[ "$DURATION" =~ ^[0-9]+s$ ]] || { echo "DURATION like 8s" >&2; exit 2; }
"$HERE/setup.sh" >/dev/null
PG=""
cleanup() { [ -n "$PG" ] && { kill -TERM -- "-$PG" 2>/dev/null || true; sleep 1; kill -KILL -- "-$PG" 2>/dev/null || true; }; PG=""; }
trap cleanup EXIT
for mode in inline threadpool; do
  INFER_MODE=$mode setsid "$HERE/run.sh" "$PORT" 1 >/dev/null 2>&1 &
  PG=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" && break; sleep 0.2; done
  for m in $MODELS; do
    url="http://127.0.0.1:$PORT/v2/models/$m/infer"; body="$REPO/samples/models/$m.request.json"
    wrk -t2 -c32 -d3s -s "$REPO/bench/load/post.lua" "$url" -- "$body" >/dev/null
    echo "$mode $m $(wrk -t2 -c32 -d"$DURATION" --latency -s "$REPO/bench/load/post.lua" "$url" -- "$body" | sed -n 's/^WRK_RESULT //p')"
  done
  cleanup
done
