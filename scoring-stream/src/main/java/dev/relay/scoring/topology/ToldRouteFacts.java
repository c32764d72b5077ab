package dev.relay.scoring.topology;

import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendReason;
import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.model.ScoreFact;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts each fact the dispatcher told of a route (its tries, failovers, lost messages, completions and
 * excused sends), as told: the dispatcher holds every attempt and tells each fact once, at the time it
 * belongs to (a completion and an excused send in their send's pane), so nothing is matched or remembered
 * here. A kind a later release added is skipped: this one cannot count it.
 */
final class ToldRouteFacts implements Processor<String, RouteFact, String, ScoreFact> {

  private ProcessorContext<String, ScoreFact> context;

  @Override
  public void init(ProcessorContext<String, ScoreFact> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, RouteFact> record) {
    RouteFact fact = record.value();
    if (record.key() == null || fact == null) {
      return;
    }
    // A key that names no route cannot be scored: refused here, so the record goes to the dead letters.
    RouteKey.parse(record.key());
    ScoreFact counted = counted(fact);
    if (counted != null) {
      context.forward(record.withValue(counted));
    }
  }

  /** The fact as scoring counts it, or null for a kind this release does not know. */
  static ScoreFact counted(RouteFact fact) {
    return switch (fact.getKind()) {
      case TRIED -> new ScoreFact.Tried(fact.getAccepted(), optional(fact.getPriceMicros()), fact.getFirstSend());
      case DELIVERY -> new ScoreFact.Delivery(fact.getDelivered(), OptionalLong.empty());
      case COMPLETION -> new ScoreFact.Completion(fact.getFirstSend());
      case EXCUSED -> new ScoreFact.Excused(fact.getFirstSend(), fact.getReceiptPending());
      case FAILOVER -> new ScoreFact.Failover(fact.getReason() == null ? SendReason.UNKNOWN_REASON : fact.getReason());
      case UNKNOWN_FACT -> null;
    };
  }

  private static OptionalLong optional(Long value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }
}
