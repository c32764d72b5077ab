package dev.relay.dispatcher.facts;

/**
 * How much of one verification's attempt history the route facts have already told: failovers up to
 * attempt {@code countedAttempts}, whether its final status was seen (stored only when the final event
 * also counted a new attempt: nothing else reads it then), and whether its first send was excused (its
 * delivery window spanned an outage of Relay itself, see {@link InputClock}), so a later completion
 * through it is not judged as a first send's either.
 */
public record VerificationProgress(int countedAttempts, boolean finished, boolean firstSendExcused) {

  /** Nothing counted yet: what a verification with no progress stored reads as. */
  public static final VerificationProgress NONE = new VerificationProgress(0, false);

  /** Nothing excused. */
  public VerificationProgress(int countedAttempts, boolean finished) {
    this(countedAttempts, finished, false);
  }

  /**
   * Whether the two read the same. Attempt 1 counted or not makes no difference: it has no attempt
   * before it to charge a failover to, and a send result is taken for one carried out late only when an
   * attempt later than its own was counted.
   */
  public boolean readsAs(VerificationProgress other) {
    return countsTheSameAttemptsAs(other) && finished == other.finished && firstSendExcused == other.firstSendExcused;
  }

  /** Whether a send result reads the two the same: as carried out late or not (see {@link #readsAs}). */
  public boolean countsTheSameAttemptsAs(VerificationProgress other) {
    return Math.max(1, countedAttempts) == Math.max(1, other.countedAttempts);
  }
}
