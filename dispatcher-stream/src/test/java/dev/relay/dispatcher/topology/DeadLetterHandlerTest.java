package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

  private static final AvroSerde<DeadLetter> SERDE = AvroSerde.of(DeadLetter.class);
  private static final byte[] KEY = "+4915112345678".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {9, 8, 7};

  private final DeadLetterHandler handler = new DeadLetterHandler();

  @BeforeEach
  void configure() {
    handler.configure(Map.of(DeadLetterHandler.TOPIC_CONFIG, "relay.dead-letters",
        StreamsConfig.APPLICATION_ID_CONFIG, "relay-dispatcher"));
  }

  @Test
  void anUnreadableRecordBecomesADeadLetterAndProcessingResumes() {
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("relay.code-checks", 3, 42L, KEY, VALUE);

    DeserializationExceptionHandler.Response response = handler.handleError(context("relay.code-checks", 3, 42L),
        record, new SerializationException("cannot decode CodeCheckRequest: BadHeaderException"));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(letter.topic()).isEqualTo("relay.dead-letters");
    assertThat(letter.key()).isEqualTo(KEY);
    DeadLetter decoded = SERDE.fromBytes(letter.value());
    assertThat(decoded.getApplication()).isEqualTo("relay-dispatcher");
    assertThat(decoded.getSourceTopic()).isEqualTo("relay.code-checks");
    assertThat(decoded.getPartition()).isEqualTo(3);
    assertThat(decoded.getOffset()).isEqualTo(42L);
    assertThat(decoded.getKey()).isEqualTo(ByteBuffer.wrap(KEY));
    assertThat(decoded.getValue()).isEqualTo(ByteBuffer.wrap(VALUE));
    assertThat(decoded.getErrorClass()).isEqualTo(SerializationException.class.getName());
    assertThat(decoded.getErrorMessage()).isEqualTo("cannot decode CodeCheckRequest: BadHeaderException");
  }

  @Test
  void aRecordTheLifecycleCannotProcessBecomesADeadLetterWithItsRawBytes() {
    ProcessingExceptionHandler.Response response = handler.handleError(context("relay.send-results", 1, 7L),
        new Record<>("key", "value", 0L), new IllegalArgumentException("x".repeat(2000)));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    DeadLetter decoded = SERDE.fromBytes(response.deadLetterQueueRecords().get(0).value());
    assertThat(decoded.getSourceTopic()).isEqualTo("relay.send-results");
    assertThat(decoded.getOffset()).isEqualTo(7L);
    assertThat(decoded.getValue()).isEqualTo(ByteBuffer.wrap(VALUE));
    assertThat(decoded.getErrorMessage()).as("long messages are cut").hasSize(500);
  }

  @Test
  void withoutATopicTheHandlerRefusesToStart() {
    assertThatThrownBy(() -> new DeadLetterHandler().configure(Map.of()))
        .hasMessageContaining(DeadLetterHandler.TOPIC_CONFIG);
  }

  private static ErrorHandlerContext context(String topic, int partition, long offset) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return partition;
      }

      @Override
      public long offset() {
        return offset;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return DispatcherNames.LIFECYCLE_PROCESSOR;
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, partition);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return KEY;
      }

      @Override
      public byte[] sourceRawValue() {
        return VALUE;
      }
    };
  }
}
