package dev.relay.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.relay.api.FakeServices;
import dev.relay.api.ManualClock;
import dev.relay.kafka.embedded.EmbeddedKafkaCluster;
import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.topics.Topic;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.kafka.TopicProvisioner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Services on a real broker: the latest record per id is the service, a save is durable, find answers from a bounded-age copy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class KafkaServicesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REFRESH = Duration.ofSeconds(10);
  private final Topic<String, VerificationService> topic = Topics.fromConfig(key -> Optional.ofNullable(
      Map.of("relay.topics.partitions", "3").get(key))).services;
  private EmbeddedKafkaCluster kafka;
  private KafkaAccess access;

  @BeforeAll
  void start() {
    kafka = EmbeddedKafkaCluster.builder().build();
    kafka.start();
    access = KafkaAccess.plaintext(kafka.bootstrapServers());
    TopicProvisioner.ensure(access, List.of(topic), Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void theLatestRecordOfEachIdIsTheServiceAndASaveIsReadBackByAFreshReader() {
    produce("svc_b000000000000001", FakeServices.service("svc_b000000000000001", "Bank", Channel.SMS));
    produce("svc_a000000000000001", FakeServices.service("svc_a000000000000001", "Shop", Channel.SMS));
    produce("svc_a000000000000001", FakeServices.service("svc_a000000000000001", "Shop 2", Channel.VOICE));
    produce("svc_c000000000000001", FakeServices.service("svc_c000000000000001", "Gone", Channel.SMS));
    produce("svc_c000000000000001", null);
    KafkaServices services = new KafkaServices(access, topic, TIMEOUT, REFRESH, Clock.systemUTC());

    services.save(FakeServices.service("svc_d000000000000001", "Games", Channel.WHATSAPP));

    List<VerificationService> all = new KafkaServices(access, topic, TIMEOUT, REFRESH, Clock.systemUTC()).all();
    assertThat(all).extracting(VerificationService::getServiceId).containsSubsequence(
        "svc_a000000000000001", "svc_b000000000000001", "svc_d000000000000001").doesNotContain("svc_c000000000000001");
    assertThat(all).filteredOn(service -> service.getServiceId().equals("svc_a000000000000001"))
        .singleElement().satisfies(service -> {
          assertThat(service.getFriendlyName()).isEqualTo("Shop 2");
          assertThat(service.getChannels()).containsExactly(Channel.VOICE);
        });
  }

  @Test
  void findAnswersFromACopyRefreshedInTheBackgroundOnceOlderThanTheRefreshAndItsOwnSavesAtOnce() {
    ManualClock clock = new ManualClock(Instant.parse("2030-01-02T03:04:05Z"));
    KafkaServices reader = new KafkaServices(access, topic, TIMEOUT, REFRESH, clock);
    KafkaServices elsewhere = new KafkaServices(access, topic, TIMEOUT, REFRESH, Clock.systemUTC());
    elsewhere.save(FakeServices.service("svc_e000000000000001", "Before", Channel.SMS));
    assertThat(reader.find("svc_e000000000000001")).map(VerificationService::getFriendlyName).contains("Before");

    elsewhere.save(FakeServices.service("svc_e000000000000001", "After", Channel.SMS));
    reader.save(FakeServices.service("svc_f000000000000001", "Own", Channel.SMS));

    assertThat(reader.find("svc_e000000000000001")).as("within the refresh interval").map(VerificationService::getFriendlyName)
        .contains("Before");
    assertThat(reader.find("svc_f000000000000001")).as("its own save").isPresent();
    clock.advance(REFRESH);
    assertThat(reader.find("svc_e000000000000001")).as("the call that finds the copy old still answers from it")
        .map(VerificationService::getFriendlyName).contains("Before");
    // ... and has started a read: the change made elsewhere arrives within one read's time.
    await().atMost(TIMEOUT).until(() -> reader.find("svc_e000000000000001")
        .map(VerificationService::getFriendlyName).orElse("").equals("After"));
    assertThat(reader.find("svc_f000000000000001")).as("its own save, in the topic now").isPresent();
    assertThat(reader.find("svc_nope000000000001")).isEmpty();
  }

  @Test
  void aCopyKeepsAnsweringAtOnceWhileTheTopicCannotBeRead() {
    Duration readTimeout = Duration.ofSeconds(2);
    ManualClock clock = new ManualClock(Instant.parse("2030-01-02T03:04:05Z"));
    KafkaServices reader;
    try (EmbeddedKafkaCluster doomed = EmbeddedKafkaCluster.builder().build()) {
      doomed.start();
      KafkaAccess doomedAccess = KafkaAccess.plaintext(doomed.bootstrapServers());
      TopicProvisioner.ensure(doomedAccess, List.of(topic), Duration.ofSeconds(30));
      reader = new KafkaServices(doomedAccess, topic, readTimeout, REFRESH, clock);
      reader.save(FakeServices.service("svc_g000000000000001", "Kept", Channel.SMS));
      assertThat(reader.find("svc_g000000000000001")).isPresent();
    }

    clock.advance(REFRESH.multipliedBy(3));
    long started = System.nanoTime();
    for (int call = 0; call < 5; call++) {
      assertThat(reader.find("svc_g000000000000001")).map(VerificationService::getFriendlyName).contains("Kept");
    }
    // A find that waited for the failing read would take its whole timeout.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(readTimeout);
  }

  @Test
  void aBrokerOutOfReachIsAnErrorInBoundedTime() {
    KafkaServices unreachable = new KafkaServices(KafkaAccess.plaintext("127.0.0.1:1"), topic, Duration.ofSeconds(1), REFRESH,
        Clock.systemUTC());

    long started = System.nanoTime();
    assertThatThrownBy(unreachable::all).isInstanceOf(ServicesUnavailableException.class);
    assertThatThrownBy(() -> unreachable.find("svc_a000000000000001")).isInstanceOf(ServicesUnavailableException.class);
    assertThatThrownBy(() -> unreachable.save(FakeServices.service("svc_a000000000000001", "Shop", Channel.SMS)))
        .isInstanceOf(ServicesUnavailableException.class);
    // Each call is bounded by its timeout (the save by twice it), plus the client's own close.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  private void produce(String id, VerificationService service) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaSettings.durableProducer(access, "test-services"), new StringSerializer(), new ByteArraySerializer())) {
      byte[] value = service == null ? null : topic.valueSerde().serializer().serialize(topic.name(), service);
      producer.send(new ProducerRecord<>(topic.name(), id, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
