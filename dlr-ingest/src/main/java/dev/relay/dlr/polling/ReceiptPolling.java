package dev.relay.dlr.polling;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderClient;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.streams.DeadLetters;
import dev.relay.support.streams.StreamsShutdown;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs receipt polling: the {@link ReceiptPollTopology} under exactly-once, and the
 * {@link ReceiptPoller} on its own thread. A fatal stream error shuts the streams client down and is
 * logged; receipts from callbacks keep flowing, only polling stops.
 */
public final class ReceiptPolling implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReceiptPolling.class);
  private static final String POLLER_GROUP_SUFFIX = "-poller";

  private final KafkaStreams streams;
  private final ReceiptPoller poller;
  private final Thread pollerThread;

  /**
   * @param kafka the broker and client security, for the poller's consumer
   * @param streamsProperties from {@link KafkaSettings#streams}
   * @param lookupTimeout longest wait for one vendor status lookup
   */
  public ReceiptPolling(KafkaAccess kafka, Topics topics, PollSettings settings, Properties streamsProperties, Map<String, ProviderClient> clients,
      ReceiptPublisher publisher, Duration lookupTimeout, Clock clock, MeterRegistry metrics) {
    DeadLetters.install(streamsProperties, topics.deadLetters);
    streams = new KafkaStreams(ReceiptPollTopology.build(topics, settings), streamsProperties);
    streams.setUncaughtExceptionHandler(error -> {
      LOG.error("receipt polling stops on a fatal stream error", error);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    String group = pollerGroup(streamsProperties.getProperty(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG));
    KafkaConsumer<String, SendResult> consumer = new KafkaConsumer<>(KafkaSettings.committedConsumer(kafka, group, group),
        topics.receiptPolls.keySerde().deserializer(), topics.receiptPolls.valueSerde().deserializer());
    poller = new ReceiptPoller(consumer, topics.receiptPolls.name(), clients, publisher, lookupTimeout, clock, metrics);
    pollerThread = new Thread(poller, "dlr-receipt-poller");
    pollerThread.setDaemon(true);
    LOG.info("receipt polling for {}: {}", settings.providers(), ReceiptPollTopology.describe(settings));
  }

  public void start() {
    streams.start();
    pollerThread.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    poller.stop();
    try {
      pollerThread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    StreamsShutdown.closeLeavingGroup(streams, Duration.ofSeconds(30));
  }

  /** The poller's consumer group, named after the polling topology's application id. */
  public static String pollerGroup(String applicationId) {
    return applicationId + POLLER_GROUP_SUFFIX;
  }

  /** Streams settings for the polling topology from dlr-ingest's config. */
  public static Properties streamsProperties(KafkaAccess kafka, String applicationId, Path stateDir, Duration commitInterval,
      short replicationFactor) {
    return KafkaSettings.streams(kafka, applicationId, stateDir, commitInterval, replicationFactor);
  }
}
