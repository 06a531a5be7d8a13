# bench/operator/worker-nice.sh — sourced by run.sh and profile.sh after `testenv env`.
#
# STARLING_BENCH_WORKER_NICE=<n> (1..19; unset = the default bench, comparable with earlier
# sessions) is a separately reported variant: everything that in a real cluster runs on worker
# nodes or outside the cluster — kwok (the kubelets), metrics-server, the operator (a pod) and the
# driver (a user's client) — gets CPU niceness n, while the control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) keeps 0, as if it had its own cores.
#
# Why it takes autogroups: this kernel has sched_autogroup on, so CFS shares the CPUs between
# sessions first (every testenv component runs under setsid: one session each) and a process's
# own nice value only counts inside its session. A session's weight is set through
# /proc/<pid>/autogroup. The operator and the driver are started in a session of their own
# ("${WORKER_RUN[@]}" java ...) that sets its weight before it runs java, so that the lower weight
# lands on them alone, never on the caller's session; kwok's and metrics-server's sessions are put
# back to 0 when the run ends.
WORKER_NICE=${STARLING_BENCH_WORKER_NICE:-}
WORKER_NICE_ENV=
WORKER_NICE_NOTE=
WORKER_RUN=()
if [[ -n $WORKER_NICE ]]; then
  [[ $WORKER_NICE =~ ^[0-9]+$ ]] && ((WORKER_NICE >= 1 && WORKER_NICE <= 19)) ||
    { echo "STARLING_BENCH_WORKER_NICE must be 1..19, got '$WORKER_NICE'" >&2; exit 2; }
  [[ $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null) == 1 ]] ||
    { echo "STARLING_BENCH_WORKER_NICE needs kernel.sched_autogroup_enabled=1" >&2; exit 2; }
  WORKER_NICE_ENV="STARLING_BENCH_WORKER_NICE=$WORKER_NICE "
  WORKER_NICE_NOTE="**Variant, not the default bench:** kwok, metrics-server, the operator and the driver ran in sessions of CPU niceness $WORKER_NICE (the control plane at 0), see bench/operator/worker-nice.sh."
  # shellcheck disable=SC2016
  WORKER_RUN=(setsid bash -c 'echo "$0" >/proc/self/autogroup && exec "$@"' "$WORKER_NICE")
fi

# worker_nice_session <pid> <n>: the niceness of the pid's session (autogroup)
worker_nice_session() { [[ -w /proc/$1/autogroup ]] && echo "$2" >"/proc/$1/autogroup" || true; }

# worker_nice_world <n>: kwok and metrics-server of the world KUBECONFIG points at
worker_nice_world() {
  local run_dir c
  run_dir=$(dirname "$KUBECONFIG")/run
  for c in kwok metrics-server; do
    [[ -s $run_dir/$c.pid ]] && worker_nice_session "$(cat "$run_dir/$c.pid")" "$1"
  done
}

worker_nice_apply() { if [[ -n $WORKER_NICE ]]; then worker_nice_world "$WORKER_NICE"; fi; }
worker_nice_restore() { if [[ -n $WORKER_NICE ]]; then worker_nice_world 0; fi; }
