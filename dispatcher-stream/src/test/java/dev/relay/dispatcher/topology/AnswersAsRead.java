package dev.relay.dispatcher.topology;

import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;

/**
 * The dispatcher's events and replies as their readers see them: the API takes a reply from the reply
 * topic or from the event that carries it, so a test reads each reply once, wherever it was written,
 * keyed by its correlation id, and the events as written. Reading either side takes in everything written
 * so far on both topics.
 */
final class AnswersAsRead {

  private final TestOutputTopic<String, VerificationReply> replyTopic;
  private final TestOutputTopic<String, VerificationEvent> eventTopic;
  private final Deque<KeyValue<String, VerificationReply>> replies = new ArrayDeque<>();
  private final Deque<KeyValue<String, VerificationEvent>> events = new ArrayDeque<>();
  private int separateReplies;

  /** The replies, wherever written. */
  final Read<VerificationReply> replyView = new Read<>(replies);
  /** The events, as written (with the replies they carry). */
  final Read<VerificationEvent> eventView = new Read<>(events);

  AnswersAsRead(TestOutputTopic<String, VerificationReply> replyTopic, TestOutputTopic<String, VerificationEvent> eventTopic) {
    this.replyTopic = replyTopic;
    this.eventTopic = eventTopic;
  }

  /** How many replies were written as records of their own so far (the rest rode on events). */
  int separateReplies() {
    takeIn();
    return separateReplies;
  }

  private void takeIn() {
    for (KeyValue<String, VerificationEvent> event : eventTopic.readKeyValuesToList()) {
      events.add(event);
      VerificationReply carried = event.value.getReply();
      if (carried != null) {
        replies.add(KeyValue.pair(carried.getCorrelationId(), carried));
      }
    }
    for (KeyValue<String, VerificationReply> reply : replyTopic.readKeyValuesToList()) {
      replies.add(reply);
      separateReplies++;
    }
  }

  /** The reading methods of {@link TestOutputTopic} the tests use, over one side. */
  final class Read<V> {

    private final Deque<KeyValue<String, V>> queue;

    private Read(Deque<KeyValue<String, V>> queue) {
      this.queue = queue;
    }

    V readValue() {
      takeIn();
      KeyValue<String, V> next = queue.poll();
      if (next == null) {
        throw new java.util.NoSuchElementException("nothing written");
      }
      return next.value;
    }

    List<V> readValuesToList() {
      return readKeyValuesToList().stream().map(pair -> pair.value).toList();
    }

    List<KeyValue<String, V>> readKeyValuesToList() {
      takeIn();
      List<KeyValue<String, V>> all = new ArrayList<>(queue);
      queue.clear();
      return all;
    }

    boolean isEmpty() {
      takeIn();
      return queue.isEmpty();
    }
  }
}
