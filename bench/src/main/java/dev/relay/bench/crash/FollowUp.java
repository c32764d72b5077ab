package dev.relay.bench.crash;

import java.util.Optional;

/**
 * After the crash, each acknowledged verification is taken up as its person would: the code they have is
 * checked again (its answer may have been lost with the process), else they press resend and check the code
 * that comes (the same code, Relay promises). A check answered 404 means the verification is no longer
 * pending, so its state is read: one approved before the crash, whose answer was lost, is approved.
 */
final class FollowUp {

  static final String APPROVED = "approved";

  private final RelayApi api;
  private final Handset handset;

  FollowUp(RelayApi api, Handset handset) {
    this.api = api;
    this.handset = handset;
  }

  void settle(Person person) throws InterruptedException {
    String id = person.verificationId();
    StringBuilder calls = new StringBuilder();
    if (person.approvedInRun()) {
      finish(person, stateOf(id, calls), calls);
      return;
    }
    if (person.code != null) {
      // Relay resends the same code, so the one they hold is the one to check: not approved is a finding.
      String outcome = checked(id, person.code, calls);
      finish(person, outcome == null ? "not approved" : outcome, calls);
      return;
    }
    // No code reached them before the crash (the handsets restart with the simulator): one may have come
    // since, sent again by the restarted sender; else they ask for it again.
    Optional<String> code = api.latestCode(person.number);
    if (code.isEmpty()) {
      calls.append("resend ").append(api.resend(id).label()).append("; ");
      code = handset.awaitCode(person.number);
    }
    if (code.isEmpty()) {
      finish(person, "no code came (" + stateOf(id, calls) + ")", calls);
      return;
    }
    String outcome = checked(id, code.get(), calls);
    finish(person, outcome == null ? "not approved" : outcome, calls);
  }

  /** Approved, or the state of a verification no longer pending; null while it is pending. */
  private String checked(String id, String code, StringBuilder calls) {
    Answer check = api.check(id, code);
    calls.append("check ").append(check.label()).append(' ').append(check.verificationStatus()).append("; ");
    if (check.status() == 200 && check.verificationStatus().equals(APPROVED)) {
      return APPROVED;
    }
    return check.status() == 404 ? stateOf(id, calls) : null;
  }

  private String stateOf(String id, StringBuilder calls) {
    Answer status = api.status(id);
    calls.append("read ").append(status.label()).append(' ').append(status.verificationStatus()).append("; ");
    return status.status() == 200 ? status.verificationStatus() : "unreadable: " + status.label();
  }

  private static void finish(Person person, String outcome, StringBuilder calls) {
    person.outcome = outcome;
    person.followUp = calls.toString();
  }
}
