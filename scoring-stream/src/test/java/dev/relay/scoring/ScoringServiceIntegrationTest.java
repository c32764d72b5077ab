package dev.relay.scoring;

import dev.relay.support.kafka.KafkaAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.RouteFactKind;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.http.Json;
import dev.relay.support.kafka.KafkaSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scoring-stream as it runs in production, on a real KRaft broker: it provisions its topics, scores
 * what it reads under exactly-once, dead-letters what it cannot read, and serves health and scores.
 */
@Tag("integration")
class ScoringServiceIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void scoresARealStreamAndServesTheScores(@TempDir Path stateDir) throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
      kafka.start();
      Map<String, String> settings = Map.of(
          "relay.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "relay.streams.application-id", "scoring-it",
          "relay.streams.state-dir", stateDir.toString(),
          "relay.scoring.emit-interval", "500ms",
          "relay.topics.partitions", "2",
          "relay.http.port", "0",
          "relay.http.host", "127.0.0.1");
      RelayConfig config = RelayConfig.of(ScoringConfig.SCHEMA, settings);
      Topics topics = Topics.fromConfig(config.lookup());

      try (ScoringService service = new ScoringService(config)) {
        service.start();
        await().atMost(WAIT).until(service::isReady);
        assertThat(get(service, "/health/ready").statusCode()).isEqualTo(200);

        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
          // What the dispatcher tells of a send whose first route rejected it and whose second delivered it.
          fact(producer, topics, "vonage|DE|SMS", RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setFirstSend(true), now);
          fact(producer, topics, "vonage|DE|SMS",
              RouteFact.newBuilder().setKind(RouteFactKind.FAILOVER).setReason(SendReason.REJECTION), now);
          fact(producer, topics, "twilio|DE|SMS", RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setAccepted(true)
              .setPriceMicros(7_000L).setFirstSend(true), now);
          // And once it matched the send's final receipt.
          DeliveryOutcome delivered = DeliveryOutcome.newBuilder().setProvider("twilio").setCountry("DE")
              .setChannel(Channel.SMS).setVerificationId("VEtest").setAttempt(1).setStatus(DeliveryStatus.DELIVERED)
              .setMillisToDelivery(2_000L).setSettledAt(now.plusSeconds(2)).build();
          producer.send(new ProducerRecord<>(topics.deliveryOutcomes.name(), "twilio|DE|SMS",
              topics.deliveryOutcomes.valueSerde().serializer().serialize(topics.deliveryOutcomes.name(), delivered))).get();
          // The code entered: counted at the send's time.
          fact(producer, topics, "twilio|DE|SMS", RouteFact.newBuilder().setKind(RouteFactKind.COMPLETION).setFirstSend(true), now);
          producer.send(new ProducerRecord<>(topics.routeFacts.name(), "twilio|DE|SMS",
              "not a route fact".getBytes(StandardCharsets.UTF_8))).get();
        }

        Map<String, ProviderScore> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, topics.providerScores.name())) {
          await().atMost(WAIT).untilAsserted(() -> {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
              latest.put(record.key(), topics.providerScores.valueSerde().deserializer().deserialize(record.topic(), record.value()));
            }
            assertThat(latest.get("twilio|DE|SMS")).isNotNull()
                .extracting(ProviderScore::getTried, ProviderScore::getAccepted, ProviderScore::getDelivered,
                    ProviderScore::getUndelivered, ProviderScore::getCompleted)
                .containsExactly(1L, 1L, 1L, 0L, 1L);
            assertThat(latest.get("vonage|DE|SMS")).isNotNull()
                .extracting(ProviderScore::getTried, ProviderScore::getAccepted).containsExactly(1L, 0L);
            // The failover comes with a later record than the try: an emission may show the try alone.
            assertThat(latest.get("vonage|DE|SMS").getFailovers()).containsExactly(Map.entry("REJECTION", 1L));
          });
        }
        ProviderScore twilio = latest.get("twilio|DE|SMS");
        assertThat(Duration.between(twilio.getWindowStart(), twilio.getWindowEnd())).isEqualTo(Duration.ofHours(1));
        assertThat(twilio.getSubmissionRate()).isEqualTo(1.0);
        assertThat(twilio.getDeliveryRate()).isEqualTo(1.0);
        assertThat(twilio.getCompletionRate()).isEqualTo(1.0);
        assertThat(twilio.getTimeToDeliveryP50Millis()).isBetween(1_980L, 2_020L);
        assertThat(twilio.getSpentMicros()).isEqualTo(7_000);
        assertThat(twilio.getCostPerMessageMicros()).isEqualTo(7_000);
        assertThat(twilio.getCostPerSuccessMicros()).isEqualTo(7_000);
        assertThat(twilio.getScore()).isBetween(0.0, 1.0);
        assertThat(twilio.getScoreParts().getCompletion()).isBetween(0.0, 1.0);
        assertThat(twilio.getShortWindow().getEnd()).isEqualTo(twilio.getWindowEnd());
        assertThat(twilio.getShortWindow().getCompleted()).isEqualTo(1);

        await().atMost(WAIT).untilAsserted(() -> {
          HttpResponse<String> one = get(service, "/scores/twilio/de/sms");
          assertThat(one.statusCode()).isEqualTo(200);
          JsonNode score = Json.MAPPER.readTree(one.body());
          assertThat(score.at("/window/completed").asLong()).isEqualTo(1);
          assertThat(score.at("/window/costPerSuccessMicros").asLong()).isEqualTo(7_000);
          assertThat(score.at("/window/timeToDeliveryP50Millis").asLong()).isBetween(1_980L, 2_020L);
          assertThat(score.at("/score/score").asDouble()).isBetween(0.0, 1.0);
        });
        JsonNode all = Json.MAPPER.readTree(get(service, "/scores").body());
        assertThat(all.size()).isEqualTo(2);
        assertThat(all.findValues("demoted")).hasSize(2).allMatch(demoted -> demoted.isBoolean() && !demoted.asBoolean());
        HttpResponse<String> alerts = get(service, "/alerts");
        assertThat(alerts.statusCode()).as(alerts.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(alerts.body()).isArray()).isTrue();
        assertThat(Json.MAPPER.readTree(alerts.body()).size()).as("two sends alert nothing").isZero();
        HttpResponse<String> unknown = get(service, "/scores/nobody/DE/sms");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(unknown.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(get(service, "/scores/twilio/DE/fax").statusCode()).isEqualTo(400);

        List<DeadLetter> letters = new ArrayList<>();
        AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class);
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, topics.deadLetters.name())) {
          await().atMost(WAIT).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> letters.add(deadLetterSerde.fromBytes(record.value())));
            assertThat(letters).singleElement().satisfies(letter -> {
              assertThat(letter.getSourceTopic()).isEqualTo(topics.routeFacts.name());
              assertThat(letter.getApplication()).isEqualTo("scoring-it");
            });
          });
        }

        // A later try on the same route moves its stream time past the published window, which closes.
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
          Instant later = twilio.getWindowEnd().plus(Duration.ofMinutes(1));
          fact(producer, topics, "twilio|DE|SMS", RouteFact.newBuilder().setKind(RouteFactKind.TRIED).setAccepted(true)
              .setPriceMicros(7_000L).setFirstSend(true), later);
        }
        String closedWindow = "twilio|DE|SMS|" + twilio.getWindowEnd();
        List<ProviderScore> history = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, topics.providerScoreHistory.name())) {
          await().atMost(WAIT).untilAsserted(() -> {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
              if (record.key().equals(closedWindow)) {
                history.add(topics.providerScoreHistory.valueSerde().deserializer().deserialize(record.topic(), record.value()));
              }
            }
            assertThat(history).singleElement()
                .extracting(ProviderScore::getTried, ProviderScore::getDelivered, ProviderScore::getCompleted,
                    ProviderScore::getWindowEnd)
                .containsExactly(1L, 1L, 1L, twilio.getWindowEnd());
          });
        }
      }
    }
  }

  private HttpResponse<String> get(ScoringService service, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A fact as the dispatcher writes it: keyed by route, at the time it belongs to. */
  private static void fact(KafkaProducer<String, byte[]> producer, Topics topics, String route, RouteFact.Builder fact,
      Instant at) throws Exception {
    byte[] bytes = topics.routeFacts.valueSerde().serializer().serialize(topics.routeFacts.name(),
        fact.setVerificationId("VEtest").setAttempt(1).build());
    producer.send(new ProducerRecord<>(topics.routeFacts.name(), null, at.toEpochMilli(), route, bytes)).get();
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafkaCluster kafka) {
    return new KafkaProducer<>(KafkaSettings.durableProducer(KafkaAccess.plaintext(kafka.bootstrapServers()), "scoring-it-producer"),
        new StringSerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafkaCluster kafka, String topic) {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        KafkaSettings.committedConsumer(KafkaAccess.plaintext(kafka.bootstrapServers()), null, "scoring-it-" + topic),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.assign(consumer.partitionsFor(topic).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList());
    consumer.seekToBeginning(consumer.assignment());
    return consumer;
  }
}
