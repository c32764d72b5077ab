package dev.relay.scoring.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.config.ScoringSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pins the topology's shape: node, store and internal topic names. Renaming a store or the
 * repartition topic orphans its changelog in every deployment, so such a change must show up here as
 * a deliberate diff of {@code scoring-topology.txt}.
 */
class ScoringTopologyDescriptionTest {

  @Test
  void theTopologyIsTheOnePinned() throws IOException {
    String described = ScoringTopology.build(Topics.defaults(), ScoringSettings.defaults()).describe().toString();

    assertThat(normalized(described)).isEqualTo(normalized(pinned()));
  }

  private static String pinned() throws IOException {
    try (InputStream in = ScoringTopologyDescriptionTest.class.getResourceAsStream("scoring-topology.txt")) {
      assertThat(in).as("pinned description scoring-topology.txt").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String normalized(String description) {
    return description.replace("\r\n", "\n").strip();
  }
}
