package dev.relay.scoring.model;

import dev.relay.schemas.SendReason;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One thing that happened on a route and counts towards its score, extracted from the number-keyed
 * inputs and re-keyed by route: a provider try, a final delivery receipt matched to its send, a
 * verification completed through the route, or a failover the route triggered.
 */
public sealed interface ScoreFact {

  /** One provider try; {@code priceMicros} when the provider reported a price. */
  record Tried(boolean accepted, OptionalLong priceMicros) implements ScoreFact {
    public Tried {
      Objects.requireNonNull(priceMicros);
    }
  }

  /**
   * The final receipt of an accepted send: delivered or not, and for a delivered one the time
   * from the provider call to the handset.
   */
  record Delivery(boolean delivered, OptionalLong millisToDelivery) implements ScoreFact {
    public Delivery {
      Objects.requireNonNull(millisToDelivery);
    }
  }

  /** A verification approved with the code this route delivered. */
  record Completion() implements ScoreFact {}

  /** The route failed a verification, which moved on to another route for this reason. */
  record Failover(SendReason reason) implements ScoreFact {
    public Failover {
      Objects.requireNonNull(reason);
    }
  }
}
