package dev.relay.scoring.topology;

import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.ScoreFact;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns each provider try into facts about its route: one try (accepted or not, with its price), a
 * rejection failover when the sender moved on to another route, and, for an accepted try, the
 * delivery of a receipt that arrived before it. Accepted tries are remembered for their receipts.
 */
final class SendResultFacts implements Processor<String, SendResult, String, ScoreFact> {

  private final Duration matchHorizon;
  private ProcessorContext<String, ScoreFact> context;
  private DeliveryMatcher matcher;

  SendResultFacts(Duration matchHorizon) {
    this.matchHorizon = matchHorizon;
  }

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
    this.matcher = new DeliveryMatcher(
        context.getStateStore(ScoringTopology.SENT_MESSAGES_STORE),
        context.getStateStore(ScoringTopology.EARLY_RECEIPTS_STORE),
        matchHorizon);
  }

  @Override
  public void process(Record<String, SendResult> record) {
    SendResult result = record.value();
    if (result == null) {
      return;
    }
    RouteKey route = new RouteKey(result.getProvider(), result.getCountry(), result.getChannel());
    boolean accepted = result.getOutcome() == SendOutcome.ACCEPTED;
    OptionalLong price = result.getPriceMicros() == null ? OptionalLong.empty() : OptionalLong.of(result.getPriceMicros());
    forward(route, new ScoreFact.Tried(accepted, price, result.getAttempt() == 1), record.timestamp());
    if (result.getOutcome() == SendOutcome.REJECTED && !result.getLastTry()) {
      // The sender moves to the next route at once: this route caused a fast failover.
      forward(route, new ScoreFact.Failover(SendReason.REJECTION), record.timestamp());
    }
    if (accepted && result.getProviderMessageId() != null) {
      String messageKey = DeliveryMatcher.messageKey(result.getProvider(), result.getProviderMessageId());
      matcher.onAccepted(route, messageKey, result.getStartedAt().toEpochMilli(), record.timestamp())
          .ifPresent(delivery -> forward(route, delivery, record.timestamp()));
    }
  }

  private void forward(RouteKey route, ScoreFact fact, long timestamp) {
    context.forward(new Record<>(route.value(), fact, timestamp));
  }
}
