#!/usr/bin/env bash
# Builds the JMH benchmarks jar and runs it with a bounded configuration (≈4 min), then writes
# bench/results/jmh-<date>.md: command line, machine facts, load average before and after, and
# JMH's result table. Extra arguments go to JMH and replace the defaults below
# (e.g. bench/jmh/run.sh -p model=iris InferV2).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

./mvnw -q -Pbench -pl bench/jmh -am package -DskipTests

jar=bench/jmh/target/benchmarks.jar
if [ "$#" -gt 0 ]; then
  args=("$@")
else
  args=(-f 1 -wi 2 -i 3 -w 2s -r 3s -t 1)
fi
stamp="$(date -u +%Y%m%d-%H%M%S)"
out="bench/results/jmh-${stamp}.md"
table="$(mktemp)"
log="$(mktemp)"
trap 'rm -f "$table" "$log"' EXIT

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
java -jar "$jar" "${args[@]}" -rf text -rff "$table" | tee "$log"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p bench/results
{
  echo "# JMH: runtime inference path ($(date -u +'%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Indicative numbers from a shared machine; compare runs only with their load averages."
  echo
  echo '```'
  echo "java -jar $jar ${args[*]}"
  echo '```'
  echo
  echo "| fact | value |"
  echo "|---|---|"
  echo "| commit | $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- runtime/src/main bench/jmh || echo ' (+ uncommitted changes)') |"
  echo "| nproc | $(nproc) |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| load average (1/5/15 min) at start | $load_start |"
  echo "| load average at end | $load_end |"
  echo "| java | $(java -version 2>&1 | head -1) |"
  echo
  echo "Benchmarks (all single thread, batch 1, the sample request of each model):"
  echo
  echo "- \`DecodeValidateBenchmark.decodeValidate\`: InferRequestDecoder.decode + RequestValidator.validate"
  echo "- \`EncodeBenchmark.encode\`: the response body from ready outputs (TensorWriter)"
  echo "- \`InferV2Benchmark.inferV2\`: Predictor.inferV2 end to end with the real session (no HTTP)"
  echo "- \`OrtFloorBenchmark.createRunRead\`: ONNX Runtime alone: create tensor, run, copy outputs (the floor)"
  echo
  echo '```'
  cat "$table"
  echo '```'
} > "$out"
echo "wrote $out"
