# Sourced by the hack/ and bench/ scripts that install CRDs.
#
# wait_crd_established TIMEOUT_SECONDS RESOURCE...   e.g.  crd/NAME   or   crd -l SELECTOR
# Waits until the CRDs are Established. `kubectl wait --for=condition=...` fails at once with
# ".status.conditions accessor error: <nil> is of the type <nil>" (instead of waiting) while a CRD
# that was just created has no conditions yet, so that failure is retried until the deadline; a
# real timeout prints kubectl's own error.
wait_crd_established() {
  local timeout=$1
  shift
  local deadline=$((SECONDS + timeout))
  until kubectl wait --for=condition=Established --timeout="${timeout}s" "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      kubectl wait --for=condition=Established --timeout=1s "$@" >/dev/null
      return 1
    fi
    sleep 1
  done
}
