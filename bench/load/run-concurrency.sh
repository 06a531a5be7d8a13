#!/usr/bin/env bash
# One model over HTTP at several connection counts: does the server keep the cores busy as the number of
# waiting requests grows? Per connection count: wrk's req/s, p50 and p99, the server's CPU time and
# context switches per request, and the machine's idle cores during the run. For a compute-heavy model
# the server should reach about the same req/s at 32 connections as at 2 (where no request waits for an
# inference permit); idle cores at 32 mean permits stand idle between calls.
#
# usage: bench/load/run-concurrency.sh
# env:   MODEL (heavy)  CONNS ("1 2 32 2 32")  DURATION (10s)  WARMUP (30s, once, at 32 connections)
#        JAR (runtime/target/starling-runtime.jar)  BASE_JAR (optional: a second build, run the same way
#        right after, for an A/B in one file)  STARLING_ARGS (extra `serve` arguments)
#        JAVA_OPTS (./starling's)  PORT (18490)  OUT (bench/results/concurrency-<date>-<time>.md)
# Loopback only; every wrk run is bounded by DURATION; the server is stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODEL="${MODEL:-heavy}"
CONNS="${CONNS:-1 2 32 2 32}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-30s}"
JAR="${JAR:-$REPO/runtime/target/starling-runtime.jar}"
BASE_JAR="${BASE_JAR:-}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"
STARLING_ARGS="${STARLING_ARGS:-}"
PORT="${PORT:-18490}"
OUT="${OUT:-$REPO/bench/results/concurrency-$(date +%F-%H%M).md}"
BODY="$REPO/samples/models/$MODEL.request.json"
URL="http://127.0.0.1:$PORT/v2/models/$MODEL/infer"
# shellcheck source=bench/load/lib.sh
source "$HERE/lib.sh"
trap stop_runtime EXIT

run_jar() {
  local jar=$1 label=$2
  JAR=$jar
  # shellcheck disable=SC2086
  start_runtime "/tmp/starling-concurrency.log" --model "$REPO/samples/models/$MODEL.onnx" $STARLING_ARGS
  wrk -t2 -c32 -d"$WARMUP" -s "$HERE/post.lua" "$URL" -- "$BODY" >/dev/null
  for c in $CONNS; do
    local s0 s1 u0 u1 b0 t0 b1 t1 line threads=2
    [ "$c" -lt 2 ] && threads=1
    s0=$(switches "$PID"); u0=$(cpu_seconds); read -r b0 t0 < <(machine_ticks)
    line=$(wrk -t$threads -c"$c" -d"$DURATION" --latency -s "$HERE/post.lua" "$URL" -- "$BODY" | wrk_result)
    s1=$(switches "$PID"); u1=$(cpu_seconds); read -r b1 t1 < <(machine_ticks)
    python3 - "$label" "$c" "$line" "$s0" "$s1" "$u0" "$u1" "$b0" "$t0" "$b1" "$t1" "$(nproc)" <<'PY' >>"$OUT"
import json, sys
label, c, line, s0, s1, u0, u1, b0, t0, b1, t1, cores = sys.argv[1:]
w = json.loads(line)  # post.lua's WRK_RESULT
n = w["requests"]
idle = (1 - (int(b1) - int(b0)) / (int(t1) - int(t0))) * int(cores)  # of the machine's cores
print(f"| {label} | {c} | {w['rps']:,.0f} | {w['p50_ms']:.2f} | {w['p99_ms']:.2f} | "
      f"{(float(u1) - float(u0)) * 1e6 / n:.0f} | {(int(s1) - int(s0)) / n:.2f} | "
      f"{idle:.2f} | {w['non2xx']} |")
PY
  done
  stop_runtime
}

{
  echo "# $MODEL over HTTP by connection count, $(date -u '+%F %H:%M UTC')"
  echo
  echo "Command: \`MODEL=$MODEL CONNS=\"$CONNS\" DURATION=$DURATION WARMUP=$WARMUP STARLING_ARGS=\"$STARLING_ARGS\"${BASE_JAR:+ BASE_JAR=$BASE_JAR} bench/load/run-concurrency.sh\`"
  echo "at $(git -C "$REPO" rev-parse --short HEAD); machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); wrk on the same cores."
  echo
  echo "| build | connections | req/s | p50 ms | p99 ms | server CPU µs/req | switches/req | idle cores | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$OUT"
run_jar "$JAR" "this build"
[ -n "$BASE_JAR" ] && run_jar "$BASE_JAR" "base"
echo "wrote $OUT"
cat "$OUT"
