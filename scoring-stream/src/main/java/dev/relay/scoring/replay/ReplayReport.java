package dev.relay.scoring.replay;

import dev.relay.scoring.model.RouteKey;
import dev.relay.scoring.replay.RouteEstimate.Level;
import dev.relay.scoring.replay.WhatIfReplay.CountryResult;
import dev.relay.scoring.replay.WhatIfReplay.People;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Prints a replay's {@link WhatIfReplay.Result} as text: the figures side by side, the evidence behind them, the assumptions. */
public final class ReplayReport {

  /** The model's assumptions, printed with every report and quoted in docs/routing-study.md. */
  public static final String ASSUMPTIONS = """
      Assumptions:
       1. Each verification keeps what was recorded of it: country, channel, start, and the person. One who checked
          checks again when a code reaches them, with their own time from delivery to check; one whose first code
          was delivered and who never checked does not check on any route; of the others, as many check as the
          country's engagement (the share of delivered first codes that were checked) leaves room for.
       2. A route's outcome is drawn from its own recorded tries in that country and hour of day (UTC, the days of
          the range pooled): acceptance, delivery, completion, failed receipts, time to delivery and to the check,
          price. An hour with fewer than the minimum tries uses the route's whole range; a route with fewer than
          that in the range uses the prior (acceptance 0.95, delivery 0.85, reach 0.85, failed receipt for 0.30
          of the undelivered, delivery after 5 s, check 20 s after acceptance; engagement 0.85).
       3. A route's reach (the chance a person who checks gets its code in time) is its completion over the
          engagement, counting its failover sends at the country's late presence (the chance a person still waits
          after a failover: estimated from the routes that had both kinds of send, else 0.60), so a backup that
          only got failovers is not blamed for the people who had left.
       4. The dispatcher's rules: a rejection moves to the next route at once; a send without a delivered receipt
          fails over on its failed receipt or when the window passes; a delivered code is not failed over; after a
          channel's routes, the next channel of the table's channelOrder (else --channel-order); at most
          --max-sends sends, nothing after --expiry.
       5. Scores on: the dispatcher's order (RouteOrder: scores, demotions, exploration drawn from the seed) by the
          scores recorded at that instant. They are the recorded traffic's scores: routes do not re-score under
          the replayed traffic. Scores off: the table's order.
       6. Cost: the vendor's reported price per message on the route (its mean), else the table's price, else 0;
          failovers: every provider try after a verification's first (a user's resend is none); time to verify:
          from the start to the check, over the completed verifications.
       7. Not modelled: user resends and repeated starts, wrong guesses, request limits, provider capacity, receipt
          polling, Relay's own outages. Routes are independent of each other and of the load they get.
      """;

  private ReplayReport() {}

  public static String format(WhatIfReplay.Result result, String tableName) {
    StringBuilder out = new StringBuilder();
    ReplaySettings settings = result.settings();
    out.append(String.format(Locale.ROOT, "What-if replay of %s .. %s: %d verifications%n", result.from(), result.to(),
        result.recordedOverall().verifications()));
    out.append(String.format(Locale.ROOT, "table %s; scores %s; failover window %s; expiry %s; max sends %d; seed %d%n",
        tableName, settings.useScores()
            ? String.format(Locale.ROOT, "on (min samples %d, margin %.2f, exploration %.2f, cap %.2f)",
                settings.policy().minSamples(), settings.policy().scoreMargin(), settings.policy().explorationShare(),
                settings.policy().explorationCap())
            : "off (the table's order)",
        text(settings.failoverWindow()), text(settings.expiry()), settings.maxSends(), settings.seed()));
    out.append('\n');
    out.append(String.format(Locale.ROOT, "%-8s %8s  %-17s  %-17s  %-19s  %-19s%n", "country", "verif.",
        "completion", "failovers/verif.", "p95 time to verify", "cost per success"));
    out.append(String.format(Locale.ROOT, "%-8s %8s  %-17s  %-17s  %-19s  %-19s%n", "", "",
        "recorded replayed", "recorded replayed", "recorded  replayed", "recorded  replayed"));
    for (CountryResult country : result.countries()) {
      row(out, country.country(), country.recorded(), country.replayed());
    }
    row(out, "all", result.recordedOverall(), result.replayedOverall());

    out.append(String.format(Locale.ROOT, "%nEstimates: tries replayed per route, by the evidence behind them"
        + " (hour: its own hour of day; range: its whole range; prior), at least %d tries each:%n", settings.minSamples()));
    for (Map.Entry<RouteKey, Map<Level, Long>> route : result.triesByLevel().entrySet()) {
      Map<Level, Long> levels = route.getValue();
      out.append(String.format(Locale.ROOT, "  %-22s hour %6d  range %6d  prior %6d%n", route.getKey().value(),
          levels.getOrDefault(Level.HOUR, 0L), levels.getOrDefault(Level.RANGE, 0L), levels.getOrDefault(Level.PRIOR, 0L)));
    }
    out.append("People (engagement: share who check a code that reaches them; late presence: still waiting for a failover send):\n");
    for (People people : result.people()) {
      out.append(String.format(Locale.ROOT, "  %-8s engagement %.2f (%s)  late presence %.2f (%s)%n", people.country(),
          people.engagement(), people.engagementEstimated() ? "estimated" : "prior", people.latePresence(),
          people.latePresenceEstimated() ? "estimated" : "prior"));
    }
    out.append('\n').append(ASSUMPTIONS);
    return out.toString();
  }

  private static void row(StringBuilder out, String name, Figures recorded, Figures replayed) {
    out.append(String.format(Locale.ROOT, "%-8s %8d  %7.1f%% %7.1f%%  %8.2f %8.2f  %9s %9s  %9s %9s%n", name,
        recorded.verifications(), 100 * recorded.completion(), 100 * replayed.completion(),
        recorded.failoversPerVerification(), replayed.failoversPerVerification(),
        seconds(recorded.p95TimeToVerify()), seconds(replayed.p95TimeToVerify()),
        money(recorded.costPerSuccessMicros()), money(replayed.costPerSuccessMicros())));
  }

  private static String seconds(Optional<Duration> duration) {
    return duration.map(d -> String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)).orElse("-");
  }

  private static String money(Optional<Long> micros) {
    return micros.map(m -> String.format(Locale.ROOT, "%.4f", m / 1_000_000.0)).orElse("-");
  }

  private static String text(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
