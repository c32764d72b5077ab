package dev.relay.dispatcher.routing;

import dev.relay.support.routing.RoutingTableFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTableFileTest {

  static final String TABLE = """
      {"countries": {
        "*":  {"sms": [{"provider": "twilio", "priceMicros": 7900}, {"provider": "vonage"}],
               "voice": [{"provider": "twilio", "priceMicros": 13000}]},
        "de": {"sms": [{"provider": "Vonage", "priceMicros": 7100}, {"provider": "twilio", "priceMicros": 7900}]}}}
      """;

  private static final Instant AT = Instant.parse("2026-01-05T10:00:00Z");

  @TempDir
  Path dir;

  @Test
  void aFileBecomesAVersionWithPricesAndADefault() throws Exception {
    Path file = dir.resolve("routes.json");
    Files.writeString(file, TABLE);

    RoutingTableVersion version = RoutingTableFile.read(file, 42, AT, "test");
    RoutingTable table = RoutingTable.fromVersion(version);

    assertThat(version.getVersion()).isEqualTo(42);
    assertThat(table.version()).isEqualTo(42);
    assertThat(table.routes("DE", Channel.SMS)).extracting(Route::getProvider, Route::getPriceMicros, Route::getRoutingReason)
        .containsExactly(tuple("vonage", 7100L, "table"), tuple("twilio", 7900L, "table"));
    assertThat(table.routes("FR", Channel.SMS)).extracting(Route::getProvider, Route::getPriceMicros)
        .containsExactly(tuple("twilio", 7900L), tuple("vonage", null));
    // DE lists no voice routes of its own: the default's.
    assertThat(table.routes("DE", Channel.VOICE)).extracting(Route::getProvider, Route::getPriceMicros)
        .containsExactly(tuple("twilio", 13000L));
  }

  @Test
  void invalidTablesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> parse("not json")).isInstanceOf(ConfigException.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> parse("{}")).hasMessageContaining("\"countries\"");
    assertThatThrownBy(() -> parse("{\"countries\": {\"DE\": {\"sms\": [{\"provider\": \"twilio\"}]}}}"))
        .hasMessageContaining("default entry");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"twilio\"}]}, \"GER\": {}}}"))
        .hasMessageContaining("'GER' is not an ISO 3166");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"twilio\"}, {\"provider\": \"twilio\"}]}}}"))
        .hasMessageContaining("twilio appears twice");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"twilio\", \"priceMicros\": -1}]}}}"))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": [{\"provider\": \"twilio\", \"priceMicros\": \"cheap\"}]}}}"))
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": [{\"price\": 1}]}}}"))
        .hasMessageContaining("needs a \"provider\"");
    assertThatThrownBy(() -> parse("{\"countries\": {\"*\": {\"sms\": {\"provider\": \"twilio\"}}}}"))
        .hasMessageContaining("must be a list");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> RoutingTableFile.read(dir.resolve("nope.json"), 1, AT, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nope.json");
  }

  private static RoutingTableVersion parse(String json) {
    return RoutingTableFile.parse(json, 1, AT, null);
  }
}
