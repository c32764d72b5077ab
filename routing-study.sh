#!/usr/bin/env bash
# Runs the routing degradation study (bench module, dev.relay.bench.study) in one go: for each routing mode a fresh
# local stack with time-scaled settings, five provider degradations at once (one per country), a demand-side drop
# in mode (c); then the production defaults (shipped windows, realistic people) for DE's silent half drop.
#   ./routing-study.sh [--rate-per-country=3] [--healthy=45s] [--fault=60s] [--after=60s] [--demand-drop=60s]
#     [--demand-tail=10s] [--demand-modes=c] [--warmup=15s] [--modes=a,b,c] [--prod-modes=c,a] [--prod-rate=8]
#     [--prod-healthy=330s] [--prod-fault=180s] [--prod-static-healthy=20s] [--prod-static-fault=60s] [--out=docs]
#     [--dispatcher-settings=KEY=VALUE,...] [--scoring-settings=KEY=VALUE,...]  (every run; to calibrate a setting)
# Build first (once, or after a change; package, not install, so ~/.m2 stays as it is):
#   mvn -B -ntp -o -q -pl bench -am package -DskipTests
# Writes <out>/routing-study.json, <out>/routing-study-{completion,first-route}.svg and the results tables into
# <out>/routing-study.md between its markers. See docs/routing-study.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classes="$here/bench/target/classes"
if [ ! -d "$classes" ] || [ ! -d "$here/bench/target/lib" ]; then
  echo "bench is not built: run 'mvn -B -ntp -o -q -pl bench -am package -DskipTests' first" >&2
  exit 2
fi
export RELAY_LOG_LEVEL="${RELAY_LOG_LEVEL:-WARN}"
exec java ${STUDY_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} -cp "$classes:$here/bench/target/lib/*" dev.relay.bench.study.RoutingStudy "$@"
