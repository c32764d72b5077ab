package dev.relay.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.schemas.Attempt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback order of channels is the operator's policy per country: in DE an SMS verification whose
 * SMS routes pass their windows goes on with the same code over WhatsApp, then voice; elsewhere SMS goes
 * straight to voice. Routes: SMS DE twilio,vonage and * vonage; WhatsApp * vonage; voice * twilio.
 */
class ChannelOrderTopologyTest {

  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final String ORDER = "DE:sms,whatsapp,voice;*:sms,voice";
  private static final String FRENCH_NUMBER = "+33612345678";

  @TempDir
  Path stateDir;

  private DispatcherTestBed bed(String order) {
    return new DispatcherTestBed(stateDir, Map.of(
        DispatcherConfig.CHANNEL_ORDER.name(), order,
        DispatcherConfig.WHATSAPP_ROUTES.name(), "*:vonage"));
  }

  @Test
  void inGermanyTheSameCodeGoesOverSmsThenWhatsAppThenVoice() {
    try (DispatcherTestBed bed = bed(ORDER)) {
      String id = bed.start("req-1").getVerificationId();
      bed.onlyReply();
      bed.onlyEvent();
      SendCommand sms = bed.onlyCommand();
      assertThat(sms.getChannel()).isEqualTo(Channel.SMS);
      assertThat(sms.getRoutes()).extracting(Route::getProvider).containsExactly("twilio", "vonage");

      List<SendCommand> sends = followWindows(bed, sms, 3);

      assertThat(sends).extracting(SendCommand::getChannel, SendCommand::getReason)
          .containsExactly(
              tuple(Channel.SMS, SendReason.TIMEOUT),
              tuple(Channel.WHATSAPP, SendReason.CHANNEL_FALLBACK),
              tuple(Channel.VOICE, SendReason.CHANNEL_FALLBACK));
      assertThat(sends).extracting(command -> command.getRoutes().get(0).getProvider())
          .containsExactly("vonage", "vonage", "twilio");
      assertThat(sends.get(1).getRoutes()).containsExactly(new Route("vonage", Channel.WHATSAPP, null, "table"));
      for (SendCommand send : sends) {
        assertThat(bed.codeOf(send).equals(bed.codeOf(sms))).as("the same code on %s", send.getChannel()).isTrue();
      }
      assertThat(bed.state().getWhatsappRoutesUsed()).containsExactly("vonage");

      // The voice call's window passes too: nothing is left in DE's order.
      bed.accepted(sends.get(2), 0, "call-4");
      bed.advance(WINDOW);
      VerificationEvent failed = bed.onlyEvent();
      assertThat(failed.getStatus()).isEqualTo(VerificationStatus.FAILED);
      assertThat(failed.getReason()).isEqualTo("routes-exhausted");
      assertThat(failed.getAttempts()).extracting(Attempt::getChannel)
          .containsExactly(Channel.SMS, Channel.SMS, Channel.WHATSAPP, Channel.VOICE);
      assertThat(bed.nothingOut()).isTrue();
      assertThat(id).isEqualTo(failed.getVerificationId());
    }
  }

  @Test
  void aDeliveredWhatsAppFallbackEndsTheFailoverAndItsCodeApproves() {
    try (DispatcherTestBed bed = bed(ORDER)) {
      String id = bed.start("req-1").getVerificationId();
      bed.onlyReply();
      bed.onlyEvent();
      SendCommand sms = bed.onlyCommand();
      SendCommand whatsapp = followWindows(bed, sms, 2).get(1);
      assertThat(whatsapp.getChannel()).isEqualTo(Channel.WHATSAPP);

      // WhatsApp's "read" arrives normalised as delivered: the window closes and no voice call follows.
      bed.receipt("vonage", "m2", DeliveryStatus.DELIVERED, whatsapp.getIdempotencyKey());
      bed.events.readValuesToList();
      bed.advance(WINDOW.multipliedBy(2));
      assertThat(bed.commands.isEmpty()).as("no send after a delivered WhatsApp message").isTrue();

      bed.check("chk-1", id, bed.codeOf(whatsapp));
      assertThat(bed.replies.readValuesToList()).last()
          .satisfies(reply -> assertThat(reply.getStatus()).isEqualTo(VerificationStatus.APPROVED));
    }
  }

  @Test
  void elsewhereTheSameCodeGoesFromSmsStraightToVoice() {
    try (DispatcherTestBed bed = bed(ORDER)) {
      SendCommand sms = startFrench(bed, Channel.SMS);
      assertThat(sms.getRoutes()).extracting(Route::getProvider).containsExactly("vonage");

      List<SendCommand> sends = followWindows(bed, sms, 1);

      assertThat(sends).extracting(SendCommand::getChannel, SendCommand::getReason)
          .containsExactly(tuple(Channel.VOICE, SendReason.CHANNEL_FALLBACK));
      assertThat(bed.codeOf(sends.get(0)).equals(bed.codeOf(sms))).as("the same code").isTrue();
      assertThat(bed.state(FRENCH_NUMBER).getWhatsappRoutesUsed()).as("WhatsApp routes exist, but not in FR's order")
          .isEmpty();

      bed.accepted(sends.get(0), 0, "call-fr");
      bed.advance(WINDOW);
      assertThat(bed.events.readValuesToList()).last()
          .satisfies(event -> assertThat(event.getStatus()).isEqualTo(VerificationStatus.FAILED));
      assertThat(bed.commands.isEmpty()).isTrue();
    }
  }

  @Test
  void aVerificationStartedOnWhatsAppGoesOnWithTheChannelsAfterItAndOnlyWhereTheOrderListsIt() {
    try (DispatcherTestBed bed = bed(ORDER)) {
      bed.start("req-1", Channel.WHATSAPP, "reply-req-1", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));
      bed.onlyReply();
      bed.onlyEvent();
      SendCommand whatsapp = bed.onlyCommand();
      assertThat(whatsapp.getChannel()).isEqualTo(Channel.WHATSAPP);
      assertThat(whatsapp.getReason()).isEqualTo(SendReason.INITIAL);

      List<SendCommand> afterWhatsApp = followWindows(bed, whatsapp, 1);
      assertThat(afterWhatsApp).extracting(SendCommand::getChannel)
          .as("DE's order puts voice after WhatsApp, and SMS before it").containsExactly(Channel.VOICE);
      bed.accepted(afterWhatsApp.get(0), 0, "call-2");
      bed.advance(WINDOW);
      assertThat(bed.onlyEvent().getStatus()).isEqualTo(VerificationStatus.FAILED);

      SendCommand french = startFrench(bed, Channel.WHATSAPP);
      assertThat(french.getChannel()).isEqualTo(Channel.WHATSAPP);
      bed.accepted(french, 0, "wa-fr");
      bed.advance(WINDOW);
      assertThat(bed.commands.isEmpty()).as("FR's order does not list WhatsApp: nothing comes after it").isTrue();
      assertThat(bed.events.readValuesToList()).last()
          .satisfies(event -> assertThat(event.getStatus()).isEqualTo(VerificationStatus.FAILED));
    }
  }

  @Test
  void aRejectedWhatsAppSendFallsToTheNextChannelAtOnce() {
    try (DispatcherTestBed bed = bed("DE:whatsapp,sms;*:sms")) {
      bed.start("req-1", Channel.WHATSAPP, "reply-req-1", bed.secrets.ids().mint(DispatcherTestBed.NUMBER));
      bed.onlyReply();
      bed.onlyEvent();
      SendCommand whatsapp = bed.onlyCommand();

      bed.rejected(whatsapp, 0, true, dev.relay.schemas.ErrorCategory.PROVIDER_ERROR);

      SendCommand sms = bed.onlyCommand();
      assertThat(sms.getChannel()).isEqualTo(Channel.SMS);
      assertThat(sms.getReason()).isEqualTo(SendReason.CHANNEL_FALLBACK);
      assertThat(sms.getRoutes()).extracting(Route::getProvider).containsExactly("twilio", "vonage");
      assertThat(bed.codeOf(sms).equals(bed.codeOf(whatsapp))).isTrue();
    }
  }

  @Test
  void aPublishedTablesChannelOrderReplacesTheConfiguredOneWithoutRestart() {
    try (DispatcherTestBed bed = bed("*:sms,voice")) {
      bed.driver.createInputTopic(bed.topics.routingTable.name(), new StringSerializer(),
              bed.topics.routingTable.valueSerde().serializer())
          .pipeInput(Topics.ROUTING_TABLE_KEY, RoutingTableFile.parse("""
              {"countries": {
                "*":  {"sms": [{"provider": "vonage"}], "voice": [{"provider": "twilio"}]},
                "DE": {"sms": [{"provider": "twilio"}], "whatsapp": [{"provider": "twilio", "priceMicros": 5000}],
                       "channelOrder": ["sms", "whatsapp"]}}}
              """, 3, bed.now(), "test"));
      bed.start("req-1");
      bed.onlyReply();
      bed.onlyEvent();
      SendCommand sms = bed.onlyCommand();
      assertThat(sms.getRoutes()).extracting(Route::getProvider).containsExactly("twilio");

      List<SendCommand> sends = followWindows(bed, sms, 1);
      assertThat(sends).extracting(SendCommand::getChannel).containsExactly(Channel.WHATSAPP);
      assertThat(sends.get(0).getRoutes()).containsExactly(new Route("twilio", Channel.WHATSAPP, 5000L, "table"));

      bed.accepted(sends.get(0), 0, "wa-2");
      bed.advance(WINDOW);
      assertThat(bed.commands.isEmpty()).as("the published DE order ends with WhatsApp: no voice").isTrue();
      assertThat(bed.onlyEvent().getStatus()).isEqualTo(VerificationStatus.FAILED);

      assertThat(followWindows(bed, startFrench(bed, Channel.SMS), 1)).extracting(SendCommand::getChannel)
          .as("FR keeps the configured order").containsExactly(Channel.VOICE);
    }
  }

  /** Accepts each send at its first route and lets its delivery window pass; the sends that followed, in order. */
  private static List<SendCommand> followWindows(DispatcherTestBed bed, SendCommand first, int count) {
    List<SendCommand> sends = new ArrayList<>();
    SendCommand current = first;
    for (int i = 0; i < count; i++) {
      bed.accepted(current, 0, "m" + current.getAttempt());
      bed.advance(WINDOW);
      current = bed.onlyCommand();
      bed.events.readValuesToList();
      sends.add(current);
    }
    return sends;
  }

  private static SendCommand startFrench(DispatcherTestBed bed, Channel channel) {
    bed.requests.pipeInput(FRENCH_NUMBER, VerificationRequest.newBuilder()
        .setRequestId("fr-" + channel)
        .setVerificationId(bed.secrets.ids().mint(FRENCH_NUMBER))
        .setTo(FRENCH_NUMBER)
        .setCountry("FR")
        .setChannel(channel)
        .setReplyTo("reply-fr")
        .setRequestedAt(bed.now())
        .setAction(RequestAction.START)
        .setApiKeyName(DispatcherTestBed.API_KEY)
        .build(), bed.now());
    bed.onlyReply();
    bed.onlyEvent();
    return bed.onlyCommand();
  }
}
