#!/usr/bin/env bash
# Starling runtime benchmark: start-to-ready (without and with a CDS archive), RSS under load, batching on/off, cache hit path,
# overload shedding, against the sample models on loopback. Writes bench/results/starling-<date>.md.
#
# usage: bench/load/run-starling.sh            (env: DURATION=15s CONNS=32 JAVA_OPTS=... JAR=...)
#
# Every load run is bounded by time and targets 127.0.0.1 only; every server started here is
# stopped on exit.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
DURATION="${DURATION:-15s}"
CONNS="${CONNS:-32}"
PORT="${PORT:-18300}"
JAR="${JAR:-runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"  # as ./starling
OUT="${OUT:-bench/results/starling-$(date +%F).md}"
M=samples/models
[ -f "$JAR" ] || ./mvnw -q -B -pl runtime -am package -DskipTests
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }

# shellcheck source=bench/load/lib.sh
. "$HERE/lib.sh"
trap stop_runtime EXIT

# start ARGS...: starts the runtime; READY_MS = milliseconds from exec to ready.
start() { start_runtime /tmp/starling-bench.log "$@" || exit 1; }
stop() { stop_runtime; }

# batch_flags off|default|on: sets extra (the serve flags) and label (the row's name).
batch_flags() {
  case $1 in
    off) extra=(--batch-max-size 1) label=off ;;
    default) extra=() label="default (opportunistic)" ;;
    on) extra=(--batch-max-size 16 --batch-max-delay 2ms) label="16 / 2ms" ;;
  esac
}

# warm MODEL...: JIT warm-up after a start. On 2 cores shared with wrk, C2 needs ~20-30 s of load
# before the HTTP path runs compiled (measured: the first 10 s of iris after a 12 s warm-up ran at
# ~6k req/s and 300 us of CPU per request, the next at ~18k and 95 us), so a fresh server gets
# WARM_SECONDS of load on each of its models before anything is measured.
WARM_SECONDS="${WARM_SECONDS:-20}"
warm() {
  for model in "$@"; do
    wrk -t2 -c"$CONNS" -d"${WARM_SECONDS}s" -s bench/load/post.lua "http://127.0.0.1:$PORT/v2/models/$model/infer" -- "$M/$model.request.json" >/dev/null 2>&1
  done
}

# load MODEL CONNS [extra wrk args]: prints "rps p50 p99 non2xx"
load() {
  local model=$1 conns=$2; shift 2
  wrk -t2 -c"$conns" -d3s -s bench/load/post.lua "http://127.0.0.1:$PORT/v2/models/$model/infer" -- "$M/$model.request.json" >/dev/null 2>&1
  wrk -t2 -c"$conns" -d"$DURATION" --latency -s bench/load/post.lua "$@" "http://127.0.0.1:$PORT/v2/models/$model/infer" -- "$M/$model.request.json" 2>/dev/null \
    | wrk_result \
    | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print("%.0f %.2f %.2f %d" % (r["rps"], r["p50_ms"], r["p99_ms"], r["non2xx"]))'
}

{
  echo "# Starling runtime benchmark, $(date -u +%FT%TZ)"
  echo
  echo "Command: \`bench/load/run-starling.sh\` (DURATION=$DURATION CONNS=$CONNS WARM_SECONDS=$WARM_SECONDS JAVA_OPTS=\"$JAVA_OPTS\")"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), $(java -version 2>&1 | head -1)."
  echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg). wrk runs on the same 2 cores as the server."
  echo

  echo "## Start to ready (iris + mlp + heavy, digest + warm-up included)"
  echo
  times=()
  for _ in 1 2 3; do start --model $M/iris.onnx --model $M/mlp.onnx --model $M/heavy.onnx; times+=("$READY_MS"); stop; done
  echo "Runs: ${times[*]} ms"
  echo
  echo "## Start to ready with a class-data-sharing archive (hack/cds-archive, same JAVA_OPTS)"
  echo
  jsa=$(mktemp -u /tmp/starling-bench-XXXXXX.jsa)
  if STARLING_JAVA_OPTS="$JAVA_OPTS" hack/cds-archive "$JAR" "$jsa" 2>/dev/null; then
    plain_opts=$JAVA_OPTS
    JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$jsa"
    times=()
    for _ in 1 2 3; do start --model $M/iris.onnx --model $M/mlp.onnx --model $M/heavy.onnx; times+=("$READY_MS"); stop; done
    JAVA_OPTS=$plain_opts
    rm -f "$jsa"
    echo "Runs: ${times[*]} ms"
  else
    echo "The training run (hack/cds-archive) failed; not measured."
  fi
  echo

  echo "## Throughput and latency, batch-1 OIP v2 JSON, $CONNS connections"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | non-2xx | RSS after MiB |"
  echo "|---|---|---|---|---|---|"
  # off: every model one call per request; default (no flag): opportunistic batching, requests
  # already queued for an inference permit share the next call, nothing waits for company.
  for mode in off default on; do
    batch_flags $mode
    models=(mlp heavy)
    [ $mode = off ] && models=(iris mlp heavy)
    start --model $M/iris.onnx --model $M/mlp.onnx --model $M/heavy.onnx "${extra[@]}"
    warm "${models[@]}"
    for m in "${models[@]}"; do
      read -r rps p50 p99 bad < <(load "$m" "$CONNS")
      echo "| $m, batching $label | $rps | $p50 | $p99 | $bad | $(rss_mib) |"
    done
    stop
  done
  echo

  echo "## Batching at 64 connections"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|---|"
  for mode in off default on; do
    batch_flags $mode
    start --model $M/mlp.onnx --model $M/heavy.onnx "${extra[@]}"
    warm mlp heavy
    for m in mlp heavy; do
      read -r rps p50 p99 bad < <(load "$m" 64)
      echo "| $m, batching $label | $rps | $p50 | $p99 | $bad |"
    done
    stop
  done
  echo

  echo "## Prediction cache, iris, $CONNS connections (every request the same body: all hits)"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|---|"
  start --model $M/iris.onnx
  warm iris
  read -r rps p50 p99 bad < <(load iris "$CONNS"); echo "| cache off | $rps | $p50 | $p99 | $bad |"
  stop
  start --model $M/iris.onnx --cache-max-entries 10000
  warm iris
  read -r rps p50 p99 bad < <(load iris "$CONNS"); echo "| cache on | $rps | $p50 | $p99 | $bad |"
  stop
  echo

  echo "## Overload: heavy model, --max-inflight 4, open loop (bench/load/run-overload.sh, vegeta)"
  echo
  # its own server; the report without its title line
  DURATION="$DURATION" PORT=$((PORT + 20)) JAR="$JAR" JAVA_OPTS="$JAVA_OPTS" OUT=/dev/null \
    bench/load/run-overload.sh 2>/dev/null | tail -n +3
} | tee "$OUT"
echo "wrote $OUT" >&2
