#!/usr/bin/env bash
# Runs the whole of Relay on this machine: an embedded Kafka broker, every service and the provider
# simulator, in one process. Builds what it needs first. Flags go to the launcher, e.g.
#   ./relay-local.sh --data-dir=/tmp/relay --api-port=18080
# Ctrl-C stops everything; the next start resumes from the data directory (default ./data).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp install -DskipTests
exec java -Xmx1g -XX:+UseSerialGC \
  -cp "relay-local/target/relay-local-0.1.0-SNAPSHOT.jar:relay-local/target/lib/*" \
  dev.relay.local.RelayLocal "$@"
