package dev.relay.scoring.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.schemas.AlertKind;
import dev.relay.schemas.AlertMetric;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RoutingTableVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleHistoryTest {

  private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void eachWindowCarriesTheShareOfTheCountrysTriesItTook() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addWindow(window("twilio", "DE", minutesAgo(2), 30, 0.9, false));
    history.addWindow(window("vonage", "DE", minutesAgo(2), 10, 0.8, false));
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.2, true));
    history.addWindow(window("vonage", "DE", minutesAgo(1), 30, 0.95, false));
    history.addWindow(window("twilio", "FR", minutesAgo(1), 50, 0.9, false));

    List<ConsoleHistory.Series> de = history.series("DE", Duration.ofHours(1));

    assertThat(de).extracting(ConsoleHistory.Series::route).containsExactly("twilio|DE|sms", "vonage|DE|sms");
    ConsoleHistory.Series twilio = de.get(0);
    assertThat(twilio.points()).extracting(ConsoleHistory.Point::at)
        .containsExactly(minutesAgo(2).toEpochMilli(), minutesAgo(1).toEpochMilli());
    assertThat(twilio.points().get(0).sendShare()).isCloseTo(0.75, within(1e-9));
    assertThat(twilio.points().get(1).sendShare()).isCloseTo(0.25, within(1e-9));
    assertThat(twilio.points().get(1).completionRate()).isEqualTo(0.2);
    assertThat(twilio.points().get(1).demoted()).isTrue();
    assertThat(history.countries()).containsExactly("DE", "FR");
  }

  @Test
  void aRouteWithoutAWindowEndingThenCountsWithItsLatestWindowStillOpen() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addWindow(window("twilio", "DE", minutesAgo(3), 10, 0.9, false));
    history.addWindow(window("vonage", "DE", minutesAgo(2), 30, 0.9, false));
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.9, false));

    ConsoleHistory.Series twilio = history.series("DE", Duration.ofHours(1)).get(0);

    assertThat(twilio.points()).extracting(ConsoleHistory.Point::sendShare).containsExactly(1.0, 0.25);
  }

  @Test
  void holdsAtMostMaxPointsPerRouteAndNothingOlderThanTheRetention() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofMinutes(30), 5);
    history.addWindow(window("twilio", "DE", minutesAgo(40), 1, 1.0, false));
    assertThat(history.series("DE", Duration.ofDays(1))).as("older than the retention: never held").isEmpty();
    for (int i = 10; i >= 1; i--) {
      history.addWindow(window("twilio", "DE", minutesAgo(i), 1, 1.0, false));
    }

    List<ConsoleHistory.Point> points = history.series("DE", Duration.ofDays(1)).get(0).points();

    assertThat(points).extracting(ConsoleHistory.Point::at).containsExactly(minutesAgo(5).toEpochMilli(),
        minutesAgo(4).toEpochMilli(), minutesAgo(3).toEpochMilli(), minutesAgo(2).toEpochMilli(), minutesAgo(1).toEpochMilli());
    assertThat(history.series("DE", Duration.ofMinutes(2)).get(0).points()).hasSize(2);
  }

  @Test
  void aReplayedWindowReplacesTheOneHeldAndAnOlderOneIsIgnored() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addWindow(window("twilio", "DE", minutesAgo(2), 10, 0.5, false));
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.5, false));
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.7, false));
    history.addWindow(window("twilio", "DE", minutesAgo(3), 10, 0.1, false));

    assertThat(history.series("DE", Duration.ofHours(1)).get(0).points())
        .extracting(ConsoleHistory.Point::completionRate).containsExactly(0.5, 0.7);
  }

  @Test
  void aChangeOfStandingIsMarkedAtTheTimeItWasPublishedAndOnlyThen() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.5, false));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.9, false), minutesAgo(9));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.9, false), minutesAgo(8));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.2, true), minutesAgo(7));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.2, true), minutesAgo(6));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.8, false), minutesAgo(3));

    assertThat(history.series("DE", Duration.ofHours(1)).get(0).marks()).containsExactly(
        new ConsoleHistory.Mark(minutesAgo(7).toEpochMilli(), ConsoleHistory.DEMOTED, 0.2),
        new ConsoleHistory.Mark(minutesAgo(3).toEpochMilli(), ConsoleHistory.PROMOTED, 0.8));
    assertThat(history.latestScores()).containsOnlyKeys("twilio|DE|sms");
    assertThat(history.latestScores().get("twilio|DE|sms").getDemoted()).isFalse();
  }

  @Test
  void aRouteFirstSeenDemotedIsNotMarked() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addWindow(window("twilio", "DE", minutesAgo(1), 10, 0.5, true));
    history.addScore(window("twilio", "DE", minutesAgo(1), 10, 0.2, true), minutesAgo(7));

    assertThat(history.series("DE", Duration.ofHours(1)).get(0).marks())
        .as("when it was demoted happened before what the console read").isEmpty();
  }

  @Test
  void alertsOfTheSpanOldestFirstAndTheHighestTableVersionWins() {
    ConsoleHistory history = new ConsoleHistory(CLOCK, Duration.ofDays(1), 100);
    history.addAlert(alert(AlertKind.RECOVERY, minutesAgo(5)));
    history.addAlert(alert(AlertKind.DROP, minutesAgo(20)));
    history.addAlert(alert(AlertKind.DROP, minutesAgo(90)));

    assertThat(history.alerts(Duration.ofHours(1))).extracting(ConsoleHistory.Alert::kind).containsExactly("DROP", "RECOVERY");
    assertThat(history.alerts(Duration.ofHours(1)).get(0).route()).isEqualTo("twilio|DE|sms");
    assertThat(history.alerts(Duration.ofDays(1))).hasSize(3);

    history.setTable(table(3));
    history.setTable(table(2));
    assertThat(history.table()).get().extracting(RoutingTableVersion::getVersion).isEqualTo(3L);
  }

  static RoutingTableVersion table(long version) {
    return RoutingTableVersion.newBuilder().setVersion(version).setPublishedAt(NOW).setCountries(List.of()).build();
  }

  private static ProviderAlert alert(AlertKind kind, Instant raisedAt) {
    return ProviderAlert.newBuilder().setAlertId("twilio|DE|SMS|DELIVERY_RATE|" + raisedAt).setProvider("twilio")
        .setCountry("DE").setChannel(Channel.SMS).setKind(kind).setMetric(AlertMetric.DELIVERY_RATE)
        .setBaselineRate(1.0).setCurrentRate(0.0).setDropPoints(100).setThresholdPoints(30).setBaselineSamples(5)
        .setCurrentSamples(5).setWindowStart(raisedAt.minusSeconds(60)).setShortWindowStart(raisedAt.minusSeconds(10))
        .setWindowEnd(raisedAt).setRaisedAt(raisedAt).build();
  }

  static ProviderScore window(String provider, String country, Instant end, long tried, double completion, boolean demoted) {
    return ProviderScore.newBuilder().setProvider(provider).setCountry(country).setChannel(Channel.SMS)
        .setWindowStart(end.minus(Duration.ofHours(1))).setWindowEnd(end).setTried(tried).setAccepted(tried).setFirstSends(tried)
        .setUpdatedAt(end).setCompletionRate(completion).setDeliveryRate(completion).setScore(completion)
        .setDemoted(demoted).build();
  }

  private static Instant minutesAgo(int minutes) {
    return NOW.minus(Duration.ofMinutes(minutes));
  }
}
