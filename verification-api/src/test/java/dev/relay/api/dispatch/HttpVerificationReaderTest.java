package dev.relay.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.FakeVerificationReader;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.http.VerificationQueries;
import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.javalin.http.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API's client of the dispatchers' query endpoints, against real HTTP servers playing dispatchers. */
class HttpVerificationReaderTest {

  private static final String NUMBER = "+4915112345678";
  private static final String TOKEN = "query-token-for-tests";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final AvroSerde<VerificationState> STATES = AvroSerde.of(VerificationState.class);
  private static final VerificationState STATE =
      FakeVerificationReader.pending("VEx", NUMBER, "shop", Instant.parse("2030-01-02T03:04:05Z")).build();

  private final List<Javalin> servers = new ArrayList<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(Javalin::stop);
  }

  /** A dispatcher's query endpoint answering every read with {@code handler}, after checking what was asked. */
  private URI dispatcher(String name, Consumer<Context> handler) {
    Javalin server = Javalin.create(config -> config.showJavalinBanner = false);
    server.get(VerificationQueries.PATH_PREFIX + "{digits}", ctx -> {
      asked.add(name + " " + ctx.pathParam("digits") + " " + ctx.header("Authorization"));
      handler.accept(ctx);
    });
    server.start("127.0.0.1", 0);
    servers.add(server);
    return URI.create("http://127.0.0.1:" + server.port());
  }

  private static URI nobodyListening() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private static Optional<VerificationState> read(HttpVerificationReader reader) throws Exception {
    return reader.find(NUMBER).get(10, TimeUnit.SECONDS);
  }

  @Test
  void readsTheVerificationWithTheTokenAndTheNumberInThePath() throws Exception {
    URI one = dispatcher("one", ctx -> ctx.contentType(VerificationQueries.MEDIA_TYPE).result(STATES.toBytes(STATE)));

    Optional<VerificationState> found = read(new HttpVerificationReader(List.of(one), TOKEN, TIMEOUT));

    assertThat(found).contains(STATE);
    assertThat(asked).containsExactly("one 4915112345678 Bearer " + TOKEN);
  }

  @Test
  void aNumberWithoutVerificationIsEmpty() throws Exception {
    URI one = dispatcher("one", ctx -> ctx.status(404).result("{\"error\":\"not_found\"}"));

    assertThat(read(new HttpVerificationReader(List.of(one), TOKEN, TIMEOUT))).isEmpty();
  }

  @Test
  void anUnreachableDispatcherPassesTheReadToTheNext() throws Exception {
    URI two = dispatcher("two", ctx -> ctx.result(STATES.toBytes(STATE)));

    assertThat(read(new HttpVerificationReader(List.of(nobodyListening(), two), TOKEN, TIMEOUT))).contains(STATE);
    assertThat(asked).containsExactly("two 4915112345678 Bearer " + TOKEN);
  }

  @Test
  void aRebalancingDispatcherPassesTheReadToTheNextAndTheLastOnesRetryAfterIsKept() throws Exception {
    URI one = dispatcher("one", ctx -> ctx.status(503).header("Retry-After", "1").result("{}"));
    URI two = dispatcher("two", ctx -> ctx.status(503).header("Retry-After", "4").result("{}"));

    HttpVerificationReader reader = new HttpVerificationReader(List.of(one, two), TOKEN, TIMEOUT);

    assertThatThrownBy(() -> read(reader)).cause().isInstanceOfSatisfying(ReadUnavailableException.class,
        unavailable -> assertThat(unavailable.retryAfter()).isEqualTo(Duration.ofSeconds(4)));
    assertThat(asked).hasSize(2);
  }

  @Test
  void noDispatcherReachableIsUnavailableWithADefaultRetryAfter() throws Exception {
    HttpVerificationReader reader = new HttpVerificationReader(List.of(nobodyListening(), nobodyListening()), TOKEN, TIMEOUT);

    assertThatThrownBy(() -> read(reader)).cause().isInstanceOfSatisfying(ReadUnavailableException.class,
        unavailable -> assertThat(unavailable.retryAfter()).isEqualTo(HttpVerificationReader.DEFAULT_RETRY_AFTER));
  }

  @Test
  void aDispatcherThatDoesNotAnswerInTimeIsPassedOver() throws Exception {
    URI slow = dispatcher("slow", ctx -> ctx.future(() -> new java.util.concurrent.CompletableFuture<Void>()));
    URI two = dispatcher("two", ctx -> ctx.result(STATES.toBytes(STATE)));

    Optional<VerificationState> found = read(new HttpVerificationReader(List.of(slow, two), TOKEN, Duration.ofMillis(300)));

    assertThat(found).contains(STATE);
  }

  @Test
  void aRefusedTokenOrAnUnreadableBodyIsUnavailableNeverAWrongAnswer() throws Exception {
    URI refusing = dispatcher("refusing", ctx -> ctx.status(401).result("{}"));
    URI garbled = dispatcher("garbled", ctx -> ctx.result("not avro"));

    for (URI endpoint : List.of(refusing, garbled)) {
      HttpVerificationReader reader = new HttpVerificationReader(List.of(endpoint), TOKEN, TIMEOUT);
      assertThatThrownBy(() -> read(reader)).as(endpoint.toString()).cause().isInstanceOf(ReadUnavailableException.class);
    }
  }

  @Test
  void withoutATokenNothingIsAskedAndEveryReadIsUnavailable() throws Exception {
    URI one = dispatcher("one", ctx -> ctx.result(STATES.toBytes(STATE)));

    HttpVerificationReader reader = new HttpVerificationReader(List.of(one), "", TIMEOUT);

    assertThatThrownBy(() -> read(reader)).isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause().isInstanceOf(ReadUnavailableException.class);
    assertThat(asked).isEmpty();
  }
}
