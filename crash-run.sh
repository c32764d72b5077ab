#!/usr/bin/env bash
# Kills the whole embedded stack (./relay-local.sh, in a process of its own) with SIGKILL under load, launches
# it again on the same data, and checks that every verification it acknowledged still ends approved.
#   ./crash-run.sh [--rate=25] [--duration=40s] [--kill-at=15s] [--provider-latency=200ms] [--out=crash-results]
# --launcher=PATH runs another launcher taking relay-local.sh's flags (another JVM, say) instead of this checkout's.
# Build first (once, or after a change): mvn -B -ntp -q -pl bench -am install -DskipTests
# Writes crash-results/crash.md and crash.json and the stack's two logs; exits 1 if anything acknowledged was
# lost. See docs/performance.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classes="$here/bench/target/classes"
if [ ! -d "$classes" ] || [ ! -d "$here/bench/target/lib" ]; then
  echo "bench is not built: run 'mvn -B -ntp -q -pl bench -am install -DskipTests' first" >&2
  exit 2
fi
exec java -Xmx256m -XX:+UseSerialGC -cp "$classes:$here/bench/target/lib/*" dev.relay.bench.crash.CrashRun \
  --launcher="$here/relay-local.sh" "$@"
