package dev.relay.bench.study;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.bench.study.RouteTimeline.FirstSend;
import dev.relay.bench.study.SendTries.Mark;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTimelineTest {

  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  @Test
  void demotionAndPromotionAreTheFirstScoresPublishedThatWay() {
    List<Mark> marks = List.of(mark("twilio", "DE", 10, false), mark("vonage", "DE", 12, true), mark("twilio", "DE", 30, true),
        mark("twilio", "DE", 40, true), mark("twilio", "DE", 70, false), mark("twilio", "FR", 31, true));

    assertThat(RouteTimeline.firstDemotion(marks, "twilio", "DE", T0.plusSeconds(20), T0.plusSeconds(100)))
        .isEqualTo(T0.plusSeconds(30));
    assertThat(RouteTimeline.firstDemotion(marks, "twilio", "DE", T0, T0.plusSeconds(20))).isNull();
    assertThat(RouteTimeline.demotedAt(marks, "twilio", "DE", T0.plusSeconds(50))).isTrue();
    assertThat(RouteTimeline.demotedAt(marks, "twilio", "DE", T0.plusSeconds(5))).isFalse();
    assertThat(RouteTimeline.firstPromotion(marks, "twilio", "DE", T0.plusSeconds(50), T0.plusSeconds(100)))
        .isEqualTo(T0.plusSeconds(70));
    // Never demoted there: no promotion to time.
    assertThat(RouteTimeline.firstPromotion(marks, "twilio", "DE", T0, T0.plusSeconds(25))).isNull();
    assertThat(RouteTimeline.demotions(marks, T0.plusSeconds(11), T0.plusSeconds(100)))
        .extracting(RouteTimeline.Demotion::provider, RouteTimeline.Demotion::country)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("vonage", "DE"), org.assertj.core.groups.Tuple.tuple("twilio", "DE"),
            org.assertj.core.groups.Tuple.tuple("twilio", "FR"));
    // A route that stays demoted is demoted once.
    assertThat(RouteTimeline.demotions(marks, T0.plusSeconds(35), T0.plusSeconds(100))).isEmpty();
  }

  @Test
  void routedAwayIgnoresExplorationAndFirstAgainNeedsHalfOfABucketNotByExploration() {
    List<FirstSend> sends = List.of(
        send(1, "twilio", "table"), send(2, "vonage", "exploration"), send(5, "vonage", "demotion"),
        send(11, "vonage", "demotion"), send(12, "twilio", "exploration"), send(14, "twilio", "exploration"),
        send(21, "twilio", "score"), send(22, "vonage", "score"));

    assertThat(RouteTimeline.firstRoutedAway(sends, Scenario.DROP_HALF, T0, T0.plusSeconds(30))).isEqualTo(T0.plusSeconds(5));
    assertThat(RouteTimeline.firstAgain(sends, Scenario.DROP_HALF, T0.plusSeconds(10), T0.plusSeconds(30),
        Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(30));
    assertThat(RouteTimeline.firstAgain(sends, Scenario.DROP_HALF, T0.plusSeconds(10), T0.plusSeconds(20),
        Duration.ofSeconds(10))).isNull();
    assertThat(RouteTimeline.seconds(T0, T0.plusMillis(1500))).isEqualTo(1.5);
    assertThat(RouteTimeline.seconds(T0, null)).isNull();
  }

  private static Mark mark(String provider, String country, int second, boolean demoted) {
    return new Mark(provider, country, T0.plusSeconds(second), demoted, 0.5, 0.5, 20, null);
  }

  private static FirstSend send(int second, String provider, String reason) {
    return new FirstSend(Scenario.DROP_HALF, T0.plusSeconds(second), provider, reason);
  }
}
