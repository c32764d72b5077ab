package dev.relay.dispatcher.topology;

import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.VerificationState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Every send to one number (starts, repeated starts, resends, failovers, the voice fallback), across
 * its verifications, with the client network it is counted against: what the per-number limits are
 * decided on. A failover is counted against the network of the request that began its chain.
 *
 * <p>The sends live in the number's own state ({@code VerificationState.numberSends}), which every send
 * writes anyway, and each new verification of the number takes them over from the one before: one
 * changelog record per send instead of two. A finished verification is therefore kept at least as long
 * as the longest per-number window ({@link #keepFinishedFor}).
 */
final class SendHistory {

  private final Duration horizon;

  /** The history over the longest per-number window, {@code horizon}: older sends are dropped when one is added. */
  SendHistory(Duration horizon) {
    this.horizon = horizon;
  }

  /** How long a finished verification must be kept: its retention, and no less than the history it carries needs. */
  Duration keepFinishedFor(Duration retention) {
    return retention.compareTo(horizon) >= 0 ? retention : horizon;
  }

  /** The number's sends as its state holds them, oldest first; none when the number has no state. */
  static List<NumberSend> of(VerificationState state) {
    return state == null ? List.of() : state.getNumberSends();
  }

  /** When each of these sends was made. */
  static List<Instant> times(List<NumberSend> sends) {
    return sends.stream().map(send -> Instant.ofEpochMilli(send.getAt())).toList();
  }

  /** The sends of {@code previous} a new verification of the number takes over: those still inside the horizon. */
  List<NumberSend> carriedFrom(VerificationState previous, Instant now) {
    List<NumberSend> kept = new ArrayList<>();
    long oldest = now.minus(horizon).toEpochMilli();
    for (NumberSend send : of(previous)) {
      if (send.getAt() > oldest) {
        kept.add(send);
      }
    }
    return kept;
  }

  /** Adds a send to the state's history, dropping those no limit can count any more. */
  void record(VerificationState state, Instant at, String network) {
    List<NumberSend> kept = carriedFrom(state, at);
    kept.add(new NumberSend(at.toEpochMilli(), network));
    state.setNumberSends(kept);
  }
}
