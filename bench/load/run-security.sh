#!/usr/bin/env bash
# Issue 5's cost of authentication + rate limiting (target: <= 10 % req/s) on iris, the cheapest model,
# where HTTP and JSON are most of a request. Two runtimes from the same jar on loopback: "off" serves
# iris as is; "on" adds --api-keys (one key) and --rate-limit 1000000:1000000 (one bucket per key that
# never runs dry, so every request pays the check and none is refused). Both get the same x-api-key
# header, so the bytes on the wire are equal. After a warm-up of each, ROUNDS rounds alternate off/on
# (on first in even rounds) so drift in the machine hits both alike.
#
# usage: bench/load/run-security.sh
# env:   ROUNDS (4)  DURATION (15s)  WARMUP (45s per server)  CONNS (32)
#        JAR (runtime/target/starling-runtime.jar)  JAVA_OPTS (./starling's)  PORT (18495; "on" uses PORT+1)
#        OUT (bench/results/security-<date>-<time>.md)
# Loopback only; every wrk run is bounded by DURATION; both servers are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ROUNDS="${ROUNDS:-4}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-45s}"
CONNS="${CONNS:-32}"
JAR="${JAR:-$REPO/runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"
BASE_PORT="${PORT:-18495}"
OUT="${OUT:-$REPO/bench/results/security-$(date +%F-%H%M).md}"
KEY="k-bench-0123456789abcdef"
WORK="$(mktemp -d)"
echo "bench:$KEY" >"$WORK/api-keys"
# shellcheck source=bench/load/lib.sh
source "$HERE/lib.sh"

trap stop_all EXIT

PORT=$BASE_PORT
start_runtime "$WORK/off.log" --model "$REPO/samples/models/iris.onnx"
OFF_PID=$PID
PIDS+=("$PID")
PORT=$((BASE_PORT + 1))
start_runtime "$WORK/on.log" --model "$REPO/samples/models/iris.onnx" \
  --api-keys "$WORK/api-keys" --rate-limit 1000000:1000000
ON_PID=$PID
PIDS+=("$PID")

url() { echo "http://127.0.0.1:$1/v2/models/iris/infer"; }
# the secured server refuses a request without the key and answers one with it
no_key=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  --data-binary @"$REPO/samples/models/iris.request.json" "$(url $((BASE_PORT + 1)))")
with_key=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -H "x-api-key: $KEY" \
  --data-binary @"$REPO/samples/models/iris.request.json" "$(url $((BASE_PORT + 1)))")
[ "$no_key" = 401 ] && [ "$with_key" = 200 ] || { echo "sanity check failed: $no_key without the key, $with_key with it" >&2; exit 1; }

# run NAME PORT PID DURATION: one wrk run with the key, printed as a table row
run() {
  ab_row "$1" "$(url "$2")" "$3" "$4" "$REPO/samples/models/iris.request.json" -H "x-api-key: $KEY"
}

{
  echo "# Auth + rate limiting cost, iris, $(date -u '+%F %H:%M UTC')"
  echo
  echo "Command: \`ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS bench/load/run-security.sh\` at $(git -C "$REPO" rev-parse --short HEAD)"
  echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load average before: $(cut -d' ' -f1-3 /proc/loadavg); wrk on the same cores."
  echo "off: \`serve --model iris.onnx\`; on: the same plus \`--api-keys FILE --rate-limit 1000000:1000000\` (one key, a bucket that never runs dry). Sanity: on answered $no_key without the key, $with_key with it."
  echo
  echo "| run | req/s | p50 ms | p99 ms | non-2xx | server CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|"
} >"$OUT"
run warm-off $BASE_PORT $OFF_PID "$WARMUP" >>"$OUT"
run warm-on $((BASE_PORT + 1)) $ON_PID "$WARMUP" >>"$OUT"
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="off on"; else order="on off"; fi
  for arm in $order; do
    if [ "$arm" = off ]; then run "off-$r" $BASE_PORT $OFF_PID "$DURATION"; else run "on-$r" $((BASE_PORT + 1)) $ON_PID "$DURATION"; fi
  done >>"$OUT"
done
read -r off on < <(ab_means "$OUT" off on)
python3 - "$off" "$on" <<'PY' >>"$OUT"
import sys
off, on = float(sys.argv[1]), float(sys.argv[2])
cost = 1 - on / off
print()
print(f"Mean over the rounds: off {off:,.0f} req/s, on {on:,.0f} req/s: "
      f"auth + rate limiting cost {cost*100:.1f} % (target <= 10 %): {'met' if cost <= 0.10 else 'NOT met'}.")
PY
echo "wrote $OUT"
cat "$OUT"
