package dev.relay.local.acl;

import dev.relay.api.config.ApiConfig;
import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.dlr.DlrIngestService;
import dev.relay.dlr.config.DlrConfig;
import dev.relay.schemas.topics.Topics;
import dev.relay.scoring.ScoringService;
import dev.relay.scoring.config.ScoringConfig;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.ProvisionTopicsMain;
import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.polling.ReceiptPollKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Relay principal and the ACLs it gets, each taken from the service's own declaration
 * ({@code kafkaAcls}, which the service also checks at start-up) with the service's own defaults
 * for its application id and groups, so the command and the services cannot drift apart. Plus a
 * read-only analytics principal, for dashboards and the examples.
 */
public final class RelayAcls {

  public static final String API = "verification-api";
  public static final String DISPATCHER = "dispatcher";
  public static final String SENDER = "sender";
  public static final String DLR_INGEST = "dlr-ingest";
  public static final String SCORING = "scoring-stream";
  public static final String TOPICS = "relay-topics";
  public static final String ANALYTICS = "analytics";

  public static final ConfigKey DISPATCHER_APPLICATION_ID = sameDefault("relay.acls.dispatcher.application-id",
      DispatcherConfig.APPLICATION_ID);
  public static final ConfigKey SENDER_GROUP = sameDefault("relay.acls.sender.group-id", SenderConfig.GROUP_ID);
  public static final ConfigKey SENDER_TRANSACTIONAL_ID_PREFIX = ConfigKey.optional(
      "relay.acls.sender.transactional-id-prefix", SenderConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX,
      "Transactional ids the sender may use start with this; the default covers the sender's default ids"
          + " (" + SenderConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX + "-<host name>), a custom "
          + SenderConfig.TRANSACTIONAL_ID.name() + " must start with it");
  public static final ConfigKey SCORING_APPLICATION_ID = sameDefault("relay.acls.scoring.application-id",
      ScoringConfig.APPLICATION_ID);
  public static final ConfigKey DLR_APPLICATION_ID = sameDefault("relay.acls.dlr-ingest.application-id",
      DlrConfig.APPLICATION_ID);
  public static final ConfigKey DLR_POLLING = sameDefault("relay.acls.dlr-ingest.poll-enabled", ReceiptPollKeys.ENABLED);
  public static final ConfigKey ANALYTICS_GROUP_PREFIX = ConfigKey.optional("relay.acls.analytics.group-prefix",
      "relay-analytics", "Consumer groups the analytics principal may use start with this");

  public static final List<ConfigKey> KEYS = List.of(DISPATCHER_APPLICATION_ID, SENDER_GROUP, SENDER_TRANSACTIONAL_ID_PREFIX,
      SCORING_APPLICATION_ID, DLR_APPLICATION_ID, DLR_POLLING, ANALYTICS_GROUP_PREFIX);

  private RelayAcls() {}

  /** Each service's ACLs by its name, for the given topics and the settings above. */
  public static Map<String, ServiceAcls> all(Topics topics, RelayConfig config) {
    Map<String, ServiceAcls> acls = new LinkedHashMap<>();
    acls.put(TOPICS, ProvisionTopicsMain.kafkaAcls(topics));
    acls.put(API, ApiConfig.kafkaAcls(topics));
    acls.put(DISPATCHER, DispatcherService.kafkaAcls(topics, config.get(DISPATCHER_APPLICATION_ID)));
    acls.put(SENDER, SenderService.kafkaAcls(topics, config.get(SENDER_GROUP), config.get(SENDER_TRANSACTIONAL_ID_PREFIX)));
    acls.put(DLR_INGEST, DlrIngestService.kafkaAcls(topics, config.getBoolean(DLR_POLLING), config.get(DLR_APPLICATION_ID)));
    acls.put(SCORING, ScoringService.kafkaAcls(topics, config.get(SCORING_APPLICATION_ID)));
    acls.put(ANALYTICS, analytics(topics, config.get(ANALYTICS_GROUP_PREFIX)));
    return acls;
  }

  /** Reads what scoring publishes, nothing else: no phone number, no request, no write anywhere. */
  public static ServiceAcls analytics(Topics topics, String groupPrefix) {
    return ServiceAcls.builder(ANALYTICS)
        .read(topics.providerScores, topics.providerScoreHistory, topics.providerAlerts)
        .groupsPrefixed(groupPrefix)
        .build();
  }

  private static ConfigKey sameDefault(String name, ConfigKey serviceKey) {
    return ConfigKey.optional(name, serviceKey.defaultValue(),
        "the service's " + serviceKey.name() + " (set both alike): " + serviceKey.description());
  }
}
