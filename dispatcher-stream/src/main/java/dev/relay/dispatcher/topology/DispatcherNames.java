package dev.relay.dispatcher.topology;

/**
 * Every name the dispatcher's topology gives a node or a store, in one place. Store names are part of
 * the changelog topics' names ({@code <application id>-<store>-changelog}): renaming one orphans its
 * changelog, which is why a test pins {@code topology.describe()}.
 */
public final class DispatcherNames {

  public static final String VERIFICATION_REQUESTS_SOURCE = "verification-requests-source";
  public static final String CODE_CHECKS_SOURCE = "code-checks-source";
  public static final String SEND_RESULTS_SOURCE = "send-results-source";
  public static final String DELIVERY_RECEIPTS_SOURCE = "delivery-receipts-source";

  /** The single writer of every verification: all four inputs meet here, keyed by number. */
  public static final String LIFECYCLE_PROCESSOR = "verification-lifecycle";

  public static final String SEND_COMMANDS_SINK = "send-commands-sink";
  public static final String VERIFICATION_REPLIES_SINK = "verification-replies-sink";
  public static final String VERIFICATION_EVENTS_SINK = "verification-events-sink";

  /** Number to its current (or last finished) verification. */
  public static final String VERIFICATIONS_STORE = "verifications";
  /** Deadline + number to verification id, ordered by deadline: what the punctuator reads. */
  public static final String DEADLINES_STORE = "verification-deadlines";
  /** Final receipts that arrived before the send result naming their message id. */
  public static final String EARLY_RECEIPTS_STORE = "early-receipts";

  private DispatcherNames() {}
}
