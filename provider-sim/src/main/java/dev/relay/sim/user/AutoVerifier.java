package dev.relay.sim.user;

import dev.relay.sim.handset.HandsetMessage;
import dev.relay.support.http.Json;
import dev.relay.support.phone.PhoneNumbers;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated users: when switched on, whoever receives a code enters it after a human-like delay
 * by calling Relay's API ({@code POST /v1/verification-checks {to, code}}), for scenario and load
 * runs. Switched on by config and, per run, by the admin API. The code goes only into that request:
 * never into a log line or a metric.
 */
public final class AutoVerifier {

  /** Whether users type codes in, and how long each takes: uniform between the two delays. */
  public record Settings(boolean enabled, Duration minDelay, Duration maxDelay) {

    public Settings {
      if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
        throw new IllegalArgumentException("the delays must satisfy 0 <= minDelay <= maxDelay, not " + minDelay + " and " + maxDelay);
      }
    }
  }

  public static final String CHECK_PATH = "/v1/verification-checks";
  private static final Logger LOG = LoggerFactory.getLogger(AutoVerifier.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final URI checkUrl;
  private final Optional<String> apiKey;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final RandomGenerator random;
  private final MeterRegistry metrics;
  private final AtomicReference<Settings> settings;

  public AutoVerifier(URI apiUrl, Optional<String> apiKey, Settings initial, HttpClient http,
      ScheduledExecutorService scheduler, RandomGenerator random, MeterRegistry metrics) {
    this.checkUrl = URI.create(apiUrl.toString().replaceAll("/+$", "") + CHECK_PATH);
    this.apiKey = apiKey.filter(key -> !key.isBlank());
    this.http = http;
    this.scheduler = scheduler;
    this.random = random;
    this.metrics = metrics;
    this.settings = new AtomicReference<>(initial);
  }

  public Settings settings() {
    return settings.get();
  }

  public void update(Settings changed) {
    settings.set(changed);
  }

  /** A handset got a message: when switched on and the message holds a code, its user enters it later. */
  public void onReceived(String e164, HandsetMessage message) {
    Settings current = settings.get();
    if (!current.enabled() || message.code() == null) {
      return;
    }
    long spread = current.maxDelay().minus(current.minDelay()).toMillis();
    long delay = current.minDelay().toMillis() + (spread > 0 ? random.nextLong(spread + 1) : 0);
    String code = message.code();
    scheduler.schedule(() -> enter(e164, code), delay, TimeUnit.MILLISECONDS);
  }

  private void enter(String e164, String code) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("to", e164);
    body.put("code", code);
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(checkUrl)
          .timeout(REQUEST_TIMEOUT)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a map of two strings always serializes", e);
    }
    apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error != null) {
        count("unreachable");
        LOG.warn("auto-verify for {} could not reach {}: {}", PhoneNumbers.mask(e164), checkUrl, error.toString());
      } else {
        count(response.statusCode() / 100 == 2 ? "answered" : "http_" + response.statusCode());
        LOG.debug("auto-verify for {} answered {}", PhoneNumbers.mask(e164), response.statusCode());
      }
    });
  }

  private void count(String outcome) {
    metrics.counter("sim_auto_verify_total", "outcome", outcome).increment();
  }
}
