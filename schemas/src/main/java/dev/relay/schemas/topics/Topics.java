package dev.relay.schemas.topics;

import dev.relay.schemas.CodeCheckRequest;
import dev.relay.schemas.DeadLetter;
import dev.relay.schemas.DeliveryOutcome;
import dev.relay.schemas.DeliveryReceipt;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.RequestBlock;
import dev.relay.schemas.ProviderAlert;
import dev.relay.schemas.ProviderScore;
import dev.relay.schemas.RouteFact;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendResult;
import dev.relay.schemas.VerificationEvent;
import dev.relay.schemas.VerificationReply;
import dev.relay.schemas.VerificationRequest;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.serde.AvroSerde;
import dev.relay.schemas.topics.Topic.Cleanup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one place where Relay's topics are declared. Names, partitions, replication and retention
 * come from config ({@link #settings()} lists the keys and defaults); keys and value types are fixed
 * here. Every topic keyed by a phone number shares one partition count, so the dispatcher's inputs
 * stay co-partitioned.
 */
public final class Topics {

  public static final String PREFIX = "relay.topics.prefix";
  public static final String PARTITIONS = "relay.topics.partitions";
  public static final String REPLICATION_FACTOR = "relay.topics.replication-factor";

  private static final Duration WEEK = Duration.ofDays(7);
  private static final Duration REPLY_RETENTION = Duration.ofHours(1);

  /** Starts, keyed by E.164 number. */
  public final Topic<String, VerificationRequest> verificationRequests;
  /** Code checks, keyed by E.164 number. */
  public final Topic<String, CodeCheckRequest> codeChecks;
  /** What the sender must deliver, keyed by E.164 number. */
  public final Topic<String, SendCommand> sendCommands;
  /** One record per provider try, keyed by E.164 number. */
  public final Topic<String, SendResult> sendResults;
  /** Normalized delivery receipts, keyed by E.164 number. */
  public final Topic<String, DeliveryReceipt> deliveryReceipts;
  /**
   * What became of each accepted send's delivery, keyed by route ({@code provider|COUNTRY|CHANNEL}): the
   * dispatcher matches sends to receipts and writes each outcome once; scoring counts it as it is, with
   * {@link #routeFacts}.
   */
  public final Topic<String, DeliveryOutcome> deliveryOutcomes;
  /**
   * Every other fact a route is scored on, keyed by route like {@link #deliveryOutcomes} and with its
   * partition count (scoring reads both in one task per route): the tries, failovers, completions and
   * excused sends the dispatcher tells from the attempts it holds.
   */
  public final Topic<String, RouteFact> routeFacts;
  /** Answers to requests someone waits on, keyed by correlation id. */
  public final Topic<String, VerificationReply> verificationReplies;
  /** Lifecycle transitions, keyed by E.164 number. */
  public final Topic<String, VerificationEvent> verificationEvents;
  /** Latest score per provider|country|channel (compacted). */
  public final Topic<String, ProviderScore> providerScores;
  /** Every published window of every route, for analytics: key {@code provider|COUNTRY|CHANNEL|windowEnd}. */
  public final Topic<String, ProviderScore> providerScoreHistory;
  /** Sharp drops and recoveries of a route's rates, key {@code provider|COUNTRY|CHANNEL}. */
  public final Topic<String, ProviderAlert> providerAlerts;
  /** The operator's routing table (compacted): every version under {@link #ROUTING_TABLE_KEY}, the latest kept. */
  public final Topic<String, RoutingTableVersion> routingTable;
  /** The one key of {@code routing-table}: one table for the whole installation. */
  public static final String ROUTING_TABLE_KEY = "routing-table";
  /** Records that could not be processed, keyed like their source. */
  public final Topic<byte[], DeadLetter> deadLetters;
  /**
   * Accepted sends whose receipt is overdue, to be polled through the vendor's status lookup; keyed by
   * E.164 number. The value is the send result: it names the provider, message id and idempotency key.
   */
  public final Topic<String, SendResult> receiptPolls;
  /**
   * Anti-pumping blocks and their releases (compacted), keyed by destination prefix (E.164 digits
   * without '+'); the latest record per prefix is its state.
   */
  public final Topic<String, PrefixBlock> blockedPrefixes;
  /**
   * Full request limits (compacted), keyed by the limited client IP, network or API key: written by the
   * dispatcher's request counter, read by every dispatcher instance as a global store.
   */
  public final Topic<String, RequestBlock> requestBlocks;
  /**
   * The services (tenants) and their settings (compacted), keyed by service id: written by
   * verification-api's admin endpoints, read back by every API instance.
   */
  public final Topic<String, VerificationService> services;

  private final List<Topic<?, ?>> all;
  /** What every topic name starts with: one prefixed ACL covers them all (docs/deploy.md). */
  private final String prefix;

  static {
    // Generated classes are used (copied, built) before any serde exists; trust them up front.
    dev.relay.schemas.serde.AvroSerde.trustContracts();
  }

  private Topics(Function<String, Optional<String>> config) {
    String prefix = config.apply(PREFIX).orElse("relay.");
    this.prefix = prefix;
    int partitions = Integer.parseInt(config.apply(PARTITIONS).orElse("6"));
    short replication = Short.parseShort(config.apply(REPLICATION_FACTOR).orElse("1"));
    Factory topic = new Factory(config, prefix, partitions, replication);

    verificationRequests = topic.keyedByString("verification-requests", VerificationRequest.class, Cleanup.DELETE, WEEK);
    codeChecks = topic.keyedByString("code-checks", CodeCheckRequest.class, Cleanup.DELETE, WEEK);
    sendCommands = topic.keyedByString("send-commands", SendCommand.class, Cleanup.DELETE, WEEK);
    sendResults = topic.keyedByString("send-results", SendResult.class, Cleanup.DELETE, WEEK);
    deliveryReceipts = topic.keyedByString("delivery-receipts", DeliveryReceipt.class, Cleanup.DELETE, WEEK);
    deliveryOutcomes = topic.keyedByString("delivery-outcomes", DeliveryOutcome.class, Cleanup.DELETE, WEEK);
    routeFacts = topic.keyedByString("route-facts", RouteFact.class, Cleanup.DELETE, WEEK);
    verificationReplies = topic.keyedByString("verification-replies", VerificationReply.class, Cleanup.DELETE, REPLY_RETENTION);
    verificationEvents = topic.keyedByString("verification-events", VerificationEvent.class, Cleanup.DELETE, WEEK);
    providerScores = topic.keyedByString("provider-scores", ProviderScore.class, Cleanup.COMPACT, null);
    providerScoreHistory = topic.keyedByString("provider-score-history", ProviderScore.class, Cleanup.DELETE, Duration.ofDays(30));
    providerAlerts = topic.keyedByString("provider-alerts", ProviderAlert.class, Cleanup.DELETE, Duration.ofDays(30));
    routingTable = topic.keyedByString("routing-table", RoutingTableVersion.class, Cleanup.COMPACT, null);
    deadLetters = topic.of("dead-letters", Serdes.ByteArray(), AvroSerde.of(DeadLetter.class), Cleanup.DELETE, Duration.ofDays(30));
    receiptPolls = topic.keyedByString("receipt-polls", SendResult.class, Cleanup.DELETE, Duration.ofDays(1));
    blockedPrefixes = topic.keyedByString("blocked-prefixes", PrefixBlock.class, Cleanup.COMPACT, null);
    requestBlocks = topic.keyedByString("request-blocks", RequestBlock.class, Cleanup.COMPACT, null);
    services = topic.keyedByString("services", VerificationService.class, Cleanup.COMPACT, null);
    all = List.of(verificationRequests, codeChecks, sendCommands, sendResults, deliveryReceipts, deliveryOutcomes, routeFacts,
        verificationReplies, verificationEvents, providerScores, providerScoreHistory, providerAlerts, deadLetters,
        receiptPolls, routingTable, blockedPrefixes, requestBlocks, services);
  }

  /** Topics as the given config names them; absent keys take their defaults. */
  public static Topics fromConfig(Function<String, Optional<String>> config) {
    return new Topics(config);
  }

  /** Topics with every default. */
  public static Topics defaults() {
    return new Topics(key -> Optional.empty());
  }

  public List<Topic<?, ?>> all() {
    return all;
  }

  /** What every topic name starts with ({@value #PREFIX}). */
  public String prefix() {
    return prefix;
  }

  /** Every config key the topics read, with its default ("" where the default is to keep forever). */
  public static Map<String, String> settings() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put(PREFIX, "relay.");
    keys.put(PARTITIONS, "6");
    keys.put(REPLICATION_FACTOR, "1");
    for (Topic<?, ?> topic : defaults().all()) {
      keys.put(nameKey(topic.id()), topic.id());
      keys.put(retentionKey(topic.id()), topic.retention() == null ? "" : topic.retention().toString());
    }
    return keys;
  }

  static String nameKey(String id) {
    return "relay.topics." + id + ".name";
  }

  static String retentionKey(String id) {
    return "relay.topics." + id + ".retention";
  }

  private record Factory(Function<String, Optional<String>> config, String prefix, int partitions, short replication) {

    <V extends SpecificRecord> Topic<String, V> keyedByString(String id, Class<V> type, Cleanup cleanup, Duration retention) {
      return of(id, Serdes.String(), AvroSerde.of(type), cleanup, retention);
    }

    <K, V> Topic<K, V> of(String id, Serde<K> keySerde, Serde<V> valueSerde, Cleanup cleanup, Duration defaultRetention) {
      String name = prefix + config.apply(nameKey(id)).orElse(id);
      Duration retention = config.apply(retentionKey(id))
          .filter(value -> !value.isBlank())
          .map(Durations::parse)
          .orElse(defaultRetention);
      return new Topic<>(id, name, keySerde, valueSerde, partitions, replication, cleanup, retention);
    }
  }
}
