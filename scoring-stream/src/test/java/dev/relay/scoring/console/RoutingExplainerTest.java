package dev.relay.scoring.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.support.routing.RouteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingExplainerTest {

  static {
    // The fixtures below are built before any serde exists, which is what lets Avro build our classes.
    AvroSerde.trustContracts();
  }

  private static final RouteOrder.Policy POLICY = new RouteOrder.Policy(20, 0.05, 0.05);
  private static final RoutingTableVersion TABLE = RoutingTableVersion.newBuilder().setVersion(4)
      .setPublishedAt(Instant.parse("2026-12-03T03:00:00Z"))
      .setCountries(List.of(
          countryRoutes("*", "twilio", "vonage"),
          countryRoutes("DE", "twilio", "vonage", "plivo")))
      .build();

  @Test
  void aDemotedRouteGoesLastAndIsExplored() {
    RoutingExplainer.Explanation explained = new RoutingExplainer(POLICY).explain(TABLE, Map.of(
        "twilio|DE|sms", score("twilio", "DE", 0.3, 40, true),
        "vonage|DE|sms", score("vonage", "DE", 0.9, 40, false),
        "plivo|DE|sms", score("plivo", "DE", 0.8, 40, false)));

    RoutingExplainer.Table de = table(explained, "DE");
    assertThat(de.rows()).extracting(RoutingExplainer.Row::provider).containsExactly("vonage", "plivo", "twilio");
    RoutingExplainer.Row twilio = de.rows().get(2);
    assertThat(twilio.reason()).isEqualTo(RoutingExplainer.DEMOTED);
    assertThat(twilio.tablePlace()).isEqualTo(1);
    assertThat(twilio.place()).isEqualTo(3);
    assertThat(twilio.explored()).isTrue();
    assertThat(twilio.why()).contains("demoted", "0.300", "explored first in 5 % of sends");
    assertThat(de.rows().get(0).reason()).as("vonage keeps its place among the scored").isEqualTo(RoutingExplainer.TABLE);
    assertThat(explained.version()).isEqualTo(4);
  }

  @Test
  void aRoutePassedByABetterScoreIsOutScoredAndNamesWhoPassedIt() {
    RoutingExplainer.Table de = table(new RoutingExplainer(POLICY).explain(TABLE, Map.of(
        "twilio|DE|sms", score("twilio", "DE", 0.6, 40, false),
        "vonage|DE|sms", score("vonage", "DE", 0.9, 40, false))), "DE");

    assertThat(de.rows()).extracting(RoutingExplainer.Row::provider, RoutingExplainer.Row::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("vonage", RoutingExplainer.OUT_SCORES),
        org.assertj.core.groups.Tuple.tuple("twilio", RoutingExplainer.OUT_SCORED),
        org.assertj.core.groups.Tuple.tuple("plivo", RoutingExplainer.TABLE));
    assertThat(de.rows().get(1).why()).contains("out-scored by vonage (score 0.900)");
    assertThat(de.rows().get(1).explored()).as("passed by a route the table puts after it: held back").isTrue();
    assertThat(de.rows().get(2).why()).isEqualTo("its table place: no score yet");
  }

  @Test
  void scoresWithinTheMarginOrOnTooFewTriesLeaveTheTableOrder() {
    RoutingExplainer.Table de = table(new RoutingExplainer(POLICY).explain(TABLE, Map.of(
        "twilio|DE|sms", score("twilio", "DE", 0.86, 40, false),
        "vonage|DE|sms", score("vonage", "DE", 0.9, 40, false),
        "plivo|DE|sms", score("plivo", "DE", 0.99, 3, false))), "DE");

    assertThat(de.rows()).extracting(RoutingExplainer.Row::provider).containsExactly("twilio", "vonage", "plivo");
    assertThat(de.rows()).allMatch(row -> row.reason().equals(RoutingExplainer.TABLE) && !row.explored());
    assertThat(de.rows().get(2).why()).isEqualTo("its table place: 3 tries, the scores count from 20");
  }

  @Test
  void aCountryWithScoresButNoEntryOfItsOwnIsExplainedByTheDefaultEntry() {
    RoutingExplainer.Explanation explained = new RoutingExplainer(POLICY).explain(TABLE, Map.of(
        "vonage|FR|sms", score("vonage", "FR", 0.2, 40, true)));

    assertThat(explained.tables()).extracting(RoutingExplainer.Table::country).containsExactly("*", "DE", "FR");
    RoutingExplainer.Table fr = table(explained, "FR");
    assertThat(fr.fromDefault()).isTrue();
    assertThat(fr.rows()).extracting(RoutingExplainer.Row::provider, RoutingExplainer.Row::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("twilio", RoutingExplainer.TABLE),
        org.assertj.core.groups.Tuple.tuple("vonage", RoutingExplainer.DEMOTED));
  }

  @Test
  void withNoTablePublishedTheDispatchersSettingsAreExplainedAsVersionZero() {
    RoutingExplainer.Explanation explained = new RoutingExplainer(POLICY).explain(
        ConsoleRoutes.configuredTable("DE:vonage,twilio;*:twilio,vonage", "*:twilio"), Map.of(
            "twilio|DE|sms", score("twilio", "DE", 0.2, 40, true)));

    assertThat(explained.version()).isZero();
    assertThat(explained.publishedBy()).contains("relay.routing.sms");
    assertThat(explained.tables()).extracting(t -> t.country() + "/" + t.channel())
        .containsExactly("*/sms", "*/voice", "DE/sms");
    assertThat(table(explained, "DE").rows()).extracting(RoutingExplainer.Row::provider, RoutingExplainer.Row::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("vonage", RoutingExplainer.TABLE),
            org.assertj.core.groups.Tuple.tuple("twilio", RoutingExplainer.DEMOTED));
  }

  @Test
  void whatsappRoutesAreExplainedAsTheirOwnTableByTheirOwnScores() {
    RoutingTableVersion withWhatsApp = RoutingTableVersion.newBuilder(TABLE).setCountries(List.of(
            countryRoutes("*", "twilio", "vonage"),
            CountryRoutes.newBuilder(countryRoutes("DE", "twilio"))
                .setWhatsapp(List.of(new PricedRoute("vonage", 5000L), new PricedRoute("twilio", 5000L))).build()))
        .build();

    RoutingExplainer.Explanation explained = new RoutingExplainer(POLICY).explain(withWhatsApp, Map.of(
        "twilio|DE|whatsapp", score("twilio", "DE", 0.95, 40, false),
        "vonage|DE|whatsapp", score("vonage", "DE", 0.5, 40, false)));

    RoutingExplainer.Table whatsapp = explained.tables().stream()
        .filter(t -> t.country().equals("DE") && t.channel().equals("whatsapp")).findFirst().orElseThrow();
    assertThat(whatsapp.rows()).extracting(RoutingExplainer.Row::provider).containsExactly("twilio", "vonage");
    assertThat(table(explained, "DE").rows()).extracting(RoutingExplainer.Row::provider).containsExactly("twilio");
  }

  private static RoutingExplainer.Table table(RoutingExplainer.Explanation explained, String country) {
    return explained.tables().stream().filter(t -> t.country().equals(country) && t.channel().equals("sms")).findFirst().orElseThrow();
  }

  private static CountryRoutes countryRoutes(String country, String... providers) {
    return CountryRoutes.newBuilder().setCountry(country)
        .setSms(java.util.Arrays.stream(providers).map(p -> new PricedRoute(p, 5000L)).toList()).setVoice(List.of()).build();
  }

  private static ProviderScore score(String provider, String country, double score, long tried, boolean demoted) {
    return ProviderScore.newBuilder().setProvider(provider).setCountry(country).setChannel(Channel.SMS)
        .setUpdatedAt(Instant.parse("2026-12-03T03:59:00Z")).setTried(tried).setScore(score).setDemoted(demoted).build();
  }
}
