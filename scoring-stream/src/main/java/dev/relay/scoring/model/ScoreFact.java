package dev.relay.scoring.model;

import dev.relay.schemas.SendReason;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One thing that happened on a route and counts towards its score, extracted from the number-keyed
 * inputs and re-keyed by route: a provider try, a final delivery receipt matched to its send, a
 * verification completed through the route, a failover the route triggered, or a first send taken
 * back out of the route's judgement because Relay itself, not the route, interrupted it.
 */
public sealed interface ScoreFact {

  /**
   * One provider try; {@code priceMicros} when the provider reported a price. {@code firstSend} when
   * it carries a verification's first send (attempt 1, fast failovers after a rejection included):
   * only those are judged on completion, since a later send starts when the person has already
   * waited a delivery window, through no fault of its route.
   */
  record Tried(boolean accepted, OptionalLong priceMicros, boolean firstSend) implements ScoreFact {
    public Tried {
      Objects.requireNonNull(priceMicros);
    }

    /** A first send. */
    public Tried(boolean accepted, OptionalLong priceMicros) {
      this(accepted, priceMicros, true);
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

  /** A verification approved with the code this route delivered; {@code firstSend} as in {@link Tried}. */
  record Completion(boolean firstSend) implements ScoreFact {

    /** The completion of a first send. */
    public Completion() {
      this(true);
    }
  }

  /**
   * An accepted send of this route, counted before, whose delivery window spanned an outage of Relay
   * itself (the process died with the message in flight: its receipt and its person's check had
   * nowhere to go). Placed in the pane of the send's {@link Tried}, it takes back what the route
   * could not answer for: with {@code receiptPending} (no final receipt was counted for it) the try
   * itself, so its missing receipt lowers no rate; with {@code firstSend} its place in the
   * completion judgement. The money spent on it stays spent.
   */
  record Excused(boolean firstSend, boolean receiptPending) implements ScoreFact {}

  /** The route failed a verification, which moved on to another route for this reason. */
  record Failover(SendReason reason) implements ScoreFact {
    public Failover {
      Objects.requireNonNull(reason);
    }
  }
}
