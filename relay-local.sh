#!/usr/bin/env bash
# Runs the whole of Relay on this machine: an embedded Kafka broker, every service and the provider
# simulator, in one process. Builds what it needs first. Flags go to the launcher, e.g.
#   ./relay-local.sh --data-dir=/tmp/relay --api-port=18080
# Ctrl-C stops everything; the next start resumes from the data directory (default ./data).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp install -DskipTests
# With one or two cores the JDK sizes the common pool to one thread, and CompletableFuture then starts a
# new thread for every async step: one per HTTP response of the JDK client (sender, simulator). Two
# threads keep it a pool.
exec java -Xmx1g -XX:+UseSerialGC -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 \
  -cp "relay-local/target/relay-local-0.1.0-SNAPSHOT.jar:relay-local/target/lib/*" \
  dev.relay.local.RelayLocal "$@"
