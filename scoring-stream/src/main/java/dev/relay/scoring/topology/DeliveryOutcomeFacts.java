package dev.relay.scoring.topology;

import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.scoring.model.ScoreFact;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
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

  /** Statuses that end a message's delivery; an outcome with any other counts nothing. */
  static final Set<DeliveryStatus> FINAL_STATUSES = EnumSet.of(
      DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED,
      DeliveryStatus.REJECTED, DeliveryStatus.EXPIRED);

  private ProcessorContext<String, ScoreFact> context;

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, DeliveryOutcome> record) {
    DeliveryOutcome outcome = record.value();
    if (record.key() == null || outcome == null || !FINAL_STATUSES.contains(outcome.getStatus())) {
      return;
    }
    boolean delivered = outcome.getStatus() == DeliveryStatus.DELIVERED;
    OptionalLong millis = delivered && outcome.getMillisToDelivery() != null
        ? OptionalLong.of(Math.max(0, outcome.getMillisToDelivery()))
        : OptionalLong.empty();
    context.forward(record.withValue((ScoreFact) new ScoreFact.Delivery(delivered, millis)));
  }
}
