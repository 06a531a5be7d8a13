#!/usr/bin/env bash
# Issue 5's prediction-cache benchmark: what a cache hit saves, per sample model. For each model
# two runtimes from the same jar on loopback: "off" serves it as is, "on" adds
# --cache-max-entries 10000. Every request carries the same body, so after the first one every
# request to "on" is a hit: the hit path (decode, canonical key, lookup, the stored bytes) against
# the whole inference path. Before measuring, the two servers must give byte-identical answers
# and "on" must count hits (cache_gets_total{cache="starling.predictions",result="hit"}). A third
# server, "noop", is bench/load/NoopJetty.java answering the same bytes on the runtime's Jetty set
# up as the runtime sets it up, with no JSON and no model: no hit path on this server stack can
# beat it, so its ratio is the ceiling of the cache's on this machine. After a warm-up of each,
# ROUNDS rounds rotate the order of off, on and noop so drift in the machine hits all alike.
# The issue's target is on iris (hit >= 1.5x the uncached req/s); the other models show where the
# model's own cost is a larger share of a request.
#
# usage: bench/load/run-cache.sh
# env:   MODELS ("iris mlp heavy")  ROUNDS (3)  DURATION (10s)  WARMUP (30s per server)  CONNS (32)
#        JAR (runtime/target/starling-runtime.jar)  JAVA_OPTS (./starling's)
#        PORT (18595; "on" uses PORT+1, "noop" PORT+2)
#        OUT (bench/results/cache-<date>-<time>.md)
# Loopback only; every wrk run is bounded by DURATION; every server is stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODELS="${MODELS:-iris mlp heavy}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-30s}"
CONNS="${CONNS:-32}"
JAR="${JAR:-$REPO/runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"
BASE_PORT="${PORT:-18595}"
OUT="${OUT:-$REPO/bench/results/cache-$(date +%F-%H%M).md}"
M="$REPO/samples/models"
[ -f "$JAR" ] || (cd "$REPO" && ./mvnw -q -B -pl runtime -am package -DskipTests)
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
WORK="$(mktemp -d)"
# shellcheck source=bench/load/lib.sh
source "$HERE/lib.sh"

trap stop_all EXIT

url() { echo "http://127.0.0.1:$1/v2/models/$2/infer"; }
answer() { curl -sf -H 'content-type: application/json' --data-binary @"$M/$2.request.json" "$(url "$1" "$2")"; }
hits() {
  curl -sf "http://127.0.0.1:$1/metrics" \
    | awk -v m="model=\"$2\"" '/^cache_gets_total/ && /cache="starling.predictions"/ && /result="hit"/ && index($0, m) {s += $2} END {print s + 0}'
}

{
  echo "# Prediction cache, hit path against inference, $(date -u '+%F %H:%M UTC')"
  echo
  echo "Command: \`MODELS=\"$MODELS\" ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS bench/load/run-cache.sh\` at $(git -C "$REPO" rev-parse --short HEAD)"
  echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load average before: $(cut -d' ' -f1-3 /proc/loadavg); wrk on the same cores."
  echo "off: \`serve --model MODEL.onnx\`; on: the same plus \`--cache-max-entries 10000\`; every request the same body (samples/models/MODEL.request.json), so every request to on after the first is a hit."
} >"$OUT"

ARMS=(off on noop)
declare -A PORT_OF=([off]=$BASE_PORT [on]=$((BASE_PORT + 1)) [noop]=$((BASE_PORT + 2)))
declare -A PID_OF
# row NAME ARM DURATION: one wrk run against ARM's server for the current model, as a table row
row() { ab_row "$1" "$(url "${PORT_OF[$2]}" "$model")" "${PID_OF[$2]}" "$3" "$M/$model.request.json"; }

for model in $MODELS; do
  PORT=${PORT_OF[off]}
  start_runtime "$WORK/off-$model.log" --model "$M/$model.onnx"
  PID_OF[off]=$PID
  PIDS+=("$PID")
  PORT=${PORT_OF[on]}
  start_runtime "$WORK/on-$model.log" --model "$M/$model.onnx" --cache-max-entries 10000
  PID_OF[on]=$PID
  PIDS+=("$PID")

  # the cached answer is the model's answer, byte for byte, and "on" does serve hits
  answer "${PORT_OF[off]}" "$model" >"$WORK/off.json"
  answer "${PORT_OF[on]}" "$model" >"$WORK/on-1.json"
  answer "${PORT_OF[on]}" "$model" >"$WORK/on-2.json"
  cmp -s "$WORK/off.json" "$WORK/on-1.json" && cmp -s "$WORK/off.json" "$WORK/on-2.json" \
    || { echo "sanity check failed: $model's cached answer differs from the uncached one" >&2; exit 1; }
  [ "$(hits "${PORT_OF[on]}" "$model")" != 0 ] || { echo "sanity check failed: no cache hit on $model" >&2; exit 1; }
  mkdir -p "$WORK/noop-$model"
  cp "$WORK/off.json" "$WORK/noop-$model/answer-$model.json"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$JAR" "$HERE/NoopJetty.java" "${PORT_OF[noop]}" "$WORK/noop-$model" 3600 \
    >"$WORK/noop-$model.log" 2>&1 &
  PID_OF[noop]=$!
  PIDS+=("$!")
  for _ in $(seq 300); do
    answer "${PORT_OF[noop]}" "$model" >"$WORK/noop.json" 2>/dev/null && break
    sleep 0.2
  done
  cmp -s "$WORK/off.json" "$WORK/noop.json" || { echo "sanity check failed: the no-op server did not answer $model" >&2; exit 1; }

  {
    echo
    echo "## $model"
    echo
    echo "| run | req/s | p50 ms | p99 ms | non-2xx | server CPU µs/req |"
    echo "|---|---:|---:|---:|---:|---:|"
    for arm in "${ARMS[@]}"; do row "warm-$arm" "$arm" "$WARMUP"; done
  } >>"$OUT"
  for r in $(seq "$ROUNDS"); do
    k=$(((r - 1) % ${#ARMS[@]}))  # round 1: off on noop, round 2: on noop off, round 3: noop off on
    for arm in "${ARMS[@]:k}" "${ARMS[@]:0:k}"; do row "$arm-$r" "$arm" "$DURATION"; done >>"$OUT"
  done
  # this model's section only: the rows after its heading
  sed -n "/^## $model\$/,\$p" "$OUT" >"$WORK/section.md"
  read -r off on noop < <(ab_means "$WORK/section.md" off on noop)
  hit_count=$(hits "${PORT_OF[on]}" "$model")
  python3 - "$model" "$off" "$on" "$noop" "$hit_count" <<'PY' >>"$OUT"
import sys
model = sys.argv[1]
off, on, noop, hits = (float(a) for a in sys.argv[2:])
ratio = on / off
verdict = f" (target on iris >= 1.5x): {'met' if ratio >= 1.5 else 'NOT met'}" if model == "iris" else ""
print()
print(f"Mean over the rounds: off {off:,.0f} req/s, on {on:,.0f} req/s: hit path {ratio:.2f}x{verdict}; "
      f"the no-op Jetty {noop:,.0f} req/s = {noop / off:.2f}x, the most any hit path on this server "
      f"stack could give here. Cache hits counted by the on server: {hits:,.0f}.")
PY
  stop_pids
done
echo "wrote $OUT"
cat "$OUT"
