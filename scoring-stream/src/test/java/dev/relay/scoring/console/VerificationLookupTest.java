package dev.relay.scoring.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.relay.support.http.ApiError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The look-up against a fake of verification-api's admin endpoints (the contract of
 * {@code GET /v1/admin/verifications}): what is forwarded, with which key, and what is refused before.
 */
class VerificationLookupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private HttpServer api;
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final List<String> keys = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFakeApi() throws IOException {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext("/v1/admin/verifications", exchange -> {
      asked.add(exchange.getRequestURI().toString());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      keys.add(String.valueOf(authorization));
      boolean admin = "Bearer admin-secret".equals(authorization);
      byte[] body = (admin ? "{\"verifications\":[{\"id\":\"VE1\",\"to\":\"+49151*****78\"}]}"
          : "{\"error\":\"unauthorized\",\"message\":\"the key is not an admin key of this deployment\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(admin ? 200 : 401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
  }

  @AfterEach
  void stopFakeApi() {
    api.stop(0);
  }

  private VerificationLookup lookup() {
    return new VerificationLookup(Optional.of(URI.create("http://127.0.0.1:" + api.getAddress().getPort())), TIMEOUT);
  }

  @Test
  void forwardsALookUpByNumberInE164WithTheOperatorsKey() {
    VerificationLookup.Answer answer = lookup().byNumber("Bearer admin-secret", "+49 151 1234 5678");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("\"id\":\"VE1\"", "+49151*****78");
    assertThat(asked).containsExactly("/v1/admin/verifications?number=%2B4915112345678");
    assertThat(keys).containsExactly("Bearer admin-secret");
  }

  @Test
  void forwardsALookUpByIdAndPassesTheApisRefusalOn() {
    VerificationLookup.Answer answer = lookup().byId("Bearer not-an-admin-key", "VE0123abc");

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body()).contains("not an admin key");
    assertThat(asked).containsExactly("/v1/admin/verifications/VE0123abc");
  }

  @Test
  void withoutAKeyTheLookUpIsRefusedAndTheApiIsNeverAsked() {
    for (String missing : new String[] {null, "", "Bearer ", "Basic YWRtaW46c2VjcmV0"}) {
      assertThatThrownBy(() -> lookup().byNumber(missing, "+4915112345678"))
          .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(401));
      assertThatThrownBy(() -> lookup().byId(missing, "VE1"))
          .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(401));
    }
    assertThat(asked).isEmpty();
  }

  @Test
  void aBadNumberOrIdIsA400AndNeverForwarded() {
    assertThatThrownBy(() -> lookup().byNumber("Bearer admin-secret", "015112345678"))
        .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(400));
    assertThatThrownBy(() -> lookup().byNumber("Bearer admin-secret", null))
        .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(400));
    assertThatThrownBy(() -> lookup().byId("Bearer admin-secret", "../blocked-prefixes"))
        .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(400));
    assertThat(asked).isEmpty();
  }

  @Test
  void withoutAnApiUrlTheLookUpIsOffAndSaysSo() {
    VerificationLookup off = new VerificationLookup(Optional.empty(), TIMEOUT);

    assertThat(off.enabled()).isFalse();
    assertThatThrownBy(() -> off.byId("Bearer admin-secret", "VE1"))
        .isInstanceOfSatisfying(ApiError.class, error -> {
          assertThat(error.status()).isEqualTo(503);
          assertThat(error.getMessage()).contains("relay.scoring.console.api-url");
        });
  }

  @Test
  void anApiThatIsDownIsA502ThatNamesNeitherTheKeyNorTheNumber() {
    int port = api.getAddress().getPort();
    api.stop(0);
    VerificationLookup lookup = new VerificationLookup(Optional.of(URI.create("http://127.0.0.1:" + port)), TIMEOUT);

    assertThatThrownBy(() -> lookup.byNumber("Bearer admin-secret", "+4915112345678"))
        .isInstanceOfSatisfying(ApiError.class, error -> {
          assertThat(error.status()).isEqualTo(502);
          assertThat(error.getMessage()).doesNotContain("admin-secret", "4915112345678");
        });
  }
}
