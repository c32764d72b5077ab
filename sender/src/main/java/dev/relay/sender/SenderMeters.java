package dev.relay.sender;

import dev.relay.schemas.SendResult;
import dev.relay.support.kafka.KafkaConnections;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.Locale;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * What the sender reports: every provider try as a submission by provider, country, channel and
 * outcome, what accepted sends cost, and its Kafka clients' own metrics and connection state.
 */
final class SenderMeters implements AutoCloseable {

  static final String SUBMISSIONS = "relay.submissions";
  static final String SEND_COST = "relay.send.cost";
  private static final double MICROS_PER_UNIT = 1_000_000d;

  private final MeterRegistry registry;
  private final KafkaClientMetrics consumerMetrics;
  private final KafkaClientMetrics producerMetrics;
  private final KafkaConnections consumerConnections;
  private final KafkaConnections producerConnections;

  private SenderMeters(MeterRegistry registry, Consumer<?, ?> consumer, Producer<?, ?> producer) {
    this.registry = registry;
    this.consumerMetrics = new KafkaClientMetrics(consumer);
    this.producerMetrics = new KafkaClientMetrics(producer);
    this.consumerConnections = KafkaConnections.of(consumer::metrics);
    this.producerConnections = KafkaConnections.of(producer::metrics);
  }

  static SenderMeters bind(MeterRegistry registry, Consumer<?, ?> consumer, Producer<?, ?> producer) {
    SenderMeters meters = new SenderMeters(registry, consumer, producer);
    meters.consumerMetrics.bindTo(registry);
    meters.producerMetrics.bindTo(registry);
    return meters;
  }

  void submitted(SendResult result) {
    String provider = result.getProvider();
    String country = result.getCountry();
    String channel = result.getChannel().name().toLowerCase(Locale.ROOT);
    Counter.builder(SUBMISSIONS)
        .description("Provider tries by outcome (accepted is a successful submission)")
        .tag("provider", provider)
        .tag("country", country)
        .tag("channel", channel)
        .tag("outcome", result.getOutcome().name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
    if (result.getPriceMicros() != null) {
      Counter.builder(SEND_COST)
          .description("What the providers charged for accepted sends, in their price unit")
          .baseUnit("usd")
          .tag("provider", provider)
          .tag("country", country)
          .tag("channel", channel)
          .register(registry)
          .increment(result.getPriceMicros() / MICROS_PER_UNIT);
    }
  }

  boolean connected() {
    // The consumer heartbeats to its coordinator, so it is connected whenever the broker is up.
    return consumerConnections.connected();
  }

  @Override
  public void close() {
    consumerMetrics.close();
    producerMetrics.close();
  }
}
