package dev.relay.api.dispatch;

import dev.relay.api.VerificationApiService;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.http.HttpClients;
import dev.relay.support.http.VerificationQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads verifications from the dispatchers' query endpoints ({@link VerificationQueries}): asks the
 * configured endpoints in order and takes the first real answer (the verification, or none); an
 * endpoint that cannot be reached, times out or answers 503 passes the read to the next. Whichever
 * dispatcher is asked forwards to the one that owns the number, so one reachable endpoint is enough.
 */
public final class HttpVerificationReader implements VerificationReader {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerificationReader.class);
  /** When no endpoint said how long to wait: about a rebalance's settling time. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  private static final AvroSerde<VerificationState> STATES = AvroSerde.of(VerificationState.class);

  private final List<URI> endpoints;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param endpoints the dispatchers' query endpoints ({@code http://host:port}), asked in this order
   * @param token the shared query token; empty: every read is unavailable (nothing configured)
   * @param timeout the longest wait for one endpoint's answer
   */
  public HttpVerificationReader(List<URI> endpoints, String token, Duration timeout) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no dispatcher query endpoint");
    }
    this.endpoints = List.copyOf(endpoints);
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClients.build(VerificationApiService.NAME,
        HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1));
    if (token.isEmpty()) {
      LOG.warn("{} is empty: status reads and the admin lookup answer 503 until it is set, the same on the dispatchers",
          VerificationQueries.TOKEN.name());
    }
  }

  @Override
  public CompletableFuture<Optional<VerificationState>> find(String number) {
    if (token.isEmpty()) {
      return CompletableFuture.failedFuture(new ReadUnavailableException(
          "status reads are not configured (" + VerificationQueries.TOKEN.name() + ")", DEFAULT_RETRY_AFTER));
    }
    return ask(0, number, null);
  }

  /** Asks endpoint {@code index}, and the next ones while the answers are "cannot answer now". */
  private CompletableFuture<Optional<VerificationState>> ask(int index, String number, ReadUnavailableException last) {
    if (index >= endpoints.size()) {
      return CompletableFuture.failedFuture(last);
    }
    URI endpoint = endpoints.get(index);
    HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(VerificationQueries.pathOf(number)))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", VerificationQueries.MEDIA_TYPE)
        .GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, error) -> {
          if (error != null) {
            LOG.debug("dispatcher query endpoint {} did not answer: {}", endpoint, error.toString());
            return Answer.<Optional<VerificationState>>retry(
                new ReadUnavailableException("no dispatcher answered; retry", DEFAULT_RETRY_AFTER));
          }
          return answer(endpoint, response);
        })
        .thenCompose(answer -> answer.retry() == null
            ? CompletableFuture.completedFuture(answer.value())
            : ask(index + 1, number, answer.retry()));
  }

  private static Answer<Optional<VerificationState>> answer(URI endpoint, HttpResponse<byte[]> response) {
    return switch (response.statusCode()) {
      case 200 -> {
        try {
          yield Answer.of(Optional.of(STATES.fromBytes(response.body())));
        } catch (RuntimeException e) {
          // A dispatcher on a schema this API does not know: another instance may be on the same version.
          LOG.error("dispatcher query endpoint {} answered a verification this API cannot read: {}", endpoint, e.getMessage());
          yield Answer.retry(new ReadUnavailableException("the dispatcher's answer could not be read; retry", DEFAULT_RETRY_AFTER));
        }
      }
      case 404 -> Answer.of(Optional.empty());
      case 503 -> Answer.retry(new ReadUnavailableException("the dispatcher that owns this number cannot answer now; retry",
          retryAfter(response)));
      case 401 -> {
        // A deployment error, not the caller's: the API's and the dispatchers' query tokens differ.
        LOG.error("dispatcher query endpoint {} refused the query token: {} must be the same on the API and the dispatchers",
            endpoint, VerificationQueries.TOKEN.name());
        yield Answer.retry(new ReadUnavailableException("status reads are misconfigured; retry later", DEFAULT_RETRY_AFTER));
      }
      default -> {
        LOG.warn("dispatcher query endpoint {} answered {}", endpoint, response.statusCode());
        yield Answer.retry(new ReadUnavailableException("the dispatcher could not answer; retry", DEFAULT_RETRY_AFTER));
      }
    };
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(HttpVerificationReader::seconds).orElse(DEFAULT_RETRY_AFTER);
  }

  private static Optional<Duration> seconds(String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** One endpoint's answer: a value, or the reason to ask the next endpoint. */
  private record Answer<T>(T value, ReadUnavailableException retry) {

    static <T> Answer<T> of(T value) {
      return new Answer<>(value, null);
    }

    static <T> Answer<T> retry(ReadUnavailableException why) {
      return new Answer<>(null, why);
    }
  }
}
