#!/usr/bin/env bash
# Overload benchmark of issue 5 with an open-loop load generator: requests go out at a constant
# rate whatever the server answers (vegeta, built from its Go module by `hack/tools path vegeta`),
# so the excess cannot slow the clients down the way a closed loop does, and shed requests are not
# retried. Against the runtime jar on loopback, compute-heavy sample model, `--max-inflight N`:
#   1. capacity: closed-loop wrk with MAX_INFLIGHT connections (nothing is shed) for 10 s;
#   2. unloaded: UNLOADED_PERCENT % of capacity for DURATION;
#   3. overloaded: OVERLOAD_FACTOR x capacity for DURATION, RSS sampled every second.
# Reports per status (200 admitted, 503 shed): count, p50/p99/max latency, the 503 share, the
# admitted p99 over the unloaded p99 (target <= 2), the 503 p99 (target < 10 ms), and RSS.
# Writes bench/results/overload-<date>.md (OUT=... elsewhere). Only a quiet machine gives numbers
# worth recording; `DURATION=3s WARM_SECONDS=3` checks that the script works.
#
# usage: bench/load/run-overload.sh   (env: MODEL=heavy MAX_INFLIGHT=4 DURATION=20s
#        UNLOADED_PERCENT=50 OVERLOAD_FACTOR=3 CAPACITY=(measured) WARM_SECONDS=20
#        MAX_WORKERS=2000 SERVE_ARGS= JAVA_OPTS=... JAR=... PORT=18320 OUT=...)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
MODEL="${MODEL:-heavy}"
MAX_INFLIGHT="${MAX_INFLIGHT:-4}"
DURATION="${DURATION:-20s}"
UNLOADED_PERCENT="${UNLOADED_PERCENT:-50}"
OVERLOAD_FACTOR="${OVERLOAD_FACTOR:-3}"
CAPACITY="${CAPACITY:-}"
WARM_SECONDS="${WARM_SECONDS:-20}"
MAX_WORKERS="${MAX_WORKERS:-2000}"
SERVE_ARGS="${SERVE_ARGS:-}"
PORT="${PORT:-18320}"
JAR="${JAR:-runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"  # as ./starling
OUT="${OUT:-bench/results/overload-$(date +%F).md}"
M=samples/models
[ -f "$JAR" ] || ./mvnw -q -B -pl runtime -am package -DskipTests
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
VEGETA=$(hack/tools path vegeta)

WORK=$(mktemp -d)
PID=""
SAMPLER=""
stop() {
  if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""; fi
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi
}
trap 'stop; rm -rf "$WORK"' EXIT

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" serve --host 127.0.0.1 --port "$PORT" --log-format text \
  --model "$M/$MODEL.onnx" --max-inflight "$MAX_INFLIGHT" $SERVE_ARGS >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.05
done
curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null || { echo "not ready" >&2; exit 1; }

URL="http://127.0.0.1:$PORT/v2/models/$MODEL/infer"
rss_mib() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/"$PID"/status) / 1024 )); }
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

# JIT warm-up, then capacity: closed loop at MAX_INFLIGHT connections, so nothing is shed
wrk -t2 -c"$MAX_INFLIGHT" -d"${WARM_SECONDS}s" -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" >/dev/null 2>&1
if [ -z "$CAPACITY" ]; then
  CAPACITY=$(wrk -t2 -c"$MAX_INFLIGHT" -d10s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" 2>/dev/null \
    | awk '/^WRK_RESULT/ {sub(/^WRK_RESULT /, ""); print}' | field rps)
fi
unloaded_rate=$(python3 -c "print(max(1, round($CAPACITY * $UNLOADED_PERCENT / 100)))")
overload_rate=$(python3 -c "print(max(1, round($CAPACITY * $OVERLOAD_FACTOR)))")

printf 'POST %s\nContent-Type: application/json\n@%s\n' "$URL" "$REPO/$M/$MODEL.request.json" >"$WORK/targets.txt"
# attack NAME RATE: open-loop load at RATE/s for DURATION; results in $WORK/NAME.bin
attack() {
  "$VEGETA" attack -name "$1" -targets "$WORK/targets.txt" -rate "$2/1s" -duration "$DURATION" \
    -timeout 10s -max-workers "$MAX_WORKERS" >"$WORK/$1.bin"
}
# summary NAME: one JSON line: per status count and latency percentiles (ms), the run's span
summary() {
  "$VEGETA" encode --to csv "$WORK/$1.bin" | python3 -c '
import csv, json, sys
by = {}
first = last = None
for row in csv.reader(sys.stdin):
    ts, code, lat = int(row[0]), row[1], int(row[2]) / 1e6
    by.setdefault(code, []).append(lat)
    first = ts if first is None else min(first, ts)
    last = ts if last is None else max(last, ts)
def pct(v, p):
    v = sorted(v)
    return round(v[min(len(v) - 1, int(p / 100 * len(v)))], 2)
out = {"sent": sum(len(v) for v in by.values()), "seconds": round((last - first) / 1e9, 1) if first else 0}
for code, v in sorted(by.items()):
    out[code] = {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99), "max_ms": round(max(v), 2)}
print(json.dumps(out))'
}

rss_before=$(rss_mib)
attack unloaded "$unloaded_rate"
unloaded=$(summary unloaded)
rss_unloaded=$(rss_mib)
( while sleep 1; do rss_mib; done >"$WORK/rss.txt" ) &
SAMPLER=$!
attack overloaded "$overload_rate"
kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
overloaded=$(summary overloaded)
rss_peak=$(sort -n "$WORK/rss.txt" | tail -1)
sleep 2
rss_after=$(rss_mib)

reading=$(python3 - "$unloaded" "$overloaded" <<'PY'
import json, sys
u, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ok_u, ok_o, shed = u.get("200"), o.get("200"), o.get("503")
lines = []
if ok_u and ok_o:
    r = ok_o["p99_ms"] / ok_u["p99_ms"]
    lines.append(f"Admitted p99 under overload / unloaded p99: {ok_o['p99_ms']} / {ok_u['p99_ms']} ms = {r:.2f}x (target <= 2x): {'met' if r <= 2 else 'NOT met'}")
if shed:
    lines.append(f"Shed (503): {shed['n']} of {o['sent']} = {100 * shed['n'] / o['sent']:.1f} %, p50 {shed['p50_ms']} ms, p99 {shed['p99_ms']} ms (target < 10 ms): {'met' if shed['p99_ms'] < 10 else 'NOT met'}")
else:
    lines.append("No request was shed (503): the overload rate did not exceed what the server took.")
if ok_o:
    lines.append(f"Admitted under overload: {ok_o['n']} in {o['seconds']} s = {ok_o['n'] / max(o['seconds'], 0.1):.0f} req/s")
other = {k: v["n"] for k, v in o.items() if k not in ("200", "503", "sent", "seconds")}
if other:
    lines.append(f"Other outcomes under overload (status: count; 0 = client error/timeout): {other}")
print("\n\n".join(lines))
PY
)

{
  echo "# Runtime overload, open loop, $(date -u +%FT%TZ)"
  echo
  echo "Command: \`bench/load/run-overload.sh\` (MODEL=$MODEL MAX_INFLIGHT=$MAX_INFLIGHT DURATION=$DURATION UNLOADED_PERCENT=$UNLOADED_PERCENT OVERLOAD_FACTOR=$OVERLOAD_FACTOR SERVE_ARGS=\"$SERVE_ARGS\" JAVA_OPTS=\"$JAVA_OPTS\"); load generator vegeta $(basename "$(dirname "$VEGETA")" | sed 's/^vegeta-//') (open loop, keep-alive, no retries)."
  echo
  echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Capacity (closed loop, $MAX_INFLIGHT connections, 10 s): $CAPACITY req/s. Unloaded rate $unloaded_rate/s, overload rate $overload_rate/s."
  echo
  echo "Unloaded: \`$unloaded\`"
  echo
  echo "Overloaded: \`$overloaded\`"
  echo
  echo "$reading"
  echo
  echo "RSS: $rss_before MiB before, $rss_unloaded MiB after the unloaded run, peak $rss_peak MiB during the overload, $rss_after MiB 2 s after it."
} | tee "$OUT"
echo "wrote $OUT" >&2
