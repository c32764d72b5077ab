package dev.relay.scoring.model;

/**
 * How much of one verification's attempt history scoring has already counted: failovers up to
 * attempt {@code countedAttempts}, whether its final status was seen (so a replayed final event
 * counts nothing twice), and whether its first send was excused (its delivery window spanned an
 * outage of Relay itself, see {@link InputClock}), so a later completion through it is not judged
 * as a first send's either.
 */
public record VerificationProgress(int countedAttempts, boolean finished, boolean firstSendExcused) {

  /** Nothing excused. */
  public VerificationProgress(int countedAttempts, boolean finished) {
    this(countedAttempts, finished, false);
  }
}
