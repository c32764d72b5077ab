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
                --> verification-requests-input, request-tallies
              Source: code-checks-source (topics: [relay.code-checks])
                --> verification-lifecycle
              Source: delivery-receipts-source (topics: [relay.delivery-receipts])
                --> verification-lifecycle
              Source: send-results-source (topics: [relay.send-results])
                --> verification-lifecycle
              Processor: verification-requests-input (stores: [])
                --> verification-lifecycle
                <-- verification-requests-source
              Processor: verification-lifecycle (stores: [early-receipts, verification-deadlines, number-sends, verifications])
                --> lifecycle-facts, delivery-outcomes-sink, receipt-polls-sink, send-commands-sink, send-result-facts, verification-events-sink, verification-replies-sink
                <-- verification-requests-input, code-checks-source, send-results-source, delivery-receipts-source
              Processor: request-tallies (stores: [])
                --> request-tallies-by-limit-group-repartition-filter
                <-- verification-requests-source
              Processor: lifecycle-facts (stores: [route-fact-live-input-clock, route-fact-input-clock, route-fact-progress])
                --> route-facts-sink
                <-- verification-lifecycle
              Processor: request-tallies-by-limit-group-repartition-filter (stores: [])
                --> request-tallies-by-limit-group-repartition-sink
                <-- request-tallies
              Processor: send-result-facts (stores: [route-fact-live-input-clock, route-fact-input-clock, route-fact-progress])
                --> route-facts-sink
                <-- verification-lifecycle
              Sink: delivery-outcomes-sink (topic: relay.delivery-outcomes)
                <-- verification-lifecycle
              Sink: receipt-polls-sink (topic: relay.receipt-polls)
                <-- verification-lifecycle
              Sink: request-tallies-by-limit-group-repartition-sink (topic: request-tallies-by-limit-group-repartition)
                <-- request-tallies-by-limit-group-repartition-filter
              Sink: route-facts-sink (topic: relay.route-facts)
                <-- lifecycle-facts, send-result-facts
              Sink: send-commands-sink (topic: relay.send-commands)
                <-- verification-lifecycle
              Sink: verification-events-sink (topic: relay.verification-events)
                <-- verification-lifecycle
              Sink: verification-replies-sink (topic: relay.verification-replies)
                <-- verification-lifecycle

            Sub-topology: 1
              Source: request-tallies-by-limit-group-repartition-source (topics: [request-tallies-by-limit-group-repartition])
                --> request-limiter
              Processor: request-limiter (stores: [request-counters])
                --> request-blocks-sink
                <-- request-tallies-by-limit-group-repartition-source
              Sink: request-blocks-sink (topic: relay.request-blocks)
                <-- request-limiter

            Sub-topology: 2
              Source: pumping-events-source (topics: [relay.verification-events])
                --> prefix-tallies
              Processor: prefix-tallies (stores: [])
                --> prefix-tallies-by-prefix-repartition-filter
                <-- pumping-events-source
              Processor: prefix-tallies-by-prefix-repartition-filter (stores: [])
                --> prefix-tallies-by-prefix-repartition-sink
                <-- prefix-tallies
              Sink: prefix-tallies-by-prefix-repartition-sink (topic: prefix-tallies-by-prefix-repartition)
                <-- prefix-tallies-by-prefix-repartition-filter

            Sub-topology: 3
              Source: prefix-tallies-by-prefix-repartition-source (topics: [prefix-tallies-by-prefix-repartition])
                --> pumping-detector
              Processor: pumping-detector (stores: [prefix-activity])
                --> blocked-prefixes-sink
                <-- prefix-tallies-by-prefix-repartition-source
              Sink: blocked-prefixes-sink (topic: relay.blocked-prefixes)
                <-- pumping-detector

            Sub-topology: 4 for global store (will not generate tasks)
              Source: route-standings-updater-source (topics: [relay.provider-scores])
                --> route-standings-updater
              Processor: route-standings-updater (stores: [route-standings])
                --> none
                <-- route-standings-updater-source
            Sub-topology: 5 for global store (will not generate tasks)
              Source: routing-table-updater-source (topics: [relay.routing-table])
                --> routing-table-updater
              Processor: routing-table-updater (stores: [routing-table])
                --> none
                <-- routing-table-updater-source
            Sub-topology: 6 for global store (will not generate tasks)
              Source: blocked-prefixes-updater-source (topics: [relay.blocked-prefixes])
                --> blocked-prefixes-updater
              Processor: blocked-prefixes-updater (stores: [blocked-prefixes])
                --> none
                <-- blocked-prefixes-updater-source
            Sub-topology: 7 for global store (will not generate tasks)
              Source: request-blocks-updater-source (topics: [relay.request-blocks])
                --> request-blocks-updater
              Processor: request-blocks-updater (stores: [request-blocks])
                --> none
                <-- request-blocks-updater-source
          """);
    }
  }

  @Test
  void everyStoreWrittenWritesItsChangelog() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      bed.start("req-1");
      bed.act(RequestAction.RESEND, "req-2", null, Channel.SMS);
      bed.receipt("twilio", "sm-early", DeliveryStatus.FAILED, null);
      // The request limits' tallies go on once per commit interval, anti-pumping's once a second.
      bed.advance(PrefixTallies.INTERVAL);

      assertThat(bed.driver.producedTopicNames()).contains(
          "relay-dispatcher-verifications-changelog",
          "relay-dispatcher-early-receipts-changelog",
          "relay-dispatcher-request-counters-changelog",
          "relay-dispatcher-request-tallies-by-limit-group-repartition",
          "relay-dispatcher-prefix-tallies-by-prefix-repartition",
          "relay-dispatcher-prefix-activity-changelog");
      // The deadline index is derived from the verifications and rebuilt from them: no changelog.
      assertThat(bed.driver.producedTopicNames()).doesNotContain("relay-dispatcher-verification-deadlines-changelog");
      // A number's sends are part of its state: the store they were kept in before is only read, once, at start.
      assertThat(bed.driver.producedTopicNames()).doesNotContain("relay-dispatcher-number-sends-changelog");
    }
  }
}
