package dev.relay.sender.config;

import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.kafka.KafkaAccess;
import java.util.List;

/**
 * The settings the sender reads: its consumer group and transactional identity, how much it sends at
 * once, how long it waits for a provider, and what its messages say besides the code. {@link #SCHEMA} adds the shared keys (broker, topics,
 * the code keys it opens sealed codes with, HTTP port) and the vendors' credentials.
 */
public final class SenderConfig {

  /** The default transactional id is this, a dash and the host name; the ACL grant covers the prefix. */
  public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "relay-sender";

  public static final ConfigKey GROUP_ID = ConfigKey.optional(
      "relay.sender.group-id", "relay-sender", "Consumer group of the senders reading send commands");
  public static final ConfigKey TRANSACTIONAL_ID = ConfigKey.optional(
      "relay.sender.transactional-id", "",
      "Transactional id of this sender, unique per instance and stable across its restarts; empty: "
          + DEFAULT_TRANSACTIONAL_ID_PREFIX + "-<host name>");
  public static final ConfigKey MAX_BATCH = ConfigKey.optional(
      "relay.sender.max-batch", "100", "Send commands read at most per poll");
  // Provider APIs answer in 100-400 ms: 1,000 calls at once carry 2,500 to 10,000 sends a second.
  public static final ConfigKey MAX_IN_FLIGHT = ConfigKey.optional(
      "relay.sender.max-in-flight", "1000",
      "Send commands whose provider calls may run at once; above it the sender stops reading until calls come back");
  public static final ConfigKey TRY_TIMEOUT = ConfigKey.optional(
      "relay.sender.try-timeout", "15s",
      "Longest wait for one provider try; the adapters time out first, this only guards against one that never answers");

  public static final ConfigKey FRIENDLY_NAME = ConfigKey.optional(
      "relay.messages.friendly-name", "Relay",
      "The app's name in every message (\"Your Acme code is ...\"), at most 30 characters");
  public static final ConfigKey WEB_OTP_DOMAIN = ConfigKey.optional(
      "relay.messages.web-otp-domain", "",
      "Host of the site that reads the code; set, every SMS ends with the Web OTP line \"@host #code\"; empty: no such line");
  public static final ConfigKey ANDROID_APP_HASH = ConfigKey.optional(
      "relay.messages.android-app-hash", "",
      "The Android app's 11-character SMS Retriever hash; set, every SMS carries it on a line of its own; empty: no hash");

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8084);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();

  /** This service's own keys. */
  public static final List<ConfigKey> KEYS = List.of(GROUP_ID, TRANSACTIONAL_ID, MAX_BATCH, MAX_IN_FLIGHT, TRY_TIMEOUT,
      FRIENDLY_NAME, WEB_OTP_DOMAIN, ANDROID_APP_HASH, HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT);

  /**
   * Everything the sender reads: its keys, the topics, the broker, the code keys and the vendors. Only
   * the encryption keys of codes: the sender opens what the dispatcher sealed and needs no hash key.
   */
  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      KEYS,
      CommonKeys.topicKeys(),
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, CommonKeys.CODE_ENCRYPTION_KEYS),
      ProviderKeys.ALL).withPrefix(KafkaAccess.CLIENT_KEYS);

  private SenderConfig() {}
}
