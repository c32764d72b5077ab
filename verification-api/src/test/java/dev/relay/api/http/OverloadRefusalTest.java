package dev.relay.api.http;

import static dev.relay.api.HttpCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.admin.KafkaBlockedPrefixes;
import dev.relay.api.config.ApiConfig;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Overload is refused at the door: once the requests in flight to the dispatcher could not be
 * answered within the reply timeout, a start gets 503 {@code overloaded} with Retry-After at once,
 * and nothing is produced; people who already have a code are refused later than new starts.
 * The dispatcher here holds every request until the test answers it.
 */
class OverloadRefusalTest {

  private static final String NUMBER = "+4915112345678";
  private static final String OTHER_NUMBER = "+4915112345679";
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private final List<Held<VerificationRequest>> heldStarts = new CopyOnWriteArrayList<>();
  private final List<Held<CodeCheckRequest>> heldChecks = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<HttpResponse<String>>> waitingCallers = new CopyOnWriteArrayList<>();
  private VerificationApiService service;
  private ApiConfig config;
  private HttpCalls http;

  /**
   * One reply a second assumed (no reply is ever seen here), 5 s reply timeout: two starts (2 s) or
   * four others (4 s) may be in flight on a path.
   */
  private void startService(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(Map.of("relay.api.overload.min-reply-rate", "1",
        "relay.api.overload.start-wait-share", "0.4", "relay.api.overload.wait-share", "0.8"));
    settings.putAll(overrides);
    config = TestSettings.config(settings);
    dispatcher.onStart = request -> hold(heldStarts, request);
    dispatcher.onCheck = check -> hold(heldChecks, check);
    // A fixed clock: the few replies here spread over the whole rate window stay below the assumed rate.
    service = new VerificationApiService(config, c -> dispatcher, KafkaBlockedPrefixes::create, c -> new FakeVerificationReader(),
        Clock.fixed(NOW, ZoneOffset.UTC));
    service.start();
    http = new HttpCalls(service.port());
  }

  @AfterEach
  void stop() {
    // Answer whatever is still held, so no caller and no server thread is left waiting.
    heldStarts.forEach(held -> held.reply.complete(FakeDispatcherLink.started(held.request, ReplyKind.STARTED)));
    heldChecks.forEach(held -> held.reply.complete(FakeDispatcherLink.checked(held.request, VerificationStatus.PENDING, false, 4)));
    waitingCallers.forEach(CompletableFuture::join);
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aStartPastTheBoundIs503WithRetryAfterAndNothingIsProduced() {
    startService(Map.of());
    startInBackground("+4915112340001");
    startInBackground("+4915112340002");
    await().until(() -> heldStarts.size() == 2);

    HttpResponse<String> refused = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

    assertThat(refused.statusCode()).isEqualTo(503);
    // Two in flight at one reply a second, and a start may wait 2 s: one reply away from a place.
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    assertThat(json(refused).get("error").asText()).isEqualTo("overloaded");
    assertThat(json(refused).get("message").asText()).contains("start").contains("nothing was stored");
    assertThat(dispatcher.starts).hasSize(2).noneSatisfy(request -> assertThat(request.getTo()).isEqualTo(NUMBER));
    assertThat(metrics()).contains("relay_api_overload_refusals_total{endpoint=\"start\"} 1.0")
        .contains("relay_api_dispatcher_backlog{path=\"requests\"} 2.0")
        .contains("relay_api_dispatcher_expected_wait_seconds{path=\"requests\"} 2.0");
    // Overload is no reason to take the instance out of the load balancer: it answers, fast.
    assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);

    // One answered: its caller has its verification, and the next start finds a place.
    answerStart(0);
    await().until(() -> waitingCallers.stream().anyMatch(CompletableFuture::isDone));
    assertThat(waitingCallers.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().join().statusCode()).isEqualTo(201);
    startInBackground(NUMBER);
    await().until(() -> heldStarts.size() == 3);
    assertThat(heldStarts.get(2).request().getTo()).isEqualTo(NUMBER);
  }

  @Test
  void aRefusedStartLeavesItsRequestIdFreeForAnotherRequest() {
    startService(Map.of());
    startInBackground("+4915112340001");
    startInBackground("+4915112340002");
    await().until(() -> heldStarts.size() == 2);
    HttpResponse<String> refused = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"requestId\": \"signup-7\"}");
    assertThat(refused.statusCode()).isEqualTo(503);

    answerStart(0);
    answerStart(1);
    dispatcher.onStart = request -> CompletableFuture.completedFuture(FakeDispatcherLink.started(request, ReplyKind.STARTED));
    // Nothing of the refused start was kept: its requestId may name a different request now.
    HttpResponse<String> other = http.post("/v1/verifications", "{\"to\": \"" + OTHER_NUMBER + "\", \"requestId\": \"signup-7\"}");

    assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
    assertThat(dispatcher.starts).extracting(VerificationRequest::getRequestId).containsOnlyOnce("signup-7");
  }

  @Test
  void checksAndResendsAreAdmittedWhileStartsAreRefused() {
    startService(Map.of());
    startInBackground("+4915112340001");
    startInBackground("+4915112340002");
    await().until(() -> heldStarts.size() == 2);
    assertThat(http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}").statusCode()).isEqualTo(503);
    dispatcher.onStart = request -> CompletableFuture.completedFuture(FakeDispatcherLink.started(request, ReplyKind.RESENT));
    dispatcher.onCheck = check -> CompletableFuture.completedFuture(FakeDispatcherLink.checked(check, VerificationStatus.APPROVED, true, 4));
    String id = config.ids().mint(NUMBER);

    HttpResponse<String> check = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
    HttpResponse<String> resend = http.post("/v1/verifications/" + id + "/resend", "{}");
    HttpResponse<String> start = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

    assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
    assertThat(resend.statusCode()).as(resend.body()).isEqualTo(200);
    assertThat(start.statusCode()).as("the two held starts still fill the starts' share").isEqualTo(503);
  }

  @Test
  void aCheckRefusedForOverloadDoesNotSpendTheCheckLimits() {
    // A quarter reply a second: one check (4 s) may be in flight; two checks a minute per address.
    startService(Map.of("relay.api.overload.min-reply-rate", "0.25", "relay.api.checks-per-ip", "2/1m"));
    String id = config.ids().mint(NUMBER);
    waitingCallers.add(CompletableFuture.supplyAsync(() -> http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}")));
    await().until(() -> heldChecks.size() == 1);

    HttpResponse<String> second = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
    HttpResponse<String> third = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(json(second).get("error").asText()).isEqualTo("overloaded");
    // One check ahead at a quarter reply a second: 4 s until a place is free.
    assertThat(second.headers().firstValue("Retry-After")).contains("4");
    assertThat(third.statusCode()).as("the refused check tested no guess and spent no limit").isEqualTo(503);
    assertThat(metrics()).contains("relay_api_overload_refusals_total{endpoint=\"check\"} 2.0");

    heldChecks.get(0).reply().complete(FakeDispatcherLink.checked(heldChecks.get(0).request(), VerificationStatus.PENDING, false, 4));
    assertThat(waitingCallers.get(0).join().statusCode()).isEqualTo(200);
    dispatcher.onCheck = check -> CompletableFuture.completedFuture(FakeDispatcherLink.checked(check, VerificationStatus.PENDING, false, 3));
    HttpResponse<String> fourth = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
    HttpResponse<String> fifth = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

    assertThat(fourth.statusCode()).isEqualTo(200);
    assertThat(fifth.statusCode()).isEqualTo(429);
    assertThat(dispatcher.checks).hasSize(2);
  }

  private void answerStart(int index) {
    Held<VerificationRequest> held = heldStarts.get(index);
    held.reply.complete(FakeDispatcherLink.started(held.request, ReplyKind.STARTED));
  }

  private String metrics() {
    return http.get("/metrics").body();
  }

  private void startInBackground(String number) {
    waitingCallers.add(CompletableFuture.supplyAsync(() -> http.post("/v1/verifications", "{\"to\": \"" + number + "\"}")));
  }

  private static <T> CompletableFuture<VerificationReply> hold(List<Held<T>> held, T request) {
    CompletableFuture<VerificationReply> reply = new CompletableFuture<>();
    held.add(new Held<>(request, reply));
    return reply;
  }

  private record Held<T>(T request, CompletableFuture<VerificationReply> reply) {}
}
