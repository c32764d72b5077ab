package dev.relay.dispatcher.routing;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.topics.ProviderScoreKeys;
import dev.relay.support.config.RelayConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything routing needs besides the scores themselves: the operator's table and pins, the
 * policy, and where each stream task gets its randomness. {@link #over} joins it to the standings a
 * task can read (the global store) into the {@link RouteChooser} the lifecycle asks.
 */
public final class ScoredRouting {

  private final RoutingTable table;
  private final RoutePins pins;
  private final RoutingPolicy policy;
  private final RoutePlanner planner;
  private final OverdueReceipts overdue;
  private final Supplier<RandomGenerator> randomness;
  private final boolean scoresUsed;

  public ScoredRouting(RoutingTable table, RoutePins pins, RoutingPolicy policy, OverdueReceipts overdue,
      Supplier<RandomGenerator> randomness) {
    this(table, pins, policy, overdue, randomness, true);
  }

  private ScoredRouting(RoutingTable table, RoutePins pins, RoutingPolicy policy, OverdueReceipts overdue,
      Supplier<RandomGenerator> randomness, boolean scoresUsed) {
    this.scoresUsed = scoresUsed;
    this.table = table;
    this.pins = pins;
    this.policy = policy;
    this.planner = new RoutePlanner(policy);
    this.overdue = overdue;
    this.randomness = randomness;
  }

  public static ScoredRouting fromConfig(RelayConfig config, RoutingTable table) {
    ScoredRouting routing = new ScoredRouting(table, RoutePins.fromConfig(config), RoutingPolicy.fromConfig(config),
        OverdueReceipts.fromConfig(config), ScoredRouting::unpredictable);
    return config.getBoolean(DispatcherConfig.USE_SCORES) ? routing : routing.ignoringScores();
  }

  /**
   * The same routing with every route unscored: the table's order and the pins alone decide, and a
   * send's window is the configured one.
   */
  public ScoredRouting ignoringScores() {
    return new ScoredRouting(table, pins, policy, overdue, randomness, false);
  }

  /** The default policy and overdue receipts, and no pins. */
  public static ScoredRouting withDefaults(RoutingTable table) {
    return new ScoredRouting(table, RoutePins.NONE, RoutingPolicy.defaults(), OverdueReceipts.defaults(),
        ScoredRouting::unpredictable);
  }

  public RoutingTable table() {
    return table;
  }

  public RoutingPolicy policy() {
    return policy;
  }

  /** A chooser over the standings alone, with the table from config. */
  public RouteChooser over(Function<String, RouteStanding> standings) {
    return over(standings, () -> null);
  }

  /**
   * A chooser for one stream task over the standings it can read ({@code route key -> standing}) and
   * the latest published table (null while none was published: the table from config holds). Each
   * call takes its own random generator: tasks run on different threads.
   */
  public RouteChooser over(Function<String, RouteStanding> standings, Supplier<RoutingTableVersion> published) {
    RandomGenerator random = randomness.get();
    RoutingTable[] current = {table};
    Supplier<RoutingTable> latestTable = () -> {
      RoutingTableVersion latest = published.get();
      if (latest != null && latest.getVersion() != current[0].version()) {
        // Checked before it was published and again when it was stored; parsed once per version.
        current[0] = RoutingTable.fromVersion(latest);
      }
      return current[0];
    };
    return new RouteChooser() {
      @Override
      public List<Route> routes(String country, Channel channel) {
        List<Route> routes = latestTable.get().routes(country, channel);
        if (country == null || routes.isEmpty()) {
          return routes;
        }
        Channel routeChannel = SendChannels.of(channel);
        return planner.plan(routes, pins.of(country, routeChannel),
            provider -> scoresUsed
                ? Optional.ofNullable(standings.apply(ProviderScoreKeys.key(provider, country, routeChannel)))
                : Optional.empty(),
            random);
      }

      @Override
      public Optional<List<Channel>> channelOrder(String country) {
        return latestTable.get().channelOrder(country);
      }

      @Override
      public Optional<Duration> receiptOverdueAfter(String provider, String country, Channel channel) {
        if (!scoresUsed || provider == null || country == null) {
          return Optional.empty();
        }
        RouteStanding standing = standings.apply(ProviderScoreKeys.key(provider, country, SendChannels.of(channel)));
        return standing == null ? Optional.empty() : overdue.after(standing.score());
      }
    };
  }

  /** Exploration needs no secrecy, only independence between instances; seeded once from the OS. */
  private static RandomGenerator unpredictable() {
    return new SplittableRandom(new SecureRandom().nextLong());
  }
}
