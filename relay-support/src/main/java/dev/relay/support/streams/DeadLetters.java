package dev.relay.support.streams;

import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topic;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * Errors are data: a record that cannot be decoded or processed is written to the dead-letter
 * topic, as a {@link DeadLetter} with its source topic, partition, offset, raw bytes and the cause,
 * in the same transaction as the app's progress, and processing goes on: for apps where one bad
 * record must not stop the work for everyone (scores are statistics, receipt polls a fallback).
 */
public final class DeadLetters {

  /** Streams config entry naming the dead-letter topic; read back by the handlers. */
  public static final String TOPIC_CONFIG = "relay.dead-letters.topic";
  private static final int MAX_MESSAGE_LENGTH = 500;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final AvroSerde<DeadLetter> DEAD_LETTER_SERDE = AvroSerde.of(DeadLetter.class);

  private DeadLetters() {}

  /** Sets both handlers and the topic they write to. */
  public static void install(Properties streamsProperties, Topic<byte[], DeadLetter> topic) {
    streamsProperties.put(TOPIC_CONFIG, topic.name());
    streamsProperties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, Deserialization.class);
    streamsProperties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, Processing.class);
    // No global stores today; set so a future one is covered too (Kafka 5.0's default).
    streamsProperties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
  }

  /** Undecodable input records go to the dead-letter topic. */
  public static final class Deserialization implements DeserializationExceptionHandler {

    private Writer writer;

    @Override
    public void configure(Map<String, ?> configs) {
      writer = Writer.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
      return Response.resume(List.of(writer.deadLetter(context, record.key(), record.value(), exception)));
    }
  }

  /** Records a processor threw on go to the dead-letter topic, with their original bytes. */
  public static final class Processing implements ProcessingExceptionHandler {

    private Writer writer;

    @Override
    public void configure(Map<String, ?> configs) {
      writer = Writer.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      return Response.resume(List.of(writer.deadLetter(context, context.sourceRawKey(), context.sourceRawValue(), exception)));
    }
  }

  private record Writer(String topic, String application) {

    static Writer from(Map<String, ?> configs) {
      Object topic = configs.get(TOPIC_CONFIG);
      if (topic == null) {
        throw new IllegalStateException(TOPIC_CONFIG + " is not set: call DeadLetters.install");
      }
      return new Writer(topic.toString(), String.valueOf(configs.get(StreamsConfig.APPLICATION_ID_CONFIG)));
    }

    ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, byte[] key, byte[] value, Exception cause) {
      String sourceTopic = context.topic() == null ? "" : context.topic();
      // Where it came from and the cause's class only: the record itself may hold a phone number.
      LOG.warn("dead-lettered a record of {} partition {} offset {} at {}: {}", sourceTopic,
          context.partition(), context.offset(), context.processorNodeId(), cause.getClass().getName());
      DeadLetter letter = DeadLetter.newBuilder()
          .setApplication(application)
          .setSourceTopic(sourceTopic)
          .setPartition(context.partition())
          .setOffset(context.offset())
          .setKey(key == null ? null : ByteBuffer.wrap(key))
          .setValue(value == null ? null : ByteBuffer.wrap(value))
          .setErrorClass(cause.getClass().getName())
          .setErrorMessage(truncated(cause.getMessage()))
          .setFailedAt(Instant.now())
          .build();
      return new ProducerRecord<>(topic, null, key, DEAD_LETTER_SERDE.toBytes(letter));
    }

    private static String truncated(String message) {
      if (message == null || message.length() <= MAX_MESSAGE_LENGTH) {
        return message;
      }
      return message.substring(0, MAX_MESSAGE_LENGTH);
    }
  }
}
