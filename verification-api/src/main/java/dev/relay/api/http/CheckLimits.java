package dev.relay.api.http;

import dev.relay.support.http.ApiError;
import dev.relay.support.limits.AdmittedTimes;
import dev.relay.support.limits.Rates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Limits code checks per client IP and per API key, before a guess reaches Kafka. The dispatcher
 * caps wrong guesses per verification; these caps stop one source from guessing across many
 * verifications (a check by number needs no id). Counted in this instance's memory: a check carries
 * no cost worth a round trip through the dispatcher's limit stages, and N instances allow N times
 * the rate, which the defaults leave room for.
 */
public final class CheckLimits {

  static final String ERROR_IP = "rate_limited_ip";
  static final String ERROR_API_KEY = "rate_limited_api_key";
  /** Past this many tracked sources, ones with nothing left in any window are dropped. */
  private static final int PURGE_ABOVE = 50_000;

  private final Rates perIp;
  private final Rates perApiKey;
  private final Clock clock;
  private final Map<String, AdmittedTimes> admitted = new HashMap<>();

  public CheckLimits(Rates perIp, Rates perApiKey, Clock clock) {
    this.perIp = perIp;
    this.perApiKey = perApiKey;
    this.clock = clock;
  }

  /** No limits, for tests of other things. */
  public static CheckLimits none(Clock clock) {
    return new CheckLimits(Rates.none(), Rates.none(), clock);
  }

  /**
   * Counts one check, or refuses it with 429 and the time a check is admitted again. A refused check
   * is not counted, so a client that waits as told gets through.
   *
   * @param apiKeyName null when the API runs without keys
   */
  public synchronized void admit(String clientIp, String apiKeyName) {
    Instant now = clock.instant();
    String ipCounter = "ip|" + clientIp;
    String keyCounter = apiKeyName == null ? null : "key|" + apiKeyName;
    Optional<Instant> ipUntil = blockedUntil(ipCounter, perIp, now);
    Optional<Instant> keyUntil = keyCounter == null ? Optional.empty() : blockedUntil(keyCounter, perApiKey, now);
    if (ipUntil.isPresent() || keyUntil.isPresent()) {
      boolean byKey = keyUntil.isPresent() && (ipUntil.isEmpty() || keyUntil.get().isAfter(ipUntil.get()));
      Instant until = byKey ? keyUntil.get() : ipUntil.get();
      Duration wait = until.isAfter(now) ? Duration.between(now, until) : Duration.ofSeconds(1);
      throw new ApiError(429, byKey ? ERROR_API_KEY : ERROR_IP, byKey
          ? "too many code checks with this API key; retry after the time in Retry-After"
          : "too many code checks from this address; retry after the time in Retry-After", wait);
    }
    record(ipCounter, perIp, now);
    if (keyCounter != null) {
      record(keyCounter, perApiKey, now);
    }
    if (admitted.size() > PURGE_ABOVE) {
      purge(now);
    }
  }

  private Optional<Instant> blockedUntil(String counter, Rates rates, Instant now) {
    AdmittedTimes times = admitted.get(counter);
    return times == null ? Optional.empty() : times.blockedUntil(rates, now);
  }

  private void record(String counter, Rates rates, Instant now) {
    if (rates.isEmpty()) {
      return;
    }
    admitted.computeIfAbsent(counter, any -> new AdmittedTimes(rates)).record(now);
  }

  private void purge(Instant now) {
    Duration horizon = perIp.horizon().compareTo(perApiKey.horizon()) > 0 ? perIp.horizon() : perApiKey.horizon();
    Instant oldest = now.minus(horizon);
    admitted.values().removeIf(times -> times.allAtOrBefore(oldest));
  }
}
