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
  /**
   * The global processor that reads every partition of provider-scores on every instance; its source
   * is named after it with {@code -source} appended.
   */
  public static final String ROUTE_STANDINGS_PROCESSOR = "route-standings-updater";
  /** The global processor keeping the latest valid routing table from routing-table. */
  public static final String ROUTING_TABLE_PROCESSOR = "routing-table-updater";

  /** The single writer of every verification: all four inputs meet here, keyed by number. */
  public static final String LIFECYCLE_PROCESSOR = "verification-lifecycle";

  public static final String SEND_COMMANDS_SINK = "send-commands-sink";
  public static final String VERIFICATION_REPLIES_SINK = "verification-replies-sink";
  public static final String VERIFICATION_EVENTS_SINK = "verification-events-sink";
  public static final String DELIVERY_OUTCOMES_SINK = "delivery-outcomes-sink";
  public static final String RECEIPT_POLLS_SINK = "receipt-polls-sink";

  /** Number to its current (or last finished) verification. */
  public static final String VERIFICATIONS_STORE = "verifications";
  /**
   * Deadline + number to verification id, ordered by deadline: what the punctuator reads. Without a
   * changelog: rebuilt from {@link #VERIFICATIONS_STORE} whenever a task starts.
   */
  public static final String DEADLINES_STORE = "verification-deadlines";
  /** Final receipts that arrived before the send result naming their message id. */
  public static final String EARLY_RECEIPTS_STORE = "early-receipts";

  /** Sends users asked for per number, with the asking network: the per-number limits. */
  public static final String NUMBER_SENDS_STORE = "number-sends";

  /** Hands requests, straight from their topic, to the lifecycle processor. */
  public static final String REQUESTS_INPUT = "verification-requests-input";

  // The request limits, beside the hot path: starts and resends tallied per limit group, counted, blocks published.
  /** Counts each task's starts and resends per limit group and forwards the tallies once per commit interval. */
  public static final String REQUEST_TALLIES = "request-tallies";
  /** Repartition (and topic name part) of the tallies, keyed by client network or API key. */
  public static final String TALLIES_BY_LIMIT_GROUP = "request-tallies-by-limit-group";
  public static final String REQUEST_LIMITER = "request-limiter";
  /** Per client IP, network and API key: admitted requests counted per time bucket, and the block last published. */
  public static final String REQUEST_COUNTERS_STORE = "request-counters";
  public static final String REQUEST_BLOCKS_SINK = "request-blocks-sink";
  /** The global processor keeping request-blocks; its source is named after it with {@code -source}. */
  public static final String REQUEST_BLOCKS_PROCESSOR = "request-blocks-updater";
  /** Global: the latest block per client IP, network or API key, from request-blocks; the lifecycle refuses by it. */
  public static final String REQUEST_BLOCKS_STORE = "request-blocks";

  /**
   * Global: each route's latest score and whether it is demoted. A global store has no changelog;
   * it is rebuilt by replaying provider-scores through {@link RouteStandingsUpdater}.
   */
  public static final String ROUTE_STANDINGS_STORE = "route-standings";

  /** Global: the latest valid published routing table, under {@code Topics.ROUTING_TABLE_KEY}. */
  public static final String ROUTING_TABLE_STORE = "routing-table";

  // Anti-pumping: the lifecycle's sends and approvals tallied per destination prefix, judged per prefix.
  public static final String PUMPING_EVENTS_SOURCE = "pumping-events-source";
  /** Collects each task's sends and approvals per prefix and forwards them once per second. */
  public static final String PREFIX_TALLIES = "prefix-tallies";
  /** Repartition (and topic name part) of the tallies, keyed by destination prefix. */
  public static final String TALLIES_BY_PREFIX = "prefix-tallies-by-prefix";
  public static final String PUMPING_DETECTOR = "pumping-detector";
  /** Per prefix: the window's counts, the baseline, block and release marks. */
  public static final String PREFIX_ACTIVITY_STORE = "prefix-activity";
  public static final String BLOCKED_PREFIXES_SINK = "blocked-prefixes-sink";
  /** The global processor keeping blocked-prefixes; its source is named after it with {@code -source}. */
  public static final String BLOCKED_PREFIXES_PROCESSOR = "blocked-prefixes-updater";
  /**
   * Global: the latest block or release per prefix, from blocked-prefixes; the lifecycle refuses
   * starts to a blocked prefix, the detector reads releases.
   */
  public static final String BLOCKED_PREFIXES_STORE = "blocked-prefixes";

  // The route facts scoring counts, told from the lifecycle's send results and events (dev.relay.dispatcher.facts).
  /** Child of the lifecycle that gets each event it writes: failovers, lost messages, completions, excused sends. */
  public static final String LIFECYCLE_FACTS = "lifecycle-facts";
  /** Child of the lifecycle that gets each send result it reads: the provider tries and fast failovers. */
  public static final String SEND_RESULT_FACTS = "send-result-facts";
  public static final String ROUTE_FACTS_SINK = "route-facts-sink";
  /** Per verification id, for the match horizon: how much of its attempt history the facts have told. */
  public static final String FACT_PROGRESS_STORE = "route-fact-progress";
  /**
   * The event time of the task's send results and events, to recognise an outage of Relay itself, as last saved
   * (about once a second); changelogged, so a clock restored after a whole-process kill still knows when they stopped.
   */
  public static final String INPUT_CLOCK_STORE = "route-fact-input-clock";
  /** The task's clock as every input moves it, shared by both fact processors; in memory, taken up from the saved one. */
  public static final String LIVE_INPUT_CLOCK_STORE = "route-fact-live-input-clock";

  private DispatcherNames() {}
}
