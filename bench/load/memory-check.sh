#!/usr/bin/env bash
# Memory checks of issue 5, against the runtime jar on loopback (mlp, batching 16 / 2ms by default):
#   1. leak check: measure capacity (req/s at CONNS connections), then load at PERCENT % of it
#      (paced by wrk's delay() hook, bench/load/post.lua DELAY_MS, with the number of connections
#      calibrated to the rate) for WARMUP, take RSS as the
#      baseline, keep the load for LEAK_DURATION sampling RSS every SAMPLE_EVERY seconds; pass when
#      no sample is more than LIMIT_MIB above the baseline;
#   2. one maximum-size batch: after the load, one request of ROWS rows (default: the element limit,
#      4194304 / 64 = 65536 rows, so the body limit is raised for it), then RSS after SETTLE
#      seconds; pass when within LIMIT_MIB of the level before it.
# LEAK_DURATION=0 skips the leak check (a 5 s warm-up instead: "RSS after warm-up, right after one
# maximum-size batch, SETTLE s later" in about a minute). NMT=1 starts the JVM with Native Memory
# Tracking and adds where the kept memory is: Java heap, direct buffers ("Other"), the JVM's total,
# and the rest of RSS (ONNX Runtime and malloc, outside the JVM's accounting).
# Writes bench/results/memory-<date>.md (OUT=... elsewhere). The numbers only mean something on a
# quiet machine; with short durations (e.g. WARMUP=5 LEAK_DURATION=10 OUT=/tmp/m.md) it checks
# that the script works.
#
# usage: bench/load/memory-check.sh   (env: MODEL=mlp CONNS=32 PERCENT=70 WARMUP=60 LEAK_DURATION=300
#        SAMPLE_EVERY=10 LIMIT_MIB=32 ROWS=65536 SETTLE=10 SERVE_ARGS="--batch-max-size 16
#        --batch-max-delay 2ms" JAVA_OPTS=... JAR=... PORT=18310 NMT=0)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
MODEL="${MODEL:-mlp}"
CONNS="${CONNS:-32}"
PERCENT="${PERCENT:-70}"
WARMUP="${WARMUP:-60}"
LEAK_DURATION="${LEAK_DURATION:-300}"
SAMPLE_EVERY="${SAMPLE_EVERY:-10}"
LIMIT_MIB="${LIMIT_MIB:-32}"
ROWS="${ROWS:-65536}"
SETTLE="${SETTLE:-10}"
SERVE_ARGS="${SERVE_ARGS:---batch-max-size 16 --batch-max-delay 2ms}"
PORT="${PORT:-18310}"
JAR="${JAR:-runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"  # as ./starling
OUT="${OUT:-bench/results/memory-$(date +%F).md}"
NMT="${NMT:-0}"
M=samples/models
[ -f "$JAR" ] || ./mvnw -q -B -pl runtime -am package -DskipTests
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
[ "$MODEL" = mlp ] || { echo "the maximum-size batch is built for mlp ([N,64] input)" >&2; exit 1; }

WORK=$(mktemp -d)
# shellcheck source=bench/load/lib.sh
. "$HERE/lib.sh"
LOAD=""
stop() {
  if [ -n "$LOAD" ]; then kill "$LOAD" 2>/dev/null || true; wait "$LOAD" 2>/dev/null || true; LOAD=""; fi
  stop_runtime
}
trap 'stop; rm -rf "$WORK"' EXIT

# the body limit must admit the largest request the element limit allows
cat >"$WORK/runtime.yaml" <<YAML
server:
  maxRequestBytes: 67108864
models:
  - name: $MODEL
    source:
      uri: $REPO/$M/$MODEL.onnx
YAML
[ "$NMT" = 1 ] && JAVA_OPTS="$JAVA_OPTS -XX:NativeMemoryTracking=summary"
# shellcheck disable=SC2086
start_runtime "$WORK/server.log" --config "$WORK/runtime.yaml" $SERVE_ARGS || exit 1

URL="http://127.0.0.1:$PORT/v2/models/$MODEL/infer"
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

# committed KiB of one NMT category ("Total", "Java Heap", "Other"), or "-" without NMT=1
nmt_kib() {
  [ "$NMT" = 1 ] || { echo "-"; return; }
  jcmd "$PID" VM.native_memory summary | awk -v cat="$1" '
    index($0, cat) && /committed=/ { sub(/.*committed=/, ""); sub(/KB.*/, ""); print; exit }'
}
# "total heap other" committed MiB from NMT, or "- - -" without NMT=1
nmt_mib() {
  [ "$NMT" = 1 ] || { echo "- - -"; return; }
  echo "$(($(nmt_kib "Total:") / 1024)) $(($(nmt_kib "Java Heap (") / 1024)) $(($(nmt_kib "Other (") / 1024))"
}

if [ "$LEAK_DURATION" = 0 ]; then
  wrk -t2 -c"$CONNS" -d5s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" >/dev/null 2>&1
  capacity="-"; target="-"; delay_ms="-"; paced_conns="-"; paced_rps="-"; paced_non2xx="-"
  baseline=$(rss_mib); samples=("$baseline"); leak_growth=0
else
# capacity: unpaced, after a short warm-up
wrk -t2 -c"$CONNS" -d3s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" >/dev/null 2>&1
capacity=$(wrk -t2 -c"$CONNS" -d10s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" 2>/dev/null | wrk_result | field rps)
target=$(python3 -c "print(round($capacity * $PERCENT / 100))")
# each connection waits DELAY_MS between requests: CONNS * 1000 / DELAY_MS = target, ignoring the
# answer's own latency and rounded to whole milliseconds, so only a first guess (session 11: DELAY_MS
# 2 gave 11,679 req/s for a target of 19,933). Two 5 s calibration runs then scale the number of
# paced connections by target / achieved.
delay_ms=$(python3 -c "print(max(1, round($CONNS * 1000 / max(1, $target))))")
paced_conns=$CONNS
for _ in 1 2; do
  got=$(DELAY_MS=$delay_ms wrk -t2 -c"$paced_conns" -d5s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" 2>/dev/null | wrk_result | field rps)
  paced_conns=$(python3 -c "print(min(512, max(2, round($paced_conns * $target / max(1.0, $got)))))")
done

total=$((WARMUP + LEAK_DURATION + 5))
DELAY_MS=$delay_ms wrk -t2 -c"$paced_conns" -d"${total}s" --latency -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" >"$WORK/paced.txt" 2>&1 &
LOAD=$!
sleep "$WARMUP"
baseline=$(rss_mib)
samples=()
end=$((SECONDS + LEAK_DURATION))
while ((SECONDS < end)); do
  sleep "$SAMPLE_EVERY"
  samples+=("$(rss_mib)")
done
wait "$LOAD" || true
LOAD=""
paced_rps=$(wrk_result "$WORK/paced.txt" | field rps)
paced_non2xx=$(wrk_result "$WORK/paced.txt" | field non2xx)
max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
leak_growth=$((max - baseline))
fi

# one maximum-size batch
python3 - "$ROWS" >"$WORK/big.json" <<'PY'
import sys
rows = int(sys.argv[1])
print('{"inputs":[{"name":"input","shape":[%d,64],"datatype":"FP32","data":[%s]}]}'
      % (rows, ",".join(["0.5"] * (rows * 64))))
PY
sleep 2
before_big=$(rss_mib)
read -r jvm_before heap_before other_before <<<"$(nmt_mib)"
big_status=$(curl -s -o "$WORK/big.out" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$WORK/big.json" "$URL")
peak_after=$(rss_mib)
sleep "$SETTLE"
after_big=$(rss_mib)
read -r jvm_after heap_after other_after <<<"$(nmt_mib)"
big_growth=$((after_big - before_big))

verdict() { if (($1 <= LIMIT_MIB)); then echo "pass"; else echo "FAIL"; fi; }
{
  echo "# Runtime memory check, $(date -u +%FT%TZ)"
  echo
  echo "Command: \`bench/load/memory-check.sh\` (MODEL=$MODEL CONNS=$CONNS PERCENT=$PERCENT WARMUP=${WARMUP}s LEAK_DURATION=${LEAK_DURATION}s ROWS=$ROWS SERVE_ARGS=\"$SERVE_ARGS\" JAVA_OPTS=\"$JAVA_OPTS\")"
  echo
  echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  if [ "$LEAK_DURATION" != 0 ]; then
  echo "## Leak check at $PERCENT % of capacity"
  echo
  echo "Capacity (unpaced, $CONNS connections, 10 s): $capacity req/s; paced target $target req/s (DELAY_MS=$delay_ms on $paced_conns connections, calibrated in two 5 s runs), achieved $paced_rps req/s, non-2xx $paced_non2xx."
  echo
  echo "RSS after ${WARMUP}s warm-up: $baseline MiB; samples every ${SAMPLE_EVERY}s: ${samples[*]} MiB."
  echo
  echo "Largest sample - baseline: $leak_growth MiB (limit $LIMIT_MIB): $(verdict "$leak_growth")"
  echo
  else
  echo "Leak check skipped (LEAK_DURATION=0); RSS after a 5 s warm-up: $baseline MiB."
  echo
  fi
  echo "## One maximum-size batch ($ROWS x 64 rows, HTTP $big_status)"
  echo
  echo "RSS before: $before_big MiB, right after: $peak_after MiB, ${SETTLE}s later: $after_big MiB."
  echo
  echo "After - before: $big_growth MiB (limit $LIMIT_MIB): $(verdict "$big_growth")"
  if [ "$NMT" = 1 ]; then
    echo
    echo "Where the $big_growth MiB are (Native Memory Tracking, committed): Java heap $heap_before -> $heap_after MiB, direct buffers (Other) $other_before -> $other_after MiB, the JVM in all $jvm_before -> $jvm_after MiB; the rest, $((big_growth - (jvm_after - jvm_before))) MiB, is outside the JVM's accounting (ONNX Runtime, malloc)."
  fi
} | tee "$OUT"
echo "wrote $OUT" >&2
