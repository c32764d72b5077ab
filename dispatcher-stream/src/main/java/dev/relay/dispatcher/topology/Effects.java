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
  private boolean repliesRideEvents;

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

  /** The request's sender reads the events too and asked for its reply in the event of its transition. */
  void letRepliesRideEvents() {
    repliesRideEvents = true;
  }

  /** Asks for a status lookup of this accepted send, whose final receipt is overdue. */
  void poll(SendResult accepted) {
    polls.add(accepted);
  }

  List<SendCommand> commands() {
    return Collections.unmodifiableList(commands);
  }

  /**
   * The events and replies to write. Where the request's sender asked for it, each reply rides on the last
   * event of its verification (the transition its request caused): the API reads it there, so a start or a
   * check that changes the state is one record, not two. The replies left (a wrong guess, a refusal, an
   * existing verification) are written on their own.
   */
  Written written() {
    if (!repliesRideEvents) {
      return new Written(Collections.unmodifiableList(events), Collections.unmodifiableList(replies));
    }
    List<VerificationEvent> written = new ArrayList<>(events);
    List<VerificationReply> alone = new ArrayList<>();
    for (VerificationReply reply : replies) {
      int carrier = lastEventWithoutReply(written, reply.getVerificationId());
      if (carrier < 0) {
        alone.add(reply);
      } else {
        written.set(carrier, VerificationEvent.newBuilder(written.get(carrier)).setReply(reply).build());
      }
    }
    return new Written(Collections.unmodifiableList(written), Collections.unmodifiableList(alone));
  }

  private static int lastEventWithoutReply(List<VerificationEvent> events, String verificationId) {
    for (int i = events.size() - 1; i >= 0; i--) {
      VerificationEvent event = events.get(i);
      if (event.getVerificationId().equals(verificationId) && event.getReply() == null) {
        return i;
      }
    }
    return -1;
  }

  /** The events to write (some carrying replies) and the replies to write on their own. */
  record Written(List<VerificationEvent> events, List<VerificationReply> replies) {}

  List<DeliveryOutcome> outcomes() {
    return Collections.unmodifiableList(outcomes);
  }

  List<SendResult> polls() {
    return Collections.unmodifiableList(polls);
  }
}
