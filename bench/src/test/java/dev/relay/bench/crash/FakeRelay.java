package dev.relay.bench.crash;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One verification's side of Relay after a crash, as the follow-up meets it: its state, its code, which
 * handset messages arrive when (a resend delivers the code), and the calls made.
 */
final class FakeRelay implements RelayApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  final List<String> calls = new ArrayList<>();
  final Map<String, String> states = new HashMap<>();
  String code = "123456";
  boolean resendDelivers = true;
  private String inbox;

  @Override
  public Answer start(String number) {
    throw new UnsupportedOperationException("the follow-up starts nothing");
  }

  @Override
  public Answer check(String verificationId, String code) {
    calls.add("check " + code);
    String state = states.getOrDefault(verificationId, "pending");
    if (!state.equals("pending")) {
      return Answer.of(404, JSON.createObjectNode().put("error", "not_found"), null);
    }
    if (code.equals(this.code)) {
      states.put(verificationId, "approved");
      return Answer.of(200, JSON.createObjectNode().put("status", "approved").put("valid", true), null);
    }
    return Answer.of(200, JSON.createObjectNode().put("status", "pending").put("valid", false), null);
  }

  @Override
  public Answer resend(String verificationId) {
    calls.add("resend");
    if (resendDelivers) {
      inbox = code;
    }
    return Answer.of(200, JSON.createObjectNode().put("status", states.getOrDefault(verificationId, "pending")), null);
  }

  @Override
  public Answer status(String verificationId) {
    calls.add("read");
    return Answer.of(200, JSON.createObjectNode().put("status", states.getOrDefault(verificationId, "pending")), null);
  }

  @Override
  public Optional<String> latestCode(String number) {
    return Optional.ofNullable(inbox);
  }

  void codeAlreadyAtHandset() {
    inbox = code;
  }
}
