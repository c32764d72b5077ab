package dev.relay.local;

import dev.relay.sender.SenderService;

/** What the launcher prints once everything is up: where each part listens and how to try it. */
final class Banner {

  private Banner() {}

  static String of(LocalStack stack, long startMillis) {
    LocalStack.LocalStackSettings s = stack.settings();
    // The key is not printed: the banner ends up in terminals and CI logs; the file is owner-only.
    String secrets = s.dataDir().resolve(LocalSecrets.FILE).toString();
    return String.join("\n",
        "",
        "Relay is running (started in " + startMillis + " ms, data in " + s.dataDir().toAbsolutePath() + ")",
        "  verification API    http://localhost:" + s.apiPort() + "      (health: /health)",
        "  dispatcher          http://localhost:" + s.dispatcherPort() + "/health",
        "  sender              " + senderHealth(stack),
        "  dlr-ingest          http://localhost:" + s.dlrPort() + "/health",
        "  scoring             http://localhost:" + s.scoringPort() + "/health",
        "  provider simulator  http://localhost:" + s.simPort() + "      (inbox: /sim/handsets/{number}/messages)",
        "  Kafka broker        " + stack.bootstrapServers(),
        "",
        "The API wants the local development key (kept in " + secrets + ") on every /v1 request:",
        "  export RELAY_API_KEY=$(sed -n 's/^" + LocalSecrets.API_KEY + "=//p' " + secrets + ")",
        "  header: Authorization: Bearer $RELAY_API_KEY",
        "",
        "Try it:",
        "  curl -s -XPOST localhost:" + s.apiPort() + "/v1/verifications -H \"Authorization: Bearer $RELAY_API_KEY\""
            + " -H 'Content-Type: application/json' -d '{\"to\": \"+4915112345678\"}'",
        "  curl -s localhost:" + s.simPort() + "/sim/handsets/+4915112345678/messages",
        "Blocked destination prefixes (anti-pumping) take the admin key, kept in the same file:",
        "  export RELAY_ADMIN_KEY=$(sed -n 's/^" + LocalSecrets.ADMIN_KEY + "=//p' " + secrets + ")",
        "  curl -s localhost:" + s.apiPort() + "/v1/admin/blocked-prefixes -H \"Authorization: Bearer $RELAY_ADMIN_KEY\"",
        "",
        "Ctrl-C stops everything; the next start resumes from the data directory.");
  }

  /** The configured port, or the one the system picked when the settings left it to it. */
  private static String senderHealth(LocalStack stack) {
    return stack.services().stream()
        .filter(service -> service instanceof SenderService)
        .map(service -> "http://localhost:" + ((SenderService) service).httpPort() + "/health")
        .findFirst().orElse("not started");
  }
}
