package dev.relay.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A stand-in for verification-api's admin look-up ({@code GET /v1/admin/verifications?number=} and
 * {@code /v1/admin/verifications/{id}}), answering as its contract says, until the real endpoints are
 * on main: the admin key or 401, the number masked, every try with provider, channel, reason, vendor
 * error, times and price, and the receipts. It answers one verification, a fast failover (Twilio
 * rejected the first try, Vonage delivered the second), and records what it was asked with which key.
 */
final class FakeAdminApi implements AutoCloseable {

  record Request(String pathAndQuery, String authorization) {}

  static final String FAST_FAILOVER = """
      {"verifications": [{
        "id": "VEfailover1", "to": "+49151*****70", "status": "approved", "channel": "sms",
        "createdAt": "2026-12-03T03:00:00.050Z", "expiresAt": "2026-12-03T03:10:00.050Z",
        "attempts": [
          {"attempt": 1, "provider": "twilio", "channel": "sms", "reason": "created", "outcome": "rejected",
           "error": "21610 unsubscribed recipient", "dispatchedAt": "2026-12-03T03:00:00.100Z",
           "submittedAt": null, "deliveredAt": null, "priceMicros": null},
          {"attempt": 2, "provider": "vonage", "channel": "sms", "reason": "failover:rejected", "outcome": "delivered",
           "error": null, "dispatchedAt": "2026-12-03T03:00:00.400Z", "submittedAt": "2026-12-03T03:00:00.600Z",
           "deliveredAt": "2026-12-03T03:00:03.200Z", "priceMicros": 6500}],
        "receipts": [{"provider": "vonage", "status": "DELIVERED", "errorCode": null, "receivedAt": "2026-12-03T03:00:03.200Z"}]
      }]}""";
  private static final String UNAUTHORIZED =
      "{\"error\": \"unauthorized\", \"message\": \"the key is not an admin key of this deployment\"}";

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private FakeAdminApi(HttpServer server) {
    this.server = server;
  }

  /** @param adminKey the one key it accepts, read at each request (the stack makes it when it starts) */
  static FakeAdminApi start(Supplier<String> adminKey) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    FakeAdminApi api = new FakeAdminApi(server);
    server.createContext("/v1/admin/verifications", exchange -> {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      api.requests.add(new Request(exchange.getRequestURI().toString(), authorization));
      boolean admin = ("Bearer " + adminKey.get()).equals(authorization);
      byte[] body = (admin ? FAST_FAILOVER : UNAUTHORIZED).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(admin ? 200 : 401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return api;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
