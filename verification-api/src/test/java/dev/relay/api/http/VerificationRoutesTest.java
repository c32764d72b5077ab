package dev.relay.api.http;

import static dev.relay.api.HttpCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.api.FakeDispatcherLink;
import dev.relay.api.FakeVerificationReader;
import dev.relay.api.admin.KafkaBlockedPrefixes;
import dev.relay.api.HttpCalls;
import dev.relay.api.TestSettings;
import dev.relay.api.VerificationApiService;
import dev.relay.api.config.ApiConfig;
import dev.relay.api.dispatch.NoReplyException;
import dev.relay.api.dispatch.NotAcknowledgedException;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderTry;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.ReplyKind;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.support.phone.PhoneNumbers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** Every endpoint and every answer it can give, against the real HTTP server and a fake dispatcher. */
class VerificationRoutesTest {

  private static final String NUMBER = "+4915112345678";
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

  private final FakeDispatcherLink dispatcher = new FakeDispatcherLink();
  private final FakeVerificationReader reader = new FakeVerificationReader();
  private VerificationApiService service;
  private ApiConfig config;
  private HttpCalls http;

  private void startService(Map<String, String> settings) {
    config = TestSettings.config(settings);
    service = new VerificationApiService(config, c -> dispatcher, KafkaBlockedPrefixes::create, c -> reader,
        Clock.fixed(NOW, ZoneOffset.UTC));
    service.start();
    http = new HttpCalls(service.port());
  }

  private void startService() {
    startService(Map.of());
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Nested
  class Start {

    @Test
    void answers201WithTheStartedVerificationAfterProducingTheRequest() {
      startService();

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      assertThat(dispatcher.starts).hasSize(1);
      VerificationRequest request = dispatcher.starts.get(0);
      assertThat(request.getTo()).isEqualTo(NUMBER);
      assertThat(request.getCountry()).isEqualTo("DE");
      assertThat(request.getChannel()).isEqualTo(Channel.SMS);
      assertThat(request.getLocale()).isNull();
      assertThat(request.getRequestedAt()).isEqualTo(NOW);
      // Without a requestId the request is its own: a fresh UUID is both its key and its correlation id.
      assertThat(UUID.fromString(request.getRequestId())).isNotNull();
      assertThat(request.getReplyTo()).isEqualTo(request.getRequestId());
      assertThat(config.ids().numberOf(request.getVerificationId())).contains(NUMBER);
      assertThat(dispatcher.checks).isEmpty();

      JsonNode body = json(response);
      assertThat(body.size()).isEqualTo(6);
      assertThat(body.get("id").asText()).isEqualTo(request.getVerificationId());
      assertThat(body.get("to").asText()).isEqualTo(NUMBER);
      assertThat(body.get("status").asText()).isEqualTo("pending");
      assertThat(body.get("channel").asText()).isEqualTo("sms");
      assertThat(body.get("createdAt").asText()).isEqualTo("2030-01-02T03:04:05Z");
      assertThat(body.get("expiresAt").asText()).isEqualTo("2030-01-02T03:14:05Z");
    }

    @Test
    void normalizesAFormattedNumberToE164() {
      startService();

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"+49 151 1234-5678\"}");

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts).singleElement().satisfies(request -> assertThat(request.getTo()).isEqualTo(NUMBER));
      assertThat(json(response).get("to").asText()).isEqualTo(NUMBER);
    }

    @Test
    void passesChannelLocaleAndRequestIdOn() {
      startService();

      HttpResponse<String> response = http.post("/v1/verifications",
          "{\"to\": \"" + NUMBER + "\", \"channel\": \"voice\", \"locale\": \"pt-BR\", \"requestId\": \"order-42:try.1\"}");

      assertThat(response.statusCode()).isEqualTo(201);
      VerificationRequest request = dispatcher.starts.get(0);
      assertThat(request.getChannel()).isEqualTo(Channel.VOICE);
      assertThat(request.getLocale()).isEqualTo("pt-BR");
      assertThat(request.getRequestId()).isEqualTo("order-42:try.1");
      // The reply is waited on under an id of this request's own, never the caller's requestId.
      assertThat(UUID.fromString(request.getReplyTo())).isNotNull();
      assertThat(json(response).get("channel").asText()).isEqualTo("voice");
    }

    @Test
    void nullOptionalFieldsCountAsAbsent() {
      startService();

      HttpResponse<String> response = http.post("/v1/verifications",
          "{\"to\": \"" + NUMBER + "\", \"channel\": null, \"locale\": null, \"requestId\": null}");

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts.get(0).getChannel()).isEqualTo(Channel.SMS);
    }

    @Test
    void answers200WithThePendingVerificationWhenTheNumberHasOne() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.EXISTING)
              .setVerificationId("VEthe-pending-one").setTo(request.getTo()).setStatus(VerificationStatus.PENDING)
              .setCreatedAt(FakeDispatcherLink.CREATED).setExpiresAt(FakeDispatcherLink.EXPIRES).build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.get("id").asText()).isEqualTo("VEthe-pending-one");
      assertThat(body.get("status").asText()).isEqualTo("pending");
    }

    @Test
    void aRefusalIs429WithItsCodeAndRetryAfterUntilThePendingOneExpires() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo())
              .setError("max_sends_reached").setExpiresAt(NOW.plus(Duration.ofMinutes(5))).build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).contains("300");
      assertThat(json(response).get("error").asText()).isEqualTo("max_sends_reached");
    }

    @Test
    void aRefusalWithoutReasonOrExpiryIsA429RetriedAfterAMinute() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo()).build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).contains("60");
      assertThat(json(response).get("error").asText()).isEqualTo("refused");
    }

    @Test
    void kafkaNotAcknowledgingIs503WithRetryAfter() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.failedFuture(
          new NotAcknowledgedException("relay.verification-requests", new org.apache.kafka.common.errors.TimeoutException("expired")));

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).contains("1");
      assertThat(json(response).get("error").asText()).isEqualTo("unavailable");
      assertThat(response.body()).doesNotContain("Exception").doesNotContain(NUMBER);
    }

    @Test
    void noReplyInTimeIs504() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.failedFuture(new NoReplyException(Duration.ofSeconds(5)));

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(json(response).get("error").asText()).isEqualTo("reply_timeout");
    }

    @Test
    void aReplyOfTheWrongKindIs502() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.CHECKED).setTo(request.getTo()).build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(json(response).get("error").asText()).isEqualTo("unexpected_reply");
    }

    @Test
    void anUnforeseenFailureIsAJson500WithoutItsDetail() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.failedFuture(new IllegalStateException("detail " + NUMBER));

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(json(response).get("error").asText()).isEqualTo("internal");
      assertThat(response.body()).doesNotContain("IllegalStateException").doesNotContain(NUMBER).doesNotContain("at dev.");
    }
  }

  @Nested
  class CheckById {

    @Test
    void sealsTheGuessToTheVerificationAndAnswersTheDispatchersDecision() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.checked(check, VerificationStatus.APPROVED, true, 4));

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"918273\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json(response);
      assertThat(body.size()).isEqualTo(3);
      assertThat(body.get("status").asText()).isEqualTo("approved");
      assertThat(body.get("valid").asBoolean()).isTrue();
      assertThat(body.get("attemptsRemaining").asInt()).isEqualTo(4);

      CodeCheckRequest check = dispatcher.checks.get(0);
      assertThat(check.getTo()).isEqualTo(NUMBER);
      assertThat(check.getVerificationId()).isEqualTo(id);
      assertThat(UUID.fromString(check.getCheckId())).isNotNull();
      assertThat(check.getRequestedAt()).isEqualTo(NOW);
      assertThat(config.guessSealer().open(check.getCode(), id, NUMBER)).contains("918273");
      // Bound to this verification and number: the same sealed guess opens for no other.
      assertThat(config.guessSealer().open(check.getCode(), null, NUMBER)).isEmpty();
      assertThat(config.guessSealer().open(check.getCode(), config.ids().mint(NUMBER), NUMBER)).isEmpty();
      assertThat(config.guessSealer().open(check.getCode(), id, "+4915112345679")).isEmpty();
      byte[] onTheWire = AvroSerde.of(CodeCheckRequest.class).toBytes(check);
      assertThat(new String(onTheWire, StandardCharsets.ISO_8859_1)).doesNotContain("918273");
      assertThat(dispatcher.starts).isEmpty();
    }

    @Test
    void aWrongGuessIsPendingAndNotValid() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.checked(check, VerificationStatus.PENDING, false, 3));

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"0000\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"status\":\"pending\",\"valid\":false,\"attemptsRemaining\":3}");
    }

    @ParameterizedTest
    @EnumSource(value = VerificationStatus.class, names = "UNKNOWN_STATUS", mode = EnumSource.Mode.EXCLUDE)
    void statusesAreLowerCase(VerificationStatus status) {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(FakeDispatcherLink.checked(check, status, false, 0));

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(json(response).get("status").asText())
          .isEqualTo(switch (status) {
            case PENDING -> "pending";
            case APPROVED -> "approved";
            case EXPIRED -> "expired";
            case CANCELED -> "canceled";
            case MAX_ATTEMPTS_REACHED -> "max_attempts_reached";
            case FAILED -> "failed";
            case UNKNOWN_STATUS -> throw new AssertionError();
          });
    }

    @Test
    void anIdTheDispatcherDoesNotKnowIs404() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(check.getCheckId(), ReplyKind.NOT_FOUND).setTo(check.getTo()).build());

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void anIdThatDoesNotOpenIs404AtOnceAndNothingIsProduced() {
      startService();
      String foreignId = new dev.relay.support.secrets.VerificationIds(
          dev.relay.support.secrets.Keyring.parse("test", TestSettings.foreignKeys("i1"))).mint(NUMBER);

      HttpResponse<String> response = http.post("/v1/verifications/" + foreignId + "/check", "{\"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).isEqualTo("not_found");
      assertThat(dispatcher.produced()).isZero();
    }

    @Test
    void failuresOnTheWayAre503And504() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.failedFuture(
          new NotAcknowledgedException("relay.code-checks", new RuntimeException("down")));
      HttpResponse<String> unavailable = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
      dispatcher.onCheck = check -> CompletableFuture.failedFuture(new NoReplyException(Duration.ofSeconds(5)));
      HttpResponse<String> timeout = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(unavailable.statusCode()).isEqualTo(503);
      assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
      assertThat(timeout.statusCode()).isEqualTo(504);
    }

    @Test
    void aRefusedCheckIs429() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(check.getCheckId(), ReplyKind.REFUSED).setTo(check.getTo()).setError("too_many_checks").build());

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(json(response).get("error").asText()).isEqualTo("too_many_checks");
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
  }

  @Nested
  class CheckByNumber {

    @Test
    void sealsTheGuessToTheNumberAndNamesNoVerification() {
      startService();
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.checked(check, VerificationStatus.APPROVED, true, 4));

      HttpResponse<String> response = http.post("/v1/verification-checks", "{\"to\": \"+49 151 12345678\", \"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"status\":\"approved\",\"valid\":true,\"attemptsRemaining\":4}");
      CodeCheckRequest check = dispatcher.checks.get(0);
      assertThat(check.getTo()).isEqualTo(NUMBER);
      assertThat(check.getVerificationId()).isNull();
      assertThat(config.guessSealer().open(check.getCode(), null, NUMBER)).contains("123456");
    }

    @Test
    void aNumberWithNothingPendingIs404() {
      startService();
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(check.getCheckId(), ReplyKind.NOT_FOUND).setTo(check.getTo()).build());

      HttpResponse<String> response = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void aNullVerificationAttemptsRemainingStaysNull() {
      startService();
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          FakeDispatcherLink.checked(check, VerificationStatus.EXPIRED, false, null));

      HttpResponse<String> response = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

      assertThat(response.body()).isEqualTo("{\"status\":\"expired\",\"valid\":false,\"attemptsRemaining\":null}");
    }
  }

  @Nested
  class NumbersAndCountries {

    @Test
    void onlyEnabledCountriesCanStart() {
      startService(Map.of("relay.api.enabled-countries", "DE,AT"));

      HttpResponse<String> french = http.post("/v1/verifications", "{\"to\": \"+33612345678\"}");
      HttpResponse<String> german = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(french.statusCode()).isEqualTo(400);
      assertThat(json(french).get("error").asText()).isEqualTo("number_country_not_enabled");
      assertThat(german.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts).singleElement().satisfies(request -> assertThat(request.getTo()).isEqualTo(NUMBER));
    }

    @Test
    void aLandlineGetsNoSmsButCanBeCalled() {
      startService();
      String berlinLandline = "+493012345678";

      HttpResponse<String> sms = http.post("/v1/verifications", "{\"to\": \"" + berlinLandline + "\"}");
      HttpResponse<String> voice = http.post("/v1/verifications", "{\"to\": \"" + berlinLandline + "\", \"channel\": \"voice\"}");

      assertThat(sms.statusCode()).isEqualTo(400);
      assertThat(json(sms).get("error").asText()).isEqualTo("number_not_mobile");
      assertThat(voice.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts).hasSize(1);
    }

    @Test
    void theMobileRuleCanBeSwitchedOff() {
      startService(Map.of("relay.api.require-mobile", "false"));

      assertThat(http.post("/v1/verifications", "{\"to\": \"+493012345678\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void checksNeedNoEnabledCountry() {
      startService(Map.of("relay.api.enabled-countries", "AT"));

      assertThat(http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}").statusCode())
          .isEqualTo(200);
    }

    @Test
    void aConfiguredCodeLengthRefusesOtherLengths() {
      startService(Map.of("relay.api.code-length", "6"));

      HttpResponse<String> shortCode = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"12345\"}");
      HttpResponse<String> rightLength = http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");

      assertThat(shortCode.statusCode()).isEqualTo(400);
      assertThat(json(shortCode).get("error").asText()).isEqualTo("invalid_code");
      assertThat(rightLength.statusCode()).isEqualTo(200);
      assertThat(dispatcher.checks).hasSize(1);
    }
  }

  /** A send that a provider took and a handset received, as the dispatcher reports it. */
  static Attempt deliveredAttempt() {
    return Attempt.newBuilder()
        .setAttempt(1)
        .setIdempotencyKey("VEx-1")
        .setChannel(Channel.SMS)
        .setReason(SendReason.INITIAL)
        .setProvider("twilio")
        .setProviderMessageId("SM1")
        .setOutcome(SendOutcome.ACCEPTED)
        .setDispatchedAt(NOW)
        .setSubmittedAt(NOW.plusSeconds(1))
        .setDeliveredAt(NOW.plusSeconds(4))
        .setDeliveryStatus(DeliveryStatus.DELIVERED)
        .build();
  }

  private String verificationPath(String suffix) {
    return "/v1/verifications/" + config.ids().mint(NUMBER) + suffix;
  }

  @Nested
  class Resend {

    @Test
    void resendsOnTheChannelAskedForAndAnswersTheVerification() {
      startService();
      String path = verificationPath("/resend");
      String id = path.split("/")[3];

      HttpResponse<String> response = http.post(path, "{\"channel\": \"voice\", \"requestId\": \"again-1\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      VerificationRequest request = dispatcher.starts.get(0);
      assertThat(request.getAction()).isEqualTo(RequestAction.RESEND);
      assertThat(request.getVerificationId()).isEqualTo(id);
      assertThat(request.getTo()).isEqualTo(NUMBER);
      assertThat(request.getCountry()).isEqualTo("DE");
      assertThat(request.getChannel()).isEqualTo(Channel.VOICE);
      assertThat(request.getRequestId()).isEqualTo("again-1");
      assertThat(UUID.fromString(request.getReplyTo())).isNotNull();
      JsonNode body = json(response);
      assertThat(body.get("id").asText()).isEqualTo(id);
      assertThat(body.get("channel").asText()).isEqualTo("voice");
      assertThat(body.get("status").asText()).isEqualTo("pending");
    }

    @Test
    void anEmptyBodyResendsOnTheVerificationsChannel() {
      startService();

      HttpResponse<String> response = http.post(verificationPath("/resend"), "");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(dispatcher.starts.get(0).getAction()).isEqualTo(RequestAction.RESEND);
      assertThat(dispatcher.starts.get(0).getChannel()).isEqualTo(Channel.SMS);
    }

    @Test
    void theSendCapIs429WithRetryAfterUntilTheVerificationExpires() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          VerificationReply.newBuilder(FakeDispatcherLink.started(request, ReplyKind.REFUSED)).setError("max_sends_reached").build());

      HttpResponse<String> response = http.post(verificationPath("/resend"), "{}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(json(response).get("error").asText()).isEqualTo("max_sends_reached");
      // The fake's verification expires at 03:14:05, ten minutes after NOW.
      assertThat(response.headers().firstValue("Retry-After")).contains("600");
    }

    @Test
    void aFinishedVerificationIs409() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          VerificationReply.newBuilder(FakeDispatcherLink.started(request, ReplyKind.REFUSED))
              .setStatus(VerificationStatus.APPROVED).setError("not_pending").build());

      HttpResponse<String> response = http.post(verificationPath("/resend"), "{}");

      assertThat(response.statusCode()).isEqualTo(409);
      assertThat(json(response).get("error").asText()).isEqualTo("not_pending");
      assertThat(json(response).get("message").asText()).contains("approved");
      assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void anIdThatIsNotTheNumbersCurrentOneIs404() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.NOT_FOUND).setTo(request.getTo()).build());

      HttpResponse<String> response = http.post(verificationPath("/resend"), "{}");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void kafkaDownIs503AndNoReplyIs504() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.failedFuture(new NotAcknowledgedException("relay.verification-requests", new RuntimeException("down")));
      assertThat(http.post(verificationPath("/resend"), "{}").statusCode()).isEqualTo(503);
      dispatcher.onStart = request -> CompletableFuture.failedFuture(new NoReplyException(Duration.ofSeconds(5)));
      assertThat(http.post(verificationPath("/resend"), "{}").statusCode()).isEqualTo(504);
    }
  }

  @Nested
  class Status {

    private String id() {
      return verificationPath("").substring("/v1/verifications/".length());
    }

    @Test
    void answersStatusExpiryAndTheAttemptHistoryFromTheDispatchersState() {
      startService();
      String id = id();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, null, NOW).setAttempts(List.of(deliveredAttempt())).build());

      HttpResponse<String> response = http.get("/v1/verifications/" + id);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(reader.reads).containsExactly(NUMBER);
      assertThat(dispatcher.starts).as("no trip through Kafka").isEmpty();
      JsonNode body = json(response);
      assertThat(body.get("id").asText()).isEqualTo(id);
      assertThat(body.get("to").asText()).isEqualTo(NUMBER);
      assertThat(body.get("status").asText()).isEqualTo("pending");
      assertThat(body.get("channel").asText()).isEqualTo("sms");
      assertThat(body.get("createdAt").asText()).isEqualTo("2030-01-02T03:04:05Z");
      assertThat(body.get("expiresAt").asText()).isEqualTo("2030-01-02T03:14:05Z");
      assertThat(body.get("attempts")).hasSize(1);
      JsonNode attempt = body.get("attempts").get(0);
      assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
      assertThat(attempt.get("provider").asText()).isEqualTo("twilio");
      assertThat(attempt.get("channel").asText()).isEqualTo("sms");
      assertThat(attempt.get("reason").asText()).isEqualTo("initial");
      assertThat(attempt.get("submittedAt").asText()).isEqualTo("2030-01-02T03:04:06Z");
      assertThat(attempt.get("deliveredAt").asText()).isEqualTo("2030-01-02T03:04:09Z");
      assertThat(attempt.get("outcome").asText()).isEqualTo("delivered");
      // The same fields the status answer always had, and nothing that could hold a code.
      assertThat(body.fieldNames()).toIterable()
          .containsExactly("id", "to", "status", "channel", "createdAt", "expiresAt", "attempts");
      assertThat(attempt.fieldNames()).toIterable().containsExactly("attempt", "channel", "provider", "reason",
          "dispatchedAt", "submittedAt", "deliveredAt", "outcome", "providerTries");
    }

    @Test
    void showsEveryProviderTryOfAFastFailoverInOrderWithItsVendorErrorPriceAndTimes() {
      startService();
      Attempt failedOver = Attempt.newBuilder(deliveredAttempt()).setProvider("vonage").setTries(2)
          .setProviderTries(List.of(
              new ProviderTry(0, "twilio", Channel.SMS, SendReason.INITIAL, "exploration", SendOutcome.REJECTED,
                  ErrorCategory.THROTTLED, "20429", null, NOW.plusMillis(10), NOW.plusMillis(180)),
              new ProviderTry(1, "vonage", Channel.SMS, SendReason.REJECTION, "score", SendOutcome.ACCEPTED,
                  null, null, 6_500L, NOW.plusMillis(181), NOW.plusMillis(420))))
          .build();
      String id = id();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, null, NOW).setAttempts(List.of(failedOver)).build());

      HttpResponse<String> response = http.get("/v1/verifications/" + id);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode tries = json(response).get("attempts").get(0).get("providerTries");
      assertThat(tries).hasSize(2);
      JsonNode rejected = tries.get(0);
      assertThat(rejected.fieldNames()).toIterable().containsExactly("tryIndex", "provider", "channel", "reason",
          "routingReason", "outcome", "errorCategory", "vendorCode", "priceMicros", "startedAt", "completedAt");
      assertThat(rejected.get("tryIndex").asInt()).isZero();
      assertThat(rejected.get("provider").asText()).isEqualTo("twilio");
      assertThat(rejected.get("channel").asText()).isEqualTo("sms");
      assertThat(rejected.get("reason").asText()).isEqualTo("initial");
      assertThat(rejected.get("routingReason").asText()).isEqualTo("exploration");
      assertThat(rejected.get("outcome").asText()).isEqualTo("rejected");
      assertThat(rejected.get("errorCategory").asText()).isEqualTo("throttled");
      assertThat(rejected.get("vendorCode").asText()).isEqualTo("20429");
      assertThat(rejected.get("priceMicros").isNull()).isTrue();
      assertThat(rejected.get("startedAt").asText()).isEqualTo("2030-01-02T03:04:05.010Z");
      assertThat(rejected.get("completedAt").asText()).isEqualTo("2030-01-02T03:04:05.180Z");
      JsonNode accepted = tries.get(1);
      assertThat(accepted.get("tryIndex").asInt()).isEqualTo(1);
      assertThat(accepted.get("provider").asText()).isEqualTo("vonage");
      assertThat(accepted.get("reason").asText()).isEqualTo("rejection");
      assertThat(accepted.get("routingReason").asText()).isEqualTo("score");
      assertThat(accepted.get("outcome").asText()).isEqualTo("accepted");
      assertThat(accepted.get("errorCategory").isNull()).isTrue();
      assertThat(accepted.get("vendorCode").isNull()).isTrue();
      assertThat(accepted.get("priceMicros").asLong()).isEqualTo(6_500L);
      assertThat(accepted.get("startedAt").asText()).isEqualTo("2030-01-02T03:04:05.181Z");
      assertThat(accepted.get("completedAt").asText()).isEqualTo("2030-01-02T03:04:05.420Z");
    }

    @Test
    void aStateWrittenBeforeTriesWereRecordedShowsNone() {
      startService();
      String id = id();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, null, NOW).setAttempts(List.of(deliveredAttempt())).build());

      JsonNode attempt = json(http.get("/v1/verifications/" + id)).get("attempts").get(0);

      assertThat(attempt.get("providerTries").isArray()).isTrue();
      assertThat(attempt.get("providerTries")).isEmpty();
    }

    @Test
    void anAttemptWithoutAResultIsSendingAndARejectedOneRejected() {
      startService();
      Attempt sending = Attempt.newBuilder(deliveredAttempt()).setProvider(null).setOutcome(null).setSubmittedAt(null)
          .setDeliveredAt(null).setDeliveryStatus(null).build();
      Attempt rejected = Attempt.newBuilder(sending).setAttempt(2).setOutcome(SendOutcome.REJECTED).build();
      String id = id();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, null, NOW).setAttempts(List.of(sending, rejected)).build());

      JsonNode attempts = json(http.get("/v1/verifications/" + id)).get("attempts");

      assertThat(attempts.get(0).get("outcome").asText()).isEqualTo("sending");
      assertThat(attempts.get(1).get("outcome").asText()).isEqualTo("rejected");
    }

    @Test
    void aNumberWithoutVerificationIs404() {
      startService();

      HttpResponse<String> response = http.get(verificationPath(""));

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(json(response).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void anIdThatDoesNotOpenIs404WithoutAskingTheDispatcher() {
      startService();

      assertThat(http.get("/v1/verifications/VEnotours").statusCode()).isEqualTo(404);
      assertThat(reader.reads).isEmpty();
    }

    @Test
    void anIdThatIsNotTheNumbersCurrentVerificationIs404() {
      startService();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(config.ids().mint(NUMBER), NUMBER, null, NOW).build());

      // Another id of the same number: an older verification, superseded.
      HttpResponse<String> response = http.get(verificationPath(""));

      assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void aVerificationOfAnotherApiKeyIs404AsIfItDidNotExist() {
      ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
      ApiKeys.GeneratedKey other = ApiKeys.generate("other");
      startService(Map.of(ApiConfig.API_KEYS.name(), shop.settingEntry() + "," + other.settingEntry(),
          "relay.api.allow-unauthenticated", "false"));
      String id = id();
      reader.byNumber.put(NUMBER, FakeVerificationReader.pending(id, NUMBER, "shop", NOW).build());

      HttpResponse<String> foreign = http.withApiKey(other.key()).get("/v1/verifications/" + id);
      HttpResponse<String> never = http.get("/v1/verifications/" + config.ids().mint("+4915112345679"));
      HttpResponse<String> own = http.withApiKey(shop.key()).get("/v1/verifications/" + id);

      assertThat(foreign.statusCode()).isEqualTo(404);
      assertThat(foreign.body()).as("the same answer as for a verification that never existed").isEqualTo(never.body());
      assertThat(own.statusCode()).isEqualTo(200);
    }

    @Test
    void aDispatcherThatCannotAnswerNowIs503WithItsRetryAfter() {
      startService();
      reader.unavailable(Duration.ofSeconds(3));

      HttpResponse<String> response = http.get(verificationPath(""));

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(json(response).get("error").asText()).isEqualTo("unavailable");
      assertThat(response.headers().firstValue("Retry-After")).contains("3");
    }
  }

  @Nested
  class Cancel {

    @Test
    void answersTheCanceledVerification() {
      startService();

      HttpResponse<String> response = http.delete(verificationPath(""));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(dispatcher.starts.get(0).getAction()).isEqualTo(RequestAction.CANCEL);
      assertThat(json(response).get("status").asText()).isEqualTo("canceled");
    }

    @Test
    void aVerificationThatEndedOtherwiseIs409() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          VerificationReply.newBuilder(FakeDispatcherLink.started(request, ReplyKind.REFUSED))
              .setStatus(VerificationStatus.EXPIRED).setError("not_pending").build());

      HttpResponse<String> response = http.delete(verificationPath(""));

      assertThat(response.statusCode()).isEqualTo(409);
      assertThat(json(response).get("error").asText()).isEqualTo("not_pending");
    }

    @Test
    void anUnknownVerificationIs404() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.NOT_FOUND).setTo(request.getTo()).build());

      assertThat(http.delete(verificationPath("")).statusCode()).isEqualTo(404);
    }
  }

  @Nested
  class RateLimits {

    @Test
    void aLimitRefusalIs429WithRetryAfterFromTheLimitsWindow() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo())
              .setStatus(VerificationStatus.UNKNOWN_STATUS)
              .setError("rate_limited_ip")
              .setRetryAfter(NOW.plusSeconds(42))
              .build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(json(response).get("error").asText()).isEqualTo("rate_limited_ip");
      assertThat(response.headers().firstValue("Retry-After")).contains("42");
    }

    @Test
    void aBlockedPrefixIs403WithTheReasonAndRetryAfterFromTheBlocksEnd() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo())
              .setStatus(VerificationStatus.UNKNOWN_STATUS)
              .setError("prefix_blocked")
              .setRetryAfter(NOW.plusSeconds(3000))
              .build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(json(response).get("error").asText()).isEqualTo("prefix_blocked");
      assertThat(json(response).get("message").asText()).contains("destination prefix", "pumping").doesNotContain(NUMBER);
      assertThat(response.headers().firstValue("Retry-After")).contains("3000");
      assertThat(http.post(verificationPath("/resend"), "{}").statusCode()).isEqualTo(403);
    }

    @Test
    void aLimitWindowThatHasJustPassedStillAsksForASecond() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo())
              .setError("rate_limited_number")
              .setRetryAfter(NOW.minusSeconds(1))
              .build());

      HttpResponse<String> response = http.post(verificationPath("/resend"), "{}");

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).contains("1");
    }
  }

  @Nested
  class ClientAddressAndKey {

    @Test
    void everyRequestCarriesThePeersAddressAndIgnoresForwardedForFromAnUntrustedPeer() {
      startService();
      http.withForwardedFor("198.51.100.9");

      http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
      http.post(verificationPath("/resend"), "");
      http.delete(verificationPath(""));

      // A status read is no request to the dispatcher: it reads its state (Status).
      assertThat(dispatcher.starts).hasSize(3)
          .allSatisfy(request -> assertThat(request.getClientIp()).isEqualTo("127.0.0.1"))
          .allSatisfy(request -> assertThat(request.getApiKeyName()).isNull());
    }

    @Test
    void forwardedForIsBelievedFromATrustedProxy() {
      startService(Map.of("relay.api.trusted-proxies", "127.0.0.0/8"));
      http.withForwardedFor("198.51.100.9, 127.0.0.5");

      http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(dispatcher.starts.get(0).getClientIp()).isEqualTo("198.51.100.9");
    }

    @Test
    void theKeysNameGoesWithEveryRequest() {
      ApiKeys.GeneratedKey key = ApiKeys.generate("shop");
      startService(Map.of("relay.api.keys", key.settingEntry()));
      http.withApiKey(key.key());

      http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
      http.delete(verificationPath(""));

      assertThat(dispatcher.starts).hasSize(2).allSatisfy(request -> assertThat(request.getApiKeyName()).isEqualTo("shop"));
    }

    @Test
    void resendStatusAndCancelNeedTheKeyToo() {
      startService(Map.of("relay.api.keys", ApiKeys.generate("shop").settingEntry()));

      assertThat(http.post(verificationPath("/resend"), "{}").statusCode()).isEqualTo(401);
      assertThat(http.get(verificationPath("")).statusCode()).isEqualTo(401);
      assertThat(http.delete(verificationPath("")).statusCode()).isEqualTo(401);
      assertThat(dispatcher.produced()).isZero();
    }
  }

  @Nested
  class RepliesAndRequestIds {

    private static final String OTHER_NUMBER = "+4915112345679";

    @Test
    void everyRequestWaitsOnACorrelationIdOfItsOwnEvenWithTheSameRequestId() {
      startService();

      http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"requestId\": \"signup-42\"}");
      http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"requestId\": \"signup-42\"}");

      assertThat(dispatcher.starts).hasSize(2).allSatisfy(request -> assertThat(request.getRequestId()).isEqualTo("signup-42"));
      assertThat(dispatcher.starts.get(0).getReplyTo()).isNotEqualTo(dispatcher.starts.get(1).getReplyTo())
          .isNotEqualTo("signup-42");
    }

    @Test
    void aReplyAboutAnotherNumberIsNeverShownToTheCaller() {
      startService();
      // A reply that carries this request's correlation id but another caller's verification.
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.STARTED).setTo(OTHER_NUMBER)
              .setVerificationId("VEsomeone-elses").setCreatedAt(FakeDispatcherLink.CREATED)
              .setExpiresAt(FakeDispatcherLink.EXPIRES).build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(json(response).get("error").asText()).isEqualTo("reply_mismatch");
      assertThat(response.body()).doesNotContain("VEsomeone-elses").doesNotContain("4915112345679");
    }

    @Test
    void aCheckReplyAboutAnotherVerificationIsNeverShown() {
      startService();
      String id = config.ids().mint(NUMBER);
      dispatcher.onCheck = check -> CompletableFuture.completedFuture(
          VerificationReply.newBuilder(FakeDispatcherLink.checked(check, VerificationStatus.APPROVED, true, 4))
              .setVerificationId(config.ids().mint(NUMBER)).build());

      HttpResponse<String> response = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(json(response).get("error").asText()).isEqualTo("reply_mismatch");
    }

    @Test
    void aRequestIdReusedWithAnotherBodyIs422AndNotProduced() {
      startService();
      String first = "{\"to\": \"" + NUMBER + "\", \"requestId\": \"signup-42\"}";

      assertThat(http.post("/v1/verifications", first).statusCode()).isEqualTo(201);
      HttpResponse<String> otherNumber = http.post("/v1/verifications",
          "{\"to\": \"" + OTHER_NUMBER + "\", \"requestId\": \"signup-42\"}");
      HttpResponse<String> otherChannel = http.post("/v1/verifications",
          "{\"to\": \"" + NUMBER + "\", \"channel\": \"voice\", \"requestId\": \"signup-42\"}");
      HttpResponse<String> retry = http.post("/v1/verifications", first);

      for (HttpResponse<String> reused : List.of(otherNumber, otherChannel)) {
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(reused).get("error").asText()).isEqualTo("idempotency_key_reused");
      }
      assertThat(retry.statusCode()).as("the same request again is a retry").isEqualTo(201);
      assertThat(dispatcher.starts).hasSize(2).allSatisfy(request -> assertThat(request.getTo()).isEqualTo(NUMBER));
    }

    @Test
    void requestIdsAreScopedToTheApiKey() {
      ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
      ApiKeys.GeneratedKey bank = ApiKeys.generate("bank");
      startService(Map.of("relay.api.keys", shop.settingEntry() + "," + bank.settingEntry()));

      HttpResponse<String> first = http.withApiKey(shop.key()).post("/v1/verifications",
          "{\"to\": \"" + NUMBER + "\", \"requestId\": \"signup-42\"}");
      HttpResponse<String> second = http.withApiKey(bank.key()).post("/v1/verifications",
          "{\"to\": \"" + OTHER_NUMBER + "\", \"requestId\": \"signup-42\"}");

      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(second.statusCode()).isEqualTo(201);
      assertThat(json(second).get("to").asText()).isEqualTo(OTHER_NUMBER);
      assertThat(dispatcher.starts).extracting(VerificationRequest::getApiKeyName).containsExactly("shop", "bank");
    }

    @Test
    void aRequestIdNotTakenByKafkaCanBeUsedAgainForAnotherBody() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.failedFuture(new NotAcknowledgedException("requests", new RuntimeException("down")));
      assertThat(http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"requestId\": \"r-1\"}").statusCode())
          .isEqualTo(503);
      dispatcher.onStart = request -> CompletableFuture.completedFuture(FakeDispatcherLink.started(request, ReplyKind.STARTED));

      assertThat(http.post("/v1/verifications", "{\"to\": \"" + OTHER_NUMBER + "\", \"requestId\": \"r-1\"}").statusCode())
          .isEqualTo(201);
    }

    @Test
    void theDispatchersIdempotencyRefusalIs422() {
      startService();
      dispatcher.onStart = request -> CompletableFuture.completedFuture(
          FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.REFUSED).setTo(request.getTo())
              .setError("idempotency_key_reused").build());

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"requestId\": \"r-1\"}");

      assertThat(response.statusCode()).isEqualTo(422);
      assertThat(json(response).get("error").asText()).isEqualTo("idempotency_key_reused");
      assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }
  }

  @Nested
  class CheckLimitsAndForwarding {

    @Test
    void checksAreLimitedPerClientIpWith429AndRetryAfter() {
      startService(Map.of("relay.api.checks-per-ip", "2/1m"));
      String id = config.ids().mint(NUMBER);

      http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
      http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"123456\"}");
      HttpResponse<String> third = http.post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(json(third).get("error").asText()).isEqualTo("rate_limited_ip");
      assertThat(third.headers().firstValue("Retry-After")).contains("60");
      assertThat(dispatcher.checks).hasSize(2);
    }

    @Test
    void checksAreLimitedPerApiKey() {
      ApiKeys.GeneratedKey shop = ApiKeys.generate("shop");
      startService(Map.of("relay.api.keys", shop.settingEntry(), "relay.api.checks-per-api-key", "1/1h",
          "relay.api.trusted-proxies", "127.0.0.0/8"));
      String id = config.ids().mint(NUMBER);
      http.withApiKey(shop.key());

      http.withForwardedFor("198.51.100.1").post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");
      HttpResponse<String> second = http.withForwardedFor("198.51.100.2")
          .post("/v1/verifications/" + id + "/check", "{\"code\": \"123456\"}");

      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(json(second).get("error").asText()).isEqualTo("rate_limited_api_key");
      assertThat(second.headers().firstValue("Retry-After")).contains("3600");
      assertThat(dispatcher.checks).singleElement().satisfies(check -> assertThat(check.getApiKeyName()).isEqualTo("shop"));
    }

    @Test
    void everyForwardedForLineIsRead() throws Exception {
      startService(Map.of("relay.api.trusted-proxies", "127.0.0.0/8"));
      // The client wrote the first line itself; the trusted proxy added the second instead of extending the first.
      java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + service.port() + "/v1/verifications"))
          .header("Content-Type", "application/json")
          .header("X-Forwarded-For", "198.51.100.66")
          .header("X-Forwarded-For", "203.0.113.9")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"to\": \"" + NUMBER + "\"}"))
          .build();

      HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
          .send(request, HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts.get(0).getClientIp()).isEqualTo("203.0.113.9");
    }
  }

  @Nested
  class ApiKeysRequired {

    private final ApiKeys.GeneratedKey key = ApiKeys.generate("shop");

    @Test
    void aMissingOrWrongKeyIs401AndNothingIsProduced() {
      startService(Map.of("relay.api.keys", key.settingEntry()));
      String start = "{\"to\": \"" + NUMBER + "\"}";

      HttpResponse<String> missing = http.post("/v1/verifications", start);
      HttpResponse<String> wrong = http.withApiKey(ApiKeys.generate("other").key()).post("/v1/verifications", start);

      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
      assertThat(json(missing).get("error").asText()).isEqualTo("unauthorized");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(dispatcher.produced()).isZero();
    }

    @Test
    void theRightKeyPasses() {
      startService(Map.of("relay.api.keys", ApiKeys.generate("other").settingEntry() + "," + key.settingEntry()));

      HttpResponse<String> response = http.withApiKey(key.key()).post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");

      assertThat(response.statusCode()).isEqualTo(201);
    }

    @Test
    void healthAndTheApiDocumentNeedNoKey() {
      startService(Map.of("relay.api.keys", key.settingEntry()));

      assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(http.get("/openapi.json").statusCode()).isEqualTo(200);
    }
  }

  @Nested
  class Lifecycle {

    @Test
    void readinessFollowsTheDispatcherLink() {
      startService();
      assertThat(service.isReady()).isTrue();
      assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);

      dispatcher.ready = false;

      assertThat(service.isReady()).isFalse();
      assertThat(http.get("/health/ready").statusCode()).isEqualTo(503);
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void closingClosesTheLink() {
      startService();

      service.close();

      assertThat(dispatcher.closed).isTrue();
      assertThat(service.isReady()).isFalse();
      service = null;
    }

    @Test
    void metricsAreServed() {
      startService();

      HttpResponse<String> response = http.get("/metrics");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    }
  }

  @Nested
  class Logs {

    @Test
    void noNumberOrCodeReachesTheLogs() {
      Logger relay = (Logger) LoggerFactory.getLogger("dev.relay");
      Level before = relay.getLevel();
      ListAppender<ILoggingEvent> captured = new ListAppender<>();
      captured.start();
      relay.addAppender(captured);
      relay.setLevel(Level.DEBUG);
      try {
        startService();
        String id = config.ids().mint(NUMBER);
        http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
        http.post("/v1/verifications/" + id + "/check", "{\"code\": \"918273\"}");
        http.post("/v1/verification-checks", "{\"to\": \"" + NUMBER + "\", \"code\": \"918273\"}");
        dispatcher.onStart = request -> CompletableFuture.completedFuture(
            FakeDispatcherLink.reply(request.getReplyTo(), ReplyKind.CANCELED).setTo(request.getTo()).build());
        http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\"}");
      } finally {
        relay.detachAppender(captured);
        relay.setLevel(before);
      }

      assertThat(captured.list).isNotEmpty();
      assertThat(captured.list).allSatisfy(event -> assertThat(event.getFormattedMessage())
          .doesNotContain(NUMBER)
          .doesNotContain("918273"));
      assertThat(captured.list).anySatisfy(event -> assertThat(event.getFormattedMessage()).contains(PhoneNumbers.mask(NUMBER)));
    }
  }

  /** WhatsApp on start and resend, where the operator offers it per country ({@code relay.api.channels}). */
  @Nested
  class Channels {

    private static final String FRENCH_NUMBER = "+33612345678";
    private static final Map<String, String> WHATSAPP_IN_DE = Map.of(ApiConfig.CHANNELS.name(), "DE:sms,whatsapp,voice;*:sms,voice");

    @Test
    void whatsappStartsWhereTheCountryOffersIt() {
      startService(WHATSAPP_IN_DE);

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"WhatsApp\"}");

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts).singleElement().extracting(VerificationRequest::getChannel).isEqualTo(Channel.WHATSAPP);
      assertThat(json(response).get("channel").asText()).isEqualTo("whatsapp");
    }

    @Test
    void whatsappWhereTheCountryDoesNotOfferItIs400WithTheChannelsOffered() {
      startService(WHATSAPP_IN_DE);

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + FRENCH_NUMBER + "\", \"channel\": \"whatsapp\"}");

      assertThat(response.statusCode()).isEqualTo(400);
      JsonNode body = json(response);
      assertThat(body.get("error").asText()).isEqualTo("channel_not_allowed");
      assertThat(body.get("message").asText()).contains("whatsapp", "FR", "sms, voice");
      assertThat(dispatcher.starts).as("nothing reaches the dispatcher").isEmpty();
    }

    @Test
    void byDefaultWhatsappIsOfferedNowhereAndSmsAndVoiceEverywhere() {
      startService();

      HttpResponse<String> whatsapp = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"whatsapp\"}");
      HttpResponse<String> voice = http.post("/v1/verifications", "{\"to\": \"" + FRENCH_NUMBER + "\", \"channel\": \"voice\"}");

      assertThat(whatsapp.statusCode()).isEqualTo(400);
      assertThat(json(whatsapp).get("error").asText()).isEqualTo("channel_not_allowed");
      assertThat(voice.statusCode()).isEqualTo(201);
      assertThat(dispatcher.starts).extracting(VerificationRequest::getChannel).containsExactly(Channel.VOICE);
    }

    @Test
    void anUnknownChannelNamesTheThreeChannels() {
      startService(WHATSAPP_IN_DE);

      HttpResponse<String> response = http.post("/v1/verifications", "{\"to\": \"" + NUMBER + "\", \"channel\": \"telegram\"}");

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(json(response).get("error").asText()).isEqualTo("invalid_channel");
      assertThat(json(response).get("message").asText()).contains("sms", "whatsapp", "voice");
    }

    @Test
    void aResendAsksForWhatsappWhereTheVerificationsCountryOffersIt() {
      startService(WHATSAPP_IN_DE);

      HttpResponse<String> response = http.post(verificationPath("/resend"), "{\"channel\": \"whatsapp\"}");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(dispatcher.starts).singleElement().satisfies(request -> {
        assertThat(request.getAction()).isEqualTo(RequestAction.RESEND);
        assertThat(request.getChannel()).isEqualTo(Channel.WHATSAPP);
      });
      assertThat(json(response).get("channel").asText()).isEqualTo("whatsapp");
    }

    @Test
    void aResendOnWhatsappForANumberWhoseCountryDoesNotOfferItIs400() {
      startService(WHATSAPP_IN_DE);
      String frenchVerification = config.ids().mint(FRENCH_NUMBER);

      HttpResponse<String> response = http.post("/v1/verifications/" + frenchVerification + "/resend",
          "{\"channel\": \"whatsapp\"}");

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(json(response).get("error").asText()).isEqualTo("channel_not_allowed");
      assertThat(dispatcher.starts).isEmpty();
    }
  }

  @Test
  void theEndpointNamesThePortTheServerPicked() {
    startService();

    assertThat(service.port()).isPositive();
    assertThat(service.endpoint()).isEqualTo("http://127.0.0.1:" + service.port());
  }
}
