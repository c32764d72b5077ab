package dev.relay.scoring;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The live status page at {@code /status}: one static HTML file with plain JavaScript that reads
 * {@code GET /scores} of the same instance and redraws on its own, so it needs no front-end build.
 */
final class StatusPage {

  static final String PATH = "/status";
  private static final String RESOURCE = "/dev/relay/scoring/status/status.html";

  private StatusPage() {}

  static void register(Javalin http) {
    byte[] page = load();
    http.get(PATH, ctx -> ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-store").result(page));
  }

  private static byte[] load() {
    try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the status page " + RESOURCE + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
