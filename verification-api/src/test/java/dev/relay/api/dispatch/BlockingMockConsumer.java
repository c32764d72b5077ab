package dev.relay.api.dispatch;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;

/**
 * A {@link MockConsumer} whose poll waits, as a real consumer's does, until a record is added, the
 * consumer is woken up or the timeout passes. MockConsumer's own poll returns at once, so a listener
 * thread polling it spun a core for as long as its test ran (the hottest path in verification-api's test profile).
 */
final class BlockingMockConsumer<K, V> extends MockConsumer<K, V> {

  BlockingMockConsumer() {
    super("latest");
  }

  @Override
  public synchronized ConsumerRecords<K, V> poll(Duration timeout) {
    ConsumerRecords<K, V> records = super.poll(timeout);
    if (records.isEmpty()) {
      try {
        wait(Math.max(1, timeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return records;
  }

  @Override
  public synchronized void addRecord(ConsumerRecord<K, V> record) {
    super.addRecord(record);
    notifyAll();
  }

  @Override
  public synchronized void wakeup() {
    super.wakeup();
    notifyAll();
  }
}
