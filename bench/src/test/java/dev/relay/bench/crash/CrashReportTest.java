package dev.relay.bench.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The crash run's verdict: what was acknowledged and lost, and how the stack answered while it came back. */
class CrashReportTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double KILL_AT = 10.0;

  @Test
  void anAcknowledgedVerificationNotApprovedAfterTheFollowUpIsLost() {
    Person approved = acknowledged("VE1", 2.0, 2.1, FollowUp.APPROVED);
    Person expired = acknowledged("VE2", 9.9, 10.0, "expired");
    Person neverFollowed = acknowledged("VE3", 3.0, 3.1, null);
    Person refused = answered(10.5, 10.6, Answer.of(503, null, "1"));

    CrashReport report = new CrashReport(List.of(approved, expired, neverFollowed, refused), KILL_AT);

    assertThat(report.acknowledged()).containsExactly(approved, expired, neverFollowed);
    assertThat(report.lost()).containsExactly(neverFollowed, expired);
    assertThat(report.outcomes()).containsExactlyInAnyOrderEntriesOf(
        Map.of(FollowUp.APPROVED, 1L, "expired", 1L, "not followed up", 1L));
    assertThat(report.markdown()).contains("**2 acknowledged verification(s) not approved")
        .contains("VE2, started 9.9 s in: expired");
  }

  @Test
  void nothingLostIsSaidOnlyWhenEveryAcknowledgedVerificationEndedApproved() {
    CrashReport report = new CrashReport(List.of(acknowledged("VE1", 1.0, 1.1, FollowUp.APPROVED),
        answered(11.0, 11.0, Answer.none("ConnectException"))), KILL_AT);

    assertThat(report.lost()).isEmpty();
    assertThat(report.markdown()).contains("**nothing acknowledged was lost**");
  }

  @Test
  void theStackServesAgainWhenAStartSentAfterTheKillIsAnswered201() {
    Person beforeKill = acknowledged("VE1", 9.0, 9.5, FollowUp.APPROVED);
    Person sentBeforeAnsweredAfter = acknowledged("VE2", 9.8, 12.0, FollowUp.APPROVED);
    Person servedAgain = acknowledged("VE3", 24.0, 24.4, FollowUp.APPROVED);

    CrashReport report = new CrashReport(List.of(beforeKill, sentBeforeAnsweredAfter, servedAgain), KILL_AT);

    assertThat(report.firstServedAfterKill()).hasValueCloseTo(14.4, offset(1e-9));
    assertThat(report.startsCsv()).containsExactly("sentSeconds,answeredSeconds,answer,outcome",
        "9.000,9.500,201,approved", "9.800,12.000,201,approved", "24.000,24.400,201,approved");
    assertThat(report.answersBeforeKill()).containsExactlyInAnyOrderEntriesOf(Map.of("201", 2L));
  }

  @Test
  void theAnswersWhileTheStackComesBackAndAfterTellRefusalsThatSayWhenToComeBack() {
    List<Person> people = List.of(
        answered(10.2, 10.2, Answer.none("ConnectException")),
        answered(15.0, 15.1, Answer.of(503, JSON.createObjectNode().put("error", "unavailable"), "1")),
        answered(15.5, 15.6, Answer.of(503, null, null)),
        acknowledged("VE1", 16.0, 16.5, FollowUp.APPROVED),
        answered(17.0, 17.1, Answer.of(503, null, "1")));

    CrashReport report = new CrashReport(people, KILL_AT);

    assertThat(report.firstServedAfterKill()).hasValueCloseTo(6.5, offset(1e-9));
    assertThat(report.answersWhileComingBack()).containsExactlyInAnyOrderEntriesOf(
        Map.of("ConnectException", 1L, "503 unavailable with Retry-After", 1L, "503", 1L));
    assertThat(report.answersOnceServing()).containsExactlyInAnyOrderEntriesOf(Map.of("503", 1L));
    assertThat(report.lastUnservedAfterKill()).hasValueCloseTo(7.0, offset(1e-9));
    assertThat(report.startAnswers()).containsExactlyInAnyOrderEntriesOf(
        Map.of("ConnectException", 1L, "503 unavailable", 1L, "503", 2L, "201", 1L));
  }

  private static Person acknowledged(String id, double startedAt, double answeredAt, String outcome) {
    Person person = answered(startedAt, answeredAt,
        Answer.of(201, JSON.createObjectNode().put("id", id).put("status", "pending"), null));
    person.outcome = outcome;
    return person;
  }

  private static Person answered(double startedAt, double answeredAt, Answer start) {
    Person person = new Person("+49151200000" + (int) (startedAt * 10), startedAt);
    person.start = start;
    person.startAnsweredAtSeconds = answeredAt;
    return person;
  }
}
