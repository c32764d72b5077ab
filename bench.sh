#!/usr/bin/env bash
# Runs the Relay benchmark (module bench) against the local stack in one JVM on this machine.
#   ./bench.sh --rate=50,200 --duration=60s [--warmup=10s] [--ceiling-records=200000] [--out=bench-results]
# Build first (once, or after a change): mvn -q -pl bench -am install -DskipTests
# Writes bench-results/bench.md and bench-results/bench.json. See docs/performance.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classes="$here/bench/target/classes"
if [ ! -d "$classes" ] || [ ! -d "$here/bench/target/lib" ]; then
  echo "bench is not built: run 'mvn -q -pl bench -am install -DskipTests' first" >&2
  exit 2
fi
# The JVM options relay-local.sh runs the stack with, so the figures are those of the local run.
exec java ${BENCH_JAVA_OPTS:--Xms64m -Xmx1g -XX:+UseSerialGC -XX:-UsePerfData -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} -cp "$classes:$here/bench/target/lib/*" dev.relay.bench.Bench "$@"
