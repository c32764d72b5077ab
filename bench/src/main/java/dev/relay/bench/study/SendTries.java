package dev.relay.bench.study;

import dev.relay.schemas.Channel;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the people cannot see, read back from the topics after a run: every provider try from
 * {@code send-results} (one record per try, fast failovers within one send included), so which
 * provider was tried first, how often Relay failed over and which sends a provider accepted (and so
 * charged for); from {@code verification-events}, why the first route was chosen; from
 * {@code provider-score-history}, every score scoring-stream published (when a route was demoted and
 * promoted); and from {@code provider-alerts}, every alert it raised.
 */
final class SendTries {

  /** One provider try. */
  record Try(int attempt, int tryIndex, String provider, boolean accepted, Instant at) {}

  /** One published score of an SMS route: its standing at {@code at}. */
  record Mark(String provider, String country, Instant at, boolean demoted, Double score, Double firstCompletionRate,
      long firstSends, String sharedDrop) {}

  /** One alert scoring-stream raised on an SMS route. */
  record Alert(String kind, String metric, String provider, String country, String scope, Instant raisedAt,
      double dropPoints) {}

  private SendTries() {}

  /** The tries of every verification, by verification id, in the order they were made. */
  static Map<String, List<Try>> read(String bootstrap) {
    Map<String, List<Try>> tries = new HashMap<>();
    readAll(bootstrap, Topics.defaults().sendResults, result -> tries.computeIfAbsent(result.getVerificationId(),
        id -> new ArrayList<>()).add(new Try(result.getAttempt(), result.getTryIndex(), result.getProvider(),
        result.getOutcome() == SendOutcome.ACCEPTED, result.getStartedAt())));
    tries.values().forEach(list -> list.sort((x, y) -> x.attempt() != y.attempt()
        ? Integer.compare(x.attempt(), y.attempt()) : Integer.compare(x.tryIndex(), y.tryIndex())));
    return tries;
  }

  /**
   * Why each verification's first send went where it went ({@code table}, {@code score}, {@code demotion},
   * {@code exploration}, {@code pin}), by verification id, from the attempt history on {@code verification-events}.
   */
  static Map<String, String> firstRoutingReasons(String bootstrap) {
    Map<String, String> reasons = new HashMap<>();
    readAll(bootstrap, Topics.defaults().verificationEvents, event -> event.getAttempts().stream()
        .filter(attempt -> attempt.getAttempt() == 1 && attempt.getRoutingReason() != null)
        .findFirst()
        .ifPresent(attempt -> reasons.putIfAbsent(event.getVerificationId(), attempt.getRoutingReason())));
    return reasons;
  }

  /** Every score published for an SMS route, in the order of publication per route. */
  static List<Mark> marks(String bootstrap) {
    List<Mark> marks = new ArrayList<>();
    readAll(bootstrap, Topics.defaults().providerScoreHistory, score -> {
      if (score.getChannel() == Channel.SMS) {
        marks.add(new Mark(score.getProvider(), score.getCountry(), score.getUpdatedAt(), score.getDemoted(),
            score.getScore(), score.getFirstCompletionRate(), score.getFirstSends(), score.getSharedDrop()));
      }
    });
    marks.sort(Comparator.comparing(Mark::at));
    return marks;
  }

  /** Every alert raised on an SMS route, oldest first. */
  static List<Alert> alerts(String bootstrap) {
    List<Alert> alerts = new ArrayList<>();
    readAll(bootstrap, Topics.defaults().providerAlerts, alert -> {
      if (alert.getChannel() == Channel.SMS) {
        alerts.add(new Alert(alert.getKind().name(), alert.getMetric().name(), alert.getProvider(), alert.getCountry(),
            alert.getScope(), alert.getRaisedAt(), alert.getDropPoints()));
      }
    });
    alerts.sort(Comparator.comparing(Alert::raisedAt));
    return alerts;
  }

  /** Every committed record of a topic, from its beginning to its end as it is now. */
  private static <V> void readAll(String bootstrap, Topic<String, V> topic, Consumer<V> each) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "routing-study-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // The sender writes in transactions: only what it committed happened.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
        topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!caughtUp(consumer, end) && System.nanoTime() < giveUp) {
        for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
          each.accept(record.value());
        }
      }
    }
  }

  private static boolean caughtUp(KafkaConsumer<String, ?> consumer, Map<TopicPartition, Long> end) {
    // Under read_committed the position can stop short of the end offset by the last transaction marker:
    // Every transaction ends with its marker, so a position one short of the end has read all the data.
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue() - 1);
  }
}
