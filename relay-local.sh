#!/usr/bin/env bash
# Runs the whole of Relay on this machine: an embedded Kafka broker, every service and the provider
# simulator, in one process. Builds what it needs first (when a source or POM changed since the last
# build). Flags go to the launcher, e.g.
#   ./relay-local.sh --data-dir=/tmp/relay --api-port=18080
# Ctrl-C stops everything; the next start resumes from the data directory (default ./data).
set -euo pipefail
cd "$(dirname "$0")"
# Maven alone takes seconds to find nothing to do, seconds a restart after a crash waits on; so it runs
# only when a source, a POM or the Maven settings changed (a deleted file changes its directory) since
# the last build that succeeded, or when no build did.
built=relay-local/target/relay-local.built
changed() {
  find . \( -path ./data -o -name target -o -name .git -o -name node_modules \) -prune \
    -o \( -path '*/src/*' -o -name pom.xml -o -path './.mvn/*' \) -newer "$built" -print -quit
}
if [ ! -e "$built" ] || [ -n "$(changed)" ]; then
  # Stamped before the build: a file changed while it runs is newer than the stamp, and builds next time.
  mkdir -p relay-local/target && touch relay-local/target/.relay-local.building
  mvn -B -q -ntp install -DskipTests
  mv relay-local/target/.relay-local.building "$built"
fi
# With one or two cores the JDK sizes the common pool to one thread, and CompletableFuture then starts a
# new thread for every async step: one per HTTP response of the JDK client (sender, simulator). Two
# threads keep it a pool.
# The heap starts at 64 MiB and grows as the load needs: the JDK would start it at 1/64 of the machine's
# memory (380 MiB on 24 GiB), and an idle stack then touches page after page of it for hours before the
# first full collection, as young collections promote what dies later; from 64 MiB that collection comes
# within the hour and the heap settles at what is live and some room. No perf-data file: its sampler
# wakes every 50 ms, and jcmd and jstack reach the JVM without it.
exec java -Xms64m -Xmx1g -XX:+UseSerialGC -XX:-UsePerfData -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 \
  -cp "relay-local/target/relay-local-0.1.0-SNAPSHOT.jar:relay-local/target/lib/*" \
  dev.relay.local.RelayLocal "$@"
