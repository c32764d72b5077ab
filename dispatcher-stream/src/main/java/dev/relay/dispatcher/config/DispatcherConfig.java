package dev.relay.dispatcher.config;

import dev.relay.support.kafka.KafkaAccess;
import dev.relay.providers.ProviderKeys;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.http.VerificationQueries;
import dev.relay.support.facts.RouteFactKeys;
import dev.relay.support.polling.ReceiptPollKeys;
import dev.relay.support.routing.RoutingKeys;
import java.util.List;

/**
 * The settings the dispatcher reads: its Streams application, the verification limits and the routing
 * table (the sender that calls providers is its own service, {@code sender}). {@link #SCHEMA} adds the shared keys (broker, topics, secrets, HTTP port).
 */
public final class DispatcherConfig {

  public static final ConfigKey APPLICATION_ID = ConfigKey.optional(
      "relay.streams.application-id", "relay-dispatcher",
      "Kafka Streams application id: names the consumer group, the changelogs and the state directory");
  public static final ConfigKey STATE_DIR = ConfigKey.optional(
      "relay.streams.state-dir", "data/dispatcher-state",
      "Directory of the RocksDB stores (restored from the changelogs when lost)");
  public static final ConfigKey COMMIT_INTERVAL = ConfigKey.optional(
      "relay.streams.commit-interval", "20ms",
      "How often Streams commits; under exactly-once every output waits for it, and a human waits on replies");
  public static final ConfigKey PUNCTUATE_INTERVAL = ConfigKey.optional(
      "relay.streams.punctuate-interval", "200ms",
      "Not read any more: the deadline punctuator wakes for the next due deadline. Kept so existing configs load");

  public static final ConfigKey CODE_LENGTH = ConfigKey.optional(
      "relay.verification.code-length", "6", "Digits in a code, 4 to 10");
  public static final ConfigKey TTL = ConfigKey.optional(
      "relay.verification.ttl", "10m", "A verification expires this long after it was created");
  public static final ConfigKey DELIVERY_WINDOW = ConfigKey.optional(
      "relay.verification.delivery-window", "30s",
      "Without a delivered receipt or a right code this long after a send, the same code goes out through the next route");
  public static final ConfigKey OVERDUE_RECEIPT_FACTOR = ConfigKey.optional(
      "relay.verification.overdue-receipt-factor", "2",
      "A send whose route usually confirms delivery (at least relay.routing.min-samples delivered in its published"
          + " score) fails over once its receipt is this many times the route's p95 time to delivery late, not only"
          + " when the delivery window closes: a silently dropped message is seen while the person still waits."
          + " Costs a second message for the few sends whose receipt is merely slow; 0 turns it off");
  public static final ConfigKey OVERDUE_RECEIPT_FLOOR = ConfigKey.optional(
      "relay.verification.overdue-receipt-floor", "5s",
      "The earliest a send fails over for an overdue receipt, however fast its route's receipts usually come");
  public static final ConfigKey DELIVERY_WINDOW_BY_COUNTRY = ConfigKey.optional(
      "relay.verification.delivery-window-by-country", "",
      "Delivery windows that differ from the default, per ISO country: IN:60s,NG:45s");
  public static final ConfigKey MAX_WRONG_GUESSES = ConfigKey.optional(
      "relay.verification.max-wrong-guesses", "5", "Wrong checks before max_attempts_reached");
  public static final ConfigKey MAX_SENDS = ConfigKey.optional(
      "relay.verification.max-sends", "5", "Sends per verification: the first, failovers and repeated starts");
  public static final ConfigKey RETENTION = ConfigKey.optional(
      "relay.verification.retention", "24h",
      "How long a finished verification (its status and history, never its code) is kept to answer checks and repeated requests;"
      + " no shorter than the longest per-number limit window, since it carries the number's sends those limits count");

  public static final ConfigKey CHANNEL_ORDER = ConfigKey.optional(
      "relay.fallback.channel-order", "",
      "The channels a verification goes through per country, in order, each once the one before has no untried route"
          + " left (window passed, rejected): DE:sms,whatsapp,voice;*:sms (the * entry is required; channels sms,"
          + " whatsapp, voice). A verification started on a channel goes on with the channels after it; one started on a"
          + " channel its country's order does not list does not fall back. A published routing table's channelOrder"
          + " replaces it per country at run time. Empty: the order relay.fallback.voice-countries implies");
  public static final ConfigKey VOICE_FALLBACK_COUNTRIES = ConfigKey.optional(
      "relay.fallback.voice-countries", "",
      "Deprecated, use relay.fallback.channel-order (DE,FR here is DE:sms,voice;FR:sms,voice;*:sms there; not both)."
          + " ISO countries where an SMS verification whose SMS routes all failed goes on as a voice call (DE,FR; * for"
          + " every country); empty: never. A call costs more than a text and is a favourite of toll fraud, so it is"
          + " switched on country by country. A caller asking for voice is not a fallback and is not affected");

  public static final ConfigKey SMS_ROUTES = RoutingKeys.SMS_ROUTES;
  public static final ConfigKey VOICE_ROUTES = RoutingKeys.VOICE_ROUTES;
  public static final ConfigKey WHATSAPP_ROUTES = ConfigKey.optional(
      "relay.routing.whatsapp", "",
      "Ordered WhatsApp providers per country, same form (a provider needs its WhatsApp sender configured, e.g."
          + " relay.providers.twilio.whatsapp-from); empty: no WhatsApp. Fallback to WhatsApp also needs whatsapp in"
          + " relay.fallback.channel-order");
  public static final ConfigKey TABLE_FILE = ConfigKey.optional(
      "relay.routing.table-file", "",
      "JSON routing table with prices (see RoutingTableFile); published to routing-table at start-up when none is"
          + " published yet, and then replaces relay.routing.sms/voice/whatsapp; empty: those two keys alone");
  public static final ConfigKey PINS = ConfigKey.optional(
      "relay.routing.pins", "",
      "A route always tried first whatever the scores, per country and channel: DE/sms:vonage;*/voice:twilio");
  public static final ConfigKey FORBIDDEN = ConfigKey.optional(
      "relay.routing.forbidden", "",
      "Routes never used, per country and channel: DE/sms:twilio,sinch");
  public static final ConfigKey MIN_SAMPLES = RoutingKeys.MIN_SAMPLES;
  public static final ConfigKey SCORE_MARGIN = RoutingKeys.SCORE_MARGIN;
  public static final ConfigKey USE_SCORES = ConfigKey.optional(
      "relay.routing.use-scores", "true",
      "Whether provider scores (their order and scoring-stream's demotions) move routes; false routes by the table"
          + " and the pins alone, for an operator who distrusts the scores or a comparison without them");
  public static final ConfigKey EXPLORATION_CAP = RoutingKeys.EXPLORATION_CAP;
  public static final ConfigKey EXPLORATION_FLOOR = RoutingKeys.EXPLORATION_FLOOR;
  public static final ConfigKey EXPLORATION_SHARE = RoutingKeys.EXPLORATION_SHARE;

  public static final ConfigKey ADMIN_TOKEN = ConfigKey.optionalSecret(
      "relay.admin.token",
      "Bearer token for the dispatcher's admin endpoint PUT /admin/routing-table (publishes a new routing table);"
          + " empty: the endpoint is off");

  public static final ConfigKey QUERY_TOKEN = VerificationQueries.TOKEN;
  public static final ConfigKey QUERY_PORT = ConfigKey.optional(
      "relay.dispatcher.query-port", "8085",
      "Port of the internal endpoint verification-api reads verifications from (status reads, the admin lookup), on"
          + " relay.http.host like the management port; 0 picks a free one. Served only with relay.dispatcher.query-token;"
          + " keep it on the internal network");
  public static final ConfigKey QUERY_HOST = ConfigKey.optional(
      "relay.dispatcher.query-host", "",
      "The host name the API and the other dispatchers reach this instance's query port at (its Kafka Streams"
          + " application.server, which tells every instance who owns a number); empty: this machine's host name");
  public static final ConfigKey QUERY_FORWARD_TIMEOUT = ConfigKey.optional(
      "relay.dispatcher.query-forward-timeout", "1s",
      "Longest wait for the dispatcher that owns a number to answer a read forwarded to it; then 503 with Retry-After");

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8081);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();

  /** This service's own keys. */
  public static final List<ConfigKey> KEYS = List.of(
      APPLICATION_ID, STATE_DIR, COMMIT_INTERVAL, PUNCTUATE_INTERVAL,
      CODE_LENGTH, TTL, DELIVERY_WINDOW, DELIVERY_WINDOW_BY_COUNTRY, OVERDUE_RECEIPT_FACTOR, OVERDUE_RECEIPT_FLOOR,
      MAX_WRONG_GUESSES, MAX_SENDS, RETENTION,
      CHANNEL_ORDER, VOICE_FALLBACK_COUNTRIES, SMS_ROUTES, VOICE_ROUTES, WHATSAPP_ROUTES,
      TABLE_FILE, PINS, FORBIDDEN, MIN_SAMPLES, SCORE_MARGIN, USE_SCORES, EXPLORATION_SHARE, EXPLORATION_CAP, EXPLORATION_FLOOR,
      ADMIN_TOKEN,
      QUERY_TOKEN, QUERY_PORT, QUERY_HOST, QUERY_FORWARD_TIMEOUT,
      HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT);

  /** Everything the dispatcher reads: its keys, the topics, the broker, the secrets and the vendors. */
  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      KEYS,
      LimitSettings.KEYS,
      PumpingSettings.KEYS,
      CommonKeys.topicKeys(),
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE,
          CommonKeys.CODE_HMAC_KEYS, CommonKeys.CODE_ENCRYPTION_KEYS, CommonKeys.GUESS_ENCRYPTION_KEYS, CommonKeys.ID_KEYS),
      ProviderKeys.ALL,
      ReceiptPollKeys.ALL, RouteFactKeys.ALL).withPrefix(KafkaAccess.CLIENT_KEYS);

  private DispatcherConfig() {}
}
