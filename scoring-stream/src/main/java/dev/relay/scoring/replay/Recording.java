package dev.relay.scoring.replay;

import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import java.time.Instant;
import java.util.List;

/**
 * What was recorded about a time range, as read from the topics: the verifications started in
 * {@code [from, to)} are replayed; the records after {@code to} (up to a verification's expiry) only
 * settle how those ended, and the scores before {@code from} only give the routing order at its start.
 */
public record Recording(Instant from, Instant to, List<VerificationEvent> events, List<SendResult> sends,
    List<DeliveryReceipt> receipts, List<ProviderScore> scores) {

  public Recording {
    events = List.copyOf(events);
    sends = List.copyOf(sends);
    receipts = List.copyOf(receipts);
    scores = List.copyOf(scores);
  }
}
