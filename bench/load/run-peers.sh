#!/usr/bin/env bash
# Peer benchmark: FastAPI+uvicorn+onnxruntime (1 and 2 workers), an in-process onnxruntime
# "floor", and optionally the Starling runtime, on the sample models, loopback only.
#
# usage: bench/load/run-peers.sh [-t THREADS] [-c CONNECTIONS] [-d DURATION] [-w WARMUP] [-m "iris mlp heavy"]
# env:   STARLING_URL=http://127.0.0.1:8080  include a running Starling runtime (must be loopback)
#        WRK_THREADS/WRK_CONNS/WRK_DURATION/WARMUP/MODELS  same as the flags (defaults 2/32/15s/45s/"iris mlp heavy")
#        The warm-up is the same for every server: long enough for a JVM to finish compiling its hot
#        path on 2 cores shared with wrk (session 10, same quiet machine: Starling's MLP served 22,891
#        req/s after 15 s of warm-up and 31,136 after 45 s; FastAPI the same within noise).
#        FLOOR_SECONDS (5)  FLOOR_BATCHES (1,2,4,8,16: floor-batch.py's batch sizes)  PORT_BASE (18100)  OUT (bench/results/peers-<date>.md)
#        QUIET_MAX_BUSY (20, % CPU) QUIET_WAIT (120, s): before each measurement, wait up to QUIET_WAIT s
#        for whole-machine CPU use to drop below QUIET_MAX_BUSY (then it runs anyway; the file says so).
#
# Every wrk run is bounded by -d; every server this script starts is killed on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CMDLINE="bench/load/run-peers.sh $*"

THREADS="${WRK_THREADS:-2}"
CONNS="${WRK_CONNS:-32}"
DURATION="${WRK_DURATION:-15s}"
WARMUP="${WARMUP:-45s}"
MODELS="${MODELS:-iris mlp heavy}"
while getopts "t:c:d:w:m:h" opt; do
  case "$opt" in
    t) THREADS="$OPTARG" ;;
    c) CONNS="$OPTARG" ;;
    d) DURATION="$OPTARG" ;;
    w) WARMUP="$OPTARG" ;;
    m) MODELS="$OPTARG" ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
FLOOR_SECONDS="${FLOOR_SECONDS:-5}"
FLOOR_BATCHES="${FLOOR_BATCHES:-1,2,4,8,16}"
PORT_BASE="${PORT_BASE:-18100}"
QUIET_MAX_BUSY="${QUIET_MAX_BUSY:-20}"
QUIET_WAIT="${QUIET_WAIT:-120}"
MODEL_DIR="$REPO/samples/models"
DATE="$(date +%F)"
# An OUT you give is where the report goes (an existing file is overwritten); the default dated
# name gets the time appended instead of overwriting an earlier run of the day (OUT_FORCE=1: overwrite).
if [ -n "${OUT:-}" ]; then
  [ -e "$OUT" ] && echo "note: OUT=$OUT exists and will be overwritten" >&2
else
  OUT="$REPO/bench/results/peers-$DATE.md"
  [ -e "$OUT" ] && [ -z "${OUT_FORCE:-}" ] && OUT="$REPO/bench/results/peers-$DATE-$(date +%H%M).md"
fi
TMP="$REPO/bench/results/tmp/peers-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$TMP"
RESULTS="$TMP/results.jsonl"
: > "$RESULTS"

command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }
for s in $(echo "$DURATION $WARMUP"); do
  [[ "$s" =~ ^[0-9]+[smh]?$ ]] || { echo "bad duration '$s'" >&2; exit 2; }
done

if [ -n "${STARLING_URL:-}" ]; then
  STARLING_URL="${STARLING_URL%/}"
  if ! [[ "$STARLING_URL" =~ ^http://(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\])(:[0-9]+)?$ ]]; then
    echo "STARLING_URL must be a loopback http URL (http://127.0.0.1:PORT), got $STARLING_URL" >&2
    exit 2
  fi
fi

VENV="$("$REPO/bench/fastapi/setup.sh")"
PY="$VENV/bin/python"

# ---------------------------------------------------------------- process bookkeeping
# descendants, machine_ticks and wrk_result come from lib.sh (its runtime helpers are not used here)
# shellcheck source=bench/load/lib.sh
source "$HERE/lib.sh"
STARTED=()   # process-group ids of servers we started (each started with setsid)
cleanup() {
  local pg
  for pg in "${STARTED[@]:-}"; do
    [ -n "$pg" ] || continue
    kill -TERM -- "-$pg" 2>/dev/null || true
  done
  for pg in "${STARTED[@]:-}"; do
    [ -n "$pg" ] || continue
    for _ in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  STARTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tree_rss_mib() {  # RSS of a process and all its descendants, MiB
  local sum=0 p r
  for p in $(descendants "$1"); do
    r="$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null || true)"
    sum=$((sum + ${r:-0}))
  done
  awk -v k="$sum" 'BEGIN{printf "%.1f", k/1024}'
}
nprocs() { descendants "$1" | wc -l; }
cpu_busy() {  # % of all CPUs busy over 1 s (everything on the machine)
  local a b
  read -ra a < <(machine_ticks); sleep 1; read -ra b < <(machine_ticks)
  echo $(( (100 * (b[0] - a[0])) / (b[1] - a[1] > 0 ? b[1] - a[1] : 1) ))
}
load1() { cut -d' ' -f1 /proc/loadavg; }
wait_quiet() {
  local waited=0 busy
  busy="$(cpu_busy)"
  while [ "$busy" -gt "$QUIET_MAX_BUSY" ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    sleep 4; waited=$((waited + 5)); busy="$(cpu_busy)"
  done
  echo "$busy $waited"
}
wait_ready() {  # URL, seconds
  local i
  for i in $(seq $(( $2 * 5 ))); do
    curl -sf -o /dev/null "$1/v2/health/ready" && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------- measurements
run_wrk() {  # server-label base-url server-pid
  local label="$1" url="$2" pid="$3" m body busy waited load out line rss
  for m in $MODELS; do
    body="$MODEL_DIR/$m.request.json"
    read -r busy waited < <(wait_quiet)
    [ "$waited" -gt 0 ] && NOTES+=("waited ${waited}s for a quieter machine before $label/$m (busy ${busy}% when starting)")
    load="$(load1)"
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$HERE/post.lua" "$url/v2/models/$m/infer" -- "$body" \
      > "$TMP/$label-$m-warmup.txt" 2>&1 || true
    out="$TMP/$label-$m.txt"
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$HERE/post.lua" "$url/v2/models/$m/infer" -- "$body" \
      > "$out" 2>&1 || true
    line="$(wrk_result "$out")"
    [ -n "$line" ] || line='{"requests":0,"rps":0,"p50_ms":null,"p99_ms":null,"non2xx":null,"socket_errors":null,"failed":true}'
    rss="null"; [ -n "$pid" ] && rss="$(tree_rss_mib "$pid")"
    local np="null"; [ -n "$pid" ] && np="$(nprocs "$pid")"
    echo "{\"server\":\"$label\",\"model\":\"$m\",\"wrk\":$line,\"rss_mib\":$rss,\"procs\":$np,\"busy_before\":$busy,\"load1_before\":$load}" >> "$RESULTS"
    echo "  $label $m: $(echo "$line" | cut -c1-160)" >&2
  done
}

echo "results -> $OUT (raw: $TMP)" >&2
LOAD_START="$(cat /proc/loadavg)"
NOTES=()

# floor
read -r busy waited < <(wait_quiet)
[ "$waited" -gt 0 ] && NOTES+=("waited ${waited}s for a quieter machine before the floor (busy ${busy}% when starting)")
echo "floor (in-process onnxruntime, ${FLOOR_SECONDS}s per model)" >&2
OMP_NUM_THREADS=1 "$PY" "$HERE/floor.py" "$MODEL_DIR" "$FLOOR_SECONDS" 1 $MODELS > "$TMP/floor.txt"
while read -r line; do
  echo "{\"server\":\"floor\",\"floor\":${line#FLOOR_RESULT },\"busy_before\":$busy,\"load1_before\":$(load1)}" >> "$RESULTS"
done < <(grep '^FLOOR_RESULT ' "$TMP/floor.txt")
# What the machine gives in-process beyond one session at batch 1, for reading the targets: two
# single-threaded sessions at once (what "twice the floor" really is on these cores) and one
# session's cost per row at the batch sizes a merging server produces.
echo "floor: 2 sessions at once, and cost per row at batch sizes $FLOOR_BATCHES" >&2
OMP_NUM_THREADS=1 "$PY" "$HERE/floor-parallel.py" "$MODEL_DIR" "$FLOOR_SECONDS" 1 2 $MODELS > "$TMP/floor-parallel.txt"
while read -r line; do
  echo "{\"server\":\"floor-parallel\",\"parallel\":${line#PARALLEL_RESULT }}" >> "$RESULTS"
done < <(grep '^PARALLEL_RESULT ' "$TMP/floor-parallel.txt")
(cd "$HERE" && OMP_NUM_THREADS=1 "$PY" floor-batch.py "$MODEL_DIR" 2 0.5 "$FLOOR_BATCHES" $MODELS) > "$TMP/floor-batch.txt"
while read -r line; do
  echo "{\"server\":\"floor-batch\",\"batch\":${line#BATCH_RESULT }}" >> "$RESULTS"
done < <(grep '^BATCH_RESULT ' "$TMP/floor-batch.txt")

# FastAPI, 1 and 2 workers
port="$PORT_BASE"
for workers in 1 2; do
  port=$((port + 1))
  label="fastapi-${workers}w"
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "port $port already in use; set PORT_BASE" >&2; exit 1
  fi
  setsid "$REPO/bench/fastapi/run.sh" "$port" "$workers" > "$TMP/$label.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  wait_ready "http://127.0.0.1:$port" 60 || { echo "$label did not become ready" >&2; cat "$TMP/$label.log" >&2; exit 1; }
  sleep 2  # let every worker finish loading its models
  echo "$label (pid $pid, $(nprocs "$pid") processes)" >&2
  run_wrk "$label" "http://127.0.0.1:$port" "$pid"
  cleanup
done

# Starling (optional, not started by this script)
STARLING_INFO=""
if [ -n "${STARLING_URL:-}" ]; then
  if wait_ready "$STARLING_URL" 2; then
    sport="$(echo "$STARLING_URL" | sed -n 's/.*:\([0-9][0-9]*\)$/\1/p')"; sport="${sport:-80}"
    spid="$(ss -ltnpH "sport = :$sport" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
    STARLING_INFO="$(curl -s --max-time 2 "$STARLING_URL/v2" | head -c 300 || true)"
    echo "starling at $STARLING_URL (pid ${spid:-?})" >&2
    run_wrk "starling" "$STARLING_URL" "${spid:-}"
  else
    NOTES+=("STARLING_URL=$STARLING_URL was given but $STARLING_URL/v2/health/ready did not answer 200; Starling not measured")
  fi
fi
LOAD_END="$(cat /proc/loadavg)"

# ---------------------------------------------------------------- report
pkgs="$("$PY" -m pip freeze 2>/dev/null | grep -iE '^(fastapi|uvicorn|uvloop|httptools|pydantic|pydantic_core|starlette|onnxruntime|numpy)==' | tr '\n' ' ')"
export QUIET_MAX_BUSY CMDLINE THREADS CONNS DURATION WARMUP MODELS FLOOR_SECONDS FLOOR_BATCHES LOAD_START LOAD_END STARLING_INFO pkgs
export STARLING_URL="${STARLING_URL:-}"
export NOTES_JOINED="$(printf '%s\n' "${NOTES[@]:-}")"
export PYVER="$("$PY" -c 'import sys; print(sys.version.split()[0])')"
export WRKVER="$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true)"
export CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export NPROC="$(nproc)" KERNEL="$(uname -sr)" MEM="$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
export RAW_DIR="${TMP#$REPO/}"
python3 - "$RESULTS" "$OUT" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
e = os.environ
models = e["MODELS"].split()
servers = ["floor", "fastapi-1w", "fastapi-2w"] + (["starling"] if any(r["server"] == "starling" for r in rows) else [])
def f(v, fmt="{:.2f}"):
    return "–" if v is None else fmt.format(v)
L = []
L.append(f"# Peer benchmark, {os.popen('date -u +%Y-%m-%dT%H:%MZ').read().strip()}\n")
L.append("## Command\n")
L.append("```")
L.append(e["CMDLINE"].strip())
L.append(f"# wrk -t{e['THREADS']} -c{e['CONNS']} -d{e['DURATION']} --latency -s bench/load/post.lua "
         f"http://127.0.0.1:PORT/v2/models/MODEL/infer -- samples/models/MODEL.request.json")
L.append(f"# each preceded by a {e['WARMUP']} warm-up run; floor: {e['FLOOR_SECONDS']} s per model after 1 s warm-up")
L.append("```\n")
L.append("## Machine\n")
L.append(f"- nproc: {e['NPROC']}; CPU: {e['CPU']}; memory: {e['MEM']}; kernel: {e['KERNEL']}")
L.append(f"- Python {e['PYVER']}; {e['pkgs'].strip()}; {e['WRKVER']}")
L.append(f"- /proc/loadavg at start: `{e['LOAD_START']}`, at end: `{e['LOAD_END']}`")
L.append("- wrk runs on the same 2 cores as the server, so every server shares the CPU with the load generator.")
L.append("- FastAPI peer: bench/fastapi (uvicorn + uvloop + httptools, `--no-access-log`, log level warning, "
         "onnxruntime intra/inter-op threads = 1, INFER_MODE=inline)")
if e.get("STARLING_URL"):
    L.append(f"- Starling: {e['STARLING_URL']} {e.get('STARLING_INFO','')}")
notes = [n for n in e.get("NOTES_JOINED", "").splitlines() if n.strip()]
for n in notes:
    L.append(f"- note: {n}")
L.append("")
busy_max = max((r["busy_before"] for r in rows if "busy_before" in r), default=0)
quiet_limit = int(e.get("QUIET_MAX_BUSY", "20"))
if busy_max > quiet_limit:
    L.append(f"**Warning: the machine was busy with other work during this run (whole-machine CPU up to {busy_max}% "
             f"before a measurement, limit {quiet_limit}%). Absolute numbers are depressed and noisy; "
             "compare only rows measured at similar busy %.**\n")
L.append("## Results\n")
L.append("req/s and latency from wrk (floor: in-process runs/s and per-run latency, no HTTP/JSON). "
         "RSS = sum over the server's processes (uvicorn master + workers) right after that model's run. "
         "busy = whole-machine CPU % in the 1 s before the warm-up (the server idle), i.e. other work on the machine; "
         "load1 = 1-minute load average at that moment (lags: it still counts the previous run's wrk + server).\n")
L.append("| model | server | req/s | p50 ms | p99 ms | non-2xx | socket errors | RSS MiB | busy % before | load1 before |")
L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in models:
    for s in servers:
        for r in rows:
            if r["server"] != s:
                continue
            if s == "floor":
                fl = r["floor"]
                if fl["model"] != m:
                    continue
                L.append(f"| {m} | floor (in-process ORT, 1 thread) | {fl['rps']:.0f} | {f(fl['p50_ms'], '{:.3f}')} | "
                         f"{f(fl['p99_ms'], '{:.3f}')} | – | – | {fl['rss_mib']:.0f} (max) | {r['busy_before']} | {r['load1_before']} |")
            elif r["model"] == m:
                w = r["wrk"]
                procs = f" ({r['procs']} proc{'s' if r['procs'] > 1 else ''})" if r.get("procs") else ""
                rss = "–" if r["rss_mib"] is None else f"{r['rss_mib']:.0f}{procs}"
                failed = " (wrk failed)" if w.get("failed") else ""
                L.append(f"| {m} | {s}{failed} | {w['rps']:.0f} | {f(w['p50_ms'])} | {f(w['p99_ms'])} | "
                         f"{f(w['non2xx'], '{}')} | {f(w['socket_errors'], '{}')} | {rss} | {r['busy_before']} | {r['load1_before']} |")
L.append("")
par = {r["parallel"]["model"]: r["parallel"] for r in rows if r["server"] == "floor-parallel"}
bat = {}
for r in rows:
    if r["server"] == "floor-batch":
        bat.setdefault(r["batch"]["model"], {})[r["batch"]["batch"]] = r["batch"]
one = {r["floor"]["model"]: r["floor"] for r in rows if r["server"] == "floor"}
if par or bat:
    sizes = sorted({b for m in bat.values() for b in m})
    L.append("## In-process ONNX Runtime beyond one session at batch 1\n")
    L.append("2 sessions at once: floor-parallel.py, two single-threaded sessions on two Python threads (ONNX Runtime "
             "releases the GIL), batch 1; what \"twice the floor\" really is on these cores. Per row: floor-batch.py, "
             "one single-threaded session, the request's row repeated to the batch size, µs per call / batch.\n")
    L.append("| model | 1 session runs/s | 2 sessions at once runs/s | = x 1 session | "
             + " | ".join(f"µs/row at batch {b}" for b in sizes) + " |")
    L.append("|---|---:|---:|---:|" + "---:|" * len(sizes))
    for m in models:
        o = one.get(m, {}).get("rps")
        p = par.get(m, {}).get("rps")
        ratio = f"{p / o:.2f}" if o and p else "–"
        cells = [f(bat.get(m, {}).get(b, {}).get("us_per_row"), "{:.1f}") for b in sizes]
        L.append(f"| {m} | {f(o, '{:.0f}')} | {f(p, '{:.0f}')} | {ratio} | " + " | ".join(cells) + " |")
    L.append("")
st = {r["model"]: r for r in rows if r["server"] == "starling"}
fa = {(r["server"], r["model"]): r for r in rows if r["server"].startswith("fastapi")}
if st:
    L.append("## Issue 2's targets, computed from the tables above\n")
    L.append("iris and MLP: req/s >= 8x FastAPI 1-worker and >= 4x 2-workers, p99 <= 1/3 of FastAPI 1-worker's. "
             "heavy: >= 90 % of twice the floor (also shown: against the two-sessions-at-once rate). RSS <= 300 MiB.\n")
    L.append("| model | Starling req/s | / FastAPI 1w | / FastAPI 2w | p99 ms (limit) | % of 2 x floor | % of 2 sessions at once | RSS MiB | verdict |")
    L.append("|---|---:|---:|---:|---|---:|---:|---:|---|")
    for m in models:
        s = st.get(m)
        if not s:
            continue
        rps = s["wrk"]["rps"]
        w1 = fa.get(("fastapi-1w", m), {}).get("wrk", {})
        w2 = fa.get(("fastapi-2w", m), {}).get("wrk", {})
        r1 = rps / w1["rps"] if w1.get("rps") else None
        r2 = rps / w2["rps"] if w2.get("rps") else None
        p99, lim = s["wrk"].get("p99_ms"), (w1.get("p99_ms") or 0) / 3 or None
        o, p = one.get(m, {}).get("rps"), par.get(m, {}).get("rps")
        pf = 100 * rps / (2 * o) if o and m == "heavy" else None
        pp = 100 * rps / p if p and m == "heavy" else None
        rss = s.get("rss_mib")
        if m == "heavy":
            ok = pf is not None and pf >= 90
            misses = [] if ok else ["90 % of 2 x floor"]
        else:
            misses = [n for n, good in (("8x 1w", r1 is not None and r1 >= 8), ("4x 2w", r2 is not None and r2 >= 4),
                                        ("p99", p99 is not None and lim is not None and p99 <= lim)) if not good]
        if rss is None or rss > 300:
            misses.append("RSS")
        verdict = "met" if not misses else "not met: " + ", ".join(misses)
        L.append(f"| {m} | {rps:.0f} | {f(r1, '{:.1f}x')} | {f(r2, '{:.1f}x')} | {f(p99)} ({f(lim)}) | "
                 f"{f(pf, '{:.0f} %')} | {f(pp, '{:.0f} %')} | {f(rss, '{:.0f}')} | {verdict} |")
    L.append("")
L.append(f"Raw wrk output: `{e['RAW_DIR']}/` (not committed).")
open(sys.argv[2], "w").write("\n".join(L) + "\n")
PY
cp "$OUT" "$TMP/" 2>/dev/null || true
echo "wrote $OUT" >&2
cat "$OUT"
