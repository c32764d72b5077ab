package dev.relay.dispatcher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.schemas.Channel;
import dev.relay.schemas.Route;
import dev.relay.support.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

  private final RoutingTable table = RoutingTable.parse("DE:twilio,vonage; fr:Vonage ;*:vonage,twilio", "*:twilio;US:plivo");

  @Test
  void aCountryWithItsOwnEntryGetsItsRoutesInTheOperatorsOrder() {
    assertThat(table.routes("DE", Channel.SMS)).containsExactly(
        new Route("twilio", Channel.SMS, null, "table"), new Route("vonage", Channel.SMS, null, "table"));
  }

  @Test
  void countriesAndProvidersAreReadCaseInsensitively() {
    assertThat(table.routes("fr", Channel.SMS)).extracting(Route::getProvider).containsExactly("vonage");
    assertThat(table.routes("FR", Channel.SMS)).extracting(Route::getProvider).containsExactly("vonage");
  }

  @Test
  void otherCountriesTakeTheDefaultEntry() {
    assertThat(table.routes("GB", Channel.SMS)).extracting(Route::getProvider).containsExactly("vonage", "twilio");
    assertThat(table.routes(null, Channel.SMS)).extracting(Route::getProvider).containsExactly("vonage", "twilio");
  }

  @Test
  void voiceRoutesComeFromTheVoiceTable() {
    assertThat(table.routes("US", Channel.VOICE)).containsExactly(new Route("plivo", Channel.VOICE, null, "table"));
    assertThat(table.routes("DE", Channel.VOICE)).extracting(Route::getProvider).containsExactly("twilio");
  }

  @Test
  void whatsappRoutesComeFromTheWhatsAppTableAndOnlyWhereItHasSome() {
    RoutingTable withWhatsApp = RoutingTable.parse("*:twilio", "*:twilio", "DE:vonage,twilio");

    assertThat(withWhatsApp.routes("DE", Channel.WHATSAPP)).containsExactly(
        new Route("vonage", Channel.WHATSAPP, null, "table"), new Route("twilio", Channel.WHATSAPP, null, "table"));
    assertThat(withWhatsApp.routes("FR", Channel.WHATSAPP)).isEmpty();
    assertThat(table.routes("DE", Channel.WHATSAPP)).as("no WhatsApp table, no WhatsApp").isEmpty();
    assertThat(withWhatsApp.providers()).containsExactlyInAnyOrder("twilio", "vonage");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio", "", "DE:vonage,vonage"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("relay.routing.whatsapp: vonage appears twice");
  }

  @Test
  void anEmptyVoiceTableMeansNoVoiceFallback() {
    RoutingTable smsOnly = RoutingTable.parse("*:twilio", "");
    assertThat(smsOnly.routes("DE", Channel.VOICE)).isEmpty();
  }

  @Test
  void aVoiceTableWithoutDefaultCoversOnlyItsCountries() {
    RoutingTable partial = RoutingTable.parse("*:twilio", "DE:twilio");
    assertThat(partial.routes("DE", Channel.VOICE)).hasSize(1);
    assertThat(partial.routes("FR", Channel.VOICE)).isEmpty();
  }

  @Test
  void providersListsEveryNamedProvider() {
    assertThat(table.providers()).containsExactlyInAnyOrder("twilio", "vonage", "plivo");
  }

  @Test
  void unknownProvidersAreRefusedByName() {
    assertThatThrownBy(() -> table.requireProviders(List.of("twilio", "vonage")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.routing.sms")
        .hasMessageContaining("[plivo]");
    table.requireProviders(List.of("twilio", "vonage", "plivo", "sinch"));
  }

  @Test
  void theSmsTableNeedsADefault() {
    assertThatThrownBy(() -> RoutingTable.parse("DE:twilio", "*:twilio"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("relay.routing.sms")
        .hasMessageContaining("default");
    assertThatThrownBy(() -> RoutingTable.parse("", "*:twilio")).hasMessageContaining("default");
  }

  @Test
  void malformedEntriesAreRefusedWithTheKeyAndTheEntry() {
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio;DE twilio", ""))
        .hasMessageContaining("relay.routing.sms").hasMessageContaining("'DE twilio'");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio;DEU:twilio", ""))
        .hasMessageContaining("'DEU'");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio", "*:twi lio"))
        .hasMessageContaining("relay.routing.voice").hasMessageContaining("'twi lio'");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio,twilio", ""))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio;*:vonage", ""))
        .hasMessageContaining("two entries");
    assertThatThrownBy(() -> RoutingTable.parse("*:twilio;DE:", ""))
        .hasMessageContaining("names no provider");
  }
}
