#!/usr/bin/env bash
# Server CPU per request of the runtime under different JVM flag sets, measured in alternating
# rounds so that drift on a shared machine hits every set alike: one runtime per flag set (iris
# only, as bench/router/run.sh starts it), each warmed up, then per round and per set one wrk run
# (run-peers.sh's -t2 -c32, DURATION) with the runtime's utime+stime from /proc/PID/stat.
#
#   bench/load/jvm-flags-cpu.sh [ROUNDS=5] [DURATION=10s]
# env: FLAGS_1.. FLAGS_n (default: ./starling's flags, bench/router/run.sh's "-Xmx512m", and the two
#      halfway sets), MODEL (iris), WARMUP (20s per runtime, once), PORT_BASE (18330), JAR
# Prints one line per run and the median µs/request and req/s per set. Loopback only; bounded runs;
# the runtimes it starts are stopped on exit.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${1:-5}
DURATION=${2:-10s}
MODEL=${MODEL:-iris}
WARMUP=${WARMUP:-20s}
PORT_BASE=${PORT_BASE:-18330}
JAR=${JAR:-$REPO/runtime/target/starling-runtime.jar}
BODY=$REPO/samples/models/$MODEL.request.json
SETS=()
for i in 1 2 3 4 5 6; do v=FLAGS_$i; [[ -n ${!v:-} ]] && SETS+=("${!v}"); done
if ((${#SETS[@]} == 0)); then
  SETS=("-Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC"   # ./starling
        "-Xmx512m"                                                   # bench/router/run.sh (G1)
        "-Xmx512m -XX:+UseParallelGC"                                # router's heap, ./starling's GC
        "-Xms64m -Xmx512m -XX:MaxNewSize=64m")                      # ./starling's heap, G1
fi
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do
    [[ -n $p ]] || continue
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
LOG=$(mktemp -d "${TMPDIR:-/tmp}/jvm-flags-cpu.XXXXXX")
for i in "${!SETS[@]}"; do
  port=$((PORT_BASE + i))
  # shellcheck disable=SC2086
  java ${SETS[$i]} -jar "$JAR" serve --model "$MODEL=$REPO/samples/models/$MODEL.onnx" \
    --host 127.0.0.1 --port "$port" --log-format text >"$LOG/runtime-$i.log" 2>&1 &
  PIDS+=("$!")
done
for i in "${!SETS[@]}"; do
  port=$((PORT_BASE + i))
  for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/health/ready" && break; sleep 0.2; done
  wrk -t2 -c32 -d"$WARMUP" -s "$REPO/bench/load/post.lua" "http://127.0.0.1:$port/v2/models/$MODEL/infer" -- "$BODY" >/dev/null 2>&1 || true
done
: >"$LOG/runs.tsv"
for r in $(seq "$ROUNDS"); do
  for i in "${!SETS[@]}"; do
    port=$((PORT_BASE + i)) pid=${PIDS[$i]}
    a=$(ticks "$pid")
    out=$(wrk -t2 -c32 -d"$DURATION" -s "$REPO/bench/load/post.lua" "http://127.0.0.1:$port/v2/models/$MODEL/infer" -- "$BODY" 2>&1 || true)
    b=$(ticks "$pid")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    us=$(awk -v d=$((b - a)) -v n="${n:-0}" -v hz="$hz" 'BEGIN { printf "%.1f", (n > 0) ? d * 1e6 / hz / n : 0 }')
    printf '%s\t%s\t%s\t%s\n' "$r" "$i" "$us" "$rps" >>"$LOG/runs.tsv"
    echo "round $r [${SETS[$i]}]: ${us} us/req, ${rps} req/s"
  done
done
echo "median over $ROUNDS rounds (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for i in "${!SETS[@]}"; do
  us=$(awk -F'\t' -v i="$i" '$2 == i { print $3 }' "$LOG/runs.tsv" | median)
  rps=$(awk -F'\t' -v i="$i" '$2 == i { print $4 }' "$LOG/runs.tsv" | median)
  printf '  %6s us/req  %8s req/s  [%s]\n' "$us" "$rps" "${SETS[$i]}"
done
rm -rf "$LOG"
