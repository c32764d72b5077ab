package dev.relay.scoring.testing;

import dev.relay.dispatcher.facts.RouteFactSettings;
import dev.relay.dispatcher.facts.RouteFacts;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The dispatcher's own route-fact processors ({@link RouteFacts}) in a driver of their own, fed the
 * scenario's send results and lifecycle events as the dispatcher's lifecycle hands them over, so scoring's
 * scenarios keep speaking of sends and events and scoring gets route-facts exactly as the dispatcher
 * writes them. The rules themselves are tested where they live ({@code FactProcessorsTest}).
 */
final class DispatcherFacts implements AutoCloseable {

  private static final String SEND_RESULTS = "send-results-in";
  private static final String EVENTS = "verification-events-in";

  private final TopologyTestDriver driver;
  private final TestInputTopic<String, SendResult> sendResults;
  private final TestInputTopic<String, VerificationEvent> events;
  private final TestOutputTopic<String, RouteFact> facts;
  private final Consumer<TestRecord<String, RouteFact>> sink;

  /** @param sink takes each fact told, with its key (the route) and its timestamp */
  DispatcherFacts(Topics topics, RouteFactSettings settings, Path stateDir, Instant wallClock,
      Consumer<TestRecord<String, RouteFact>> sink) {
    this.sink = sink;
    Topology topology = new Topology();
    topology.addSource(SEND_RESULTS, topics.sendResults.keySerde().deserializer(),
        topics.sendResults.valueSerde().deserializer(), topics.sendResults.name());
    topology.addSource(EVENTS, topics.verificationEvents.keySerde().deserializer(),
        topics.verificationEvents.valueSerde().deserializer(), topics.verificationEvents.name());
    RouteFacts.addTo(topology, topics.routeFacts, settings, EVENTS, SEND_RESULTS);
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "dispatcher-facts-test");
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(topology, properties, wallClock);
    sendResults = driver.createInputTopic(topics.sendResults.name(),
        topics.sendResults.keySerde().serializer(), topics.sendResults.valueSerde().serializer());
    events = driver.createInputTopic(topics.verificationEvents.name(),
        topics.verificationEvents.keySerde().serializer(), topics.verificationEvents.valueSerde().serializer());
    facts = driver.createOutputTopic(topics.routeFacts.name(),
        topics.routeFacts.keySerde().deserializer(), topics.routeFacts.valueSerde().deserializer());
  }

  void onSend(SendResult result, Instant timestamp) {
    sendResults.pipeInput(result.getTo(), result, timestamp);
    tell();
  }

  void onEvent(VerificationEvent event) {
    events.pipeInput(event.getTo(), event, event.getOccurredAt());
    tell();
  }

  private void tell() {
    facts.readRecordsToList().forEach(sink);
  }

  @Override
  public void close() {
    driver.close();
  }
}
