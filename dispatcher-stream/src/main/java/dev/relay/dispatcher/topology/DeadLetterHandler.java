package dev.relay.dispatcher.topology;

import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a record the dispatcher cannot read or process into a {@link DeadLetter} on the dead-letter
 * topic (source topic, partition, offset, raw bytes and the cause) and goes on with the next one, so
 * one bad record never stops every verification on its partition. Streams writes the dead letter in
 * the same transaction as the task's other output.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

  /** Streams passes its whole config to handlers; this entry names the topic. */
  public static final String TOPIC_CONFIG = "relay.dead-letters.topic";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  private static final AvroSerde<DeadLetter> SERDE = AvroSerde.of(DeadLetter.class);
  private static final int MAX_MESSAGE_CHARS = 500;

  private String topic;
  private String application;

  @Override
  public void configure(Map<String, ?> configs) {
    Object configured = configs.get(TOPIC_CONFIG);
    if (configured == null) {
      throw new IllegalStateException(TOPIC_CONFIG + " must name the dead-letter topic");
    }
    topic = configured.toString();
    application = String.valueOf(configs.get(StreamsConfig.APPLICATION_ID_CONFIG));
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
      ConsumerRecord<byte[], byte[]> record, Exception exception) {
    LOG.warn("cannot read {}-{}@{}, sent to {}: {}", record.topic(), record.partition(), record.offset(), topic,
        exception.getClass().getSimpleName());
    return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(record.topic(), record.partition(),
        record.offset(), record.key(), record.value(), exception)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
      Exception exception) {
    LOG.error("cannot process {}-{}@{} in {}, sent to {}", context.topic(), context.partition(), context.offset(),
        context.processorNodeId(), topic, exception);
    return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context.topic(), context.partition(),
        context.offset(), context.sourceRawKey(), context.sourceRawValue(), exception)));
  }

  private ProducerRecord<byte[], byte[]> deadLetter(String sourceTopic, int partition, long offset, byte[] key,
      byte[] value, Exception exception) {
    String message = exception.getMessage();
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
    DeadLetter letter = DeadLetter.newBuilder()
        .setApplication(application)
        .setSourceTopic(sourceTopic == null ? "" : sourceTopic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setErrorClass(exception.getClass().getName())
        .setErrorMessage(message)
        .setFailedAt(Instant.now())
        .build();
    return new ProducerRecord<>(topic, key, SERDE.toBytes(letter));
  }
}
