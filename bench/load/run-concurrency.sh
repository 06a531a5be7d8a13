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

switches() { cat /proc/"$PID"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'; }
idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
secs() { echo "${1%s}"; }

run_jar() {
  local jar=$1 label=$2
  JAR=$jar
  # shellcheck disable=SC2086
  start_runtime "/tmp/starling-concurrency.log" --model "$REPO/samples/models/$MODEL.onnx" $STARLING_ARGS
  wrk -t2 -c32 -d"$WARMUP" -s "$HERE/post.lua" "$URL" -- "$BODY" >/dev/null
  for c in $CONNS; do
    local s0 s1 u0 u1 i0 i1 out threads=2
    [ "$c" -lt 2 ] && threads=1
    s0=$(switches); u0=$(cpu_seconds); i0=$(idle_ticks)
    out=$(wrk -t$threads -c"$c" -d"$DURATION" --latency -s "$HERE/post.lua" "$URL" -- "$BODY")
    s1=$(switches); u1=$(cpu_seconds); i1=$(idle_ticks)
    python3 - "$label" "$c" "$(secs "$DURATION")" "$s0" "$s1" "$u0" "$u1" "$i0" "$i1" "$(getconf CLK_TCK)" <<PY >>"$OUT"
import re, sys
label, c, d, s0, s1, u0, u1, i0, i1, hz = sys.argv[1:]
out = """$out"""
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def pct(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
n = rps * float(d)
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"| {label} | {c} | {rps:,.0f} | {pct(50):.2f} | {pct(99):.2f} | "
      f"{(float(u1) - float(u0)) * 1e6 / n:.0f} | {(int(s1) - int(s0)) / n:.2f} | "
      f"{(int(i1) - int(i0)) / int(hz) / float(d):.2f} | {errs.group(1) if errs else 0} |")
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
