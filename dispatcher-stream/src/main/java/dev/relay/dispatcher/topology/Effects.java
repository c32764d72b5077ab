package dev.relay.dispatcher.topology;

import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.state.VerificationState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one input (or one due deadline) did to a number's verification: the state to keep (or none),
 * and the commands, lifecycle events, delivery outcomes, status polls and replies to emit. The
 * processor applies it in one go, so a decision either happens whole or not at all.
 */
final class Effects {

  private VerificationState state;
  private boolean stateChanged;
  private final List<SendCommand> commands = new ArrayList<>();
  private final List<VerificationEvent> events = new ArrayList<>();
  private final List<VerificationReply> replies = new ArrayList<>();
  private final List<DeliveryOutcome> outcomes = new ArrayList<>();
  private final List<SendResult> polls = new ArrayList<>();

  Effects(VerificationState current) {
    this.state = current;
  }

  VerificationState state() {
    return state;
  }

  boolean stateChanged() {
    return stateChanged;
  }

  void changed() {
    stateChanged = true;
  }

  void replace(VerificationState next) {
    state = next;
    stateChanged = true;
  }

  void delete() {
    state = null;
    stateChanged = true;
  }

  void command(SendCommand command) {
    commands.add(command);
  }

  void event(VerificationEvent event) {
    events.add(event);
  }

  void reply(VerificationReply reply) {
    replies.add(reply);
  }

  void outcome(DeliveryOutcome outcome) {
    outcomes.add(outcome);
  }

  /** Asks for a status lookup of this accepted send, whose final receipt is overdue. */
  void poll(SendResult accepted) {
    polls.add(accepted);
  }

  List<SendCommand> commands() {
    return Collections.unmodifiableList(commands);
  }

  List<VerificationEvent> events() {
    return Collections.unmodifiableList(events);
  }

  List<VerificationReply> replies() {
    return Collections.unmodifiableList(replies);
  }

  List<DeliveryOutcome> outcomes() {
    return Collections.unmodifiableList(outcomes);
  }

  List<SendResult> polls() {
    return Collections.unmodifiableList(polls);
  }
}
