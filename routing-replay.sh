#!/usr/bin/env bash
# What-if replay of a routing policy (scoring-stream, dev.relay.scoring.replay): reads the recorded verification events,
# send results and delivery receipts of a time range from Kafka, replays the verifications under another routing table
# (the JSON RoutingTablePublisher publishes) and scoring setting, and prints recorded vs replayed completion, failovers
# per verification, p95 time to verify and cost per success, per country and overall, with its assumptions.
#   ./routing-replay.sh --from=7d [--to=2026-12-01T00:00:00Z] --table=routes.json [--scores=on|off] [--window=30s]
#     [--expiry=10m] [--max-sends=5] [--channel-order='*:sms,voice'] [--min-hour-samples=20] [--seed=1]
#     [--score-lookback=1h] [--bootstrap-servers=localhost:9092] [--relay.topics.prefix=relay.] [--relay.routing.*=...]
# Builds scoring-stream offline the first time (or with REPLAY_REBUILD=1; package-free, so ~/.m2 stays as it is).
# Exits 0 with the report, 2 on bad input, 1 when Kafka cannot be read. See docs/routing-study.md, "What-if replay".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classpath_file="$here/scoring-stream/target/replay.classpath"
main_class="$here/scoring-stream/target/classes/dev/relay/scoring/replay/ReplayMain.class"
if [ "${REPLAY_REBUILD:-0}" = "1" ] || [ ! -f "$main_class" ] || [ ! -f "$classpath_file" ]; then
  echo "building scoring-stream (offline) ..." >&2
  # The reactor's last module is scoring-stream, so its runtime classpath (the other modules' target/classes
  # included) is what the file ends up holding.
  (cd "$here" && mvn -B -ntp -o -q -pl scoring-stream -am compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath_file" -DincludeScope=runtime) >&2
fi
export RELAY_LOG_LEVEL="${RELAY_LOG_LEVEL:-WARN}"
# The report goes to stdout: logback's own start-up notes stay out of it.
exec java ${REPLAY_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC} \
  -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$here/scoring-stream/target/classes:$(cat "$classpath_file")" \
  dev.relay.scoring.replay.ReplayMain "$@"
