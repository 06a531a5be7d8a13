#!/usr/bin/env bash
# bench/operator/profile.sh — where the operator scale run spends time and memory.
#
#   STARLING_TESTENV_PORT=9343 bench/operator/profile.sh [COUNT=250] [STEADY_SECONDS=20] [OUT_DIR]
#
# Same setup as run.sh (test world up, CRD + RBAC, operator jar outside the cluster), plus:
# CPU seconds of every test-world process, the operator and the driver (from /proc), twice: until
# all are reconciled (the phase the <= 60 s target is about; the driver's JVM start and javac
# come before its first create but are counted here) and over the whole run, each with the rest
# of the machine's busy time as "other" (other engineers' work on the shared cores);
# the API server's apiserver_request_total by verb and resource before/after, the operator's
# JOSDK counters, its GC log, thread count, and `jmap -histo:live` at the end.
# Environment: STARLING_BENCH_JVM_OPTS as in run.sh; STARLING_OPERATOR_JAR runs another operator jar
# (e.g. an older commit's, for an A/B on the same world; the driver still uses this tree's jar); STARLING_PROFILE_HEAP_DUMP=1 adds heap.hprof;
# STARLING_PROFILE_JFR=1 adds operator.jfr (read with bench/operator/jfr-top.py); STARLING_PROFILE_KEEP=1
# keeps the bench-scale namespace at the end; STARLING_BENCH_WORKER_NICE=<n> is run.sh's labelled
# variant (bench/operator/worker-nice.sh).
# Output goes to OUT_DIR (default bench/results/tmp/profile-<time>); summary.txt is the reading.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-250}
STEADY=${2:-20}
OUT=${3:-bench/results/tmp/profile-$(date -u +%H%M%S)}
JVM_OPTS=${STARLING_BENCH_JVM_OPTS:--Xms32m -Xmx256m -XX:MaxNewSize=32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$OUT"
TESTENV=${STARLING_TESTENV:-hack/testenv}
"$TESTENV" up >/dev/null
eval "$("$TESTENV" env)"
RUN_DIR=$(dirname "$KUBECONFIG")/run
source bench/operator/worker-nice.sh   # STARLING_BENCH_WORKER_NICE: the labelled variant, as in run.sh
[[ -f operator/target/starling-operator.jar ]] || ./mvnw -q -B -pl crds,operator -am package -DskipTests
kubectl apply --server-side --force-conflicts -f crds/generated/modeldeployments.serving.starling.dev-v1.yml >/dev/null
source hack/lib/crd-wait.sh
wait_crd_established 60 crd/modeldeployments.serving.starling.dev
kubectl apply --server-side --force-conflicts -f operator/src/main/k8s/rbac.yaml >/dev/null
kubectl delete namespace bench-scale --ignore-not-found --wait=true --timeout=300s >/dev/null

# STARLING_PROFILE_JFR=1: a flight recording (method samples) of the whole run, operator.jfr
[[ ${STARLING_PROFILE_JFR:-0} = 1 ]] && JVM_OPTS="$JVM_OPTS -XX:StartFlightRecording=settings=profile,filename=$PWD/$OUT/operator.jfr"
# shellcheck disable=SC2086
STARLING_LEADER_ELECTION=false STARLING_HTTP_PORT=$PORT STARLING_JOSDK_LOG_LEVEL=WARN \
  "${WORKER_RUN[@]}" java $JVM_OPTS -Xlog:gc:file="$OUT/gc.log" -jar "${STARLING_OPERATOR_JAR:-operator/target/starling-operator.jar}" \
  >"$OUT/operator.log" 2>&1 &
OPERATOR_PID=$!
trap 'kill $OPERATOR_PID ${DRIVER_PID:-} 2>/dev/null || true; worker_nice_restore' EXIT
worker_nice_apply
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done

# cpu <pid>: user+system CPU seconds so far
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# machine: every CPU's busy time (all processes: other engineers' builds included)
machine() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print ($2 + $3 + $4 + $7 + $8) / hz}' /proc/stat; }
DRIVER_PID=
snapshot() {
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok metrics-server; do
    if [[ -s $RUN_DIR/$c.pid ]]; then echo "$c $(cpu "$(cat "$RUN_DIR/$c.pid")")"; fi
  done
  echo "operator $(cpu $OPERATOR_PID)"
  # the driver JVM (creates, then lists every 2 s) while it runs; 0 before it starts, and left
  # out once it has exited (the whole-run table counts it in "other")
  if [[ -z $DRIVER_PID ]]; then echo "driver 0"
  elif kill -0 "$DRIVER_PID" 2>/dev/null; then echo "driver $(cpu "$DRIVER_PID")"; fi
  echo "machine $(machine)"
}
# cpu_table BEFORE AFTER: CPU seconds per process between two snapshots, and the rest of the
# machine (kernel, other engineers' work) as "other"
cpu_table() {
  join <(sort "$1") <(sort "$2") | awk '{d = $3 - $2; if ($1 == "machine") m = d; else { s += d; printf "%-24s %7.1f\n", $1, d } }
    END { printf "%-24s %7.1f\n%-24s %7.1f\n", "other (rest of machine)", m - s, "machine ('"$(nproc)"' cores, busy)", m }'
}
snapshot >"$OUT/cpu-before.txt"
kubectl get --raw /metrics >"$OUT/apiserver-metrics-before.txt"
curl -fs "http://127.0.0.1:$PORT/metrics" >"$OUT/operator-metrics-before.txt"
START=$(date +%s)

"${WORKER_RUN[@]}" java -cp operator/target/starling-operator.jar bench/operator/OperatorScaleBench.java \
  "$COUNT" "$OPERATOR_PID" "http://127.0.0.1:$PORT/metrics" "$STEADY" >"$OUT/driver.txt" 2>&1 &
DRIVER_PID=$!
# a second snapshot when every MD is reconciled: what the reconcile phase alone cost
until grep -q '^all reconciled' "$OUT/driver.txt" || ! kill -0 $DRIVER_PID 2>/dev/null; do sleep 0.5; done
snapshot >"$OUT/cpu-reconciled.txt"
kubectl get --raw /metrics >"$OUT/apiserver-metrics-reconciled.txt"
curl -fs "http://127.0.0.1:$PORT/metrics" >"$OUT/operator-metrics-reconciled.txt"
wait $DRIVER_PID
cat "$OUT/driver.txt"

snapshot >"$OUT/cpu-after.txt"
kubectl get --raw /metrics >"$OUT/apiserver-metrics-after.txt"
curl -fs "http://127.0.0.1:$PORT/metrics" >"$OUT/operator-metrics-after.txt"
ls "/proc/$OPERATOR_PID/task" | wc -l >"$OUT/threads.txt"
jcmd $OPERATOR_PID Thread.print 2>/dev/null | grep '^"' | sed -E 's/^"([^"]*[^0-9-])[0-9-]*".*/\1/' \
  | sort | uniq -c | sort -rn >"$OUT/thread-names.txt" || true
jmap -histo:live $OPERATOR_PID >"$OUT/histo.txt" 2>/dev/null || true
[[ ${STARLING_PROFILE_JFR:-0} = 1 ]] && jcmd $OPERATOR_PID JFR.dump filename="$PWD/$OUT/operator.jfr" >/dev/null
# STARLING_PROFILE_HEAP_DUMP=1: also a heap dump (tens of MiB) for a closer look
[[ ${STARLING_PROFILE_HEAP_DUMP:-0} = 1 ]] && jcmd $OPERATOR_PID GC.heap_dump "$PWD/$OUT/heap.hprof" >/dev/null
grep -E '^Vm(RSS|HWM)' "/proc/$OPERATOR_PID/status" >"$OUT/rss.txt"
jcmd $OPERATOR_PID GC.heap_info >"$OUT/heap.txt" 2>/dev/null || true

{
  echo "count=$COUNT wall=$(($(date +%s) - START)) s load=$(cut -d' ' -f1-3 /proc/loadavg) jar=${STARLING_OPERATOR_JAR:-this tree} ${WORKER_NICE_ENV}jvm=$JVM_OPTS"
  echo "## CPU seconds until all reconciled ($(grep -m1 '^all reconciled' "$OUT/driver.txt"))"
  cpu_table "$OUT/cpu-before.txt" "$OUT/cpu-reconciled.txt"
  echo "## API requests until all reconciled (server-side time, top 25)"
  python3 bench/operator/apiserver-requests.py "$OUT/apiserver-metrics-before.txt" \
    "$OUT/apiserver-metrics-reconciled.txt"
  echo "## operator writes until all reconciled"
  grep '^starling_operator_api_writes_total' "$OUT/operator-metrics-reconciled.txt"
  echo "## CPU seconds during the whole run"
  cpu_table "$OUT/cpu-before.txt" "$OUT/cpu-after.txt"
  echo "## API requests during the run, all clients (server-side time, top 25)"
  python3 bench/operator/apiserver-requests.py "$OUT/apiserver-metrics-before.txt" \
    "$OUT/apiserver-metrics-after.txt"
  echo "## operator writes by method"
  grep '^starling_operator_api_writes_total' "$OUT/operator-metrics-after.txt"
  echo "## JOSDK"
  grep -E '^operator_sdk_(reconciliations|events)' "$OUT/operator-metrics-after.txt" | grep -v '_seconds' || true
  echo "## threads: $(cat "$OUT/threads.txt")"; head -15 "$OUT/thread-names.txt"
  echo "## memory"; cat "$OUT/rss.txt"; grep -E 'total|def new|tenured|Metaspace' "$OUT/heap.txt" || true
  echo "## GC: $(grep -c 'Pause Young' "$OUT/gc.log") young, $(grep -c 'Pause Full' "$OUT/gc.log") full"
  head -25 "$OUT/histo.txt"
} | tee "$OUT/summary.txt"
# STARLING_PROFILE_KEEP=1 leaves the ModelDeployments (and the world) for a closer look
[[ ${STARLING_PROFILE_KEEP:-0} = 1 ]] || kubectl delete namespace bench-scale --wait=false >/dev/null || true
