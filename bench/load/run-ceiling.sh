#!/usr/bin/env bash
# HTTP ceiling: what an HTTP/1.1 server that does no work at all reaches on this machine with the peer
# benchmark's wrk command, next to the Starling runtime on the same requests. Three servers, each
# answering the same POST /v2/models/MODEL/infer with MODEL's request body:
#   c-epoll    bench/load/noop-epoll.c (gcc -O2): 2 epoll processes, a fixed answer; the kernel + wrk ceiling
#   jetty-noop bench/load/NoopJetty.java on the runtime jar's Jetty, set up as the runtime sets it up;
#              reads the body, answers a fixed JSON body (no JSON parsing, no model)
#   starling   the runtime jar, `serve --model-dir samples/models` with ./starling's JVM flags
# The fixed answer is the runtime's own answer to that request (same bytes on the wire).
#
# usage: bench/load/run-ceiling.sh [-t THREADS] [-c CONNECTIONS] [-d DURATION] [-w WARMUP] [-m "iris mlp"] [-r ROUNDS]
# env:   WRK_THREADS/WRK_CONNS/WRK_DURATION/WARMUP/MODELS/ROUNDS  same as the flags (defaults 2/32/15s/3s/"iris mlp"/1)
#        STARLING_ARGS (extra `serve` arguments, e.g. "--max-concurrent 32")
#        JAR (runtime/target/starling-runtime.jar)  JAVA_OPTS (./starling's: -Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC)
#        INITIAL_WARMUP (30s: once per JVM server and model before the rounds)
#        PORT_BASE (18300)  OUT (bench/results/ceiling-<date>.md)  QUIET_MAX_BUSY (20) QUIET_WAIT (120): as run-peers.sh
#
# Per run it records wrk's req/s and latency, the server's CPU time per request (/proc/PID/stat, all its
# processes) and whole-machine CPU use during the run, so "the rest" (wrk, kernel softirq, other work) per
# request shows too. Loopback only; every wrk run is bounded by -d; every server started here is killed on
# exit (and the no-op servers exit by themselves after an hour).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CMDLINE="bench/load/run-ceiling.sh $*"
# shellcheck source=bench/load/lib.sh
source "$HERE/lib.sh"  # descendants, switches, machine_ticks, wrk_result

THREADS="${WRK_THREADS:-2}"
CONNS="${WRK_CONNS:-32}"
DURATION="${WRK_DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
MODELS="${MODELS:-iris mlp}"
ROUNDS="${ROUNDS:-1}"
INITIAL_WARMUP="${INITIAL_WARMUP:-30s}"
while getopts "t:c:d:w:m:r:h" opt; do
  case "$opt" in
    t) THREADS="$OPTARG" ;;
    c) CONNS="$OPTARG" ;;
    d) DURATION="$OPTARG" ;;
    w) WARMUP="$OPTARG" ;;
    m) MODELS="$OPTARG" ;;
    r) ROUNDS="$OPTARG" ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
JAR="${JAR:-$REPO/runtime/target/starling-runtime.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxNewSize=64m -XX:+UseParallelGC}"
STARLING_ARGS="${STARLING_ARGS:-}"
PORT_BASE="${PORT_BASE:-18300}"
QUIET_MAX_BUSY="${QUIET_MAX_BUSY:-20}"
QUIET_WAIT="${QUIET_WAIT:-120}"
MODEL_DIR="$REPO/samples/models"
DATE="$(date +%F)"
# An OUT you give is where the report goes (an existing file is overwritten); the default dated
# name gets the time appended instead of overwriting an earlier run of the day (OUT_FORCE=1: overwrite).
if [ -n "${OUT:-}" ]; then
  [ -e "$OUT" ] && echo "note: OUT=$OUT exists and will be overwritten" >&2
else
  OUT="$REPO/bench/results/ceiling-$DATE.md"
  [ -e "$OUT" ] && [ -z "${OUT_FORCE:-}" ] && OUT="${OUT%.md}-$(date +%H%M).md"
fi
TMP="$REPO/bench/results/tmp/ceiling-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$TMP"
RESULTS="$TMP/results.jsonl"
: > "$RESULTS"

command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc not found (Debian: apt-get install -y gcc)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "no $JAR (build it: ./mvnw -q -pl runtime -am package -DskipTests)" >&2; exit 1; }
[[ "$DURATION" =~ ^[0-9]+[smh]?$ && "$WARMUP" =~ ^[0-9]+[smh]?$ && "$INITIAL_WARMUP" =~ ^[0-9]+[smh]?$ && "$ROUNDS" =~ ^[1-9][0-9]?$ ]] \
  || { echo "bad duration, warm-up or rounds" >&2; exit 2; }
gcc -O2 -o "$TMP/noop-epoll" "$HERE/noop-epoll.c"

# ---------------------------------------------------------------- process bookkeeping
STARTED=()   # process-group ids of servers we started (each started with setsid)
stop_group() {
  local pg="$1"
  kill -TERM -- "-$pg" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}
cleanup() {
  local pg
  for pg in "${STARTED[@]:-}"; do [ -n "$pg" ] && stop_group "$pg"; done
  STARTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_ticks() {  # utime+stime of a process and its live descendants, clock ticks
  local sum=0 p t
  for p in $(descendants "$1"); do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    sum=$((sum + t))
  done
  echo "$sum"
}
cpu_busy() {  # % of all CPUs busy over 1 s
  local a b
  read -r a1 a2 < <(machine_ticks); sleep 1; read -r b1 b2 < <(machine_ticks)
  echo $(( 100 * (b1 - a1) / ((b2 - a2) > 0 ? (b2 - a2) : 1) ))
}
wait_quiet() {
  local waited=0 busy
  busy="$(cpu_busy)"
  while [ "$busy" -gt "$QUIET_MAX_BUSY" ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    sleep 4; waited=$((waited + 5)); busy="$(cpu_busy)"
  done
  echo "$busy $waited"
}
wait_http() {  # URL seconds: until anything answers
  local i
  for i in $(seq $(( $2 * 5 ))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.2
  done
  return 1
}
start() {  # label port command...: starts a server in its own process group; its pid -> PID
  local label="$1" port="$2"; shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "port $port already in use; set PORT_BASE" >&2; exit 1
  fi
  setsid "$@" > "$TMP/$label.log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  wait_http "http://127.0.0.1:$port/" 60 || { echo "$label did not start" >&2; cat "$TMP/$label.log" >&2; exit 1; }
  PID="$pid"
}

NOTES=()
measure() {  # label round model port pid
  local label="$1" round="$2" m="$3" port="$4" pid="$5"
  local url="http://127.0.0.1:$port/v2/models/$m/infer" body="$MODEL_DIR/$m.request.json" busy waited
  read -r busy waited < <(wait_quiet)
  [ "$waited" -gt 0 ] && NOTES+=("waited ${waited}s for a quieter machine before $label/$m round $round (busy ${busy}% when starting)")
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$HERE/post.lua" "$url" -- "$body" > "$TMP/$label-$m-$round-warmup.txt" 2>&1 || true
  local s0 w0 m0 t0 s1 w1 m1 t1 out="$TMP/$label-$m-$round.txt"
  s0="$(cpu_ticks "$pid")"; w0="$(switches "$pid")"; read -r m0 t0 < <(machine_ticks)
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$HERE/post.lua" "$url" -- "$body" > "$out" 2>&1 || true
  s1="$(cpu_ticks "$pid")"; w1="$(switches "$pid")"; read -r m1 t1 < <(machine_ticks)
  local line
  line="$(wrk_result "$out")"
  [ -n "$line" ] || line='{"requests":0,"rps":0,"p50_ms":null,"p99_ms":null,"non2xx":null,"socket_errors":null,"failed":true}'
  echo "{\"server\":\"$label\",\"model\":\"$m\",\"round\":$round,\"wrk\":$line,\"server_ticks\":$((s1 - s0)),\"server_switches\":$((w1 - w0)),\"machine_busy_ticks\":$((m1 - m0)),\"machine_total_ticks\":$((t1 - t0)),\"busy_before\":$busy}" >> "$RESULTS"
  echo "  $label $m round $round: $(echo "$line" | cut -c1-120)" >&2
}

echo "results -> $OUT (raw: $TMP)" >&2
LOAD_START="$(cat /proc/loadavg)"
SPORT=$((PORT_BASE)); JPORT=$((PORT_BASE + 1)); CPORT=$((PORT_BASE + 2))

# Starling first: its answers are the no-op servers' fixed answers.
# shellcheck disable=SC2086
start starling "$SPORT" java $JAVA_OPTS -jar "$JAR" serve --host 127.0.0.1 --port "$SPORT" --model-dir "$MODEL_DIR" ${STARLING_ARGS:-}
SPID="$PID"
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$SPORT/v2/health/ready" && break; sleep 0.2; done
for m in $MODELS; do
  curl -sf -H 'Content-Type: application/json' --data-binary @"$MODEL_DIR/$m.request.json" \
    "http://127.0.0.1:$SPORT/v2/models/$m/infer" > "$TMP/answer-$m.json" \
    || { echo "starling did not answer $m" >&2; exit 1; }
done

# One no-op Jetty for the whole run, as there is one Starling: both JVMs warm up over the rounds.
# shellcheck disable=SC2086
start jetty-noop "$JPORT" java $JAVA_OPTS -cp "$JAR" "$HERE/NoopJetty.java" "$JPORT" "$TMP" 3600
JPID="$PID"
# Both JVMs compile their hot paths before anything is measured (on a busy 2-core machine the JIT
# was still taking ~30 % of the runtime's CPU after 20 s of load, and settled only after ~60 s).
for m in $MODELS; do
  for port in "$JPORT" "$SPORT"; do
    wrk -t"$THREADS" -c"$CONNS" -d"$INITIAL_WARMUP" -s "$HERE/post.lua" "http://127.0.0.1:$port/v2/models/$m/infer" \
      -- "$MODEL_DIR/$m.request.json" > "$TMP/initial-warmup-$port-$m.txt" 2>&1 || true
  done
done
for round in $(seq "$ROUNDS"); do
  for m in $MODELS; do
    start c-epoll "$CPORT" "$TMP/noop-epoll" "$CPORT" "$TMP/answer-$m.json" 2 3600
    measure c-epoll "$round" "$m" "$CPORT" "$PID"
    stop_group "$PID"
    measure jetty-noop "$round" "$m" "$JPORT" "$JPID"
    measure starling "$round" "$m" "$SPORT" "$SPID"
  done
done
LOAD_END="$(cat /proc/loadavg)"
cleanup

# ---------------------------------------------------------------- report
export CMDLINE THREADS CONNS DURATION WARMUP INITIAL_WARMUP MODELS ROUNDS JAVA_OPTS STARLING_ARGS LOAD_START LOAD_END QUIET_MAX_BUSY
export NOTES_JOINED="$(printf '%s\n' "${NOTES[@]:-}")"
export JAVA="$(java -version 2>&1 | head -1)" WRKVER="$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true)"
export GCCVER="$(gcc --version | head -1)" CLK_TCK="$(getconf CLK_TCK)"
export CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export NPROC="$(nproc)" KERNEL="$(uname -sr)" RAW_DIR="${TMP#$REPO/}"
python3 - "$RESULTS" "$OUT" <<'PY'
import json, os, statistics, sys
e = os.environ
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tick_us = 1e6 / int(e["CLK_TCK"])
servers = ["c-epoll", "jetty-noop", "starling"]
L = [f"# HTTP ceiling, {os.popen('date -u +%Y-%m-%dT%H:%MZ').read().strip()}\n", "## Command\n", "```",
     e["CMDLINE"].strip(),
     f"# wrk -t{e['THREADS']} -c{e['CONNS']} -d{e['DURATION']} --latency -s bench/load/post.lua "
     f"http://127.0.0.1:PORT/v2/models/MODEL/infer -- samples/models/MODEL.request.json",
     f"# each preceded by a {e['WARMUP']} warm-up run; {e['ROUNDS']} round(s); JVMs: {e['JAVA_OPTS']}, "
     f"each warmed up {e['INITIAL_WARMUP']} per model first",
     f"# starling: serve --model-dir samples/models {e.get('STARLING_ARGS', '')}".rstrip(), "```\n",
     "## Machine\n",
     f"- nproc: {e['NPROC']}; CPU: {e['CPU']}; kernel: {e['KERNEL']}; {e['JAVA']}; {e['GCCVER']}; {e['WRKVER']}",
     f"- /proc/loadavg at start: `{e['LOAD_START']}`, at end: `{e['LOAD_END']}`",
     "- wrk runs on the same cores as the server under test, as in run-peers.sh."]
L += [f"- note: {n}" for n in e.get("NOTES_JOINED", "").splitlines() if n.strip()]
busy_max = max((r["busy_before"] for r in rows), default=0)
if busy_max > int(e["QUIET_MAX_BUSY"]):
    L.append(f"\n**Warning: the machine was busy with other work (up to {busy_max}% CPU before a run). "
             "Numbers are depressed and noisy.**")
L += ["", "## Results\n",
      "Median over rounds. server µs/req = the server's CPU time (all its threads/processes) per request; "
      "rest µs/req = the rest of the machine's busy CPU per request during the run (wrk, softirq, anything else); "
      "switches/req = the server's threads' context switches (voluntary + involuntary) per request: each is a "
      "thread parked and woken again, a few µs of CPU on this VM. "
      "busy = whole machine during the run. Starling % = Starling's req/s as a share of that server's.\n",
      "| model | server | req/s | p50 ms | p99 ms | non-2xx | server µs/req | switches/req | rest µs/req | busy % | Starling % of it |",
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
summary = {}
for m in e["MODELS"].split():
    for s in servers:
        rs = [r for r in rows if r["server"] == s and r["model"] == m]
        if not rs:
            continue
        n = lambda r: max(r["wrk"]["requests"], 1)
        summary[(m, s)] = dict(
            rps=med([r["wrk"]["rps"] for r in rs]),
            p50=med([r["wrk"].get("p50_ms") for r in rs]), p99=med([r["wrk"].get("p99_ms") for r in rs]),
            non2xx=sum(r["wrk"].get("non2xx") or 0 for r in rs),
            srv=med([r["server_ticks"] * tick_us / n(r) for r in rs]),
            sw=med([r.get("server_switches", 0) / n(r) for r in rs]),
            rest=med([(r["machine_busy_ticks"] - r["server_ticks"]) * tick_us / n(r) for r in rs]),
            busy=med([100 * r["machine_busy_ticks"] / max(r["machine_total_ticks"], 1) for r in rs]))
    st = summary.get((m, "starling"))
    for s in servers:
        v = summary.get((m, s))
        if not v:
            continue
        share = f"{100 * st['rps'] / v['rps']:.0f} %" if st and v["rps"] else "–"
        fmt = lambda x, f="{:.2f}": "–" if x is None else f.format(x)
        L.append(f"| {m} | {s} | {v['rps']:.0f} | {fmt(v['p50'])} | {fmt(v['p99'])} | {v['non2xx']} | "
                 f"{v['srv']:.1f} | {v['sw']:.2f} | {v['rest']:.1f} | {v['busy']:.0f} | {share} |")
L += ["", f"Raw wrk output and server logs: `{e['RAW_DIR']}/` (not committed)."]
open(sys.argv[2], "w").write("\n".join(L) + "\n")
PY
cp "$OUT" "$TMP/" 2>/dev/null || true
echo "wrote $OUT" >&2
cat "$OUT"
