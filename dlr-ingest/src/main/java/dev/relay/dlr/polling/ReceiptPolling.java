package dev.relay.dlr.polling;

import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.ProviderClient;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.kafka.KafkaAccess;
import dev.relay.support.kafka.KafkaSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Runs the {@link ReceiptPoller} on its own thread over {@code receipt-polls}, which the dispatcher
 * writes when an accepted send's final receipt is overdue (it holds every send and its receipts, so
 * nothing here matches or schedules). Receipts from callbacks flow whatever the poller does.
 */
public final class ReceiptPolling implements AutoCloseable {

  private static final String POLLER_GROUP_SUFFIX = "-poller";

  private final ReceiptPoller poller;
  private final Thread pollerThread;

  /**
   * @param applicationId names the poller's consumer group ({@link #pollerGroup})
   * @param lookupTimeout longest wait for one vendor status lookup
   */
  public ReceiptPolling(KafkaAccess kafka, Topics topics, String applicationId, Map<String, ProviderClient> clients,
      ReceiptPublisher publisher, Duration lookupTimeout, Clock clock, MeterRegistry metrics) {
    String group = pollerGroup(applicationId);
    KafkaConsumer<String, SendResult> consumer = new KafkaConsumer<>(KafkaSettings.committedConsumer(kafka, group, group),
        topics.receiptPolls.keySerde().deserializer(), topics.receiptPolls.valueSerde().deserializer());
    poller = new ReceiptPoller(consumer, topics.receiptPolls.name(), clients, publisher, lookupTimeout, clock, metrics);
    pollerThread = new Thread(poller, "dlr-receipt-poller");
    pollerThread.setDaemon(true);
  }

  public void start() {
    pollerThread.start();
  }

  @Override
  public void close() {
    poller.stop();
    try {
      pollerThread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The poller's consumer group, named after dlr-ingest's application id: {@code relay-dlr-poller} by
   * default, the group it had when dlr-ingest scheduled the polls itself, so its committed offsets carry on.
   */
  public static String pollerGroup(String applicationId) {
    return applicationId + POLLER_GROUP_SUFFIX;
  }
}
