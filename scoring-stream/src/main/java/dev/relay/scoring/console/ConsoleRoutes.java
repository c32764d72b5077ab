package dev.relay.scoring.console;

import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.http.ApiError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The console's JSON, read by the status page: routes over time per country, the routing table and
 * why, the alerts, and the verification look-up forwarded to verification-api.
 */
public final class ConsoleRoutes {

  public static final String PREFIX = "/console";
  /** The spans the charts offer: the last hour and the last day, and ten minutes to look closer. */
  static final Map<String, Duration> SPANS = Map.of("10m", Duration.ofMinutes(10), "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));
  /** The dispatcher's table from its settings, as the console reads them. */
  public static RoutingTableVersion configuredTable(String smsRoutes, String voiceRoutes) {
    return ConfiguredTable.of(smsRoutes, voiceRoutes);
  }

  private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");

  /** One country's routes over a span, with the alerts of that span and the countries there are. */
  public record RoutesOverTime(String country, String span, long now, boolean following, List<String> countries,
      List<ConsoleHistory.Series> routes, List<ConsoleHistory.Alert> alerts) {}

  private final ConsoleHistory history;
  private final RoutingTableVersion configuredTable;
  private final RoutingExplainer explainer;
  private final VerificationLookup lookup;
  private final BooleanSupplier following;
  private final Clock clock;

  /** @param configuredTable the dispatcher's table from its settings, routed by while none is published */
  public ConsoleRoutes(ConsoleHistory history, RoutingTableVersion configuredTable, RoutingExplainer explainer,
      VerificationLookup lookup, BooleanSupplier following, Clock clock) {
    this.history = history;
    this.configuredTable = configuredTable;
    this.explainer = explainer;
    this.lookup = lookup;
    this.following = following;
    this.clock = clock;
  }

  public void register(Javalin http) {
    http.get(PREFIX + "/routes", this::routes);
    http.get(PREFIX + "/routing", this::routing);
    http.get(PREFIX + "/alerts", ctx -> ctx.json(history.alerts(span(ctx))));
    http.get(PREFIX + "/verifications", this::lookUpNumber);
    http.get(PREFIX + "/verifications/{id}", this::lookUpId);
  }

  private void routes(Context ctx) {
    List<String> countries = history.countries();
    String asked = ctx.queryParam("country");
    String country;
    if (asked == null || asked.isBlank()) {
      country = countries.isEmpty() ? "" : countries.get(0);
    } else if (COUNTRY.matcher(asked).matches()) {
      country = asked.toUpperCase(Locale.ROOT);
    } else {
      throw ApiError.badRequest("invalid_country", "country is an ISO 3166 two-letter code such as DE");
    }
    Duration span = span(ctx);
    ctx.header("Cache-Control", "no-store");
    ctx.json(new RoutesOverTime(country, spanName(ctx), clock.millis(), following.getAsBoolean(), countries,
        country.isEmpty() ? List.of() : history.series(country, span), history.alerts(span)));
  }

  private void routing(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    ctx.json(explainer.explain(history.table().orElse(configuredTable), history.latestScores()));
  }

  private void lookUpNumber(Context ctx) {
    answer(ctx, lookup.byNumber(ctx.header("Authorization"), ctx.queryParam("number")));
  }

  private void lookUpId(Context ctx) {
    answer(ctx, lookup.byId(ctx.header("Authorization"), ctx.pathParam("id")));
  }

  private static void answer(Context ctx, VerificationLookup.Answer answer) {
    ctx.header("Cache-Control", "no-store");
    ctx.status(answer.status()).contentType("application/json").result(answer.body());
  }

  private static Duration span(Context ctx) {
    Duration span = SPANS.get(spanName(ctx));
    if (span == null) {
      throw ApiError.badRequest("invalid_span", "span is 10m, 1h or 1d");
    }
    return span;
  }

  private static String spanName(Context ctx) {
    String span = ctx.queryParam("span");
    return span == null || span.isBlank() ? "1h" : span;
  }
}
