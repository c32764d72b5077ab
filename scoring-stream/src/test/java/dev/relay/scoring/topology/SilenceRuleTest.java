package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.scoring.config.ScoringSettings;
import dev.relay.scoring.model.RouteScore;
import dev.relay.scoring.model.WindowFigures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** At the defaults: 1 h window, 5 min short window, 1 min hop. */
class SilenceRuleTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  private final SilenceRule rule = new SilenceRule(ScoringSettings.defaults());

  @Test
  void theFirstPublicationAndOneAHopLaterAreNoSilence() {
    SilenceRule.Judged first = rule.judge(null, score(T0, 3_600, 300));
    assertThat(first.afterSilence()).isFalse();
    assertThat(first.quiet()).isFalse();

    SilenceRule.Judged next = rule.judge(first.score(), score(T0.plusSeconds(60), 3_600, 300));
    assertThat(next.afterSilence()).isFalse();
    assertThat(next.score().settlesAt()).isNull();
    assertThat(next.holds(true, demoted(next.score()))).isFalse();
    assertThat(next.quiet()).isFalse();
  }

  @Test
  void theFirstPublicationAfterAShortSilenceKeepsTheStandingOnceAndRaisesNoAlert() {
    RouteScore before = score(T0, 3_600, 300);
    SilenceRule.Judged after = rule.judge(before, score(T0.plusSeconds(120), 3_600, 300));

    assertThat(after.afterSilence()).isTrue();
    assertThat(after.score().settling()).as("two minutes: less than half the short window").isFalse();
    assertThat(after.holds(true, demoted(after.score()))).isTrue();
    assertThat(after.holds(true, after.score())).as("a promotion is held too").isTrue();
    assertThat(after.holds(false, after.score())).isFalse();
    assertThat(after.quiet()).isTrue();

    SilenceRule.Judged next = rule.judge(after.score(), score(T0.plusSeconds(180), 3_600, 300));
    assertThat(next.holds(true, demoted(next.score()))).isFalse();
    assertThat(next.quiet()).isFalse();
  }

  @Test
  void afterALongSilenceABusyRouteIsNotNewlyDemotedUntilItsShortWindowHoldsOnlyLaterTime() {
    Instant restart = T0.plusSeconds(720);
    SilenceRule.Judged first = rule.judge(score(T0, 3_600, 300), score(restart, 3_600, 300));
    assertThat(first.score().settlesAt()).isEqualTo(restart.plus(Duration.ofMinutes(5)));

    SilenceRule.Judged settling = rule.judge(first.score(), score(restart.plusSeconds(60), 3_600, 60));
    assertThat(settling.afterSilence()).isFalse();
    assertThat(settling.score().settling()).isTrue();
    assertThat(settling.holds(true, demoted(settling.score()))).as("no new demotion").isTrue();
    assertThat(settling.holds(true, settling.score())).as("a promotion goes through").isFalse();
    assertThat(settling.quiet()).isTrue();

    SilenceRule.Judged later = settling;
    for (int minute = 2; minute < 5; minute++) {
      later = rule.judge(later.score(), score(restart.plusSeconds(60L * minute), 3_600, 60L * minute));
      assertThat(later.score().settling()).as("minute %d after the restart", minute).isTrue();
    }
    SilenceRule.Judged settled = rule.judge(later.score(), score(restart.plus(Duration.ofMinutes(5)), 3_600, 300));
    assertThat(settled.score().settlesAt()).isNull();
    assertThat(settled.holds(true, demoted(settled.score()))).isFalse();
    assertThat(settled.quiet()).isFalse();
  }

  @Test
  void aRouteLiveForOnlyMinutesIsBusyByItsShortWindow() {
    // 3 minutes at one try a second: 180 tries, one every 20 s over the hour, one a second in the short window.
    SilenceRule.Judged after = rule.judge(score(T0, 180, 180), score(T0.plusSeconds(720), 180, 0));

    assertThat(after.score().settling()).isTrue();
  }

  @Test
  void aQuietRouteIsJudgedAsItsSendsCome() {
    // A send every 3 minutes: twelve minutes without one is four intervals, not an outage.
    SilenceRule.Judged after = rule.judge(score(T0, 20, 2), score(T0.plusSeconds(720), 20, 0));

    assertThat(after.afterSilence()).isTrue();
    assertThat(after.score().settling()).isFalse();
  }

  private static RouteScore score(Instant end, long triedInWindow, long triedInShortWindow) {
    return new RouteScore("twilio", "DE", "SMS", figures(end, Duration.ofHours(1), triedInWindow),
        figures(end, Duration.ofMinutes(5), triedInShortWindow), null, end, false, false);
  }

  private static RouteScore demoted(RouteScore score) {
    return score.withStanding(true);
  }

  private static WindowFigures figures(Instant end, Duration length, long tried) {
    return new WindowFigures(end.minus(length), end, tried, tried, tried, 0, tried, Map.of(), 1.0, 1.0, 1.0,
        null, null, 0, null, null, tried, tried, 1.0, tried / 2);
  }
}
