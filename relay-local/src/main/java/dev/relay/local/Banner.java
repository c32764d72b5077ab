package dev.relay.local;

/** What the launcher prints once everything is up: where each part listens and how to try it. */
final class Banner {

  private Banner() {}

  static String of(LocalStack stack, long startMillis) {
    LocalStack.LocalStackSettings s = stack.settings();
    return String.join("\n",
        "",
        "Relay is running (started in " + startMillis + " ms, data in " + s.dataDir().toAbsolutePath() + ")",
        "  verification API    http://localhost:" + s.apiPort() + "      (health: /health)",
        "  dispatcher          http://localhost:" + s.dispatcherPort() + "/health",
        "  dlr-ingest          http://localhost:" + s.dlrPort() + "/health",
        "  scoring             http://localhost:" + s.scoringPort() + "/health",
        "  provider simulator  http://localhost:" + s.simPort() + "      (inbox: /sim/handsets/{number}/messages)",
        "  Kafka broker        " + stack.bootstrapServers(),
        "",
        "Try it:",
        "  curl -s -XPOST localhost:" + s.apiPort() + "/v1/verifications -H 'Content-Type: application/json' -d '{\"to\": \"+4915112345678\"}'",
        "  curl -s localhost:" + s.simPort() + "/sim/handsets/+4915112345678/messages",
        "",
        "Ctrl-C stops everything; the next start resumes from the data directory.");
  }
}
