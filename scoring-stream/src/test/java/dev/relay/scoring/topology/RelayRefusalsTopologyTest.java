package dev.relay.scoring.topology;

import static dev.relay.scoring.testing.Events.accepted;
import static dev.relay.scoring.testing.Events.attempt;
import static dev.relay.scoring.testing.Events.event;
import static dev.relay.scoring.testing.Events.receipt;
import static dev.relay.scoring.testing.Events.refusedByRelay;
import static dev.relay.scoring.testing.Events.rejected;
import static dev.relay.scoring.testing.Events.verified;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationStatus;
import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.testing.ScoringDriver;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifications Relay itself refused or timed out do not count against a provider. The dispatcher's
 * refusals (request and number limits, blocked prefixes, the send cap, withheld failovers) issue no
 * send command and no event, so nothing of them reaches scoring; what does reach it, and is
 * Relay's doing, is shown here to count in no route's tries, deliveries or completion:
 * the sender's and the adapters' own refusals before any vendor call, and a send the sender carried
 * out only after the dispatcher had timed it out and moved on.
 */
class RelayRefusalsTopologyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private static final String TWILIO = "twilio|DE|SMS";
  private static final String VONAGE = "vonage|DE|SMS";

  @TempDir
  Path stateDir;
  private ScoringDriver driver;

  @BeforeEach
  void start() {
    driver = new ScoringDriver(ScoringSettings.defaults(), stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void triesRelayRefusedBeforeCallingAVendorCountNowhere() {
    // No client for twilio, twilio not configured for the channel, a code that does not open with Relay's keys:
    // each time the sender moves on to vonage, which accepts.
    driver.send(refusedByRelay("twilio", ErrorCategory.NO_ROUTE, "provider not configured", false, T0));
    driver.send(refusedByRelay("twilio", ErrorCategory.NO_ROUTE, "provider does not offer this channel", false,
        T0.plusSeconds(1)));
    driver.send(refusedByRelay("twilio", ErrorCategory.AUTH_CONFIG, "the sealed code does not open", true,
        T0.plusSeconds(2)));
    // A command that named no route: the sender reports provider "none".
    driver.send(refusedByRelay("none", ErrorCategory.NO_ROUTE, "the command names no route", true, T0.plusSeconds(3)));
    // Relay's own queue of calls to twilio was full (an overload of Relay): the sender moved on at once.
    driver.send(refusedByRelay("twilio", ErrorCategory.THROTTLED, "Relay's queue of requests to twilio is full", false,
        T0.plusSeconds(3)));
    driver.send(accepted("vonage", "m1", T0.plusSeconds(4)));
    // The vendor's own refusals, with their codes, are the route's: a rule it broke, and its own throttling.
    driver.send(rejected("twilio", ErrorCategory.NO_ROUTE, true, T0.plusSeconds(5)));
    driver.send(rejected("twilio", ErrorCategory.THROTTLED, true, T0.plusSeconds(6)));
    driver.publish();

    Map<String, ProviderScore> scores = latest();
    assertThat(scores).containsOnlyKeys(TWILIO, VONAGE);
    ProviderScore twilio = scores.get(TWILIO);
    assertThat(twilio.getTried()).as("only the vendor's own rejections").isEqualTo(2);
    assertThat(twilio.getAccepted()).isZero();
    assertThat(twilio.getFailovers()).as("no fast failover charged for Relay's refusals").isEmpty();
    assertThat(scores.get(VONAGE).getTried()).isEqualTo(1);
    assertThat(scores.get(VONAGE).getAccepted()).isEqualTo(1);
  }

  @Test
  void aSendTheSenderCarriedOutAfterTheDispatcherTimedItOutCountsNowhere() {
    // The dispatcher issues attempt 1 for twilio; the sender is down, so no result comes within the delivery
    // window; the dispatcher fails over to vonage (attempt 2). The sender then wakes up and sends attempt 1
    // through twilio; the person, still there, enters the code (both attempts carry it) and the dispatcher
    // marks attempt 1 verified.
    String id = "VE1";
    Attempt first = Attempt.newBuilder(attempt(1, SendReason.INITIAL, null, Channel.SMS, T0))
        .setIdempotencyKey(id + "-1").build();
    driver.event(event(id, VerificationStatus.PENDING, null, "created", List.of(first), T0));
    Instant failoverAt = T0.plusSeconds(30);
    Attempt second = Attempt.newBuilder(attempt(2, SendReason.TIMEOUT, "vonage", Channel.SMS, failoverAt))
        .setIdempotencyKey(id + "-2").setProviderMessageId("v1").build();
    driver.event(event(id, VerificationStatus.PENDING, VerificationStatus.PENDING, "failover:timeout",
        List.of(first, second), failoverAt));
    driver.send(SendResult.newBuilder(accepted("vonage", "v1", failoverAt)).setVerificationId(id).setAttempt(2)
        .setIdempotencyKey(id + "-2").build());
    Instant lateAt = T0.plusSeconds(45);
    SendResult late = SendResult.newBuilder(accepted("twilio", "t1", lateAt)).setVerificationId(id).build();
    driver.send(late);
    driver.receipt(receipt("twilio", "t1", DeliveryStatus.DELIVERED, lateAt.plusSeconds(2)));
    driver.receipt(receipt("vonage", "v1", DeliveryStatus.DELIVERED, failoverAt.plusSeconds(2)));
    Instant approvedAt = T0.plusSeconds(55);
    Attempt lateFirst = Attempt.newBuilder(first).setProvider("twilio").setProviderMessageId("t1")
        .setSubmittedAt(late.getCompletedAt()).build();
    driver.event(event(id, VerificationStatus.APPROVED, VerificationStatus.PENDING, "code-approved",
        List.of(verified(lateFirst, approvedAt), second), approvedAt));
    driver.publish();

    Map<String, ProviderScore> scores = latest();
    assertThat(scores).as("twilio never gets a fact: Relay's sender was late, not twilio").containsOnlyKeys(VONAGE);
    ProviderScore vonage = scores.get(VONAGE);
    assertThat(vonage.getTried()).isEqualTo(1);
    assertThat(vonage.getDelivered()).isEqualTo(1);
    assertThat(vonage.getFirstSends()).as("a failover is no first send").isZero();
    assertThat(vonage.getFirstCompleted()).isZero();
    assertThat(vonage.getFailovers()).isEmpty();
  }

  private Map<String, ProviderScore> latest() {
    return driver.publishedScores().stream()
        .collect(Collectors.toMap(entry -> entry.key, entry -> entry.value, (older, newer) -> newer));
  }
}
