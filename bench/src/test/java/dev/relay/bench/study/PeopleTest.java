package dev.relay.bench.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PeopleTest {

  @Test
  void theSameSeedAndIndexMeetTheSamePerson() {
    assertThat(People.REALISTIC.person(7, 42)).isEqualTo(People.REALISTIC.person(7, 42));
    assertThat(People.REALISTIC.person(7, 42)).isNotEqualTo(People.REALISTIC.person(7, 43));
  }

  @Test
  void realisticPeopleMostlyGiveUpBetweenTenAndSixtySecondsAndSomePressResendBeforeGivingUp() {
    List<People.Person> people = IntStream.range(0, 10_000).mapToObj(i -> People.REALISTIC.person(7, i)).toList();

    long tenToSixty = people.stream().filter(p -> p.patience().compareTo(Duration.ofSeconds(10)) >= 0
        && p.patience().compareTo(Duration.ofSeconds(60)) <= 0).count();
    assertThat(tenToSixty / 10_000.0).isBetween(0.77, 0.83);
    assertThat(people).allSatisfy(p -> assertThat(p.patience()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(90)));
    List<People.Person> resending = people.stream().filter(p -> p.resendAfter() != null).toList();
    assertThat(resending.size() / 10_000.0).isBetween(0.2, 0.3);
    assertThat(resending).allSatisfy(p -> {
      assertThat(p.resendAfter()).isLessThan(p.patience());
      assertThat(p.resendAfter()).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
    });
  }

  @Test
  void timeScaledPeopleNeverResendAndStayWithinTheirBand() {
    assertThat(IntStream.range(0, 1_000).mapToObj(i -> People.TIME_SCALED.person(7, i))).allSatisfy(p -> {
      assertThat(p.resendAfter()).isNull();
      assertThat(p.patience()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(16));
      assertThat(p.typing()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
    });
    assertThat(People.TIME_SCALED.longest()).isEqualTo(Duration.ofSeconds(22));
  }

  @Test
  void bandsThatDoNotAddUpToEveryoneAreRefused() {
    assertThatThrownBy(() -> new People("half", List.of(new People.Band(0.5, Duration.ofSeconds(1), Duration.ofSeconds(2))),
        Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
