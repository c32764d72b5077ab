package dev.relay.bench.crash;

/**
 * One person's verification as the crash run saw it: when the start went out (seconds after the load began),
 * what it and the check got, and, once the run is over, what following it up found.
 */
final class Person {

  final String number;
  final double startedAtSeconds;
  volatile Answer start;
  /** When the start's answer came, seconds after the load began. */
  volatile double startAnsweredAtSeconds;
  volatile String code;
  volatile Answer check;
  /** The verification's state after the follow-up (approved, or what stood in the way); null before it. */
  volatile String outcome;
  /** The follow-up's calls, for the report's list of verifications that were not approved. */
  volatile String followUp = "";

  Person(String number, double startedAtSeconds) {
    this.number = number;
    this.startedAtSeconds = startedAtSeconds;
  }

  boolean acknowledged() {
    return start != null && start.status() == 201;
  }

  String verificationId() {
    return start.body().path("id").asText();
  }

  boolean approvedInRun() {
    return check != null && check.status() == 200 && check.verificationStatus().equals("approved");
  }
}
