package dev.relay.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayHttpTest {

  record Body(String to) {}

  private final AtomicBoolean ready = new AtomicBoolean(true);
  private final HttpClient client = HttpClient.newHttpClient();
  private Javalin app;

  @BeforeEach
  void start() {
    app = RelayHttp.create("test", ready::get, null);
    app.post("/echo", ctx -> ctx.json(Map.of("to", ctx.bodyAsClass(Body.class).to())));
    app.get("/boom", ctx -> {
      throw new IllegalStateException("secret detail 123456");
    });
    app.get("/limited", ctx -> {
      throw new ApiError(429, "rate_limited", "slow down", java.time.Duration.ofSeconds(30));
    });
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void aMalformedBodyIsA400WithAJsonError() throws Exception {
    HttpResponse<String> response = post("/echo", "{\"to\": ");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"error\":\"malformed_body\"");
  }

  @Test
  void wrongTypesAndUnknownFieldsAre400() throws Exception {
    assertThat(post("/echo", "{\"to\": 4915}").statusCode()).isEqualTo(400);
    assertThat(post("/echo", "{\"to\": \"+49\", \"extra\": 1}").statusCode()).isEqualTo(400);
    assertThat(post("/echo", "{\"to\": \"+49\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAndWrongMethodsAnswerJson() throws Exception {
    HttpResponse<String> missing = get("/nowhere");
    HttpResponse<String> wrongMethod = get("/echo");

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"error\":\"not_found\"");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).contains("\"error\":\"method_not_allowed\"");
  }

  @Test
  void anUnexpectedFailureIsA500WithoutItsDetail() throws Exception {
    HttpResponse<String> response = get("/boom");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("\"error\":\"internal\"").doesNotContain("123456").doesNotContain("Exception");
  }

  @Test
  void limitErrorsCarryRetryAfter() throws Exception {
    HttpResponse<String> response = get("/limited");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).contains("30");
  }

  @Test
  void healthFollowsReadiness() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    ready.set(false);
    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void hugeBodiesAreRefused() throws Exception {
    HttpResponse<String> response = post("/echo", "{\"to\": \"" + "9".repeat(100_000) + "\"}");

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void eachConnectionCachesHeaderFieldsInTheSmallerRoom() {
    HttpConnectionFactory http = app.jettyServer().server().getConnectors()[0].getConnectionFactory(HttpConnectionFactory.class);

    assertThat(http.getHttpConfiguration().getHeaderCacheSize()).isEqualTo(RelayHttp.HEADER_CACHE_CHARS);
  }

  @Test
  void theSmallerRoomStillHoldsTheFieldsAVendorClientRepeats() {
    // A Twilio-shaped request as the JDK client sends it: the longest set of repeated fields Relay's servers see.
    String request = "POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json HTTP/1.1\r\n"
        + "Content-Length: 2\r\nHost: 127.0.0.1:29662\r\nUser-Agent: Java-http-client/17.0.15\r\n"
        + "Authorization: Basic " + "Q".repeat(92) + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\r\n{}";
    HttpParser parser = new HttpParser(new DiscardingRequestHandler());
    parser.setHeaderCacheSize(RelayHttp.HEADER_CACHE_CHARS);

    for (int i = 0; i < 2; i++) {
      parser.reset();
      parser.parseNext(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
    }

    assertThat(parser.getFieldCache().toString())
        .contains("Host: 127.0.0.1:29662", "User-Agent: Java-http-client", "Authorization: Basic QQ", "Accept: application/json");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  /** Parses and drops: the test reads only what the parser cached. */
  private static final class DiscardingRequestHandler implements HttpParser.RequestHandler {
    @Override
    public void startRequest(String method, String uri, HttpVersion version) {
    }

    @Override
    public void parsedHeader(HttpField field) {
    }

    @Override
    public boolean headerComplete() {
      return false;
    }

    @Override
    public boolean content(ByteBuffer item) {
      return false;
    }

    @Override
    public boolean contentComplete() {
      return false;
    }

    @Override
    public boolean messageComplete() {
      return true;
    }

    @Override
    public void earlyEOF() {
    }

    @Override
    public void badMessage(BadMessageException failure) {
      throw failure;
    }
  }
}
