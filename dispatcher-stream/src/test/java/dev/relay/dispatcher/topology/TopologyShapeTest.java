package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.schemas.DeliveryStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the topology's shape. Store names become changelog topics: a rename here would orphan a
 * running deployment's state, so it must show up as a deliberate diff of this text.
 */
class TopologyShapeTest {

  @TempDir
  Path stateDir;

  @Test
  void describeIsPinned() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      String described = DispatcherTopology.build(bed.topics, bed.settings, RoutingTable.fromConfig(bed.config),
          bed.secrets, bed.metrics).describe().toString();

      assertThat(described).isEqualTo("""
          Topologies:
             Sub-topology: 0 for global store (will not generate tasks)
              Source: route-standings-updater-source (topics: [relay.provider-scores])
                --> route-standings-updater
              Processor: route-standings-updater (stores: [route-standings])
                --> none
                <-- route-standings-updater-source
            Sub-topology: 1 for global store (will not generate tasks)
              Source: routing-table-updater-source (topics: [relay.routing-table])
                --> routing-table-updater
              Processor: routing-table-updater (stores: [routing-table])
                --> none
                <-- routing-table-updater-source
            Sub-topology: 2
              Source: code-checks-source (topics: [relay.code-checks])
                --> verification-lifecycle
              Source: delivery-receipts-source (topics: [relay.delivery-receipts])
                --> verification-lifecycle
              Source: send-results-source (topics: [relay.send-results])
                --> verification-lifecycle
              Source: verification-requests-source (topics: [relay.verification-requests])
                --> verification-lifecycle
              Processor: verification-lifecycle (stores: [early-receipts, verification-deadlines, verifications])
                --> send-commands-sink, verification-events-sink, verification-replies-sink
                <-- verification-requests-source, code-checks-source, send-results-source, delivery-receipts-source
              Sink: send-commands-sink (topic: relay.send-commands)
                <-- verification-lifecycle
              Sink: verification-events-sink (topic: relay.verification-events)
                <-- verification-lifecycle
              Sink: verification-replies-sink (topic: relay.verification-replies)
                <-- verification-lifecycle

          """);
    }
  }

  @Test
  void everyStoreWritesItsChangelog() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      bed.start("req-1");
      bed.receipt("twilio", "sm-early", DeliveryStatus.FAILED, null);

      assertThat(bed.driver.producedTopicNames()).contains(
          "relay-dispatcher-verifications-changelog",
          "relay-dispatcher-verification-deadlines-changelog",
          "relay-dispatcher-early-receipts-changelog");
    }
  }
}
