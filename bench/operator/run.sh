#!/usr/bin/env bash
# bench/operator/run.sh — operator scale benchmark against the local test world.
#
#   bench/operator/run.sh [COUNT=1000] [STEADY_SECONDS=60]
#
# Starts hack/testenv, installs the CRD and RBAC, runs operator/target/starling-operator.jar
# (built if missing) outside the cluster with KUBECONFIG, creates COUNT single-version
# ModelDeployments and measures: time until all have children and a status for their generation,
# time until all are Ready (kwok makes the pods ready), API writes by the operator during
# STEADY_SECONDS of steady state, operator heap and RSS. Writes bench/results/operator-scale.md
# (STARLING_BENCH_RESULTS=<file> writes another file, e.g. a busy-machine run's).
# STARLING_BENCH_WORKER_NICE=<n>: a separately reported variant, see bench/operator/worker-nice.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-1000}
STEADY=${2:-60}
# -Xms32m: on a machine with much RAM the initial heap defaults to RAM/64, i.e. the whole -Xmx, so
# the JVM touched 256 MiB whatever it held (session 2: RSS 392 MiB); -XX:MaxNewSize=32m as in the
# image (a 1/3-of-heap young generation was ~80 MiB of RSS and 85-185 ms young pauses).
JVM_OPTS=${STARLING_BENCH_JVM_OPTS:--Xms32m -Xmx256m -XX:MaxNewSize=32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}   # as in the image
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

TESTENV=${STARLING_TESTENV:-hack/testenv}   # another copy of the script, e.g. on another port
RESULTS=${STARLING_BENCH_RESULTS:-bench/results/operator-scale.md}
"$TESTENV" up
eval "$("$TESTENV" env)"
source bench/operator/worker-nice.sh
./mvnw -q -B -pl crds,operator -am package -DskipTests
kubectl apply --server-side --force-conflicts -f crds/generated/modeldeployments.serving.starling.dev-v1.yml >/dev/null
source hack/lib/crd-wait.sh
wait_crd_established 60 crd/modeldeployments.serving.starling.dev
kubectl apply --server-side --force-conflicts -f operator/src/main/k8s/rbac.yaml >/dev/null
# STARLING_BENCH_TRAFFIC_MODE=gateway-api: the same ModelDeployments with an HTTPRoute instead of a
# router (the Gateway API CRDs are installed; no gateway controller runs, nothing reads the routes)
TRAFFIC_MODE=${STARLING_BENCH_TRAFFIC_MODE:-builtin}
export STARLING_BENCH_TRAFFIC_MODE=$TRAFFIC_MODE
if [ "$TRAFFIC_MODE" = gateway-api ]; then
  kubectl apply --server-side --force-conflicts -f "$("$TESTENV" gateway-api-crds)" >/dev/null
  wait_crd_established 60 crd/httproutes.gateway.networking.k8s.io
fi
kubectl delete namespace bench-scale --ignore-not-found --wait=true --timeout=300s >/dev/null

mkdir -p bench/results/tmp
STARLING_LEADER_ELECTION=false STARLING_HTTP_PORT=$PORT STARLING_JOSDK_LOG_LEVEL=WARN \
  "${WORKER_RUN[@]}" java $JVM_OPTS -jar operator/target/starling-operator.jar >bench/results/tmp/operator-scale.log 2>&1 &
OPERATOR_PID=$!
trap 'kill $OPERATOR_PID 2>/dev/null || true; worker_nice_restore' EXIT
worker_nice_apply
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done
kill -0 $OPERATOR_PID 2>/dev/null && curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null \
  || { tail -20 bench/results/tmp/operator-scale.log; echo "operator did not start" >&2; exit 1; }

OUT=$("${WORKER_RUN[@]}" java -cp operator/target/starling-operator.jar bench/operator/OperatorScaleBench.java \
  "$COUNT" "$OPERATOR_PID" "http://127.0.0.1:$PORT/metrics" "$STEADY" | tee /dev/stderr)
RESULT=$(grep '^RESULT' <<<"$OUT")
val() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$RESULT"; }

cat >"$RESULTS" <<MD
# Operator scale benchmark

Command: \`${WORKER_NICE_ENV}STARLING_BENCH_TRAFFIC_MODE=$TRAFFIC_MODE STARLING_RECONCILE_THREADS=${STARLING_RECONCILE_THREADS:-10} bench/operator/run.sh $COUNT $STEADY\` (operator JVM: \`$JVM_OPTS\`, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-unset})
Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other engineers' builds and benchmarks share the machine)
Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, shared with the test world
Test world: hack/testenv ($(grep -E '^(KUBERNETES|ETCD|KWOK|METRICS_SERVER)_VERSION' hack/versions.env | tr '\n' ' ')), 2 kwok nodes, resource metrics API (metrics-server on kwok's emulated usage, since session 7: HPAs compute instead of failing each sync)

| measure | value | target |
|---|---|---|
| ModelDeployments | $COUNT (one version each, traffic mode $TRAFFIC_MODE) | 1,000 |
| created by the client (16 threads) | $(val created_s) s | |
| all reconciled: children created, status written for the generation | $(val reconciled_s) s | <= 60 s |
| all Ready (real Deployment/ReplicaSet controllers, kwok pods) | $(val ready_s) s | |
| operator API writes during $STEADY s of steady state | $(val steady_writes) | 0 |
| operator heap used after | $(val heap_mib) MiB | |
| operator RSS after | $(val rss_mib) MiB | <= 256 MiB |

Times count from the first create. Writes are the operator's own counter
\`starling_operator_api_writes_total\` (every non-GET request of its client).
$WORKER_NICE_NOTE
MD
echo "wrote $RESULTS"
kubectl delete namespace bench-scale --wait=false >/dev/null || true
