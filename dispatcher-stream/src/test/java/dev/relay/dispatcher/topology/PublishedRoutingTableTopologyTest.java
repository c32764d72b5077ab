package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.support.routing.RoutingTableFile;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CountryRoutes;
import dev.relay.schemas.PricedRoute;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A routing table published to {@code routing-table} replaces the one from config for the next send,
 * without a restart; an older version or an invalid one is ignored. The bed's config table sends DE
 * SMS to twilio, then vonage.
 */
class PublishedRoutingTableTopologyTest {

  private static final String TABLE = """
      {"countries": {
        "*":  {"sms": [{"provider": "twilio", "priceMicros": 7900}]},
        "DE": {"sms": [{"provider": "vonage", "priceMicros": 7100}, {"provider": "twilio", "priceMicros": 7900}]}}}
      """;

  @TempDir
  Path stateDir;

  private int starts;

  @Test
  void aPublishedTableDecidesTheNextSendWithItsPrices() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider).containsExactly("twilio", "vonage");

      tables(bed).pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse(TABLE, 10, bed.now(), "test"));

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider, Route::getPriceMicros, Route::getRoutingReason)
          .containsExactly(tuple("vonage", 7100L, "table"), tuple("twilio", 7900L, "table"));
    }
  }

  @Test
  void anOlderVersionAndAnInvalidTableAreIgnored() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      TestInputTopic<String, RoutingTableVersion> tables = tables(bed);
      tables.pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse(TABLE, 10, bed.now(), "test"));
      tables.pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse(
          "{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"sinch\"}]}}}", 9, bed.now(), "late"));
      // Written past the publisher's checks: no default SMS route.
      tables.pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableVersion.newBuilder()
          .setVersion(11)
          .setPublishedAt(bed.now())
          .setCountries(List.of(new CountryRoutes("DE", List.of(new PricedRoute("sinch", null)), List.of(), List.of(), List.of())))
          .build());

      assertThat(startFresh(bed).getRoutes()).extracting(Route::getProvider).containsExactly("vonage", "twilio");
    }
  }

  @Test
  void scoresStillOrderThePublishedTable() {
    try (DispatcherTestBed bed = new DispatcherTestBed(stateDir)) {
      tables(bed).pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse(TABLE, 10, bed.now(), "test"));
      bed.driver.createInputTopic(bed.topics.providerScores.name(), new StringSerializer(),
              bed.topics.providerScores.valueSerde().serializer())
          .pipeInput("twilio|DE|SMS", dev.relay.schemas.ProviderScore.newBuilder()
              .setProvider("twilio").setCountry("DE").setChannel(Channel.SMS)
              .setTried(100).setScore(0.95).setUpdatedAt(bed.now()).build());
      bed.driver.createInputTopic(bed.topics.providerScores.name(), new StringSerializer(),
              bed.topics.providerScores.valueSerde().serializer())
          .pipeInput("vonage|DE|SMS", dev.relay.schemas.ProviderScore.newBuilder()
              .setProvider("vonage").setCountry("DE").setChannel(Channel.SMS)
              .setTried(100).setScore(0.70).setUpdatedAt(bed.now()).build());

      SendCommand command = startFresh(bed);
      assertThat(command.getRoutes()).extracting(Route::getProvider, Route::getPriceMicros, Route::getRoutingReason)
          .containsExactly(tuple("twilio", 7900L, "score"), tuple("vonage", 7100L, "score"));
    }
  }

  private SendCommand startFresh(DispatcherTestBed bed) {
    String number = "+49151" + (30000000 + starts++);
    bed.requests.pipeInput(number, VerificationRequest.newBuilder()
        .setRequestId("req-" + starts)
        .setVerificationId(bed.secrets.ids().mint(number))
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setRequestedAt(bed.now())
        .build(), bed.now());
    bed.advance(Duration.ofMillis(1));
    SendCommand command = bed.commands.readValue();
    assertThat(bed.commands.isEmpty()).isTrue();
    return command;
  }

  private static TestInputTopic<String, RoutingTableVersion> tables(DispatcherTestBed bed) {
    return bed.driver.createInputTopic(bed.topics.routingTable.name(), new StringSerializer(),
        bed.topics.routingTable.valueSerde().serializer());
  }
}
