#!/usr/bin/env bash
# Runs the routing degradation study (bench module, dev.relay.bench.study): for each routing mode a fresh
# local stack with time-scaled settings, four provider degradations at once (one per country).
#   ./routing-study.sh [--rate-per-country=1] [--healthy=50s] [--fault=100s] [--after=50s] [--warmup=30s] [--modes=a,b,c] [--out=docs]
# Build first (once, or after a change): mvn -q -pl bench -am install -DskipTests
# Writes <out>/routing-study.json, <out>/routing-study-{completion,first-route}.svg and the results tables into
# <out>/routing-study.md between its markers. See docs/routing-study.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classes="$here/bench/target/classes"
if [ ! -d "$classes" ] || [ ! -d "$here/bench/target/lib" ]; then
  echo "bench is not built: run 'mvn -q -pl bench -am install -DskipTests' first" >&2
  exit 2
fi
export RELAY_LOG_LEVEL="${RELAY_LOG_LEVEL:-WARN}"
exec java ${STUDY_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} -cp "$classes:$here/bench/target/lib/*" dev.relay.bench.study.RoutingStudy "$@"
