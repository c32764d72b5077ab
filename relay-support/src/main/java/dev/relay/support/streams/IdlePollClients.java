package dev.relay.support.streams;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka Streams' clients as its default supplier makes them, but with {@link IdlePollConsumer}s as each
 * stream thread's main and restore consumers, so that the app's {@code poll.ms} is only how long an idle
 * thread sleeps while no punctuation scheduled through its {@link WallClockWakes} is due. The global consumer
 * polls as Kafka Streams asks: its thread commits nothing, and records end its poll at once.
 */
public final class IdlePollClients implements KafkaClientSupplier {

  private final Duration commitInterval;
  private final WallClockWakes wakes;

  /** For an app that schedules no punctuation through {@link WallClockWakes}. */
  public IdlePollClients(Duration commitInterval) {
    this(commitInterval, new WallClockWakes());
  }

  /**
   * @param commitInterval the app's {@code commit.interval.ms}
   * @param wakes where the app's processors schedule their wall-clock punctuations
   */
  public IdlePollClients(Duration commitInterval, WallClockWakes wakes) {
    this.commitInterval = commitInterval;
    this.wakes = wakes;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return IdlePollConsumer.main(config, commitInterval, wakes);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return IdlePollConsumer.restore(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
