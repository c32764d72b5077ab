package dev.relay.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.http.VerificationLocator.NotQueryableException;
import dev.relay.dispatcher.http.VerificationLocator.Owner;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeHash;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.http.VerificationQueries;
import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher's status-read endpoint against locators that play every state of ownership. */
class VerificationQueryRoutesTest {

  private static final String TOKEN = "query-token-for-tests";
  private static final String NUMBER = "+4915112345678";
  private static final String PATH = "/internal/verifications/4915112345678";
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final AvroSerde<VerificationState> STATES = AvroSerde.of(VerificationState.class);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Javalin> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(Javalin::stop);
  }

  /** A locator whose owner is {@code owners} of the number and whose local store is {@code store}. */
  private static final class FakeLocator implements VerificationLocator {

    Function<String, Owner> owners = number -> new Owner.Here(3);
    final Map<String, VerificationState> store = new HashMap<>();
    boolean queryable = true;
    final List<String> reads = new ArrayList<>();

    @Override
    public Owner ownerOf(String number) {
      return owners.apply(number);
    }

    @Override
    public Optional<VerificationState> readHere(String number, int partition) {
      reads.add(number + "@" + partition);
      if (!queryable) {
        throw new NotQueryableException("partition " + partition + " is restoring");
      }
      return Optional.ofNullable(store.get(number));
    }
  }

  private int serve(VerificationLocator locator) {
    // Ample on a loaded machine: only the test of a silent owner waits it out.
    return serve(locator, Duration.ofSeconds(10));
  }

  private int serve(VerificationLocator locator, Duration forwardTimeout) {
    Javalin server = RelayHttp.create("dispatcher-queries", () -> true, null);
    new VerificationQueryRoutes(locator, TOKEN, forwardTimeout, Clock.fixed(NOW, ZoneOffset.UTC)).register(server);
    server.start("127.0.0.1", 0);
    servers.add(server);
    return server.port();
  }

  private HttpResponse<byte[]> get(int port, String path, String token, boolean forwarded) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (forwarded) {
      request.header(VerificationQueries.FORWARDED_HEADER, "1");
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static VerificationState.Builder pending() {
    return VerificationState.newBuilder()
        .setVerificationId("VEx").setTo(NUMBER).setCountry("DE").setChannel(Channel.SMS)
        .setStatus(VerificationStatus.PENDING).setCreatedAt(NOW.minusSeconds(60)).setExpiresAt(NOW.plusSeconds(540))
        .setCodeHash(CodeHash.newBuilder().setKeyId("k1").setHash(ByteBuffer.wrap(new byte[32])).build())
        .setRequestIds(List.of("signup-42")).setRequestFingerprints(Map.of("signup-42", "fingerprint"))
        .setApiKeyName("shop");
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void theOwnerAnswersFromItsStoreWithoutCodeHashOrRequestFingerprints() throws Exception {
    FakeLocator locator = new FakeLocator();
    locator.store.put(NUMBER, pending().build());

    HttpResponse<byte[]> response = get(serve(locator), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith(VerificationQueries.MEDIA_TYPE));
    VerificationState shown = STATES.fromBytes(response.body());
    assertThat(shown).isEqualTo(pending().setCodeHash(null).setRequestIds(List.of()).setRequestFingerprints(Map.of()).build());
    assertThat(locator.reads).containsExactly(NUMBER + "@3");
  }

  @Test
  void aPendingVerificationPastItsExpiryIsShownExpiredBeforeThePunctuatorGetsToIt() throws Exception {
    FakeLocator locator = new FakeLocator();
    locator.store.put(NUMBER, pending().setExpiresAt(NOW).build());

    VerificationState shown = STATES.fromBytes(get(serve(locator), PATH, TOKEN, false).body());

    assertThat(shown.getStatus()).isEqualTo(VerificationStatus.EXPIRED);
    assertThat(shown.getFinishedAt()).isEqualTo(NOW);
  }

  @Test
  void aNumberWithoutVerificationIs404() throws Exception {
    HttpResponse<byte[]> response = get(serve(new FakeLocator()), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(text(response)).contains("not_found");
  }

  @Test
  void withoutTheTokenNothingIsRead() throws Exception {
    FakeLocator locator = new FakeLocator();
    locator.store.put(NUMBER, pending().build());
    int port = serve(locator);

    assertThat(get(port, PATH, null, false).statusCode()).isEqualTo(401);
    assertThat(get(port, PATH, "wrong-token", false).statusCode()).isEqualTo(401);
    assertThat(locator.reads).isEmpty();
  }

  @Test
  void aPathThatIsNoNumberIs400() throws Exception {
    FakeLocator locator = new FakeLocator();
    int port = serve(locator);

    for (String bad : List.of("abc", "12", "49151123456789012345", "%2B4915112345678", "0000000000")) {
      HttpResponse<byte[]> response = get(port, VerificationQueries.PATH_PREFIX + bad, TOKEN, false);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(text(response)).as(bad).contains("invalid_number");
    }
    assertThat(locator.reads).isEmpty();
  }

  @Test
  void aStoreThatIsNotQueryableNowIs503WithRetryAfter() throws Exception {
    FakeLocator locator = new FakeLocator();
    locator.store.put(NUMBER, pending().build());
    locator.queryable = false;

    HttpResponse<byte[]> response = get(serve(locator), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
  }

  @Test
  void noKnownOwnerWhileRebalancingIs503WithRetryAfter() throws Exception {
    FakeLocator locator = new FakeLocator();
    locator.owners = number -> new Owner.Unknown("rebalancing");

    HttpResponse<byte[]> response = get(serve(locator), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
    assertThat(locator.reads).isEmpty();
  }

  @Test
  void anotherInstancesNumberIsForwardedToItAndItsAnswerRelayed() throws Exception {
    FakeLocator owner = new FakeLocator();
    owner.store.put(NUMBER, pending().build());
    int ownerPort = serve(owner);
    FakeLocator asked = new FakeLocator();
    asked.owners = number -> new Owner.There("127.0.0.1", ownerPort);
    int askedPort = serve(asked);

    HttpResponse<byte[]> found = get(askedPort, PATH, TOKEN, false);
    owner.store.clear();
    HttpResponse<byte[]> missing = get(askedPort, PATH, TOKEN, false);
    owner.queryable = false;
    HttpResponse<byte[]> restoring = get(askedPort, PATH, TOKEN, false);

    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(STATES.fromBytes(found.body()).getVerificationId()).isEqualTo("VEx");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(restoring.statusCode()).isEqualTo(503);
    assertThat(restoring.headers().firstValue("Retry-After")).contains("1");
    assertThat(asked.reads).as("the asked instance reads nothing of its own").isEmpty();
    assertThat(owner.reads).hasSize(3);
  }

  @Test
  void aForwardedReadIsNeverForwardedAgain() throws Exception {
    FakeLocator asked = new FakeLocator();
    List<String> ownersAsked = new ArrayList<>();
    asked.owners = number -> {
      ownersAsked.add(number);
      return new Owner.There("127.0.0.1", 1);
    };

    HttpResponse<byte[]> response = get(serve(asked), PATH, TOKEN, true);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
    assertThat(ownersAsked).containsExactly(NUMBER);
  }

  @Test
  void anOwnerThatCannotBeReachedIs503WithRetryAfter() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    FakeLocator asked = new FakeLocator();
    int port = closedPort;
    asked.owners = number -> new Owner.There("127.0.0.1", port);

    HttpResponse<byte[]> response = get(serve(asked), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("1");
  }

  @Test
  void anOwnerThatDoesNotAnswerInTheForwardTimeoutIs503() throws Exception {
    Javalin silent = Javalin.create(config -> config.showJavalinBanner = false);
    silent.get(VerificationQueries.PATH_PREFIX + "{digits}", ctx -> ctx.future(() -> new java.util.concurrent.CompletableFuture<Void>()));
    silent.start("127.0.0.1", 0);
    servers.add(silent);
    FakeLocator asked = new FakeLocator();
    asked.owners = number -> new Owner.There("127.0.0.1", silent.port());

    HttpResponse<byte[]> response = get(serve(asked, Duration.ofMillis(500)), PATH, TOKEN, false);

    assertThat(response.statusCode()).isEqualTo(503);
  }
}
