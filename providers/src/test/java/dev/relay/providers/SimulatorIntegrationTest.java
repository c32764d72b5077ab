package dev.relay.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.relay.providers.http.VendorHttp;
import dev.relay.providers.plivo.PlivoClient;
import dev.relay.providers.plivo.PlivoReceipts;
import dev.relay.providers.plivo.PlivoSignature;
import dev.relay.providers.receipt.ReplayGuard;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.providers.twilio.TwilioClient;
import dev.relay.providers.twilio.TwilioReceipts;
import dev.relay.providers.vonage.VonageApplicationJwt;
import dev.relay.providers.vonage.VonageClient;
import dev.relay.providers.vonage.VonageKeys;
import dev.relay.providers.vonage.VonageMessagesClient;
import dev.relay.providers.vonage.VonageMessagesReceipts;
import dev.relay.providers.vonage.VonageReceipts;
import dev.relay.providers.vonage.VonageSignature;
import dev.relay.schemas.Channel;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.ErrorCategory;
import dev.relay.sim.SimService;
import dev.relay.sim.config.SimConfig;
import dev.relay.sim.handset.HandsetMessage;
import dev.relay.support.config.RelayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each adapter against a running provider simulator: sends go over the vendor's wire protocol, the
 * simulator's signed receipts come back to a stand-in for dlr-ingest and are verified and read by the
 * same {@link ReceiptReader}s dlr-ingest uses, and the simulator's faults come out as the right
 * {@link ErrorCategory}.
 */
class SimulatorIntegrationTest {

  private static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
  private static final String AUTH_TOKEN = "twilio-sim-token";
  private static final String API_KEY = "vonage-key";
  private static final String API_SECRET = "vonage-secret";
  // 32 bytes at least: the Messages API's webhooks are HS256 JWTs under it (RFC 7518 3.2).
  private static final String SIGNATURE_SECRET = "vonage-signature-secret-of-at-least-32-bytes";
  private static final String APPLICATION_ID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab";
  private static final String WHATSAPP_TEMPLATE = "HX0123456789abcdef0123456789abcdef";
  private static final String PLIVO_AUTH_ID = "MAZDQ1ZJIYMDZKMMZKYM";
  private static final String PLIVO_AUTH_TOKEN = "plivo-sim-token";
  private static final AtomicInteger NEXT_NUMBER = new AtomicInteger(1);

  private static SimService sim;
  private static CallbackSink sink;
  private static final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final ReceiptReader twilioReceipts = new TwilioReceipts(AUTH_TOKEN);
  private final Supplier<ReceiptReader> vonageReceipts = () -> new VonageReceipts(
      new VonageSignature(SIGNATURE_SECRET, VonageSignature.Method.parse("md5hash"), Clock.systemUTC()), freshMemory());
  /** A reader that remembers nothing yet: each takes a callback once, as dlr-ingest does. */
  private final Supplier<ReceiptReader> plivoReceipts = () -> plivoReader(PLIVO_AUTH_TOKEN);

  /**
   * Waits up to 10 s, looking every 10 ms: receipts come 50 ms after a send, and Awaitility's first look
   * after 100 ms by default was most of each test's time.
   */
  private static ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
  }

  private static ReplayGuard freshMemory() {
    return new ReplayGuard(Duration.ofHours(1), 1000, Clock.systemUTC());
  }

  private static ReceiptReader plivoReader(String token) {
    return new PlivoReceipts(new PlivoSignature(token), freshMemory());
  }

  @BeforeAll
  static void startSimulator() throws IOException {
    sink = new CallbackSink();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(SimConfig.ENABLED.name(), "true");
    settings.put(SimConfig.HTTP_PORT.name(), "0");
    settings.put(SimConfig.HTTP_HOST.name(), "127.0.0.1");
    // Receipts go only where each send says: the adapters name the sink as their callback.
    settings.put(SimConfig.DLR_URL.name(), "");
    settings.put(SimConfig.TWILIO_ACCOUNT_SID.name(), ACCOUNT_SID);
    settings.put(SimConfig.TWILIO_AUTH_TOKEN.name(), AUTH_TOKEN);
    settings.put(SimConfig.VONAGE_API_KEY.name(), API_KEY);
    settings.put(SimConfig.VONAGE_API_SECRET.name(), API_SECRET);
    settings.put(SimConfig.VONAGE_SIGNATURE_SECRET.name(), SIGNATURE_SECRET);
    settings.put(SimConfig.VONAGE_APPLICATION_ID.name(), APPLICATION_ID);
    settings.put(SimConfig.VONAGE_APPLICATION_PUBLIC_KEY.name(), VonageKeys.publicPem());
    settings.put(SimConfig.PLIVO_AUTH_ID.name(), PLIVO_AUTH_ID);
    settings.put(SimConfig.PLIVO_AUTH_TOKEN.name(), PLIVO_AUTH_TOKEN);
    settings.put(SimConfig.RECEIPT_DELAY.name(), "PT0.05S");
    settings.put(SimConfig.CALLBACK_ATTEMPTS.name(), "1");
    sim = new SimService(SimConfig.from(RelayConfig.of(SimConfig.SCHEMA, settings)), Clock.systemUTC());
    sim.start();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
    sink.close();
  }

  @AfterEach
  void healthyAgain() {
    sim.routes().resetAll();
    sim.whatsAppUsers().clearAll();
  }

  private final Supplier<ReceiptReader> vonageMessagesReceipts = () -> new VonageMessagesReceipts(SIGNATURE_SECRET, API_KEY,
      Clock.systemUTC(), freshMemory());

  private static TwilioClient twilioWhatsApp() {
    return new TwilioClient(new TwilioClient.Settings(simUrl(), ACCOUNT_SID, AUTH_TOKEN, "+14155552345", "", "",
        "+14155238886", WHATSAPP_TEMPLATE, sink.baseUrl()), TestHttp.http("twilio"));
  }

  private static VonageMessagesClient vonageWhatsApp(String privateKeyPem) {
    return new VonageMessagesClient(new VonageMessagesClient.Settings(simUrl(), "+447700900001", "relay_code", "en",
        sink.baseUrl()), new VonageApplicationJwt(APPLICATION_ID, privateKeyPem, Clock.systemUTC()), TestHttp.http("vonage"));
  }

  private static OutboundMessage whatsApp(String to, String ref) {
    return new OutboundMessage(to, "DE", Channel.WHATSAPP, "Your Relay code is 482913", "482913", ref);
  }

  @Test
  void twilioWhatsAppTemplateReachesTheHandsetAndItsSignedStatusesEndInReadCountedAsDelivered() throws Exception {
    String to = germanNumber();

    ProviderResponse response = answer(twilioWhatsApp().send(whatsApp(to, "VEwa-1")));

    assertThat(response.accepted()).as(String.valueOf(response)).isTrue();
    List<Receipt> receipts = verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", response.providerMessageId(), 3);
    assertThat(receipts).extracting(Receipt::vendorStatus).containsExactly("sent", "delivered", "read");
    assertThat(receipts).extracting(Receipt::status)
        .containsExactly(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);
    assertThat(receipts).allSatisfy(receipt -> {
      assertThat(receipt.to()).isEqualTo(to);
      assertThat(receipt.idempotencyKey()).isEqualTo("VEwa-1");
    });
    assertThat(sim.handsets().messages(to)).singleElement().satisfies(message -> {
      assertThat(message.channel()).isEqualTo("whatsapp");
      assertThat(message.code()).isEqualTo("482913");
    });
  }

  @Test
  void twilioWhatsAppToAUserWithoutWhatsAppIsAcceptedThenFailsWith63003() throws Exception {
    String to = germanNumber();
    put("/sim/handsets/" + to + "/whatsapp", "{\"onWhatsApp\": false}");

    ProviderResponse response = answer(twilioWhatsApp().send(whatsApp(to, "VEwa-2")));

    assertThat(response.accepted()).isTrue();
    Receipt failed = verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", response.providerMessageId(), 1).get(0);
    assertThat(failed.status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(failed.vendorErrorCode()).isEqualTo("63003");
    assertThat(sim.handsets().messages(to)).isEmpty();
  }

  @Test
  void vonageWhatsAppTemplateReachesTheHandsetAndItsJwtSignedStatusesEndInReadCountedAsDelivered() throws Exception {
    String to = germanNumber();

    ProviderResponse response = answer(vonageWhatsApp(VonageKeys.privatePem()).send(whatsApp(to, "VEwa-3")));

    assertThat(response.accepted()).as(String.valueOf(response)).isTrue();
    List<Receipt> receipts = verifiedReceipts(vonageMessagesReceipts, "/dlr/vonage-messages", response.providerMessageId(), 3);
    assertThat(receipts).extracting(Receipt::vendorStatus).containsExactly("submitted", "delivered", "read");
    assertThat(receipts).extracting(Receipt::status)
        .containsExactly(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);
    assertThat(receipts).allSatisfy(receipt -> {
      assertThat(receipt.provider()).isEqualTo("vonage");
      assertThat(receipt.to()).isEqualTo(to);
      assertThat(receipt.idempotencyKey()).isEqualTo("VEwa-3");
    });
    assertThat(sim.handsets().messages(to)).singleElement().satisfies(message -> {
      assertThat(message.channel()).isEqualTo("whatsapp");
      assertThat(message.code()).isEqualTo("482913");
    });
  }

  @Test
  void vonageWhatsAppToAUserWithoutWhatsAppIsAcceptedThenRejectedWith1300() throws Exception {
    String to = germanNumber();
    sim.whatsAppUsers().set(to, false);

    ProviderResponse response = answer(vonageWhatsApp(VonageKeys.privatePem()).send(whatsApp(to, "VEwa-4")));

    assertThat(response.accepted()).isTrue();
    Receipt rejected = verifiedReceipts(vonageMessagesReceipts, "/dlr/vonage-messages", response.providerMessageId(), 1).get(0);
    assertThat(rejected.status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(rejected.vendorErrorCode()).isEqualTo("1300");
    assertThat(sim.handsets().messages(to)).isEmpty();
  }

  @Test
  void aVonageWhatsAppStatusChangedInTransitOrUnsignedIsRefused() throws Exception {
    ProviderResponse response = answer(vonageWhatsApp(VonageKeys.privatePem()).send(whatsApp(germanNumber(), "VEwa-5")));
    verifiedReceipts(vonageMessagesReceipts, "/dlr/vonage-messages", response.providerMessageId(), 3);
    CallbackRequest genuine = sink.at("/dlr/vonage-messages").stream()
        .filter(request -> request.body().contains(response.providerMessageId())).findFirst().orElseThrow();

    CallbackRequest tampered = new CallbackRequest(genuine.method(), genuine.publicUrl(), genuine.headers(),
        genuine.contentType(), genuine.body().replace("\"submitted\"", "\"read\""));
    CallbackRequest unsigned = new CallbackRequest(genuine.method(), genuine.publicUrl(), Map.of(), genuine.contentType(),
        genuine.body());

    assertThat(vonageMessagesReceipts.get().verify(genuine)).isTrue();
    assertThat(vonageMessagesReceipts.get().verify(tampered)).isFalse();
    assertThat(vonageMessagesReceipts.get().verify(unsigned)).isFalse();
  }

  @Test
  void vonageRefusesATokenSignedWithAnotherApplicationsKey() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String otherKey = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";

    ProviderResponse response = answer(vonageWhatsApp(otherKey).send(whatsApp(germanNumber(), "VEwa-6")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
    assertThat(response.vendorCode()).isEqualTo("401");
  }

  @ParameterizedTest
  @CsvSource({"twilio,63018,THROTTLED", "vonage,1000,THROTTLED", "vonage,1430,NO_ROUTE"})
  void whatsAppRouteRejectionsComeOutInTheVendorsCodes(String provider, int code, ErrorCategory category) throws Exception {
    put("/sim/providers/" + provider + "/countries/DE?channel=whatsapp", "{\"acceptRate\": 0.0, \"errorCode\": " + code + "}");
    ProviderClient client = provider.equals("twilio") ? twilioWhatsApp() : vonageWhatsApp(VonageKeys.privatePem());

    ProviderResponse response = answer(client.send(whatsApp(germanNumber(), "VEwa-7")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.vendorCode()).isEqualTo(Integer.toString(code));
    assertThat(response.category()).isEqualTo(category);
  }

  private static String simUrl() {
    return "http://127.0.0.1:" + sim.port();
  }

  private static TwilioClient twilio(VendorHttp http) {
    return new TwilioClient(new TwilioClient.Settings(simUrl(), ACCOUNT_SID, AUTH_TOKEN, "+14155552345", "",
        "+14155550100", sink.baseUrl()), http);
  }

  private static VonageClient vonage(VendorHttp http) {
    return new VonageClient(new VonageClient.Settings(simUrl(), API_KEY, API_SECRET, "Relay", sink.baseUrl()), http);
  }

  private static PlivoClient plivo(VendorHttp http) {
    return plivo(http, PLIVO_AUTH_TOKEN);
  }

  private static PlivoClient plivo(VendorHttp http, String authToken) {
    return new PlivoClient(new PlivoClient.Settings(simUrl(), PLIVO_AUTH_ID, authToken, "14155550100", sink.baseUrl()),
        http);
  }

  private static String germanNumber() {
    return "+49151" + String.format("%08d", NEXT_NUMBER.getAndIncrement());
  }

  private static OutboundMessage sms(String to, String ref) {
    return new OutboundMessage(to, "DE", Channel.SMS, "Your Relay code is 482913", ref);
  }

  private static ProviderResponse answer(CompletableFuture<ProviderResponse> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  /** The receipts the sink got for one message, each checked for its signature first. */
  private static List<Receipt> verifiedReceipts(Supplier<ReceiptReader> readers, String path, String messageId, int atLeast) {
    return soon().until(() -> {
      List<Receipt> receipts = new java.util.ArrayList<>();
      ReceiptReader reader = readers.get();
      for (CallbackRequest request : sink.at(path)) {
        assertThat(reader.verify(request)).as("signature of %s", request.publicUrl()).isTrue();
        reader.read(request).stream().filter(receipt -> messageId.equals(receipt.providerMessageId())).forEach(receipts::add);
      }
      return receipts;
    }, receipts -> receipts.size() >= atLeast);
  }

  private static void put(String path, String json) throws Exception {
    HttpResponse<String> response = admin.send(HttpRequest.newBuilder(URI.create(simUrl() + path))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void twilioSmsReachesTheHandsetAndItsSignedReceiptsReadAsSentThenDelivered() throws Exception {
    String to = germanNumber();

    ProviderResponse response = answer(twilio(TestHttp.http("twilio")).send(sms(to, "VEsms-1")));

    assertThat(response.accepted()).isTrue();
    assertThat(response.providerMessageId()).startsWith("sm").isEqualTo(response.providerMessageId().toLowerCase());
    List<Receipt> receipts = verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", response.providerMessageId(), 2);
    assertThat(receipts).extracting(Receipt::status).containsExactly(DeliveryStatus.SENT, DeliveryStatus.DELIVERED);
    assertThat(receipts).allSatisfy(receipt -> {
      assertThat(receipt.provider()).isEqualTo("twilio");
      assertThat(receipt.idempotencyKey()).isEqualTo("VEsms-1");
      assertThat(receipt.to()).isEqualTo(to);
    });
    List<HandsetMessage> inbox = sim.handsets().messages(to);
    assertThat(inbox).singleElement().satisfies(message -> {
      assertThat(message.provider()).isEqualTo("twilio");
      assertThat(message.code()).isEqualTo("482913");
    });
  }

  @Test
  void aTamperedTwilioReceiptFailsItsSignature() throws Exception {
    ProviderResponse response = answer(twilio(TestHttp.http("twilio")).send(sms(germanNumber(), "VEtamper-1")));
    verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", response.providerMessageId(), 2);
    CallbackRequest genuine = sink.at("/dlr/twilio").stream()
        .filter(request -> request.body().contains(TwilioClientSid.of(response))).findFirst().orElseThrow();

    CallbackRequest tampered = new CallbackRequest(genuine.method(), genuine.publicUrl(), genuine.headers(),
        genuine.contentType(), genuine.body().replace("MessageStatus=sent", "MessageStatus=delivered")
            .replace("MessageStatus=delivered", "MessageStatus=failed"));
    CallbackRequest otherRef = new CallbackRequest(genuine.method(), genuine.publicUrl().replace("VEtamper-1", "VEother-1"),
        genuine.headers(), genuine.contentType(), genuine.body());

    assertThat(twilioReceipts.verify(genuine)).isTrue();
    assertThat(twilioReceipts.verify(tampered)).isFalse();
    assertThat(twilioReceipts.verify(otherRef)).isFalse();
  }

  @Test
  void twilioVoiceCallReadsTheCodeAndEndsInADeliveredReceipt() throws Exception {
    String to = germanNumber();
    OutboundMessage call = new OutboundMessage(to, "DE", Channel.VOICE, "Your Relay code is 4, 8, 2, 9, 1, 3.", "VEcall-1");

    ProviderResponse response = answer(twilio(TestHttp.http("twilio")).send(call));

    assertThat(response.accepted()).isTrue();
    assertThat(response.providerMessageId()).startsWith("ca");
    List<Receipt> receipts = soon().until(
        () -> verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", response.providerMessageId(), 1),
        list -> list.stream().anyMatch(Receipt::finalStatus));
    assertThat(receipts).allSatisfy(receipt -> assertThat(receipt.idempotencyKey()).isEqualTo("VEcall-1"));
    assertThat(receipts.stream().filter(Receipt::finalStatus)).extracting(Receipt::status)
        .containsExactly(DeliveryStatus.DELIVERED);
    assertThat(sim.handsets().messages(to)).singleElement().satisfies(message -> {
      assertThat(message.channel()).isEqualTo("voice");
      assertThat(message.code()).isEqualTo("482913");
    });
    // The status lookup polling uses agrees with the callback.
    Optional<Receipt> status = twilio(TestHttp.http("twilio")).checkStatus(response.providerMessageId()).get(10, TimeUnit.SECONDS);
    assertThat(status).get().extracting(Receipt::status).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"twilio", "vonage", "plivo"})
  void aLocalisedSmsWithBothAutofillLinesStillHandsTheCodeToTheHandset(String provider) throws Exception {
    String to = germanNumber();
    OutboundMessage sms = new OutboundMessage(to, "DE", Channel.SMS,
        "Ihr Code für Acme lautet 482913\n\nAb12345cdEf\n@example.com #482913", null, "VEauto-" + provider,
        Locale.forLanguageTag("de-DE"));
    ProviderClient client = switch (provider) {
      case "twilio" -> twilio(TestHttp.http(provider));
      case "vonage" -> vonage(TestHttp.http(provider));
      default -> plivo(TestHttp.http(provider));
    };

    assertThat(answer(client.send(sms)).accepted()).isTrue();

    assertThat(soon().until(() -> sim.handsets().messages(to), inbox -> !inbox.isEmpty()))
        .singleElement().satisfies(message -> assertThat(message.code()).isEqualTo("482913"));
  }

  @Test
  void aGermanCallIsSpokenInGermanAndStillReadsTheCode() throws Exception {
    String to = germanNumber();
    OutboundMessage call = new OutboundMessage(to, "DE", Channel.VOICE,
        "Ihr Code für Acme lautet 4, 8, 2, 9, 1, 3. Noch einmal, Ihr Code lautet 4, 8, 2, 9, 1, 3.", null, "VEcall-de",
        Locale.forLanguageTag("de-AT"));

    assertThat(answer(twilio(TestHttp.http("twilio")).send(call)).accepted()).isTrue();

    assertThat(soon().until(() -> sim.handsets().messages(to), inbox -> !inbox.isEmpty()))
        .singleElement().satisfies(message -> {
          assertThat(message.channel()).isEqualTo("voice");
          assertThat(message.code()).isEqualTo("482913");
        });
  }

  @Test
  void vonageSmsReachesTheHandsetAndItsSignedReceiptEchoesTheClientRef() throws Exception {
    String to = germanNumber();

    ProviderResponse response = answer(vonage(TestHttp.http("vonage")).send(sms(to, "VEvonage-1")));

    assertThat(response.accepted()).isTrue();
    assertThat(response.priceMicros()).isPositive();
    List<Receipt> receipts = verifiedReceipts(vonageReceipts, "/dlr/vonage", response.providerMessageId(), 1);
    assertThat(receipts).singleElement().satisfies(receipt -> {
      assertThat(receipt.provider()).isEqualTo("vonage");
      assertThat(receipt.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(receipt.idempotencyKey()).isEqualTo("VEvonage-1");
      assertThat(receipt.to()).isEqualTo(to);
    });
    assertThat(sim.handsets().messages(to)).singleElement()
        .satisfies(message -> assertThat(message.provider()).isEqualTo("vonage"));
  }

  @Test
  void plivoSmsReachesTheHandsetAndItsSignedReceiptCarriesTheRefFromTheUrl() throws Exception {
    String to = germanNumber();
    PlivoClient client = plivo(TestHttp.http("plivo"));

    ProviderResponse response = answer(client.send(sms(to, "VEplivo-1")));

    assertThat(response.accepted()).as(response.toString()).isTrue();
    assertThat(response.providerMessageId()).matches("[0-9a-f-]{36}");
    List<Receipt> receipts = verifiedReceipts(plivoReceipts, "/dlr/plivo", response.providerMessageId(), 1);
    assertThat(receipts).singleElement().satisfies(receipt -> {
      assertThat(receipt.provider()).isEqualTo("plivo");
      assertThat(receipt.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(receipt.vendorStatus()).isEqualTo("delivered");
      assertThat(receipt.vendorErrorCode()).isNull();
      assertThat(receipt.idempotencyKey()).isEqualTo("VEplivo-1");
      assertThat(receipt.to()).isEqualTo(to);
    });
    assertThat(sim.handsets().messages(to)).singleElement().satisfies(message -> {
      assertThat(message.provider()).isEqualTo("plivo");
      assertThat(message.code()).isEqualTo("482913");
      assertThat(message.messageId()).isEqualTo(response.providerMessageId());
    });
    // The status lookup polling uses agrees with the callback.
    Optional<Receipt> status = client.checkStatus(response.providerMessageId()).get(10, TimeUnit.SECONDS);
    assertThat(status).get().satisfies(receipt -> {
      assertThat(receipt.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(receipt.providerMessageId()).isEqualTo(response.providerMessageId());
      assertThat(receipt.to()).isEqualTo(to);
      assertThat(receipt.vendorErrorCode()).isNull();
    });
    // An id Plivo does not know is no status, not an error.
    assertThat(client.checkStatus("00000000-0000-0000-0000-000000000000").get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void aPlivoReceiptWithAnotherNonceUrlOrTokenFailsItsSignature() throws Exception {
    ProviderResponse response = answer(plivo(TestHttp.http("plivo")).send(sms(germanNumber(), "VEptamper-1")));
    verifiedReceipts(plivoReceipts, "/dlr/plivo", response.providerMessageId(), 1);
    CallbackRequest genuine = sink.at("/dlr/plivo").stream()
        .filter(request -> request.body().contains(response.providerMessageId())).findFirst().orElseThrow();

    Map<String, String> otherNonce = new LinkedHashMap<>(genuine.headers());
    otherNonce.put(PlivoSignature.NONCE_HEADER.toLowerCase(java.util.Locale.ROOT), "12345678901234567890");
    CallbackRequest replayedNonce = new CallbackRequest(genuine.method(), genuine.publicUrl(), otherNonce,
        genuine.contentType(), genuine.body());
    CallbackRequest otherPath = new CallbackRequest(genuine.method(), genuine.publicUrl().replace("/dlr/plivo", "/dlr/plivo2"),
        genuine.headers(), genuine.contentType(), genuine.body());

    CallbackRequest otherStatus = new CallbackRequest(genuine.method(), genuine.publicUrl(), genuine.headers(),
        genuine.contentType(), genuine.body().replace("Status=delivered", "Status=failed"));

    ReceiptReader reader = plivoReceipts.get();
    assertThat(reader.verify(replayedNonce)).isFalse();
    assertThat(reader.verify(otherPath)).isFalse();
    assertThat(reader.verify(otherStatus)).as("V3 covers the parameters").isFalse();
    assertThat(plivoReader("another-token").verify(genuine)).isFalse();
    assertThat(reader.verify(genuine)).as("the simulator signs with V3").isTrue();
    assertThat(reader.verify(genuine)).as("its nonce is taken once").isFalse();
  }

  @ParameterizedTest(name = "plivo delivery error {0} -> {1}")
  @CsvSource({"90, FAILED, failed", "80, UNDELIVERED, undelivered", "50, UNDELIVERED, undelivered"})
  void plivoFailedDeliveriesComeBackWithTheErrorCode(int errorCode, DeliveryStatus status, String state)
      throws Exception {
    put("/sim/providers/plivo/countries/DE", "{\"deliveryRate\": 0.0, \"deliveryErrorCode\": " + errorCode + "}");
    String to = germanNumber();
    PlivoClient client = plivo(TestHttp.http("plivo"));

    ProviderResponse response = answer(client.send(sms(to, "VEpfail-1")));

    assertThat(verifiedReceipts(plivoReceipts, "/dlr/plivo", response.providerMessageId(), 1))
        .singleElement().satisfies(receipt -> {
          assertThat(receipt.status()).isEqualTo(status);
          assertThat(receipt.vendorStatus()).isEqualTo(state);
          assertThat(receipt.vendorErrorCode()).isEqualTo(Integer.toString(errorCode));
        });
    assertThat(client.checkStatus(response.providerMessageId()).get(5, TimeUnit.SECONDS)).get()
        .extracting(Receipt::status).isEqualTo(status);
    assertThat(sim.handsets().messages(to)).isEmpty();
  }

  @Test
  void plivoStatusLookupStillSeesTheDeliveryWhenItsReceiptsAreLost() throws Exception {
    put("/sim/providers/plivo/countries/DE", "{\"receiptLossRate\": 1.0}");
    PlivoClient client = plivo(TestHttp.http("plivo"));

    ProviderResponse response = answer(client.send(sms(germanNumber(), "VEplost-1")));

    Optional<Receipt> status = soon().until(
        () -> client.checkStatus(response.providerMessageId()).get(5, TimeUnit.SECONDS),
        found -> found.isPresent() && found.get().finalStatus());
    assertThat(status.get().status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(sink.at("/dlr/plivo")).noneMatch(request -> request.body().contains(response.providerMessageId()));
  }

  @Test
  void plivoWithAWrongAuthTokenIsAConfigurationError() throws Exception {
    ProviderResponse response = answer(plivo(TestHttp.http("plivo"), "wrong-token").send(sms(germanNumber(), "VEpauth-1")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
    assertThat(response.vendorCode()).isEqualTo("401");
    assertThat(response.permanentForNumber()).isFalse();
  }

  @Test
  void failedDeliveriesComeBackAsFinalFailureReceiptsWithTheVendorCode() throws Exception {
    put("/sim/providers/twilio/countries/DE", "{\"deliveryRate\": 0.0, \"deliveryErrorCode\": 30003}");
    put("/sim/providers/vonage/countries/DE", "{\"deliveryRate\": 0.0, \"deliveryErrorCode\": 6}");
    String to = germanNumber();

    ProviderResponse viaTwilio = answer(twilio(TestHttp.http("twilio")).send(sms(to, "VEfail-1")));
    ProviderResponse viaVonage = answer(vonage(TestHttp.http("vonage")).send(sms(to, "VEfail-2")));

    assertThat(verifiedReceipts(() -> twilioReceipts, "/dlr/twilio", viaTwilio.providerMessageId(), 2))
        .last().satisfies(receipt -> {
          assertThat(receipt.status()).isEqualTo(DeliveryStatus.UNDELIVERED);
          assertThat(receipt.vendorErrorCode()).isEqualTo("30003");
        });
    assertThat(verifiedReceipts(vonageReceipts, "/dlr/vonage", viaVonage.providerMessageId(), 1))
        .singleElement().satisfies(receipt -> {
          assertThat(receipt.status()).isEqualTo(DeliveryStatus.REJECTED);
          assertThat(receipt.vendorErrorCode()).isEqualTo("6");
        });
    assertThat(sim.handsets().messages(to)).isEmpty();
  }

  @Test
  void twilioStatusLookupStillSeesTheDeliveryWhenItsReceiptsAreLost() throws Exception {
    put("/sim/providers/twilio/countries/DE", "{\"receiptLossRate\": 1.0}");
    String to = germanNumber();
    TwilioClient client = twilio(TestHttp.http("twilio"));

    ProviderResponse response = answer(client.send(sms(to, "VElost-1")));

    Optional<Receipt> status = soon().until(
        () -> client.checkStatus(response.providerMessageId()).get(5, TimeUnit.SECONDS),
        found -> found.isPresent() && found.get().finalStatus());
    assertThat(status.get().status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(status.get().providerMessageId()).isEqualTo(response.providerMessageId());
    assertThat(status.get().to()).isEqualTo(to);
    assertThat(sink.at("/dlr/twilio")).noneMatch(request -> request.body().contains(TwilioClientSid.of(response)));
    // An id the vendor does not know is no status, not an error.
    assertThat(client.checkStatus("SM00000000000000000000000000000000").get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @ParameterizedTest(name = "twilio {0} -> {1}")
  @CsvSource({
      "21211, INVALID_NUMBER",
      "21614, UNREACHABLE_NUMBER",
      "21610, OPTED_OUT",
      "20429, THROTTLED",
      "63018, THROTTLED",
      "21408, NO_ROUTE",
      "21612, NO_ROUTE",
      "20500, PROVIDER_ERROR"})
  void twilioRejectionsMapToTheirCategory(int code, ErrorCategory category) throws Exception {
    put("/sim/providers/twilio/countries/DE", "{\"acceptRate\": 0.0, \"errorCode\": " + code + "}");

    ProviderResponse response = answer(twilio(TestHttp.http("twilio")).send(sms(germanNumber(), "VEreject-1")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(category);
    assertThat(response.vendorCode()).isEqualTo(Integer.toString(code));
  }

  @ParameterizedTest(name = "twilio voice {0} -> {1}")
  @CsvSource({"21217, INVALID_NUMBER", "21215, NO_ROUTE", "20429, THROTTLED"})
  void twilioVoiceRejectionsMapToTheirCategory(int code, ErrorCategory category) throws Exception {
    put("/sim/providers/twilio/countries/DE?channel=voice", "{\"acceptRate\": 0.0, \"errorCode\": " + code + "}");
    OutboundMessage call = new OutboundMessage(germanNumber(), "DE", Channel.VOICE, "Your code is 1, 2, 3.", "VEcallx-1");

    ProviderResponse response = answer(twilio(TestHttp.http("twilio")).send(call));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(category);
  }

  @ParameterizedTest(name = "vonage {0} -> {1}")
  @CsvSource({
      "1, THROTTLED",
      "5, PROVIDER_ERROR",
      "6, NO_ROUTE",
      "7, UNREACHABLE_NUMBER",
      "29, NO_ROUTE",
      "33, UNREACHABLE_NUMBER"})
  void vonageRejectionsMapToTheirCategory(int status, ErrorCategory category) throws Exception {
    put("/sim/providers/vonage/countries/DE", "{\"acceptRate\": 0.0, \"errorCode\": " + status + "}");

    ProviderResponse response = answer(vonage(TestHttp.http("vonage")).send(sms(germanNumber(), "VEvreject-1")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(category);
    assertThat(response.vendorCode()).isEqualTo(Integer.toString(status));
  }

  @ParameterizedTest(name = "plivo HTTP {0} -> {1}")
  @CsvSource({
      "400, INVALID_NUMBER",
      "401, AUTH_CONFIG",
      "402, AUTH_CONFIG",
      "403, AUTH_CONFIG",
      "429, THROTTLED",
      "500, PROVIDER_ERROR",
      "503, PROVIDER_ERROR"})
  void plivoRejectionsMapToTheirCategory(int status, ErrorCategory category) throws Exception {
    put("/sim/providers/plivo/countries/DE", "{\"acceptRate\": 0.0, \"errorCode\": " + status + "}");

    ProviderResponse response = answer(plivo(TestHttp.http("plivo")).send(sms(germanNumber(), "VEpreject-1")));

    assertThat(response.accepted()).isFalse();
    assertThat(response.category()).isEqualTo(category);
    assertThat(response.vendorCode()).isEqualTo(Integer.toString(status));
  }

  @Test
  void anOutageIsARetryableProviderErrorForEveryVendor() throws Exception {
    put("/sim/providers/twilio/outage", "{\"down\": true}");
    put("/sim/providers/vonage/outage", "{\"down\": true}");
    put("/sim/providers/plivo/outage", "{\"down\": true}");

    ProviderResponse twilioDown = answer(twilio(TestHttp.http("twilio")).send(sms(germanNumber(), "VEdown-1")));
    ProviderResponse vonageDown = answer(vonage(TestHttp.http("vonage")).send(sms(germanNumber(), "VEdown-2")));
    ProviderResponse plivoDown = answer(plivo(TestHttp.http("plivo")).send(sms(germanNumber(), "VEdown-3")));

    for (ProviderResponse response : List.of(twilioDown, vonageDown, plivoDown)) {
      assertThat(response.accepted()).isFalse();
      assertThat(response.category()).isEqualTo(ErrorCategory.PROVIDER_ERROR);
      assertThat(response.permanentForNumber()).isFalse();
    }
    assertThat(twilio(TestHttp.http("twilio")).checkStatus("SM0123456789abcdef0123456789abcdef").get(5, TimeUnit.SECONDS))
        .isEmpty();
    assertThat(plivoDown.vendorCode()).isEqualTo("503");
    assertThat(plivo(TestHttp.http("plivo")).checkStatus("00000000-0000-0000-0000-000000000000").get(5, TimeUnit.SECONDS))
        .isEmpty();
  }

  @Test
  void anAnswerSlowerThanTheReadTimeoutIsATimeout() throws Exception {
    // TestHttp.impatient reads for 300 ms; the simulator answers after 2 s.
    put("/sim/providers/twilio/countries/DE", "{\"latency\": \"PT2S\"}");
    put("/sim/providers/vonage/countries/DE", "{\"latency\": \"PT2S\"}");
    put("/sim/providers/plivo/countries/DE", "{\"latency\": \"PT2S\"}");

    // All three at once: each waits out its own read timeout.
    CompletableFuture<ProviderResponse> twilio = twilio(TestHttp.impatient("twilio")).send(sms(germanNumber(), "VEslow-1"));
    CompletableFuture<ProviderResponse> vonage = vonage(TestHttp.impatient("vonage")).send(sms(germanNumber(), "VEslow-2"));
    CompletableFuture<ProviderResponse> plivo = plivo(TestHttp.impatient("plivo")).send(sms(germanNumber(), "VEslow-3"));
    ProviderResponse twilioSlow = answer(twilio);
    ProviderResponse vonageSlow = answer(vonage);
    ProviderResponse plivoSlow = answer(plivo);

    assertThat(twilioSlow.category()).isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(vonageSlow.category()).isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(plivoSlow.category()).isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(twilioSlow.permanentForNumber()).isFalse();
  }

  /** Twilio sids travel lower-cased through Relay but keep their case in callbacks. */
  private static final class TwilioClientSid {
    static String of(ProviderResponse response) {
      String id = response.providerMessageId();
      return id.substring(0, 2).toUpperCase(java.util.Locale.ROOT) + id.substring(2);
    }
  }

  /** Stands in for dlr-ingest: records every callback as a {@link CallbackRequest} and answers 204. */
  private static final class CallbackSink implements AutoCloseable {

    private final HttpServer server;
    private final List<CallbackRequest> received = new CopyOnWriteArrayList<>();

    CallbackSink() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
        URI uri = exchange.getRequestURI();
        String publicUrl = baseUrl() + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        received.add(new CallbackRequest(exchange.getRequestMethod(), publicUrl, headers,
            exchange.getRequestHeaders().getFirst("Content-Type"), new String(body, StandardCharsets.UTF_8)));
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<CallbackRequest> at(String path) {
      return received.stream().filter(request -> request.publicUrlWithoutQuery().equals(baseUrl() + path)).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
