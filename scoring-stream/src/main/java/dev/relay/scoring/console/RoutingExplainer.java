package dev.relay.scoring.console;

import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.routing.RouteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The routing table as operators need to read it: per country and channel the operator's order, the
 * order the scores give it now (by {@link RouteOrder}, the dispatcher's own rules, without the random
 * exploration of one send) and for every route why it stands where it does. Pure.
 */
public final class RoutingExplainer {

  /** Why a route stands where it does, in the words the page shows. */
  public static final String TABLE = "table";
  public static final String OUT_SCORED = "out-scored";
  public static final String OUT_SCORES = "out-scores";
  public static final String DEMOTED = "demoted";
  public static final String PINNED = "pinned";

  /** One route: its place in the table and in the order now (1-based), its figures and the reason. */
  public record Row(String provider, int tablePlace, int place, Double score, long tried, boolean demoted,
      boolean explored, String reason, String why) {}

  /** One country's and channel's routes; {@code fromDefault} when the country takes the table's {@code *} entry. */
  public record Table(String country, String channel, boolean fromDefault, List<Row> rows) {}

  /** Every country's tables and the version they come from. */
  public record Explanation(long version, long publishedAt, String publishedBy, double explorationShare, List<Table> tables) {}

  private static final String DEFAULT_COUNTRY = "*";

  private final RouteOrder.Policy policy;
  private final RouteOrder order;

  public RoutingExplainer(RouteOrder.Policy policy) {
    this.policy = policy;
    // The order of the many sends, not of one: exploration is a share, shown as such on the routes held back.
    this.order = new RouteOrder(new RouteOrder.Policy(policy.minSamples(), 0, policy.scoreMargin()));
  }

  /**
   * @param scores the latest score of every route, by {@code provider|COUNTRY|channel}
   */
  public Explanation explain(RoutingTableVersion table, Map<String, ProviderScore> scores) {
    TreeSet<String> countries = new TreeSet<>();
    for (CountryRoutes entry : table.getCountries()) {
      countries.add(entry.getCountry().trim().toUpperCase(Locale.ROOT));
    }
    scores.values().forEach(score -> countries.add(score.getCountry().toUpperCase(Locale.ROOT)));
    List<Table> tables = new ArrayList<>();
    for (String country : countries) {
      for (Channel channel : List.of(Channel.SMS, Channel.WHATSAPP, Channel.VOICE)) {
        Optional<CountryRoutes> own = entry(table, country);
        CountryRoutes routes = own.or(() -> entry(table, DEFAULT_COUNTRY)).orElse(null);
        if (routes == null || (DEFAULT_COUNTRY.equals(country) && own.isEmpty())) {
          continue;
        }
        List<PricedRoute> priced = switch (channel) {
          case VOICE -> routes.getVoice();
          case WHATSAPP -> routes.getWhatsapp();
          default -> routes.getSms();
        };
        if (!priced.isEmpty()) {
          tables.add(new Table(country, channel.name().toLowerCase(Locale.ROOT), own.isEmpty() && !DEFAULT_COUNTRY.equals(country),
              rows(country, channel, priced, scores)));
        }
      }
    }
    return new Explanation(table.getVersion(), table.getPublishedAt().toEpochMilli(), table.getPublishedBy(),
        policy.explorationShare(), tables);
  }

  private List<Row> rows(String country, Channel channel, List<PricedRoute> priced, Map<String, ProviderScore> scores) {
    List<Route> table = priced.stream()
        .map(route -> new Route(route.getProvider(), channel, route.getPriceMicros(), RouteOrder.TABLE)).toList();
    String suffix = "|" + country + "|" + channel.name().toLowerCase(Locale.ROOT);
    RouteOrder.Plan plan = order.plan(table, RouteOrder.Pins.NONE,
        provider -> Optional.ofNullable(scores.get(provider + suffix)).map(score -> new RouteOrder.Standing(score, score.getDemoted())),
        new SplittableRandom(0));
    List<String> tableOrder = table.stream().map(Route::getProvider).toList();
    List<String> nowOrder = plan.ordered().stream().map(Route::getProvider).toList();
    // Scores reorder only the routes they rank; a route moving up because another was demoted is not out-scoring it.
    List<String> ranked = plan.ordered().stream().filter(route -> route.getRoutingReason().equals(RouteOrder.SCORE))
        .map(Route::getProvider).toList();
    List<String> rankedInTable = tableOrder.stream().filter(ranked::contains).toList();
    List<Row> rows = new ArrayList<>();
    for (Route route : plan.ordered()) {
      String provider = route.getProvider();
      ProviderScore score = scores.get(provider + suffix);
      int tablePlace = tableOrder.indexOf(provider) + 1;
      int place = nowOrder.indexOf(provider) + 1;
      boolean explored = plan.heldBack().contains(provider) && policy.explorationShare() > 0;
      String reason;
      String why;
      if (route.getRoutingReason().equals(RouteOrder.DEMOTION)) {
        reason = DEMOTED;
        why = "scoring published it demoted" + scoreText(score) + ": it goes last";
      } else if (route.getRoutingReason().equals(RouteOrder.PIN)) {
        reason = PINNED;
        why = "pinned first by the operator";
      } else if (route.getRoutingReason().equals(RouteOrder.SCORE) && ranked.indexOf(provider) > rankedInTable.indexOf(provider)) {
        reason = OUT_SCORED;
        why = "out-scored by " + String.join(", ", passedBy(provider, rankedInTable, ranked, scores, suffix))
            + " by more than the margin " + policy.scoreMargin();
      } else if (route.getRoutingReason().equals(RouteOrder.SCORE) && ranked.indexOf(provider) < rankedInTable.indexOf(provider)) {
        reason = OUT_SCORES;
        why = "its score" + scoreText(score) + " beats the routes the table puts before it";
      } else if (route.getRoutingReason().equals(RouteOrder.SCORE)) {
        reason = TABLE;
        why = "its table place; the scores agree";
      } else {
        reason = TABLE;
        why = score == null || score.getScore() == null ? "its table place: no score yet"
            : "its table place: " + score.getTried() + " tries, the scores count from " + policy.minSamples();
      }
      if (explored) {
        why += "; explored first in " + percent(policy.explorationShare()) + " of sends to watch its recovery";
      }
      rows.add(new Row(provider, tablePlace, place, score == null ? null : score.getScore(),
          score == null ? 0 : score.getTried(), score != null && score.getDemoted(), explored, reason, why));
    }
    return rows;
  }

  private static List<String> passedBy(String provider, List<String> tableOrder, List<String> nowOrder,
      Map<String, ProviderScore> scores, String suffix) {
    List<String> passed = new ArrayList<>();
    for (String other : nowOrder) {
      if (tableOrder.indexOf(other) > tableOrder.indexOf(provider) && nowOrder.indexOf(other) < nowOrder.indexOf(provider)) {
        passed.add(other + scoreText(scores.get(other + suffix)));
      }
    }
    return passed;
  }

  private static Optional<CountryRoutes> entry(RoutingTableVersion table, String country) {
    return table.getCountries().stream()
        .filter(entry -> entry.getCountry().trim().equalsIgnoreCase(country)).findFirst();
  }

  private static String scoreText(ProviderScore score) {
    return score == null || score.getScore() == null ? "" : String.format(Locale.ROOT, " (score %.3f)", score.getScore());
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f %%", share * 100);
  }
}
