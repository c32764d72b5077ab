package dev.relay.scoring.topology;

import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.scoring.model.ScoreFact;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts what became of an accepted send's delivery for its route, as the dispatcher told it: the
 * dispatcher holds the attempt, matches its receipts, and tells each send's outcome once (and none for a
 * send whose delivery window had passed, which the lifecycle facts count undelivered), so nothing is
 * matched or remembered here. The outcomes are keyed by route like the facts they join.
 */
final class DeliveryOutcomeFacts implements Processor<String, DeliveryOutcome, String, ScoreFact> {

  private ProcessorContext<String, ScoreFact> context;

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, DeliveryOutcome> record) {
    DeliveryOutcome outcome = record.value();
    // Only a status that ends a message's delivery counts.
    if (record.key() == null || outcome == null || !DeliveryStatuses.isFinal(outcome.getStatus())) {
      return;
    }
    boolean delivered = outcome.getStatus() == DeliveryStatus.DELIVERED;
    OptionalLong millis = delivered && outcome.getMillisToDelivery() != null
        ? OptionalLong.of(Math.max(0, outcome.getMillisToDelivery()))
        : OptionalLong.empty();
    context.forward(record.withValue((ScoreFact) new ScoreFact.Delivery(delivered, millis)));
  }
}
