#!/usr/bin/env bash
# Router overhead: the same wrk load against a Starling runtime directly, through a Starling
# router in front of it (one version at weight 100), and through bench/router/c-proxy.c (a minimal
# C epoll keep-alive proxy: the ceiling for any user-space proxy on this machine), loopback only,
# one sample model (MODEL, default iris: the cheapest inference, where a proxy's share is largest).
#
# usage: bench/router/run.sh
# env:   MODEL (iris; any samples/models/<MODEL>.onnx with a <MODEL>.request.json)
#        WRK_THREADS (2) WRK_CONNS (32) WRK_DURATION (15s) WARMUP (5s, before every run)
#        INITIAL_WARMUP (30s routed then 30s direct, once, so both fresh JVMs are compiled)
#        ROUNDS (2: direct, routed, direct, routed, ... so drift on a shared machine hits both alike)
#        JAR (runtime/target/starling-runtime.jar; built if missing)
#        JAVA_OPTS (both JVMs; default ./starling's: -Xms64m -Xmx512m -XX:MaxNewSize=64m
#        -XX:+UseParallelGC, as the runtime is shipped) ROUTER_EXTRA_OPTS (router JVM only, after
#        JAVA_OPTS; e.g. -Dstarling.router.lean=false for the Jetty path of the same jar)
#        C_PROXY (1: add the c-proxy leg; 0: direct and routed only) C_PROXY_WORKERS (2)
#        PORT_BASE (18300; the router takes +1, the c-proxy +2) QUIET_MAX_BUSY (20, % CPU) QUIET_WAIT (120, s): before each measurement,
#        wait up to QUIET_WAIT s for whole-machine CPU use to drop below QUIET_MAX_BUSY (then run
#        anyway; the report says so). OUT (bench/results/router-<date>.md)
#
# Every wrk run is bounded by -d; the runtime and router this script starts are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
THREADS="${WRK_THREADS:-2}"
CONNS="${WRK_CONNS:-32}"
DURATION="${WRK_DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-2}"
JAR="${JAR:-$REPO/runtime/target/starling-runtime.jar}"
STARLING_OPTS="-Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC"  # as ./starling
JAVA_OPTS="${JAVA_OPTS:-$STARLING_OPTS}"
ROUTER_EXTRA_OPTS="${ROUTER_EXTRA_OPTS:-}"
JVM_FLAGS_NOTE="runtime and router \`$JAVA_OPTS\`"
[ "$JAVA_OPTS" = "$STARLING_OPTS" ] && JVM_FLAGS_NOTE="$JVM_FLAGS_NOTE (./starling's defaults)"
[ -n "$ROUTER_EXTRA_OPTS" ] && JVM_FLAGS_NOTE="$JVM_FLAGS_NOTE; router also \`$ROUTER_EXTRA_OPTS\`"
PORT_BASE="${PORT_BASE:-18300}"
QUIET_MAX_BUSY="${QUIET_MAX_BUSY:-20}"
QUIET_WAIT="${QUIET_WAIT:-120}"
DATE="$(date +%F)"
OUT="${OUT:-$REPO/bench/results/router-$DATE.md}"
[ -e "$OUT" ] && [ -z "${OUT_FORCE:-}" ] && OUT="$REPO/bench/results/router-$DATE-$(date +%H%M).md"
TMP="$REPO/bench/results/tmp/router-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$TMP"
MODEL="${MODEL:-iris}"
BODY="$REPO/samples/models/$MODEL.request.json"
[ -f "$BODY" ] && [ -f "$REPO/samples/models/$MODEL.onnx" ] || { echo "MODEL=$MODEL: no samples/models/$MODEL.onnx or $MODEL.request.json" >&2; exit 2; }
RUNTIME_PORT="$PORT_BASE"
ROUTER_PORT="$((PORT_BASE + 1))"
CPROXY_PORT="$((PORT_BASE + 2))"
C_PROXY="${C_PROXY:-1}"
C_PROXY_WORKERS="${C_PROXY_WORKERS:-2}"
TARGETS="direct routed"
[ "$C_PROXY" = 1 ] && TARGETS="direct routed cproxy"

command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }
if [ "$C_PROXY" = 1 ]; then
  command -v gcc >/dev/null || { echo "gcc not found (Debian: apt-get install -y gcc); or C_PROXY=0" >&2; exit 1; }
  gcc -O2 -o "$TMP/c-proxy" "$HERE/c-proxy.c"
fi
if [ ! -f "$JAR" ]; then
  (cd "$REPO" && ./mvnw -q -f runtime/pom.xml package -DskipTests) >&2
fi

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_busy() {  # % of all CPUs busy over 1 s (everything on the machine)
  local a b t1=0 t2=0 i
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  for i in 1 2 3 4 5 6 7 8; do t1=$((t1 + a[i])); t2=$((t2 + b[i])); done
  local idle1=$((a[4] + a[5])) idle2=$((b[4] + b[5]))
  echo $(( (100 * ((t2 - t1) - (idle2 - idle1))) / (t2 - t1 > 0 ? t2 - t1 : 1) ))
}
wait_quiet() {
  local waited=0 busy
  busy="$(cpu_busy)"
  while [ "$busy" -gt "$QUIET_MAX_BUSY" ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    sleep 4; waited=$((waited + 5)); busy="$(cpu_busy)"
  done
  echo "$busy $waited"
}
wait_ready() {  # URL
  local i
  for i in $(seq 300); do
    curl -sf -o /dev/null "$1/v2/health/ready" && return 0
    sleep 0.2
  done
  echo "$1 did not become ready" >&2
  return 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # user+sys, 1/100 s
ticks_tree() {  # PID and its children (the c-proxy's workers are processes)
  local t p
  t="$(ticks "$1")"
  for p in $(pgrep -P "$1" || true); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}
rss_mib() { awk '/^VmRSS:/{printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

for port in "$RUNTIME_PORT" "$ROUTER_PORT" "$CPROXY_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "port $port already in use; set PORT_BASE" >&2; exit 1
  fi
done

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" serve --model "$MODEL=$REPO/samples/models/$MODEL.onnx" \
  --host 127.0.0.1 --port "$RUNTIME_PORT" --log-format text > "$TMP/runtime.log" 2>&1 &
PIDS+=("$!"); RUNTIME_PID="$!"
# shellcheck disable=SC2086
java $JAVA_OPTS $ROUTER_EXTRA_OPTS -jar "$JAR" router --backend "v1=http://127.0.0.1:$RUNTIME_PORT@100" \
  --host 127.0.0.1 --port "$ROUTER_PORT" --log-format text > "$TMP/router.log" 2>&1 &
PIDS+=("$!"); ROUTER_PID="$!"
CPROXY_PID=""
if [ "$C_PROXY" = 1 ]; then
  "$TMP/c-proxy" "$CPROXY_PORT" "$RUNTIME_PORT" "$C_PROXY_WORKERS" 36000 > "$TMP/c-proxy.log" 2>&1 &
  PIDS+=("$!"); CPROXY_PID="$!"
fi
wait_ready "http://127.0.0.1:$RUNTIME_PORT"
wait_ready "http://127.0.0.1:$ROUTER_PORT"
[ "$C_PROXY" = 1 ] && wait_ready "http://127.0.0.1:$CPROXY_PORT"
# fresh JVMs: compile the hot paths before anything is measured (routed load warms both)
echo "warming up both JVMs (${INITIAL_WARMUP:-30s} routed, ${INITIAL_WARMUP:-30s} direct)" >&2
for port in "$ROUTER_PORT" "$RUNTIME_PORT"; do
  wrk -t"$THREADS" -c"$CONNS" -d"${INITIAL_WARMUP:-30s}" -s "$REPO/bench/load/post.lua" \
    "http://127.0.0.1:$port/v2/models/$MODEL/infer" -- "$BODY" > "$TMP/initial-warmup-$port.txt" 2>&1 || true
done

RESULTS="$TMP/results.tsv"
: > "$RESULTS"
NOTES=()
LOAD_START="$(cat /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  for target in $TARGETS; do
    case "$target" in routed) port="$ROUTER_PORT" ;; cproxy) port="$CPROXY_PORT" ;; *) port="$RUNTIME_PORT" ;; esac
    url="http://127.0.0.1:$port/v2/models/$MODEL/infer"
    read -r busy waited < <(wait_quiet)
    [ "$waited" -gt 0 ] && NOTES+=("round $round $target: waited ${waited}s for a quieter machine (CPU busy ${busy}% at its start)")
    load="$(cut -d' ' -f1-3 /proc/loadavg)"   # before this run's warm-up, which keeps the CPU busy
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$REPO/bench/load/post.lua" "$url" -- "$BODY" \
      > "$TMP/$target-$round-warmup.txt" 2>&1 || true
    rt0="$(ticks "$RUNTIME_PID")"; ro0="$(ticks "$ROUTER_PID")"; cp0=0
    [ -n "$CPROXY_PID" ] && cp0="$(ticks_tree "$CPROXY_PID")"
    /usr/bin/time -f 'WRK_CPU %U %S' -o "$TMP/$target-$round.cpu" \
      wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$REPO/bench/load/post.lua" "$url" -- "$BODY" \
      > "$TMP/$target-$round.txt" 2>&1 || true
    rt1="$(ticks "$RUNTIME_PID")"; ro1="$(ticks "$ROUTER_PID")"; cp1=0
    [ -n "$CPROXY_PID" ] && cp1="$(ticks_tree "$CPROXY_PID")"
    wrk_cpu="$(awk '/WRK_CPU/{printf "%.2f", $2 + $3}' "$TMP/$target-$round.cpu")"
    line="$(sed -n 's/^WRK_RESULT //p' "$TMP/$target-$round.txt" | tail -1)"
    [ -n "$line" ] || { echo "wrk failed for $target round $round:" >&2; cat "$TMP/$target-$round.txt" >&2; exit 1; }
    cpu="{\"runtime_s\":$(( rt1 - rt0 ))e-2,\"router_s\":$(( ro1 - ro0 ))e-2,\"cproxy_s\":$(( cp1 - cp0 ))e-2,\"wrk_s\":${wrk_cpu:-0}}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$load" "$busy" "$cpu" "$line" >> "$RESULTS"
    echo "round $round $target: $line" >&2
  done
done
LOAD_END="$(cat /proc/loadavg)"
RSS_RUNTIME="$(rss_mib "$RUNTIME_PID")"
RSS_ROUTER="$(rss_mib "$ROUTER_PID")"

export MODEL CMDLINE="$([ "$MODEL" = iris ] || echo "MODEL=$MODEL ")bench/router/run.sh" THREADS CONNS DURATION WARMUP ROUNDS JVM_FLAGS_NOTE LOAD_START LOAD_END
export C_PROXY C_PROXY_WORKERS RSS_RUNTIME RSS_ROUTER RAW_DIR="${TMP#$REPO/}"
export NOTES_JOINED="$(printf '%s\n' "${NOTES[@]:-}")"
export CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export NPROC="$(nproc)" KERNEL="$(uname -sr)" MEM="$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
export JAVA="$(java -version 2>&1 | head -1)" WRKVER="$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true)"
export GIT_REV="$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')" DATE
python3 - "$RESULTS" "$OUT" <<'PY'
import json, os, statistics, sys

rows = []
for line in open(sys.argv[1]):
    rnd, target, load, busy, cpu, js = line.rstrip("\n").split("\t", 5)
    r = {"round": int(rnd), "target": target, "load": load, "busy": int(busy), **json.loads(js)}
    c = json.loads(cpu)
    n = max(r["requests"], 1)
    r.update({k.replace("_s", "_us"): 1e6 * v / n for k, v in c.items()})
    rows.append(r)
e = os.environ

def med(target, key):
    return statistics.median(r[key] for r in rows if r["target"] == target)

d_rps, r_rps = med("direct", "rps"), med("routed", "rps")
d_p50, r_p50 = med("direct", "p50_ms"), med("routed", "p50_ms")
d_p99, r_p99 = med("direct", "p99_ms"), med("routed", "p99_ms")
ratio = r_rps / d_rps if d_rps else float("nan")
has_c = any(r["target"] == "cproxy" for r in rows)
out = []
w = out.append
w(f"# Router overhead, {e['MODEL']} ({e['DATE']}, commit {e['GIT_REV']})\n")
w(f"The same load against a Starling runtime serving {e['MODEL']} directly, and through a Starling router")
w("(`router --backend v1=...@100`, one version at weight 100) in front of it. Loopback; wrk, the")
w("router and the runtime share the machine's cores.")
if has_c:
    w(f"Third path, the ceiling for any user-space proxy here: `bench/router/c-proxy.c` ({e['C_PROXY_WORKERS']} epoll")
    w("worker processes, one backend connection per caller connection on the caller's loop, bytes")
    w("forwarded as they come with Content-Length framing, one answer header added by writev).")
w("")
w(f"Command: `{e['CMDLINE']}` — wrk `-t{e['THREADS']} -c{e['CONNS']} -d{e['DURATION']} --latency` "
  f"(after a {e['WARMUP']} warm-up per run) with `bench/load/post.lua` and "
  f"`samples/models/{e['MODEL']}.request.json`, POST `/v2/models/{e['MODEL']}/infer`; "
  f"{e['ROUNDS']} rounds, direct and routed alternating.\n")
w(f"JVM flags: {e['JVM_FLAGS_NOTE']}.\n")
w("## Machine\n")
w(f"- CPU: {e['CPU']}, {e['NPROC']} cores; memory {e['MEM']}; {e['KERNEL']}")
w(f"- {e['JAVA']}; {e['WRKVER']}")
w(f"- load average at start: {e['LOAD_START']}; at end: {e['LOAD_END']}")
w("- the machine is shared with other work: see load and busy % per run below\n")
w("## Summary (median of rounds)\n")
w("| path | req/s | p50 ms | p99 ms |")
w("|---|---:|---:|---:|")
w(f"| direct | {d_rps:,.0f} | {d_p50:.3f} | {d_p99:.3f} |")
w(f"| routed | {r_rps:,.0f} | {r_p50:.3f} | {r_p99:.3f} |")
if has_c:
    w(f"| c-proxy | {med('cproxy', 'rps'):,.0f} | {med('cproxy', 'p50_ms'):.3f} | {med('cproxy', 'p99_ms'):.3f} |")
w("")
w(f"- routed / direct req/s: **{100 * ratio:.1f} %** (goal ≥ 85 %)")
w(f"- p50 added by the router: **{r_p50 - d_p50:+.3f} ms** (goal ≤ +0.5 ms)")
if has_c:
    w(f"- c-proxy / direct req/s: **{100 * med('cproxy', 'rps') / d_rps:.1f} %**, p50 added "
      f"{med('cproxy', 'p50_ms') - d_p50:+.3f} ms; the router reaches "
      f"{100 * r_rps / med('cproxy', 'rps'):.1f} % of the c-proxy's req/s")
    w(f"- CPU per request of the c-proxy (all workers): {med('cproxy', 'cproxy_us'):.0f} µs; runtime behind it "
      f"{med('cproxy', 'runtime_us'):.0f} µs, wrk {med('cproxy', 'wrk_us'):.0f} µs")
w(f"- RSS after the runs: runtime {e['RSS_RUNTIME']} MiB, router {e['RSS_ROUTER']} MiB")
w(f"- CPU per request (median of rounds, user+sys): runtime {med('direct', 'runtime_us'):.0f} µs direct / "
  f"{med('routed', 'runtime_us'):.0f} µs routed, router {med('routed', 'router_us'):.0f} µs, "
  f"wrk {med('direct', 'wrk_us'):.0f} / {med('routed', 'wrk_us'):.0f} µs. On a machine whose cores are all busy, "
  "req/s is roughly cores / (sum of the CPU per request of every process on the path), so the routed "
  "share is about (runtime + wrk) / (runtime + wrk + router).\n")
w("## Every run\n")
w("| round | path | load avg (1/5/15 min) before | machine CPU busy % before | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | CPU µs/req runtime / proxy / wrk |")
w("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    w(f"| {r['round']} | {r['target']} | {r['load']} | {r['busy']} | {r['requests']} | {r['rps']:,.0f} | "
      f"{r['p50_ms']:.3f} | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | {r['max_ms']:.1f} | {r['non2xx']} | {r['socket_errors']} | "
      f"{r['runtime_us']:.0f} / {r['cproxy_us' if r['target'] == 'cproxy' else 'router_us']:.0f} / {r['wrk_us']:.0f} |")
notes = [n for n in e.get("NOTES_JOINED", "").split("\n") if n.strip()]
if notes:
    w("\n## Notes\n")
    for n in notes:
        w(f"- {n}")
w(f"\nRaw wrk output: `{e['RAW_DIR']}/` (git-ignored).")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(sys.argv[2])
PY
