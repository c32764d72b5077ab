package dev.relay.support.http;

import io.javalin.Javalin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Requests Jetty refuses before any handler sees them (an ambiguous path such as {@code /%2e%2e},
 * headers too large, a broken request line) get the same JSON error shape as everything else,
 * instead of Jetty's HTML page.
 */
final class JsonBadMessages extends ErrorHandler {

  private JsonBadMessages() {}

  /** Call before the server starts: Javalin builds the Jetty server at start. */
  static void install(Javalin app) {
    app.unsafeConfig().jetty.modifyServer(server -> server.setErrorHandler(new JsonBadMessages()));
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    if (HttpStatus.hasNoBody(status)) {
      return ByteBuffer.allocate(0);
    }
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    String code = status == 400 ? "bad_request" : status == 413 || status == 431 ? "request_too_large" : "request_refused";
    // Jetty's reason is fixed text about the HTTP message; the request itself is never echoed.
    String body = "{\"error\":\"" + code + "\",\"message\":\"the request is not acceptable HTTP (" + status + ")\"}";
    return ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
  }
}
