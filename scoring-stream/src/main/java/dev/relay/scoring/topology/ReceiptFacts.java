package dev.relay.scoring.topology;

import dev.relay.schemas.DeliveryReceipt;
import dev.relay.scoring.model.ScoreFact;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts final delivery receipts against the route of the send they belong to. Intermediate
 * statuses (queued, sent, accepted, buffered, delivered to operator) are dropped here: only the
 * canonical status decides, not the receipt's own {@code finalStatus} flag, so a mislabelled
 * receipt cannot count twice. A receipt whose send is not known yet waits for it.
 */
final class ReceiptFacts implements Processor<String, DeliveryReceipt, String, ScoreFact> {

  private final Duration matchHorizon;
  private final Duration minOutage;
  private ProcessorContext<String, ScoreFact> context;
  private DeliveryMatcher matcher;
  private RelayOutages outages;

  ReceiptFacts(Duration matchHorizon, Duration minOutage) {
    this.matchHorizon = matchHorizon;
    this.minOutage = minOutage;
  }

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
    this.matcher = new DeliveryMatcher(
        context.getStateStore(ScoringTopology.SENT_MESSAGES_STORE),
        context.getStateStore(ScoringTopology.EARLY_RECEIPTS_STORE),
        matchHorizon);
    this.outages = RelayOutages.of(context, minOutage);
  }

  @Override
  public void process(Record<String, DeliveryReceipt> record) {
    DeliveryReceipt receipt = record.value();
    if (receipt != null) {
      outages.observe(record.timestamp());
    }
    if (receipt == null || !DeliveryMatcher.FINAL_STATUSES.contains(receipt.getStatus())) {
      return;
    }
    String messageKey = DeliveryMatcher.messageKey(receipt.getProvider(), receipt.getProviderMessageId());
    matcher.onFinalReceipt(messageKey, receipt.getStatus(), receipt.getOccurredAt().toEpochMilli(), record.timestamp())
        .ifPresent(matched -> context.forward(
            new Record<>(matched.route().value(), (ScoreFact) matched.delivery(), record.timestamp())));
  }
}
