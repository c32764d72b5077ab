package dev.relay.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.RateCounts;
import dev.relay.schemas.state.WindowCounts;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StateSerdeTest {

  /** A domain value kept in memory, stored as the RateCounts contract. */
  private record BlockEnd(long blockedUntil) {}

  private final StateSerde<BlockEnd, RateCounts> serde = StateSerde.of(RateCounts.class,
      end -> new RateCounts(List.of(), end.blockedUntil()), counts -> new BlockEnd(counts.getBlockedUntil()));

  @Test
  void storesTheDomainValueAsItsContract() {
    byte[] bytes = serde.toBytes(new BlockEnd(1_764_000_000_000L));

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.fromBytes(bytes)).isEqualTo(new BlockEnd(1_764_000_000_000L));
  }

  @Test
  void aContractStoredAsItselfRoundTrips() {
    StateSerde<RateCounts, RateCounts> identity = StateSerde.of(RateCounts.class);
    RateCounts counts = new RateCounts(List.of(new WindowCounts(60_000L, 6_000L, List.of(0L, 6_000L), List.of(3, 4))), 0L);

    assertThat(identity.deserializer().deserialize("t", identity.serializer().serialize("t", counts))).isEqualTo(counts);
  }

  @Test
  void aValueOfTheLayoutsBeforeAvroReadsAsAbsent() {
    // The hand-written layouts began with their format version byte, 1.
    byte[] earlier = {1, 0, 0, 0, 0, 0, 0, 0, 42};

    assertThat(serde.fromBytes(earlier)).isNull();
    assertThat(serde.fromBytes(new byte[] {'{', '}'})).isNull();
    assertThat(serde.fromBytes(null)).isNull();
    assertThat(serde.toBytes(null)).isNull();
  }

  @Test
  void anAvroValueThatDoesNotDecodeFailsTheRead() {
    byte[] truncated = serde.toBytes(new BlockEnd(5L));
    byte[] broken = java.util.Arrays.copyOf(truncated, 10);

    assertThatThrownBy(() -> serde.fromBytes(broken)).isInstanceOf(SerializationException.class);
  }
}
