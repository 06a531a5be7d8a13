#!/usr/bin/env bash
# Start to ready of the runtime image, with and without its class-data-sharing archive: the image
# from an OCI layout (hack/ship/build-images OUT -> OUT/oci:runtime) run as a container with runc
# (hack/ship/oci-run: read-only root, the host's network), serving the sample models, timed from
# `runc run` to the first 200 from /v2/health/ready. "without" is the same container with
# JAVA_TOOL_OPTIONS=-Xshare:off; "with" uses -Xshare:on (a start failure if the archive cannot be
# mapped). PAIRS alternating pairs after one untimed start (page cache); prints each and the medians.
#
#   bench/load/image-start.sh OUT/oci:runtime [PAIRS=5] [PORT=18395]
#
# Needs root, runc, umoci, skopeo. Loopback only; every container is stopped and deleted on exit.
set -euo pipefail
IMAGE=${1:?usage: bench/load/image-start.sh OCI_LAYOUT:TAG [PAIRS] [PORT]}
PAIRS=${2:-5}
PORT=${3:-18395}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/image-start.XXXXXX")
ID=image-start-$$
RUNNING=""
stop() {
  [[ -n $RUNNING ]] || return 0
  runc kill "$RUNNING" KILL 2>/dev/null || true
  for _ in $(seq 50); do runc delete "$RUNNING" 2>/dev/null && break; sleep 0.1; done
  runc delete --force "$RUNNING" 2>/dev/null || true
  RUNNING=""
}
trap 'stop; rm -rf "$DIR"' EXIT
trap 'exit 130' INT TERM

# The bundle (unpacked once): oci-run writes its config, then that container is deleted and the
# bundle reused for every timed start.
"$REPO/hack/ship/oci-run" start "$IMAGE" "$ID-0" "$DIR/b" -- serve --model-dir /models/samples --host 127.0.0.1 --port "$PORT"
RUNNING=$ID-0

ready_ms() {  # waits up to 120 s; echoes ms since $1 (ns)
  local t0=$1
  for _ in $(seq 6000); do
    if curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready"; then
      echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0
    fi
    sleep 0.02
  done
  echo "not ready in 120 s; log:" >&2; tail -5 "$DIR/b/out.log" >&2; return 1
}
ready_ms "$(date +%s%N)" >/dev/null
stop

run() {  # run N JAVA_TOOL_OPTIONS
  python3 - "$DIR/b/config.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
env = [e for e in c["process"]["env"] if not e.startswith("JAVA_TOOL_OPTIONS=")]
c["process"]["env"] = env + ["JAVA_TOOL_OPTIONS=" + sys.argv[2]]
json.dump(c, open(sys.argv[1], "w"))
PY
  local t0; t0=$(date +%s%N)
  runc run -d --bundle "$DIR/b" "$ID-$1" >"$DIR/b/out.log" 2>&1 </dev/null
  RUNNING=$ID-$1
  local ms=0
  ms=$(ready_ms "$t0") || { stop; return 1; }
  stop
  echo "$ms"
}

with=() without=()
for i in $(seq "$PAIRS"); do
  if ((i % 2)); then
    a=$(run "w$i" -Xshare:on); b=$(run "o$i" -Xshare:off)
  else
    b=$(run "o$i" -Xshare:off); a=$(run "w$i" -Xshare:on)
  fi
  with+=("$a"); without+=("$b")
  echo "pair $i: with archive ${a} ms, without ${b} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "median start to ready ($PAIRS pairs): with archive $(median "${with[@]}") ms, without $(median "${without[@]}") ms"
