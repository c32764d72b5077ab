package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.routing.RoutingTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's Kafka grants cover every shared topic its topology reads or writes: on a secured
 * cluster a topic the topology gained but the grants did not stops the service at its first fetch.
 */
class DispatcherAclsTest {

  @TempDir
  Path stateDir;

  @Test
  void theGrantsCoverEveryTopicTheTopologyReadsAndWrites() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      TopologyDescription topology = DispatcherTopology.build(bed.topics, bed.settings, LimitSettings.from(bed.config),
          RoutingTable.fromConfig(bed.config), bed.secrets, bed.metrics).describe();
      Set<String> shared = new TreeSet<>(bed.topics.all().stream().map(topic -> topic.name()).toList());
      Set<String> read = new TreeSet<>();
      Set<String> written = new TreeSet<>();
      for (TopologyDescription.Subtopology subtopology : topology.subtopologies()) {
        collect(subtopology.nodes(), read, written);
      }
      for (TopologyDescription.GlobalStore global : topology.globalStores()) {
        read.addAll(global.source().topicSet());
      }
      read.retainAll(shared);
      written.retainAll(shared);
      assertThat(read).as("the topology reads shared topics").isNotEmpty();
      assertThat(written).as("the topology writes shared topics").isNotEmpty();

      List<String> grants = DispatcherService.kafkaAcls(bed.topics, bed.settings.applicationId()).describeGrants();

      read.forEach(topic -> assertThat(grants).as("read " + topic).contains("READ on TOPIC " + topic));
      written.forEach(topic -> assertThat(grants).as("write " + topic).contains("WRITE on TOPIC " + topic));
    }
  }

  private static void collect(Set<TopologyDescription.Node> nodes, Set<String> read, Set<String> written) {
    for (TopologyDescription.Node node : nodes) {
      if (node instanceof TopologyDescription.Source source) {
        read.addAll(source.topicSet());
      } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
        written.add(sink.topic());
      }
    }
  }
}
