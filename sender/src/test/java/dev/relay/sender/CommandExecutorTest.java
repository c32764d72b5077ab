package dev.relay.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.relay.providers.ChannelRoutedClient;
import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendReason;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.ServiceSettings;
import dev.relay.sender.config.MessageSettings;
import dev.relay.sender.message.MessageTemplates;
import dev.relay.support.secrets.Keyring;
import dev.relay.support.secrets.SecretSealer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CommandExecutorTest {

  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
  private static final String ID = "VEtest";
  /** A fixture, not an issued code. */
  private static final String CODE = "482913";

  private final SecretSealer sealer =
      new SecretSealer(SecretSealer.Purpose.CODE, Keyring.parse("test", Keyring.generateSetting("e1")));
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  private CommandExecutor executor(ProviderClient... clients) {
    Map<String, ProviderClient> byName = new LinkedHashMap<>();
    Arrays.stream(clients).forEach(client -> byName.put(client.name(), client));
    return new CommandExecutor(byName, MessageTemplates.bundled(MessageSettings.named("Acme")), sealer, clock,
        Duration.ofMillis(200));
  }

  private SendCommand command(Channel channel, String... providers) {
    return SendCommand.newBuilder()
        .setVerificationId(ID)
        .setAttempt(2)
        .setIdempotencyKey(ID + "-2")
        .setTo("+4915112345678")
        .setCountry("DE")
        .setChannel(channel)
        .setCode(sealer.seal(CODE, ID, "+4915112345678"))
        .setRoutes(Arrays.stream(providers).map(name -> new Route(name, channel, null, "table")).toList())
        .setReason(SendReason.TIMEOUT)
        .setIssuedAt(NOW)
        .setExpiresAt(NOW.plus(Duration.ofMinutes(10)))
        .build();
  }

  @Test
  void theFirstRouteThatAcceptsDeliversTheRenderedCode() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "SMabc123");
    FakeProvider vonage = FakeProvider.accepting("vonage", "v1");

    List<SendResult> results = executor(twilio, vonage).execute(command(Channel.SMS, "twilio", "vonage")).join();

    assertThat(results).hasSize(1);
    SendResult result = results.get(0);
    assertThat(result.getVerificationId()).isEqualTo(ID);
    assertThat(result.getAttempt()).isEqualTo(2);
    assertThat(result.getIdempotencyKey()).isEqualTo(ID + "-2");
    assertThat(result.getTryIndex()).isZero();
    assertThat(result.getLastTry()).isTrue();
    assertThat(result.getProvider()).isEqualTo("twilio");
    assertThat(result.getChannel()).isEqualTo(Channel.SMS);
    assertThat(result.getTo()).isEqualTo("+4915112345678");
    assertThat(result.getCountry()).isEqualTo("DE");
    assertThat(result.getOutcome()).isEqualTo(SendOutcome.ACCEPTED);
    assertThat(result.getErrorCategory()).isEqualTo(ErrorCategory.NONE);
    assertThat(result.getProviderMessageId()).isEqualTo("smabc123");
    assertThat(result.getPriceMicros()).isEqualTo(7_900L);
    assertThat(result.getStartedAt()).isEqualTo(NOW);
    assertThat(result.getCompletedAt()).isEqualTo(NOW);
    assertThat(twilio.sent).containsExactly(new OutboundMessage("+4915112345678", "DE", Channel.SMS,
        "Ihr Code für Acme lautet " + CODE, null, ID + "-2", Locale.forLanguageTag("de-DE")));
    assertThat(vonage.sent).isEmpty();
  }

  @Test
  void aRetryableRejectionMovesToTheNextRouteInTheSameCall() {
    FakeProvider twilio = FakeProvider.rejecting("twilio",
        ProviderResponse.rejected(ErrorCategory.THROTTLED, "20429", "Too Many Requests"));
    FakeProvider vonage = FakeProvider.accepting("vonage", "V-1");

    List<SendResult> results = executor(twilio, vonage).execute(command(Channel.SMS, "twilio", "vonage")).join();

    assertThat(results)
        .extracting(SendResult::getTryIndex, SendResult::getLastTry, SendResult::getProvider, SendResult::getOutcome,
            SendResult::getErrorCategory, SendResult::getVendorCode, SendResult::getProviderMessageId)
        .containsExactly(
            tuple(0, false, "twilio", SendOutcome.REJECTED, ErrorCategory.THROTTLED, "20429", null),
            tuple(1, true, "vonage", SendOutcome.ACCEPTED, ErrorCategory.NONE, null, "v-1"));
    assertThat(twilio.sent).hasSize(1);
    assertThat(vonage.sent).hasSize(1);
    assertThat(vonage.sent.get(0).idempotencyKey()).as("every try carries the command's key").isEqualTo(ID + "-2");
  }

  @Test
  void eachTryCarriesWhyItsRouteStoodWhereItDid() {
    FakeProvider twilio = FakeProvider.rejecting("twilio",
        ProviderResponse.rejected(ErrorCategory.THROTTLED, "20429", "Too Many Requests"));
    FakeProvider vonage = FakeProvider.accepting("vonage", "V-1");
    SendCommand command = command(Channel.SMS, "twilio", "vonage");
    command.setRoutes(List.of(new Route("twilio", Channel.SMS, null, "exploration"), new Route("vonage", Channel.SMS, null, "score")));

    List<SendResult> results = executor(twilio, vonage).execute(command).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getRoutingReason)
        .containsExactly(tuple("twilio", "exploration"), tuple("vonage", "score"));
  }

  @Test
  void aRejectionPermanentForTheNumberStops() {
    FakeProvider twilio = FakeProvider.rejecting("twilio",
        ProviderResponse.rejected(ErrorCategory.INVALID_NUMBER, "21211", "Invalid 'To' Phone Number"));
    FakeProvider vonage = FakeProvider.accepting("vonage", "v1");

    List<SendResult> results = executor(twilio, vonage).execute(command(Channel.SMS, "twilio", "vonage")).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getLastTry, SendResult::getErrorCategory)
        .containsExactly(tuple("twilio", true, ErrorCategory.INVALID_NUMBER));
    assertThat(vonage.sent).isEmpty();
  }

  @Test
  void whenEveryRouteRejectsThereIsOneResultPerTryAndTheLastIsMarked() {
    FakeProvider twilio = FakeProvider.rejecting("twilio", ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, "503", null));
    FakeProvider vonage = FakeProvider.rejecting("vonage", ProviderResponse.rejected(ErrorCategory.THROTTLED, "1", null));

    List<SendResult> results = executor(twilio, vonage).execute(command(Channel.SMS, "twilio", "vonage")).join();

    assertThat(results).extracting(SendResult::getTryIndex, SendResult::getLastTry, SendResult::getOutcome)
        .containsExactly(tuple(0, false, SendOutcome.REJECTED), tuple(1, true, SendOutcome.REJECTED));
  }

  @Test
  void anExpiredCommandIsNotSent() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand expired = command(Channel.SMS, "twilio");
    expired.setExpiresAt(NOW);

    CommandExecutor executor = executor(twilio);
    assertThat(executor.expired(expired)).isTrue();
    assertThat(executor.execute(expired).join()).isEmpty();
    assertThat(twilio.sent).isEmpty();
  }

  @Test
  void aRouteWithoutConfiguredProviderOrChannelIsRejectedAsNoRouteAndTheNextIsTried() {
    FakeProvider smsOnly = new FakeProvider("vonage", Set.of(Channel.SMS),
        message -> CompletableFuture.completedFuture(ProviderResponse.accepted("v1", null)));
    FakeProvider twilio = FakeProvider.accepting("twilio", "ca1");

    List<SendResult> results = executor(smsOnly, twilio).execute(command(Channel.VOICE, "plivo", "vonage", "twilio"))
        .join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getErrorCategory, SendResult::getVendorMessage)
        .containsExactly(
            tuple("plivo", ErrorCategory.NO_ROUTE, CommandExecutor.NOT_CONFIGURED),
            tuple("vonage", ErrorCategory.NO_ROUTE, CommandExecutor.CHANNEL_NOT_SUPPORTED),
            tuple("twilio", ErrorCategory.NONE, null));
    assertThat(smsOnly.sent).isEmpty();
  }

  @Test
  void aProviderThatFailsOrNeverAnswersCountsAsARetryableRejection() {
    FakeProvider throwing = new FakeProvider("twilio", Set.of(Channel.SMS), message -> {
      throw new IllegalStateException("adapter bug");
    });
    FakeProvider failing = new FakeProvider("vonage", Set.of(Channel.SMS),
        message -> CompletableFuture.failedFuture(new java.io.IOException("connection reset")));
    FakeProvider silent = new FakeProvider("plivo", Set.of(Channel.SMS), message -> new CompletableFuture<>());
    FakeProvider sinch = FakeProvider.accepting("sinch", "s1");

    List<SendResult> results = executor(throwing, failing, silent, sinch)
        .execute(command(Channel.SMS, "twilio", "vonage", "plivo", "sinch")).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getErrorCategory, SendResult::getVendorMessage)
        .containsExactly(
            tuple("twilio", ErrorCategory.PROVIDER_ERROR, "IllegalStateException"),
            tuple("vonage", ErrorCategory.PROVIDER_ERROR, "IOException"),
            tuple("plivo", ErrorCategory.TIMEOUT, CommandExecutor.NO_ANSWER),
            tuple("sinch", ErrorCategory.NONE, null));
  }

  @Test
  void aCallReadsTheDigitsOneByOne() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "ca1");

    executor(twilio).execute(command(Channel.VOICE, "twilio")).join();

    assertThat(twilio.sent.get(0).text()).isEqualTo(
        "Ihr Code für Acme lautet 4, 8, 2, 9, 1, 3. Noch einmal, Ihr Code lautet 4, 8, 2, 9, 1, 3.");
    assertThat(twilio.sent.get(0).channel()).isEqualTo(Channel.VOICE);
    assertThat(twilio.sent.get(0).language()).as("the adapter is told what to speak").isEqualTo(Locale.forLanguageTag("de-DE"));
  }

  @Test
  void theCommandsLocaleChoosesTheLanguageOverTheNumbersCountry() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand command = command(Channel.SMS, "twilio");
    command.setLocale("pt-BR");

    executor(twilio).execute(command).join();

    assertThat(twilio.sent.get(0).text()).isEqualTo("O seu código Acme é " + CODE);
    assertThat(twilio.sent.get(0).language()).isEqualTo(Locale.forLanguageTag("pt-BR"));
  }

  @Test
  void theCommandsServiceWordsTheMessageWithItsNameAndTemplate() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand command = command(Channel.SMS, "twilio");
    command.setServiceSettings(ServiceSettings.newBuilder().setFriendlyName("Shop").setCodeLength(6)
        .setExpiryMillis(600_000).setMaxChecks(5).setMaxSends(5).setTemplates(Map.of("de", "{1} ist Ihr {0}-Code")).build());

    executor(twilio).execute(command).join();

    assertThat(twilio.sent.get(0).text()).isEqualTo(CODE + " ist Ihr Shop-Code");
  }

  @Test
  void aCodeThatDoesNotOpenIsReportedWithoutCallingAnyProvider() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand foreign = command(Channel.SMS, "twilio", "vonage");
    foreign.setCode(new SecretSealer(SecretSealer.Purpose.CODE, Keyring.parse("other", Keyring.generateSetting("e1")))
        .seal(CODE, ID, foreign.getTo()));

    List<SendResult> results = executor(twilio).execute(foreign).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getLastTry, SendResult::getErrorCategory,
        SendResult::getVendorMessage)
        .containsExactly(tuple("twilio", true, ErrorCategory.AUTH_CONFIG, CommandExecutor.CODE_DOES_NOT_OPEN));
    assertThat(twilio.sent).isEmpty();
  }

  @Test
  void aCommandWhoseDestinationWasRewrittenIsRefusedWithoutCallingAnyProvider() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand rewritten = command(Channel.SMS, "twilio", "vonage");
    // Whoever can write to send-commands points the code at a number of their own (a premium line).
    rewritten.setTo("+4915112345679");

    List<SendResult> results = executor(twilio).execute(rewritten).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getLastTry, SendResult::getErrorCategory,
        SendResult::getVendorMessage)
        .containsExactly(tuple("twilio", true, ErrorCategory.AUTH_CONFIG, CommandExecutor.CODE_DOES_NOT_OPEN));
    assertThat(twilio.sent).isEmpty();
  }

  @Test
  void aCodeSealedAsAGuessIsNotSent() {
    FakeProvider twilio = FakeProvider.accepting("twilio", "sm1");
    SendCommand forged = command(Channel.SMS, "twilio");
    forged.setCode(new SecretSealer(SecretSealer.Purpose.GUESS, Keyring.parse("test", Keyring.generateSetting("e1")))
        .seal(CODE, ID, forged.getTo()));

    assertThat(executor(twilio).execute(forged).join()).extracting(SendResult::getVendorMessage)
        .containsExactly(CommandExecutor.CODE_DOES_NOT_OPEN);
    assertThat(twilio.sent).isEmpty();
  }

  @Test
  void aCommandWithoutRoutesIsReportedAsNoRoute() {
    List<SendResult> results = executor().execute(command(Channel.SMS)).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getLastTry, SendResult::getErrorCategory)
        .containsExactly(tuple("none", true, ErrorCategory.NO_ROUTE));
  }

  @Test
  void noResultNorMessageDescriptionCarriesTheCode() {
    FakeProvider twilio = FakeProvider.rejecting("twilio", ProviderResponse.rejected(ErrorCategory.THROTTLED, "1", "slow down"));
    FakeProvider vonage = FakeProvider.accepting("vonage", "v1");

    List<SendResult> results = executor(twilio, vonage).execute(command(Channel.SMS, "twilio", "vonage")).join();

    assertThat(results.toString().contains(CODE)).as("results hold no code").isFalse();
    assertThat(vonage.sent.get(0).toString().contains(CODE)).as("a message's description holds no code").isFalse();
  }

  @Test
  void aWhatsAppSendGoesToTheVendorsWhatsAppApiWithTheCodeAsTemplateVariable() {
    FakeProvider smsApi = FakeProvider.accepting("vonage", "sms-1");
    FakeProvider whatsappApi = new FakeProvider("vonage", Set.of(Channel.WHATSAPP),
        message -> CompletableFuture.completedFuture(ProviderResponse.accepted("wa-1", 5_000L)));
    CommandExecutor executor = executor(new ChannelRoutedClient("vonage", smsApi, whatsappApi));

    List<SendResult> whatsapp = executor.execute(command(Channel.WHATSAPP, "vonage")).join();

    assertThat(whatsapp).extracting(SendResult::getOutcome, SendResult::getChannel, SendResult::getProviderMessageId)
        .containsExactly(tuple(SendOutcome.ACCEPTED, Channel.WHATSAPP, "wa-1"));
    assertThat(smsApi.sent).isEmpty();
    assertThat(whatsappApi.sent).singleElement().satisfies(message -> {
      assertThat(message.channel()).isEqualTo(Channel.WHATSAPP);
      assertThat(message.code()).isEqualTo(CODE);
      assertThat(message.text()).contains(CODE);
    });

    List<SendResult> sms = executor.execute(command(Channel.SMS, "vonage")).join();

    assertThat(sms).extracting(SendResult::getProviderMessageId).containsExactly("sms-1");
    assertThat(whatsappApi.sent).hasSize(1);
    assertThat(smsApi.sent).singleElement().satisfies(message -> {
      assertThat(message.channel()).isEqualTo(Channel.SMS);
      assertThat(message.code()).as("only a template channel is handed the bare code").isNull();
    });
  }

  @Test
  void aWhatsAppSendSkipsAVendorWithoutWhatsAppAndTakesTheNextRoute() {
    FakeProvider smsOnly = FakeProvider.accepting("plivo", "p-1");
    FakeProvider twilio = new FakeProvider("twilio", Set.of(Channel.SMS, Channel.WHATSAPP),
        message -> CompletableFuture.completedFuture(ProviderResponse.accepted("SMwa", 5_000L)));

    List<SendResult> results = executor(smsOnly, twilio).execute(command(Channel.WHATSAPP, "plivo", "twilio")).join();

    assertThat(results).extracting(SendResult::getProvider, SendResult::getOutcome, SendResult::getErrorCategory)
        .containsExactly(tuple("plivo", SendOutcome.REJECTED, ErrorCategory.NO_ROUTE),
            tuple("twilio", SendOutcome.ACCEPTED, ErrorCategory.NONE));
    assertThat(smsOnly.sent).isEmpty();
    assertThat(twilio.sent).singleElement().extracting(OutboundMessage::code).isEqualTo(CODE);
  }
}
