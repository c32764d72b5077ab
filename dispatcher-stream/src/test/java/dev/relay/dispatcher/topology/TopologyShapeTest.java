package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.schemas.Channel;
import dev.relay.schemas.RequestAction;
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
      String described = DispatcherTopology.build(bed.topics, bed.settings, LimitSettings.from(bed.config),
          RoutingTable.fromConfig(bed.config), bed.secrets, bed.metrics).describe().toString();

      assertThat(described).isEqualTo("""
          Topologies:
             Sub-topology: 0
              Source: verification-requests-source (topics: [relay.verification-requests])
                --> requests-key-by-network
              Processor: requests-key-by-network (stores: [])
                --> requests-by-network-repartition-filter
                <-- verification-requests-source
              Processor: requests-by-network-repartition-filter (stores: [])
                --> requests-by-network-repartition-sink
                <-- requests-key-by-network
              Sink: requests-by-network-repartition-sink (topic: requests-by-network-repartition)
                <-- requests-by-network-repartition-filter

            Sub-topology: 1
              Source: requests-by-network-repartition-source (topics: [requests-by-network-repartition])
                --> network-limiter
              Processor: network-limiter (stores: [network-limits])
                --> network-limit-passed, network-limit-refusals
                <-- requests-by-network-repartition-source
              Processor: network-limit-passed (stores: [])
                --> network-limit-passed-values
                <-- network-limiter
              Processor: network-limit-passed-values (stores: [])
                --> requests-by-api-key-repartition-filter
                <-- network-limit-passed
              Processor: network-limit-refusals (stores: [])
                --> network-limit-refusals-values
                <-- network-limiter
              Processor: network-limit-refusals-values (stores: [])
                --> network-limit-replies-sink
                <-- network-limit-refusals
              Processor: requests-by-api-key-repartition-filter (stores: [])
                --> requests-by-api-key-repartition-sink
                <-- network-limit-passed-values
              Sink: network-limit-replies-sink (topic: relay.verification-replies)
                <-- network-limit-refusals-values
              Sink: requests-by-api-key-repartition-sink (topic: requests-by-api-key-repartition)
                <-- requests-by-api-key-repartition-filter

            Sub-topology: 2
              Source: requests-by-api-key-repartition-source (topics: [requests-by-api-key-repartition])
                --> api-key-limiter
              Processor: api-key-limiter (stores: [api-key-limits])
                --> api-key-limit-passed, api-key-limit-refusals
                <-- requests-by-api-key-repartition-source
              Processor: api-key-limit-passed (stores: [])
                --> api-key-limit-passed-values
                <-- api-key-limiter
              Processor: api-key-limit-passed-values (stores: [])
                --> admitted-requests-repartition-filter
                <-- api-key-limit-passed
              Processor: api-key-limit-refusals (stores: [])
                --> api-key-limit-refusals-values
                <-- api-key-limiter
              Processor: admitted-requests-repartition-filter (stores: [])
                --> admitted-requests-repartition-sink
                <-- api-key-limit-passed-values
              Processor: api-key-limit-refusals-values (stores: [])
                --> api-key-limit-replies-sink
                <-- api-key-limit-refusals
              Sink: admitted-requests-repartition-sink (topic: admitted-requests-repartition)
                <-- admitted-requests-repartition-filter
              Sink: api-key-limit-replies-sink (topic: relay.verification-replies)
                <-- api-key-limit-refusals-values

            Sub-topology: 3
              Source: admitted-requests-repartition-source (topics: [admitted-requests-repartition])
                --> admitted-requests-input
              Processor: admitted-requests-input (stores: [])
                --> verification-lifecycle
                <-- admitted-requests-repartition-source
              Source: code-checks-source (topics: [relay.code-checks])
                --> verification-lifecycle
              Source: delivery-receipts-source (topics: [relay.delivery-receipts])
                --> verification-lifecycle
              Source: send-results-source (topics: [relay.send-results])
                --> verification-lifecycle
              Processor: verification-lifecycle (stores: [early-receipts, verification-deadlines, number-sends, verifications])
                --> send-commands-sink, verification-events-sink, verification-replies-sink
                <-- admitted-requests-input, code-checks-source, send-results-source, delivery-receipts-source
              Sink: send-commands-sink (topic: relay.send-commands)
                <-- verification-lifecycle
              Sink: verification-events-sink (topic: relay.verification-events)
                <-- verification-lifecycle
              Sink: verification-replies-sink (topic: relay.verification-replies)
                <-- verification-lifecycle

            Sub-topology: 4
              Source: pumping-events-source (topics: [relay.verification-events])
                --> pumping-relevant-events
              Processor: pumping-relevant-events (stores: [])
                --> events-key-by-prefix
                <-- pumping-events-source
              Processor: events-key-by-prefix (stores: [])
                --> events-by-prefix-repartition-filter
                <-- pumping-relevant-events
              Processor: events-by-prefix-repartition-filter (stores: [])
                --> events-by-prefix-repartition-sink
                <-- events-key-by-prefix
              Sink: events-by-prefix-repartition-sink (topic: events-by-prefix-repartition)
                <-- events-by-prefix-repartition-filter

            Sub-topology: 5
              Source: events-by-prefix-repartition-source (topics: [events-by-prefix-repartition])
                --> pumping-detector
              Processor: pumping-detector (stores: [prefix-activity])
                --> blocked-prefixes-sink
                <-- events-by-prefix-repartition-source
              Sink: blocked-prefixes-sink (topic: relay.blocked-prefixes)
                <-- pumping-detector

            Sub-topology: 6 for global store (will not generate tasks)
              Source: route-standings-updater-source (topics: [relay.provider-scores])
                --> route-standings-updater
              Processor: route-standings-updater (stores: [route-standings])
                --> none
                <-- route-standings-updater-source
            Sub-topology: 7 for global store (will not generate tasks)
              Source: routing-table-updater-source (topics: [relay.routing-table])
                --> routing-table-updater
              Processor: routing-table-updater (stores: [routing-table])
                --> none
                <-- routing-table-updater-source
            Sub-topology: 8 for global store (will not generate tasks)
              Source: blocked-prefixes-updater-source (topics: [relay.blocked-prefixes])
                --> blocked-prefixes-updater
              Processor: blocked-prefixes-updater (stores: [blocked-prefixes])
                --> none
                <-- blocked-prefixes-updater-source
          """);
    }
  }

  @Test
  void everyStoreWritesItsChangelog() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      bed.start("req-1");
      bed.act(RequestAction.RESEND, "req-2", null, Channel.SMS);
      bed.receipt("twilio", "sm-early", DeliveryStatus.FAILED, null);

      assertThat(bed.driver.producedTopicNames()).contains(
          "relay-dispatcher-verifications-changelog",
          "relay-dispatcher-verification-deadlines-changelog",
          "relay-dispatcher-early-receipts-changelog",
          "relay-dispatcher-number-sends-changelog",
          "relay-dispatcher-network-limits-changelog",
          "relay-dispatcher-api-key-limits-changelog",
          "relay-dispatcher-requests-by-network-repartition",
          "relay-dispatcher-requests-by-api-key-repartition",
          "relay-dispatcher-admitted-requests-repartition",
          "relay-dispatcher-events-by-prefix-repartition",
          "relay-dispatcher-prefix-activity-changelog");
    }
  }
}
