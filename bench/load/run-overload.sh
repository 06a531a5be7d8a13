#!/usr/bin/env bash
# Overload benchmark of issue 5 with an open-loop load generator: requests go out at a constant
# rate whatever the server answers (vegeta, built from its Go module by `hack/tools path vegeta`),
# so the excess cannot slow the clients down the way a closed loop does, and shed requests are not
# retried. Against the runtime jar on loopback, compute-heavy sample model, `--max-inflight N`:
#   1. JIT warm-up (closed loop), then a first estimate: closed-loop wrk at MAX_INFLIGHT
#      connections for 10 s, 2xx answers only (a fixed bound sheds nothing there; each connection
#      idles between its answer and its next request, so this is below what the server can do);
#   2. capacity, the way the overload is applied: open loop at SATURATE_FACTOR x the estimate for
#      DURATION; capacity = the admitted (200) answers per second of that run, i.e. what the server
#      serves when offered more than it can take (CAPACITY=... skips 1 and 2);
#   3. unloaded: UNLOADED_PERCENT % of capacity for DURATION;
#   4. overloaded: OVERLOAD_FACTOR x capacity for DURATION, RSS sampled every second.
# Per run it reports, per status (200 admitted, 503 shed), count and p50/p99/max latency as the
# client saw it, over the run after its first SKIP_SECONDS (vegeta's workers and connections are
# being set up then; the whole run's counts are given too), and what the server and the machine
# saw in the same run: the server's own time per answer from arrival (starling_request_duration
# by outcome: ok = admitted, shed = 503 at the bound), the gate wait and the time inside ONNX
# Runtime of the admitted requests (mean and p50/p90/p99 interpolated in the histogram buckets the
# way Prometheus' histogram_quantile does, from /metrics), the CPU the server and the load
# generator used per request (/proc and getrusage: the client's share of the 2 cores), GC
# collections and their time (jstat), and the machine's new TCP connections and listen-queue
# overflows (nstat; machine-wide, so only meaningful on a quiet machine). The verdicts: admitted
# p99 under overload over the unloaded p99 (target <= 2), the 503 p99 (target < 10 ms).
# SERVER_CPUS=1 CLIENT_CPUS=0 is the controlled variant: the server and the load generators
# (wrk, vegeta) pinned to separate cores with taskset, so neither takes CPU from the other (the
# server then has one core: capacity is measured the same way, on that core). Report it beside
# the plain run, not instead of it.
# Writes bench/results/overload-<date>.md (OUT=... elsewhere). Only a quiet machine gives numbers
# worth recording; `DURATION=3s WARM_SECONDS=3` checks that the script works.
#
# usage: bench/load/run-overload.sh   (env: MODEL=heavy MAX_INFLIGHT=4 DURATION=20s
#        UNLOADED_PERCENT=50 OVERLOAD_FACTOR=3 SATURATE_FACTOR=2 CAPACITY=(measured)
#        WARM_SECONDS=20 SKIP_SECONDS=1 MAX_WORKERS=2000 SERVE_ARGS= JAVA_OPTS=... JAR=...
#        PORT=18320 OUT=... SERVER_CPUS= CLIENT_CPUS= CLIENT_NICE=)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
MODEL="${MODEL:-heavy}"
MAX_INFLIGHT="${MAX_INFLIGHT:-4}"
DURATION="${DURATION:-20s}"
UNLOADED_PERCENT="${UNLOADED_PERCENT:-50}"
OVERLOAD_FACTOR="${OVERLOAD_FACTOR:-3}"
SATURATE_FACTOR="${SATURATE_FACTOR:-2}"
SKIP_SECONDS="${SKIP_SECONDS:-1}"
CAPACITY="${CAPACITY:-}"
WARM_SECONDS="${WARM_SECONDS:-20}"
MAX_WORKERS="${MAX_WORKERS:-2000}"
SERVE_ARGS="${SERVE_ARGS:-}"
PORT="${PORT:-18320}"
JAR="${JAR:-runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"  # as ./starling
OUT="${OUT:-bench/results/overload-$(date +%F).md}"
SERVER_CPUS="${SERVER_CPUS:-}"
CLIENT_CPUS="${CLIENT_CPUS:-}"
RUNTIME_CPUS="$SERVER_CPUS"  # lib.sh's start_runtime pins the server there
CLIENT_NICE="${CLIENT_NICE:-}"
CLIENT=()
[ -n "$CLIENT_CPUS" ] && CLIENT=(taskset -c "$CLIENT_CPUS")
[ -n "$CLIENT_NICE" ] && CLIENT+=(nice -n "$CLIENT_NICE")
M=samples/models
[ -f "$JAR" ] || ./mvnw -q -B -pl runtime -am package -DskipTests
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
VEGETA=$(hack/tools path vegeta)

WORK=$(mktemp -d)
# shellcheck source=bench/load/lib.sh
. "$HERE/lib.sh"
SAMPLER=""
stop() {
  if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""; fi
  stop_runtime
}
trap 'stop; rm -rf "$WORK"' EXIT

# shellcheck disable=SC2086
start_runtime "$WORK/server.log" --model "$M/$MODEL.onnx" --max-inflight "$MAX_INFLIGHT" $SERVE_ARGS || exit 1

# closed-loop connections for the warm-up and the first estimate: MAX_INFLIGHT (as many as it
# admits at once), at most 32 (the default bound, 1024, would only open sockets to be shed), and
# wrk wants at least one per thread
WRK_CONNS=$(( MAX_INFLIGHT < 32 ? MAX_INFLIGHT : 32 ))
WRK_THREADS=$(( WRK_CONNS < 2 ? WRK_CONNS : 2 ))
URL="http://127.0.0.1:$PORT/v2/models/$MODEL/infer"
# batching in force (opportunistic by default since session 6: queued requests merged into the
# next call up to the model's measured cap; --batch-max-size 1 in SERVE_ARGS turns it off)
batch_rows() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="model=\"$MODEL\"" '/^starling_batch_max_rows/ && index($0, m) {print $2}'; }
# the adaptive in-flight limit in force (SERVE_ARGS="--inflight-limit adaptive"), "-" without one
inflight_limit() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="model=\"$MODEL\"" '/^starling_inflight_limit/ && index($0, m) {v=$2} END {print (v == "" ? "-" : v)}'; }

# JIT warm-up, then a first estimate: closed loop at MAX_INFLIGHT connections, so a fixed bound
# sheds nothing; an adaptive limit below the bound still can, so only the 2xx answers count (a
# session-12 run with the adaptive limit pinned to one core took wrk's 29,485 req/s, mostly fast
# 503s, as the estimate)
"${CLIENT[@]}" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARM_SECONDS}s" -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" >/dev/null 2>&1
estimate=""
if [ -z "$CAPACITY" ]; then
  estimate=$("${CLIENT[@]}" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d10s -s bench/load/post.lua "$URL" -- "$M/$MODEL.request.json" 2>/dev/null \
    | wrk_result | python3 -c 'import json, sys; w = json.loads(sys.stdin.read()); print(round((w["requests"] - w["non2xx"]) / w["duration_s"], 1))')
fi

printf 'POST %s\nContent-Type: application/json\n@%s\n' "$URL" "$REPO/$M/$MODEL.request.json" >"$WORK/targets.txt"
# attack NAME RATE: open-loop load at RATE/s for DURATION; results in $WORK/NAME.bin, what the
# server and the machine counted meanwhile in $WORK/NAME.before / NAME.after, and the CPU seconds
# vegeta used (getrusage of the child) in $WORK/NAME.client
attack() {
  evidence >"$WORK/$1.before"
  python3 -c '
import resource, subprocess, sys
with open(sys.argv[2], "wb") as out:
    rc = subprocess.call(sys.argv[3:], stdout=out)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{r.ru_utime + r.ru_stime:.2f}\n")
sys.exit(rc)' "$WORK/$1.client" "$WORK/$1.bin" "${CLIENT[@]}" "$VEGETA" attack -name "$1" \
    -targets "$WORK/targets.txt" -rate "$2/1s" -duration "$DURATION" -timeout 10s \
    -max-workers "$MAX_WORKERS"
  evidence >"$WORK/$1.after"
}
# evidence: one JSON object: the model's request (by outcome), gate-wait and inference histograms
# and rejections (/metrics), the server's CPU seconds, GC counts and seconds (jstat), and the
# machine's TCP counters (nstat)
evidence() {
  {
    curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^starling_(queue|inference|request)_duration_seconds_(bucket|sum|count)|^starling_batch_size_(sum|count)|^starling_rejected_requests_total' || true
    echo "#cpu $(cpu_seconds)"
    echo "#jstat $(jstat -gc "$PID" 2>/dev/null | tr -s ' \n' ' ')"
    echo "#nstat $(nstat -az TcpActiveOpens TcpExtListenOverflows 2>/dev/null | awk 'NR > 1 {printf "%s=%s ", $1, $2}')"
  } | python3 -c '
import json, re, sys
out = {"queue": {}, "inference": {}, "request_ok": {}, "request_shed": {}, "rejected": 0.0}
for line in sys.stdin:
    if line.startswith("#cpu"):
        out["cpu_seconds"] = float(line.split()[1])
        continue
    if line.startswith("#jstat"):
        # jstat -gc: the column names, then their values (YGC, FGC collections; GCT seconds)
        f = line.split()[1:]
        gc = dict(zip(f[: len(f) // 2], f[len(f) // 2 :]))
        if "GCT" in gc:
            out["gc_seconds"] = float(gc["GCT"])
            out["gc_count"] = int(gc.get("YGC", 0)) + int(gc.get("FGC", 0))
        continue
    if line.startswith("#nstat"):
        for kv in line.split()[1:]:
            k, v = kv.split("=")
            out[k] = int(v)
        continue
    m = re.match(r"starling_(queue|inference|request)_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)", line)
    if m:
        kind, part, labels, v = m.groups()
        if kind == "request":
            # by outcome, summed over protocols
            kind = "request_" + re.search(r"outcome=\"([^\"]+)\"", labels).group(1)
            if kind not in out:
                continue
        h = out[kind]
        key = re.search(r"le=\"([^\"]+)\"", labels).group(1) if part == "bucket" else part
        h[key] = h.get(key, 0.0) + float(v)
    elif line.startswith("starling_batch_size_"):
        part = "batch_rows" if line.startswith("starling_batch_size_sum") else "batch_calls"
        out[part] = out.get(part, 0.0) + float(line.split()[-1])
    elif line.startswith("starling_rejected_requests_total"):
        out["rejected"] += float(line.split()[-1])
print(json.dumps(out))'
}
# summary NAME: one JSON line: per status count and latency percentiles (ms) after SKIP_SECONDS,
# whole-run counts, the run's span, and the server/machine deltas of the run
summary() {
  "$VEGETA" encode --to csv "$WORK/$1.bin" | python3 -c '
import csv, json, sys
skip_ns = float(sys.argv[1]) * 1e9
before, after = (json.load(open(p)) for p in sys.argv[2:4])
rows = [(int(r[0]), r[1], int(r[2]) / 1e6) for r in csv.reader(sys.stdin)]
first = min(r[0] for r in rows) if rows else 0
last = max(r[0] for r in rows) if rows else 0
by, whole = {}, {}
for ts, code, lat in rows:
    whole[code] = whole.get(code, 0) + 1
    if ts - first >= skip_ns:
        by.setdefault(code, []).append(lat)
def pct(v, p):
    v = sorted(v)
    return round(v[min(len(v) - 1, int(p / 100 * len(v)))], 2)
out = {"sent": len(rows), "seconds": round((last - first) / 1e9, 1), "whole_run": whole}
for code, v in sorted(by.items()):
    out[code] = {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99), "max_ms": round(max(v), 2)}
def quantile(q, deltas, n):
    # as histogram_quantile: linear inside the bucket the rank falls in; +Inf if past the last bound
    rank, prev_bound, prev_count = q * n, 0.0, 0.0
    for bound, count in deltas:
        if count >= rank:
            if count == prev_count:
                return round(bound * 1000, 2)
            return round((prev_bound + (bound - prev_bound) * (rank - prev_count) / (count - prev_count)) * 1000, 2)
        prev_bound, prev_count = bound, count
    return "+Inf"
def hist(kind):
    b, a = before.get(kind, {}), after.get(kind, {})
    n = a.get("count", 0) - b.get("count", 0)
    if n <= 0:
        return None
    mean = (a.get("sum", 0) - b.get("sum", 0)) / n * 1000
    deltas = sorted((float(k), a[k] - b.get(k, 0)) for k in a if k not in ("sum", "count", "+Inf"))
    return {"n": int(n), "mean_ms": round(mean, 2), "p50_ms": quantile(0.5, deltas, n),
            "p90_ms": quantile(0.9, deltas, n), "p99_ms": quantile(0.99, deltas, n)}
sent = max(len(rows), 1)
server = {"answer_ok": hist("request_ok"), "answer_shed": hist("request_shed"),
          "gate_wait": hist("queue"), "inference": hist("inference"),
          "shed": int(after.get("rejected", 0) - before.get("rejected", 0))}
calls = after.get("batch_calls", 0) - before.get("batch_calls", 0)
if calls > 0:
    server["rows_per_call"] = round((after.get("batch_rows", 0) - before.get("batch_rows", 0)) / calls, 2)
if "cpu_seconds" in after and "cpu_seconds" in before:
    server["cpu_us_per_request"] = round((after["cpu_seconds"] - before["cpu_seconds"]) * 1e6 / sent)
client_cpu = float(open(sys.argv[4]).read())
if "gc_seconds" in after and "gc_seconds" in before:
    server["gc_ms"] = round((after["gc_seconds"] - before["gc_seconds"]) * 1000, 1)
    server["gc_collections"] = after["gc_count"] - before["gc_count"]
out["server"] = server
out["client"] = {"cpu_us_per_request": round(client_cpu * 1e6 / sent)}
out["machine"] = {k: after[k] - before[k] for k in ("TcpActiveOpens", "TcpExtListenOverflows") if k in after and k in before}
print(json.dumps(out))' "$SKIP_SECONDS" "$WORK/$1.before" "$WORK/$1.after" "$WORK/$1.client"
}

if [ -z "$CAPACITY" ]; then
  # capacity the way the overload is applied: what an open loop beyond it gets admitted per second.
  # A run that shed under 5 % did not go beyond it: the rate doubles (at most 3 times).
  rate=$(python3 -c "print(max(1, round($estimate * $SATURATE_FACTOR)))")
  for _ in 1 2 3 4; do
    attack saturate "$rate"
    saturate=$(summary saturate)
    read -r CAPACITY saturated < <(python3 -c '
import json, sys
s = json.loads(sys.argv[1])
ok = s.get("200", {}).get("n", 0)
shed = s["whole_run"].get("503", 0)
print(max(1, round(ok / max(s["seconds"] - float(sys.argv[2]), 0.1))), int(shed >= 0.05 * s["sent"]))' "$saturate" "$SKIP_SECONDS")
    [ "$saturated" = 1 ] && break
    rate=$((rate * 2))
  done
fi
unloaded_rate=$(python3 -c "print(max(1, round($CAPACITY * $UNLOADED_PERCENT / 100)))")
overload_rate=$(python3 -c "print(max(1, round($CAPACITY * $OVERLOAD_FACTOR)))")

rss_before=$(rss_mib)
attack unloaded "$unloaded_rate"
unloaded=$(summary unloaded)
rss_unloaded=$(rss_mib)
limit_unloaded=$(inflight_limit)
( while sleep 1; do echo "$(rss_mib) $(inflight_limit)"; done >"$WORK/rss.txt" ) &
SAMPLER=$!
attack overloaded "$overload_rate"
kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
overloaded=$(summary overloaded)
rss_peak=$(awk '{print $1}' "$WORK/rss.txt" | sort -n | tail -1)
limits_overloaded=$(awk '{print $2}' "$WORK/rss.txt" | paste -sd' ')
sleep 2
rss_after=$(rss_mib)

reading=$(python3 - "$unloaded" "$overloaded" "$SKIP_SECONDS" <<'PY'
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
    span = max(o["seconds"] - float(sys.argv[3]), 0.1)
    lines.append(f"Admitted under overload: {ok_o['n']} in {span:.1f} s = {ok_o['n'] / span:.0f} req/s")
other = {k: v for k, v in o["whole_run"].items() if k not in ("200", "503")}
if other:
    lines.append(f"Other outcomes under overload (status: count; 0 = client error/timeout): {other}")
for name, r in (("unloaded", u), ("overloaded", o)):
    sv, mc = r["server"], r["machine"]
    g, i = sv.get("gate_wait"), sv.get("inference")
    parts = []
    ms = lambda h: f"mean {h['mean_ms']}, p50 {h['p50_ms']}, p90 {h['p90_ms']}, p99 {h['p99_ms']} ms"
    for key, what in (("answer_ok", "admitted answers took (server, from arrival)"), ("answer_shed", "shed answers took (server, from arrival)")):
        if sv.get(key):
            parts.append(f"{what} {ms(sv[key])}")
    if g and i:
        parts.append(f"admitted requests waited at the gate {ms(g)} and spent in ONNX Runtime {ms(i)}")
    if "cpu_us_per_request" in sv:
        parts.append(f"CPU per request sent: server {sv['cpu_us_per_request']} us, load generator {r['client']['cpu_us_per_request']} us")
    if "gc_ms" in sv:
        parts.append(f"{sv['gc_collections']} GC collections took {sv['gc_ms']} ms")
    if mc:
        parts.append(f"the machine opened {mc.get('TcpActiveOpens', '?')} TCP connections ({r['sent']} requests) with {mc.get('TcpExtListenOverflows', '?')} listen-queue overflows")
    if parts:
        lines.append(f"Server and machine, {name} run: " + "; ".join(parts) + ".")
print("\n\n".join(lines))
PY
)

{
  echo "# Runtime overload, open loop, $(date -u +%FT%TZ)"
  echo
  echo "Command: \`bench/load/run-overload.sh\` (MODEL=$MODEL MAX_INFLIGHT=$MAX_INFLIGHT DURATION=$DURATION UNLOADED_PERCENT=$UNLOADED_PERCENT OVERLOAD_FACTOR=$OVERLOAD_FACTOR SATURATE_FACTOR=$SATURATE_FACTOR SKIP_SECONDS=$SKIP_SECONDS SERVE_ARGS=\"$SERVE_ARGS\" JAVA_OPTS=\"$JAVA_OPTS\" SERVER_CPUS=\"$SERVER_CPUS\" CLIENT_CPUS=\"$CLIENT_CPUS\" CLIENT_NICE=\"$CLIENT_NICE\"); load generator vegeta $(basename "$(dirname "$VEGETA")" | sed 's/^vegeta-//') (open loop, keep-alive, no retries)."
  echo
  echo "Batching: starling_batch_max_rows $(batch_rows) at the end (1 = every request its own call); rows per call under overload: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["server"].get("rows_per_call"))' "$overloaded")."
  echo
  echo "In-flight limit (starling_inflight_limit; - = fixed bound $MAX_INFLIGHT): $limit_unloaded after the unloaded run; each second under overload: $limits_overloaded."
  echo
  echo "Machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  if [ -n "$estimate" ]; then
    echo "Capacity: $CAPACITY req/s admitted under open-loop load at $rate/s ($SATURATE_FACTOR x the closed-loop estimate of $estimate req/s at $MAX_INFLIGHT connections, 10 s, doubled while under 5 % were shed); that run: \`$saturate\`. Unloaded rate $unloaded_rate/s, overload rate $overload_rate/s."
  else
    echo "Capacity: $CAPACITY req/s (given). Unloaded rate $unloaded_rate/s, overload rate $overload_rate/s."
  fi
  echo
  echo "Latencies as the client saw them after the first $SKIP_SECONDS s of each run (whole-run counts in whole_run); server = what /metrics and jstat counted in the run, machine = nstat, machine-wide."
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
