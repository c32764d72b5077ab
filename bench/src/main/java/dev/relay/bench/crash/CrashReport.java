package dev.relay.bench.crash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the crash run found: every start's answer, which acknowledged verifications ended approved once
 * their people followed them up, how the relaunched stack answered while it came back, and how long after
 * the kill it served a start again. An acknowledged verification not approved after the follow-up is lost.
 */
final class CrashReport {

  private static final int LISTED = 20;

  private final List<Person> people;
  /** When the killed process was gone, seconds after the load began. */
  private final double killedAtSeconds;

  CrashReport(List<Person> people, double killedAtSeconds) {
    this.people = List.copyOf(people);
    this.killedAtSeconds = killedAtSeconds;
  }

  List<Person> acknowledged() {
    return people.stream().filter(Person::acknowledged).toList();
  }

  /** Acknowledged, and not approved once followed up. */
  List<Person> lost() {
    return acknowledged().stream().filter(person -> !FollowUp.APPROVED.equals(person.outcome))
        .sorted(Comparator.comparingDouble(person -> person.startedAtSeconds)).toList();
  }

  /**
   * Seconds from the kill to the answer of the first start sent after it that was answered 201 (an answer
   * that comes just after the kill may have left the process just before it).
   */
  OptionalDouble firstServedAfterKill() {
    return acknowledged().stream().filter(person -> person.startedAtSeconds >= killedAtSeconds)
        .mapToDouble(person -> person.startAnsweredAtSeconds).min().stream()
        .map(answered -> answered - killedAtSeconds).findFirst();
  }

  /** Starts by answer (an HTTP status, or what stopped the call). */
  Map<String, Long> startAnswers() {
    return counted(people.stream().map(person -> person.start.label()).toList());
  }

  /** The answers of the starts sent before the kill: the stack's first seconds under the load, its JIT still cold. */
  Map<String, Long> answersBeforeKill() {
    return counted(people.stream().filter(person -> person.startedAtSeconds < killedAtSeconds)
        .map(person -> person.start.label()).toList());
  }

  /**
   * The answers of the starts sent after the kill until the first one served: what a caller meets while
   * the stack comes back. A refusal names its status and whether it says when to come back.
   */
  Map<String, Long> answersWhileComingBack() {
    double served = killedAtSeconds + firstServedAfterKill().orElse(Double.POSITIVE_INFINITY);
    return counted(people.stream().filter(person -> person.startedAtSeconds >= killedAtSeconds
            && person.startAnsweredAtSeconds < served)
        .map(person -> person.start.label() + (person.start.retryAfter() != null ? " with Retry-After" : "")).toList());
  }

  /** The answers of the starts sent after the first one served again: how the stack recovers under the load. */
  Map<String, Long> answersOnceServing() {
    double served = killedAtSeconds + firstServedAfterKill().orElse(Double.POSITIVE_INFINITY);
    return counted(people.stream().filter(person -> person.startedAtSeconds >= served)
        .map(person -> person.start.label()).toList());
  }

  /** Seconds from the kill to the last start sent after it that was not answered 201: when the recovery ended. */
  OptionalDouble lastUnservedAfterKill() {
    return people.stream().filter(person -> person.startedAtSeconds >= killedAtSeconds && !person.acknowledged())
        .mapToDouble(person -> person.startedAtSeconds).max().stream().map(sent -> sent - killedAtSeconds).findFirst();
  }

  Map<String, Long> outcomes() {
    return counted(acknowledged().stream()
        .map(person -> Objects.requireNonNullElse(person.outcome, "not followed up")).toList());
  }

  Map<String, Object> figures() {
    Map<String, Object> figures = new LinkedHashMap<>();
    List<Person> acknowledged = acknowledged();
    figures.put("people", people.size());
    figures.put("killedAtSeconds", killedAtSeconds);
    figures.put("startAnswers", startAnswers());
    figures.put("answersBeforeKill", answersBeforeKill());
    figures.put("acknowledged", acknowledged.size());
    figures.put("acknowledgedBeforeKill", acknowledged.stream().filter(person -> person.startAnsweredAtSeconds < killedAtSeconds).count());
    figures.put("approvedInRun", acknowledged.stream().filter(Person::approvedInRun).count());
    figures.put("outcomesAfterFollowUp", outcomes());
    figures.put("lost", lost().size());
    firstServedAfterKill().ifPresent(seconds -> figures.put("firstServedAfterKillSeconds", seconds));
    figures.put("answersWhileComingBack", answersWhileComingBack());
    figures.put("answersOnceServing", answersOnceServing());
    lastUnservedAfterKill().ifPresent(seconds -> figures.put("lastUnservedAfterKillSeconds", seconds));
    return figures;
  }

  String markdown() {
    Map<String, Object> figures = figures();
    List<String> lines = new ArrayList<>();
    lines.add("# Crash run");
    lines.add("");
    lines.add(String.format("- %d people, the whole stack killed (SIGKILL) and gone %.1f s into the load, relaunched at once",
        people.size(), killedAtSeconds));
    lines.add("- starts answered: " + figures.get("startAnswers") + "; before the kill: " + figures.get("answersBeforeKill"));
    lines.add(String.format("- acknowledged (201): %d, %d of them before the kill; approved during the run: %d",
        (Integer) figures.get("acknowledged"), (Long) figures.get("acknowledgedBeforeKill"), (Long) figures.get("approvedInRun")));
    lines.add("- after the follow-up (the code checked again, or resent and checked): " + figures.get("outcomesAfterFollowUp"));
    lines.add("- while the stack came back (starts until the first served): " + figures.get("answersWhileComingBack"));
    lines.add(firstServedAfterKill().isPresent()
        ? String.format("- first start sent after the kill served %.1f s after it", firstServedAfterKill().getAsDouble())
        : "- no start was served after the kill");
    lines.add("- once it served again: " + figures.get("answersOnceServing")
        + (lastUnservedAfterKill().isPresent()
            ? String.format("; the last start not served was sent %.1f s after the kill", lastUnservedAfterKill().getAsDouble())
            : ""));
    List<Person> lost = lost();
    lines.add(lost.isEmpty()
        ? "- **nothing acknowledged was lost**"
        : "- **" + lost.size() + " acknowledged verification(s) not approved after the follow-up**:");
    for (Person person : lost.subList(0, Math.min(LISTED, lost.size()))) {
      lines.add(String.format("  - %s, started %.1f s in: %s (%s)", person.verificationId(), person.startedAtSeconds,
          person.outcome, person.followUp.strip()));
    }
    return String.join("\n", lines) + "\n";
  }

  /** One line per start, in the order they went out: seconds sent and answered after the load began, the answer. */
  List<String> startsCsv() {
    List<String> lines = new ArrayList<>();
    lines.add("sentSeconds,answeredSeconds,answer,outcome");
    people.stream().sorted(Comparator.comparingDouble(person -> person.startedAtSeconds))
        .forEach(person -> lines.add(String.format(Locale.ROOT, "%.3f,%.3f,%s,%s", person.startedAtSeconds,
            person.startAnsweredAtSeconds, person.start.label(), Objects.requireNonNullElse(person.outcome, ""))));
    return lines;
  }

  private static Map<String, Long> counted(List<String> labels) {
    return labels.stream().collect(Collectors.groupingBy(label -> label, TreeMap::new, Collectors.counting()));
  }
}
