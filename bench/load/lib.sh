# Shared by the bench/load scripts that start the runtime jar; sourced, not run. The caller sets
# PORT, JAR and JAVA_OPTS first. Every server listens on 127.0.0.1 only.
#
#   start_runtime LOG ARGS...  java $JAVA_OPTS -jar $JAR serve --host 127.0.0.1 --port $PORT
#                              --log-format text ARGS... in the background (on the cores listed in
#                              RUNTIME_CPUS when set, through taskset), output to LOG; sets PID
#                              and READY_MS (exec to ready, polled every 20 ms). Returns 1 with the
#                              log on stderr when the process exits first or is not ready within
#                              READY_TIMEOUT seconds (default 60).
#   stop_runtime               stops the server started last (no-op when none is running).
#   rss_mib                    the server's resident set in MiB.
#   cpu_seconds                the server's CPU time so far (user + system), in seconds.
#   descendants PID            PID and the pids of its live descendants, one per line.
#   switches PID               context switches (voluntary + involuntary) of every thread of PID
#                              and its live descendants so far.
#   machine_ticks              "busy total" clock ticks of the whole machine since boot (idle and
#                              iowait count as not busy).
#   wrk_result [FILE...]       the JSON of post.lua's last WRK_RESULT line in wrk's output (stdin or
#                              FILEs).
#   ab_row NAME URL SERVER_PID DURATION BODY [WRK ARGS...]
#                              one closed-loop wrk run (-t2 -c$CONNS, post.lua) printed as the table
#                              row "| NAME | req/s | p50 ms | p99 ms | non-2xx | server CPU us/req |"
#                              (run-security.sh and run-cache.sh alternate two servers' rows).
#   ab_means FILE ARM...       the mean req/s of FILE's rows named ARM-1, ARM-2, ... for each ARM,
#                              on one line in the order given.
#   stop_pids                  stops every pid in the caller's PIDS array (kill, then wait for each)
#                              and empties it.
#   stop_all                   stop_pids, then removes the caller's $WORK directory (run-cache.sh and
#                              run-security.sh trap it on EXIT).

PID=""
READY_MS=0

start_runtime() {
  local log=$1
  shift
  local t0 deadline
  t0=$(date +%s%N)
  deadline=$(($(date +%s) + ${READY_TIMEOUT:-60}))
  local pin=()
  [ -n "${RUNTIME_CPUS:-}" ] && pin=(taskset -c "$RUNTIME_CPUS")
  # shellcheck disable=SC2086
  "${pin[@]}" java $JAVA_OPTS -jar "$JAR" serve --host 127.0.0.1 --port "$PORT" --log-format text "$@" >"$log" 2>&1 &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "the runtime exited before it was ready:" >&2
      cat "$log" >&2
      PID=""
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "the runtime was not ready within ${READY_TIMEOUT:-60} s:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.02
  done
  READY_MS=$((($(date +%s%N) - t0) / 1000000))
}

PIDS=()
stop_pids() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
stop_all() {
  stop_pids
  rm -rf "${WORK:?}"
}

stop_runtime() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
  fi
}

# cpu_seconds: user + system CPU the server has used so far, in seconds
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' /proc/"$PID"/stat
}

rss_mib() {
  echo $(($(awk '/VmRSS/ {print $2}' /proc/"$PID"/status) / 1024))
}

descendants() {
  local p="$1" c
  echo "$p"
  for c in $(pgrep -P "$p" 2>/dev/null); do descendants "$c"; done
}

switches() {
  local p
  for p in $(descendants "$1"); do
    cat /proc/"$p"/task/*/status 2>/dev/null
  done | awk '/^(nonvoluntary_|voluntary_)ctxt_switches/{s+=$2} END{print s+0}'
}

machine_ticks() {
  awk '/^cpu /{t=0; for (i=2;i<=9;i++) t+=$i; print t-$5-$6, t}' /proc/stat
}

wrk_result() {
  sed -n 's/^WRK_RESULT //p' "$@" | tail -1
}

ab_row() {
  local name=$1 url=$2 pid=$3 d=$4 body=$5 u0 u1 res
  shift 5
  u0=$(PID=$pid cpu_seconds)
  res=$(wrk -t2 -c"$CONNS" -d"$d" "$@" -s "$(dirname "${BASH_SOURCE[0]}")/post.lua" "$url" -- "$body" \
    | wrk_result)
  u1=$(PID=$pid cpu_seconds)
  python3 - "$name" "$res" "$u0" "$u1" <<'PY'
import json, sys
name, res, u0, u1 = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
cpu = (u1 - u0) * 1e6 / max(1, res["requests"])
print(f"| {name} | {res['rps']:.0f} | {res['p50_ms']:.2f} | {res['p99_ms']:.2f} | {res['non2xx']} | {cpu:.1f} |")
PY
}

ab_means() {
  python3 - "$@" <<'PY'
import re, sys
path, arms = sys.argv[1], sys.argv[2:]
rows = [l.split("|") for l in open(path) if re.match(r"\| [^|]+-\d+ \|", l)]
def mean(arm):
    v = [float(r[2]) for r in rows if r[1].strip().rsplit("-", 1)[0] == arm]
    return sum(v) / len(v)
print(" ".join(f"{mean(arm):.1f}" for arm in arms))
PY
}
