package dev.relay.dispatcher.facts;

/**
 * The event time of the send results a dispatcher task reads and the lifecycle events it writes (for the
 * numbers it owns), kept to recognise an outage of Relay itself: an interval in which none of
 * Relay's services produced anything. Every input is a fact some service produced; when the whole
 * process dies (broker, services, the simulator's handsets), the facts stop on every partition at
 * once and resume together after the restart.
 *
 * @param lastInputAt the newest input timestamp seen, or {@link #NONE}
 * @param meanGapMillis moving mean of the intervals between consecutive inputs
 * @param observed inputs seen (the mean means nothing before a few dozen)
 * @param outageStart start of the latest outage recognised (the last input before it), or {@link #NONE}
 * @param outageEnd end of the latest outage recognised (the first input after it), or {@link #NONE}
 */
public record InputClock(long lastInputAt, double meanGapMillis, long observed, long outageStart, long outageEnd) {

  public static final long NONE = Long.MIN_VALUE;

  public static final InputClock EMPTY = new InputClock(NONE, 0, 0, NONE, NONE);

  /**
   * Expected inputs that must be missing before a silence counts as an outage: the silence must be
   * at least this many mean intervals long (and at least the configured minimum). With inputs
   * arriving at random, a silence of 50 mean intervals has a chance of about e^-50 in normal
   * operation; inputs cluster by verification (a send, its receipt, its events), so this is still
   * over ten verifications' worth of silence.
   */
  public static final int EXPECTED_INPUTS = 50;

  /** Weight of the newest interval in the moving mean: about the last {@link #EXPECTED_INPUTS} intervals count. */
  private static final double MEAN_WEIGHT = 1.0 / EXPECTED_INPUTS;

  /** The clock after one more input at {@code timestamp}; a silence longer than the threshold becomes the latest outage. */
  public InputClock observe(long timestamp, long minOutageMillis) {
    if (lastInputAt == NONE) {
      return new InputClock(timestamp, 0, 1, outageStart, outageEnd);
    }
    if (timestamp <= lastInputAt) {
      // Out of order across partitions, or the same millisecond: no silence, and stream time does not go back.
      return new InputClock(lastInputAt, meanGapMillis * (1 - MEAN_WEIGHT), observed + 1, outageStart, outageEnd);
    }
    long gap = timestamp - lastInputAt;
    boolean outage = observed >= EXPECTED_INPUTS && gap >= Math.max(minOutageMillis, EXPECTED_INPUTS * meanGapMillis);
    if (outage) {
      // The silence is not a sample of normal traffic: it leaves the mean as it was.
      return new InputClock(timestamp, meanGapMillis, observed + 1, lastInputAt, timestamp);
    }
    return new InputClock(timestamp, meanGapMillis + MEAN_WEIGHT * (gap - meanGapMillis), observed + 1,
        outageStart, outageEnd);
  }

  /** Whether the latest outage lies within {@code [from, to]}: something that began before Relay went down and ended after it came back. */
  public boolean outageWithin(long from, long to) {
    return outageStart != NONE && from <= outageStart && to >= outageEnd;
  }
}
