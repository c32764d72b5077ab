package dev.relay.dispatcher.topology;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dispatcher.config.DispatcherSettings;
import dev.relay.dispatcher.config.LimitSettings;
import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.dispatcher.routing.OverdueReceipts;
import dev.relay.dispatcher.routing.RoutePins;
import dev.relay.dispatcher.routing.RoutingPolicy;
import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.dispatcher.routing.ScoredRouting;
import dev.relay.schemas.Channel;
import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.DeliveryStatus;
import dev.relay.schemas.DeliveryStatuses;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.RequestAction;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.ServiceSettings;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.state.VerificationState;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.Keyring;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The dispatcher topology in a {@link TopologyTestDriver} with its real settings (the config's
 * defaults), fresh keys, a fixed routing table and a wall clock the test moves. Helpers build the
 * inputs the other services would send; the tests read the three outputs.
 */
final class DispatcherTestBed implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  static final String NUMBER = "+4915112345678";
  /** The API key every request and check of the bed comes with, so each sees the verifications it started. */
  static final String API_KEY = "test";
  static final String SMS_ROUTES = "DE:twilio,vonage;*:vonage";
  static final String VOICE_ROUTES = "*:twilio";
  /** Exploration draws from a generator seeded with this, so a test sees the same draws every run. */
  static final long SEED = 7;

  final Topics topics = Topics.defaults();
  final RelayConfig config;
  final DispatcherSettings settings;
  final VerificationSecrets secrets;
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  final TopologyTestDriver driver;

  final TestInputTopic<String, VerificationRequest> requests;
  final TestInputTopic<String, CodeCheckRequest> checks;
  final TestInputTopic<String, SendResult> results;
  final TestInputTopic<String, DeliveryReceipt> receipts;
  final TestInputTopic<byte[], byte[]> rawRequests;
  final TestOutputTopic<String, SendCommand> commands;
  /** The replies as the API reads them: from the reply topic, or carried by their events. */
  final AnswersAsRead.Read<VerificationReply> replies;
  final AnswersAsRead.Read<VerificationEvent> events;
  final AnswersAsRead answers;
  final TestOutputTopic<String, DeliveryOutcome> outcomes;
  final TestOutputTopic<String, RouteFact> facts;
  final TestOutputTopic<String, SendResult> polls;

  private Instant now = T0;
  private int sequence;

  DispatcherTestBed(Path stateDir) {
    this(stateDir, Map.of());
  }

  /** @param overrides settings on top of the defaults, as an operator would write them */
  DispatcherTestBed(Path stateDir, Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>(Map.of(
        CommonKeys.CODE_HMAC_KEYS.name(), Keyring.generateSetting("h1"),
        CommonKeys.CODE_ENCRYPTION_KEYS.name(), Keyring.generateSetting("e1"),
        CommonKeys.GUESS_ENCRYPTION_KEYS.name(), Keyring.generateSetting("g1"),
        CommonKeys.ID_KEYS.name(), Keyring.generateSetting("i1"),
        DispatcherConfig.STATE_DIR.name(), stateDir.toString(),
        DispatcherConfig.SMS_ROUTES.name(), SMS_ROUTES,
        DispatcherConfig.VOICE_ROUTES.name(), VOICE_ROUTES));
    values.putAll(overrides);
    config = RelayConfig.of(DispatcherConfig.SCHEMA, values);
    settings = DispatcherSettings.from(config);
    secrets = VerificationSecrets.fromConfig(config, settings.codeLength());
    // As ScoredRouting.fromConfig builds it, with seeded randomness.
    ScoredRouting routing = new ScoredRouting(RoutingTable.fromConfig(config), RoutePins.fromConfig(config),
        RoutingPolicy.fromConfig(config), OverdueReceipts.fromConfig(config), () -> new SplittableRandom(SEED));
    driver = new TopologyTestDriver(
        DispatcherTopology.build(topics, settings, LimitSettings.from(config), PumpingSettings.from(config),
            config.getBoolean(DispatcherConfig.USE_SCORES) ? routing : routing.ignoringScores(), secrets, metrics),
        DispatcherTopology.streamsProperties(KafkaAccess.plaintext("unused:9092"), settings, topics),
        T0);
    requests = input(topics.verificationRequests.name(), topics.verificationRequests.valueSerde().serializer());
    checks = input(topics.codeChecks.name(), topics.codeChecks.valueSerde().serializer());
    results = input(topics.sendResults.name(), topics.sendResults.valueSerde().serializer());
    receipts = input(topics.deliveryReceipts.name(), topics.deliveryReceipts.valueSerde().serializer());
    rawRequests = driver.createInputTopic(topics.verificationRequests.name(), new ByteArraySerializer(),
        new ByteArraySerializer());
    commands = driver.createOutputTopic(topics.sendCommands.name(), topics.sendCommands.keySerde().deserializer(),
        topics.sendCommands.valueSerde().deserializer());
    answers = new AnswersAsRead(
        driver.createOutputTopic(topics.verificationReplies.name(), topics.verificationReplies.keySerde().deserializer(),
            topics.verificationReplies.valueSerde().deserializer()),
        driver.createOutputTopic(topics.verificationEvents.name(), topics.verificationEvents.keySerde().deserializer(),
            topics.verificationEvents.valueSerde().deserializer()));
    replies = answers.replyView;
    events = answers.eventView;
    outcomes = driver.createOutputTopic(topics.deliveryOutcomes.name(),
        topics.deliveryOutcomes.keySerde().deserializer(), topics.deliveryOutcomes.valueSerde().deserializer());
    facts = driver.createOutputTopic(topics.routeFacts.name(),
        topics.routeFacts.keySerde().deserializer(), topics.routeFacts.valueSerde().deserializer());
    polls = driver.createOutputTopic(topics.receiptPolls.name(), topics.receiptPolls.keySerde().deserializer(),
        topics.receiptPolls.valueSerde().deserializer());
  }

  private <V> TestInputTopic<String, V> input(String topic, org.apache.kafka.common.serialization.Serializer<V> values) {
    return driver.createInputTopic(topic, new StringSerializer(), values);
  }

  Instant now() {
    return now;
  }

  void advance(Duration duration) {
    now = now.plus(duration);
    driver.advanceWallClockTime(duration);
  }

  // ---------------------------------------------------------------- inputs

  /** A start as the API sends it: it proposes a freshly minted id and waits on a reply. */
  VerificationRequest start(String requestId) {
    return start(requestId, Channel.SMS, "reply-" + requestId, secrets.ids().mint(NUMBER));
  }

  VerificationRequest start(String requestId, Channel channel, String replyTo, String proposedId) {
    VerificationRequest request = VerificationRequest.newBuilder()
        .setRequestId(requestId)
        .setVerificationId(proposedId)
        .setTo(NUMBER)
        .setCountry("DE")
        .setChannel(channel)
        .setReplyTo(replyTo)
        .setReplyInEvent(true)
        .setRequestedAt(now)
        .setApiKeyName(API_KEY)
        .build();
    requests.pipeInput(NUMBER, request, now);
    return request;
  }

  /** A request for any number, from a client address and API key (either may be null), as the API sends it. */
  VerificationRequest request(RequestAction action, String requestId, String number, String clientIp, String apiKey) {
    return pipe(requestOf(action, requestId, number, clientIp, apiKey).build());
  }

  private VerificationRequest.Builder requestOf(RequestAction action, String requestId, String number, String clientIp,
      String apiKey) {
    return VerificationRequest.newBuilder()
        .setRequestId(requestId)
        .setVerificationId(action == RequestAction.START ? secrets.ids().mint(number) : null)
        .setTo(number)
        .setCountry("DE")
        .setChannel(Channel.SMS)
        .setReplyTo("reply-" + requestId)
        .setReplyInEvent(true)
        .setRequestedAt(now)
        .setAction(action)
        .setClientIp(clientIp)
        .setApiKeyName(apiKey);
  }

  private VerificationRequest pipe(VerificationRequest request) {
    requests.pipeInput(request.getTo(), request, now);
    return request;
  }

  /** A resend, cancel or status request for a verification id, as the API sends it. */
  VerificationRequest act(RequestAction action, String requestId, String verificationId, Channel channel) {
    VerificationRequest request = VerificationRequest.newBuilder()
        .setRequestId(requestId)
        .setVerificationId(verificationId)
        .setTo(NUMBER)
        .setCountry("DE")
        .setChannel(channel)
        .setReplyTo("reply-" + requestId)
        .setReplyInEvent(true)
        .setRequestedAt(now)
        .setAction(action)
        .setClientIp("203.0.113.7")
        .setApiKeyName(API_KEY)
        .build();
    requests.pipeInput(NUMBER, request, now);
    return request;
  }

  /** A request as another API key (tenant) would send it, naming a verification id or none. */
  VerificationRequest actAs(String apiKey, RequestAction action, String requestId, String verificationId) {
    return actAs(apiKey, null, action, requestId, verificationId);
  }

  /** A start as the API sends it for a key of a service, with the service's settings (either may be null). */
  VerificationRequest startAs(String apiKey, String serviceId, ServiceSettings service, String requestId) {
    return pipe(requestOf(RequestAction.START, requestId, NUMBER, "203.0.113.8", apiKey)
        .setServiceId(serviceId)
        .setServiceSettings(service)
        .setReplyTo("reply-" + apiKey + "-" + requestId)
        .build());
  }

  /** A request as an API key of a service (null for a key without one) would send it. */
  VerificationRequest actAs(String apiKey, String serviceId, RequestAction action, String requestId, String verificationId) {
    VerificationRequest.Builder request = requestOf(action, requestId, NUMBER, "203.0.113.8", apiKey)
        .setServiceId(serviceId)
        .setReplyTo("reply-" + apiKey + "-" + requestId);
    if (verificationId != null) {
      request.setVerificationId(verificationId);
    }
    return pipe(request.build());
  }

  /** A guess as an API key would send it, naming a verification id or (null) only the number. */
  void checkAs(String apiKey, String checkId, String verificationId, String guess) {
    checkAs(apiKey, null, checkId, verificationId, guess);
  }

  /** A guess as an API key of a service (null for a key without one) would send it. */
  void checkAs(String apiKey, String serviceId, String checkId, String verificationId, String guess) {
    checks.pipeInput(NUMBER, CodeCheckRequest.newBuilder()
        .setServiceId(serviceId)
        .setCheckId(checkId)
        .setVerificationId(verificationId)
        .setTo(NUMBER)
        .setCode(secrets.guessSealer().seal(guess, verificationId, NUMBER))
        .setRequestedAt(now)
        .setApiKeyName(apiKey)
        .setReplyInEvent(true)
        .build(), now);
  }

  /** A guess for a verification id, sealed by the API for that id. */
  void check(String checkId, String verificationId, String guess) {
    checkAs(API_KEY, checkId, verificationId, guess);
  }

  /** A guess that names only the number, sealed for the number. */
  void checkByNumber(String checkId, String guess) {
    checkAs(API_KEY, checkId, null, guess);
  }

  void accepted(SendCommand command, int tryIndex, String messageId) {
    results.pipeInput(command.getTo(), result(command, tryIndex, true, SendOutcome.ACCEPTED, ErrorCategory.NONE, messageId), now);
  }

  void rejected(SendCommand command, int tryIndex, boolean lastTry, ErrorCategory category) {
    results.pipeInput(command.getTo(), result(command, tryIndex, lastTry, SendOutcome.REJECTED, category, null), now);
  }

  SendResult result(SendCommand command, int tryIndex, boolean lastTry, SendOutcome outcome, ErrorCategory category,
      String messageId) {
    return SendResult.newBuilder()
        .setVerificationId(command.getVerificationId())
        .setAttempt(command.getAttempt())
        .setIdempotencyKey(command.getIdempotencyKey())
        .setTryIndex(tryIndex)
        .setLastTry(lastTry)
        .setProvider(command.getRoutes().get(tryIndex).getProvider())
        .setChannel(command.getChannel())
        .setTo(command.getTo())
        .setCountry(command.getCountry())
        .setOutcome(outcome)
        .setErrorCategory(category)
        .setProviderMessageId(messageId)
        .setStartedAt(now)
        .setCompletedAt(now)
        .build();
  }

  /** A normalized receipt; {@code idempotencyKey} is null for vendors that do not echo it. */
  void receipt(String provider, String messageId, DeliveryStatus status, String idempotencyKey) {
    receipts.pipeInput(NUMBER, DeliveryReceipt.newBuilder()
        .setReceiptId("r" + (++sequence))
        .setProvider(provider)
        .setProviderMessageId(messageId)
        .setIdempotencyKey(idempotencyKey)
        .setTo(NUMBER)
        .setCountry("DE")
        .setStatus(status)
        .setFinalStatus(DeliveryStatuses.isFinal(status))
        .setVendorStatus(status.name().toLowerCase(java.util.Locale.ROOT))
        .setOccurredAt(now)
        .setReceivedAt(now)
        .build(), now);
  }

  // ---------------------------------------------------------------- outputs and state

  SendCommand onlyCommand() {
    SendCommand command = commands.readValue();
    org.assertj.core.api.Assertions.assertThat(commands.isEmpty()).as("exactly one send command").isTrue();
    return command;
  }

  VerificationEvent onlyEvent() {
    VerificationEvent event = events.readValue();
    org.assertj.core.api.Assertions.assertThat(events.isEmpty()).as("exactly one event").isTrue();
    return event;
  }

  /** Reads and drops the events written so far (receipts' state changes a test does not examine). */
  void drainEvents() {
    events.readValuesToList();
  }

  VerificationReply onlyReply() {
    VerificationReply reply = replies.readValue();
    org.assertj.core.api.Assertions.assertThat(replies.isEmpty()).as("exactly one reply").isTrue();
    return reply;
  }

  boolean nothingOut() {
    return commands.isEmpty() && replies.isEmpty() && events.isEmpty();
  }

  VerificationState state() {
    return state(NUMBER);
  }

  VerificationState state(String number) {
    KeyValueStore<String, VerificationState> store = driver.getKeyValueStore(DispatcherNames.VERIFICATIONS_STORE);
    return store.get(number);
  }

  /** The plaintext code inside a command; tests compare codes, never print them. */
  String codeOf(SendCommand command) {
    return secrets.codeSealer().open(command.getCode(), command.getVerificationId(), command.getTo()).orElseThrow();
  }

  /** A guess that is surely wrong: the code with its first digit moved by 1 + variant (mod 10). */
  String wrongGuess(SendCommand command, int variant) {
    char[] code = codeOf(command).toCharArray();
    code[0] = (char) ('0' + (code[0] - '0' + 1 + variant % 9) % 10);
    return new String(code);
  }

  double counter(String name, String... tags) {
    io.micrometer.core.instrument.Counter counter = metrics.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() {
    driver.close();
  }
}
