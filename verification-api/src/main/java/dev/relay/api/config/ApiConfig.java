package dev.relay.api.config;

import dev.relay.support.kafka.acl.ServiceAcls;
import dev.relay.support.kafka.KafkaAccess;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.relay.api.http.ApiKeys;
import dev.relay.api.http.ClientAddresses;
import dev.relay.schemas.topics.Topics;
import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import dev.relay.support.kafka.KafkaSettings;
import dev.relay.support.limits.Rates;
import dev.relay.support.routing.CountryChannels;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.Secrets;
import dev.relay.support.secrets.VerificationIds;
import dev.relay.support.http.VerificationQueries;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of verification-api: which keys it reads ({@link #SCHEMA}) and their checked, typed
 * values. Constructing it validates everything once, so a bad setting stops the service at start-up
 * with a message that names the key.
 */
public final class ApiConfig {

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8080);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();
  public static final ConfigKey REPLY_TIMEOUT = ConfigKey.optional("relay.api.reply-timeout", "5s",
      "how long a request waits for the dispatcher's reply after Kafka acknowledged it; then 504");
  public static final ConfigKey PRODUCE_TIMEOUT = ConfigKey.optional("relay.api.produce-timeout",
      KafkaSettings.HTTP_PRODUCE_TIMEOUT.toSeconds() + "s",
      "how long a request waits for Kafka to acknowledge it; then 503 with Retry-After");
  public static final ConfigKey STARTUP_TIMEOUT = ConfigKey.optional("relay.api.startup-timeout", "30s",
      "how long start-up waits for the broker (topics, reply topic positions)");
  public static final ConfigKey CODE_LENGTH = ConfigKey.optional("relay.api.code-length", "4-10",
      "digits a code may have, as N or MIN-MAX within 4-10; other guesses are refused with 400 before they reach Kafka");
  public static final ConfigKey ENABLED_COUNTRIES = ConfigKey.optional("relay.api.enabled-countries", "*",
      "ISO 3166 regions verifications may be started for (geo permissions), comma separated; * enables all");
  public static final ConfigKey REQUIRE_MOBILE = ConfigKey.optional("relay.api.require-mobile", "true",
      "refuse SMS verifications to numbers libphonenumber does not know as mobile (landlines still get voice)");
  public static final ConfigKey CHANNELS = ConfigKey.optional("relay.api.channels", "*:sms,voice",
      "channels a caller may ask for per country (sms, whatsapp, voice): DE:sms,whatsapp,voice;*:sms,voice (the * entry"
          + " is required); another channel is refused with 400 channel_not_allowed. WhatsApp also needs WhatsApp routes"
          + " (the dispatcher's relay.routing.whatsapp)");
  public static final ConfigKey API_KEYS = ConfigKey.optional("relay.api.keys", "",
      "API keys callers must send as 'Authorization: Bearer KEY', stored hashed: name:sha256-hex[:service-id][,...]; a key with"
          + " a service id (POST /v1/admin/services) belongs to that service, one without works under the deployment's own"
          + " settings; the API does not start without one unless relay.api.allow-unauthenticated is true");
  public static final ConfigKey SERVICES_REFRESH = ConfigKey.optional("relay.api.services-refresh", "10s",
      "how old the services (tenants) a start applies may be: once an instance's copy is older, the next start reads the"
          + " services topic again in the background (answered from the copy meanwhile), so a change made through another"
          + " instance applies here within this time plus one read");
  public static final ConfigKey ALLOW_UNAUTHENTICATED = ConfigKey.optional("relay.api.allow-unauthenticated", "false",
      "development only: true lets the API start without relay.api.keys and answer every caller (loudly warned at start)");
  public static final ConfigKey CHECKS_PER_IP = ConfigKey.optional("relay.api.checks-per-ip", "10/1m,60/1h",
      "code checks per client IP (COUNT/DURATION[,...]; empty switches the limit off), counted by each API instance; over it, 429 with Retry-After");
  public static final ConfigKey CHECKS_PER_API_KEY = ConfigKey.optional("relay.api.checks-per-api-key", "1200/1m,20000/1h",
      "code checks per API key (COUNT/DURATION[,...]; empty switches the limit off), counted by each API instance; over it, 429 with Retry-After");
  public static final ConfigKey IDEMPOTENCY_WINDOW = ConfigKey.optional("relay.api.idempotency-window", "24h",
      "how long an instance remembers what each (API key, requestId) asked for, to refuse the requestId reused with another body (422)");
  public static final ConfigKey ADMIN_KEYS = ConfigKey.optional("relay.api.admin-keys", "",
      "keys of the admin endpoints (/v1/admin/...), stored hashed: name:sha256-hex[,...]; empty turns them off");
  public static final ConfigKey TRUSTED_PROXIES = ConfigKey.optional("relay.api.trusted-proxies", "",
      "addresses or CIDR blocks of the reverse proxies in front of the API, comma separated; X-Forwarded-For is"
          + " believed only from these (empty: the connection's peer is the client)");

  public static final ConfigKey DISPATCHER_QUERY_URLS = ConfigKey.optional("relay.api.dispatcher-query-urls",
      "http://localhost:8085",
      "where status reads and the admin lookup read verifications: the dispatchers' query endpoints"
          + " (relay.dispatcher.query-port), comma separated, asked in this order until one answers (any one forwards"
          + " to the dispatcher that owns the number)");
  public static final ConfigKey DISPATCHER_QUERY_TOKEN = VerificationQueries.TOKEN;
  public static final ConfigKey DISPATCHER_QUERY_TIMEOUT = ConfigKey.optional("relay.api.dispatcher-query-timeout", "2s",
      "how long a status read waits for a dispatcher's answer (including its forward to the owner); then the next"
          + " dispatcher, and after the last 503 with Retry-After");

  public static final ConfigKey OVERLOAD_START_WAIT_SHARE = ConfigKey.optional("relay.api.overload.start-wait-share", "0.15",
      "a new start is refused with 503 and Retry-After, before anything is produced, when the dispatcher's expected reply"
          + " time (requests in flight / recent reply rate) exceeds this share of relay.api.reply-timeout (the default,"
          + " 0.75 s of 5 s, served the most approvals per second with the fewest refused checks of 0.15, 0.25, 0.4 and 0.7"
          + " in docs/performance.md's overload runs: a start admitted to a longer queue costs a check later)");
  public static final ConfigKey OVERLOAD_WAIT_SHARE = ConfigKey.optional("relay.api.overload.wait-share", "0.8",
      "checks, resends and cancels (people who already have a code) are refused only past this share of"
          + " relay.api.reply-timeout; at least relay.api.overload.start-wait-share, so starts are refused first");
  public static final ConfigKey OVERLOAD_MIN_REPLY_RATE = ConfigKey.optional("relay.api.overload.min-reply-rate", "20",
      "replies per second the overload estimate assumes when it has seen fewer (after start-up or idle); with the"
          + " defaults an idle instance admits 40 starts at once before it has seen any reply");

  public static final ConfigSchema SCHEMA = ConfigSchema.combine(
      // The guess keys only: the API seals guesses and holds nothing that opens a code.
      List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.KAFKA_CLIENT_PROPERTIES_FILE, CommonKeys.GUESS_ENCRYPTION_KEYS,
          CommonKeys.ID_KEYS, HTTP_PORT, HTTP_HOST, CommonKeys.MANAGEMENT_PORT),
      CommonKeys.topicKeys(),
      List.of(REPLY_TIMEOUT, PRODUCE_TIMEOUT, STARTUP_TIMEOUT, CODE_LENGTH, ENABLED_COUNTRIES, REQUIRE_MOBILE, CHANNELS, API_KEYS,
          ALLOW_UNAUTHENTICATED, TRUSTED_PROXIES, ADMIN_KEYS, CHECKS_PER_IP, CHECKS_PER_API_KEY, IDEMPOTENCY_WINDOW,
          SERVICES_REFRESH),
      List.of(DISPATCHER_QUERY_URLS, DISPATCHER_QUERY_TOKEN, DISPATCHER_QUERY_TIMEOUT),
      List.of(OVERLOAD_START_WAIT_SHARE, OVERLOAD_WAIT_SHARE, OVERLOAD_MIN_REPLY_RATE))
      .withPrefix(KafkaAccess.CLIENT_KEYS);

  /** Codes are 4 to 10 digits everywhere in Relay ({@code CodeGenerator}). */
  public static final int MIN_CODE_DIGITS = 4;
  public static final int MAX_CODE_DIGITS = 10;

  private static final Pattern LENGTH_RANGE = Pattern.compile("(\\d{1,2})(?:\\s*-\\s*(\\d{1,2}))?");

  private final KafkaAccess kafka;
  private final Topics topics;
  private final SecretSealer guessSealer;
  private final VerificationIds ids;
  private final String httpHost;
  private final int httpPort;
  private final Duration replyTimeout;
  private final Duration produceTimeout;
  private final Duration startupTimeout;
  private final CodeLength codeLength;
  private final Optional<Set<String>> enabledCountries;
  private final CountryChannels channels;
  private final boolean requireMobile;
  private final ApiKeys apiKeys;
  private final ApiKeys adminKeys;
  private final ClientAddresses clientAddresses;
  private final boolean allowUnauthenticated;
  private final Rates checksPerIp;
  private final Rates checksPerApiKey;
  private final Duration idempotencyWindow;
  private final Duration servicesRefresh;
  private final java.util.OptionalInt managementPort;
  private final List<URI> dispatcherQueryUrls;
  private final String dispatcherQueryToken;
  private final Duration dispatcherQueryTimeout;
  private final OverloadLimits overloadLimits;

  public ApiConfig(RelayConfig config) {
    this.kafka = KafkaAccess.from(config);
    this.topics = Topics.fromConfig(config.lookup());
    this.guessSealer = Secrets.guessSealer(config);
    this.ids = Secrets.ids(config);
    this.httpHost = config.get(HTTP_HOST);
    this.httpPort = port(config);
    this.managementPort = CommonKeys.managementPort(config);
    this.dispatcherQueryUrls = urls(config.getList(DISPATCHER_QUERY_URLS));
    this.dispatcherQueryToken = config.get(DISPATCHER_QUERY_TOKEN).trim();
    this.dispatcherQueryTimeout = positive(config, DISPATCHER_QUERY_TIMEOUT);
    this.replyTimeout = positive(config, REPLY_TIMEOUT);
    this.produceTimeout = positive(config, PRODUCE_TIMEOUT);
    this.startupTimeout = positive(config, STARTUP_TIMEOUT);
    this.codeLength = CodeLength.parse(config.get(CODE_LENGTH));
    this.enabledCountries = countries(config.getList(ENABLED_COUNTRIES));
    this.requireMobile = config.getBoolean(REQUIRE_MOBILE);
    this.channels = channels(config.get(CHANNELS));
    this.apiKeys = ApiKeys.parse(API_KEYS.name(), config.get(API_KEYS));
    this.adminKeys = ApiKeys.parse(ADMIN_KEYS.name(), config.get(ADMIN_KEYS));
    this.clientAddresses = ClientAddresses.parse(TRUSTED_PROXIES.name(), config.getList(TRUSTED_PROXIES));
    this.allowUnauthenticated = config.getBoolean(ALLOW_UNAUTHENTICATED);
    if (!apiKeys.required() && !allowUnauthenticated) {
      // An API on the internet that answers anyone sends paid messages for anyone.
      throw new ConfigException(API_KEYS.name() + " is empty: configure at least one key (generate one with"
          + " 'generate-api-key NAME'), or set " + ALLOW_UNAUTHENTICATED.name() + "=true for development only");
    }
    this.checksPerIp = Rates.parse(CHECKS_PER_IP.name(), config.get(CHECKS_PER_IP));
    this.checksPerApiKey = Rates.parse(CHECKS_PER_API_KEY.name(), config.get(CHECKS_PER_API_KEY));
    this.idempotencyWindow = positive(config, IDEMPOTENCY_WINDOW);
    this.servicesRefresh = positive(config, SERVICES_REFRESH);
    this.overloadLimits = overloadLimits(config, replyTimeout);
  }

  /** The channels a caller may ask for, per country. */
  public CountryChannels channels() {
    return channels;
  }

  private static CountryChannels channels(String value) {
    CountryChannels channels = CountryChannels.parse(CHANNELS.name(), value);
    if (channels.own(CountryChannels.DEFAULT_COUNTRY).isEmpty()) {
      throw new ConfigException(CHANNELS.name() + " needs a default entry for the other countries, for example"
          + " '*:sms,voice' (it is '" + value + "')");
    }
    return channels;
  }

  /** Config from explicit values over the defaults, as the launcher and the tests build it. */
  public static ApiConfig of(Map<String, String> settings) {
    return new ApiConfig(RelayConfig.of(SCHEMA, settings));
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * What the API's Kafka principal must be allowed: writing starts and checks, reading the replies and
   * the lifecycle events that carry most of them (no group: every instance reads every partition), the
   * blocked prefixes the admin endpoints read and release, and the services (tenants) the admin
   * endpoints write and every start reads. Nothing else: whoever holds these credentials can start
   * verifications, but cannot forge receipts, sends or routing.
   */
  public ServiceAcls kafkaAcls() {
    return kafkaAcls(topics);
  }

  /** As {@link #kafkaAcls()}, for the ACL command, which has no API config. */
  public static ServiceAcls kafkaAcls(Topics topics) {
    return ServiceAcls.builder("verification-api")
        .describe(List.of(topics.verificationRequests, topics.codeChecks, topics.verificationReplies,
            topics.verificationEvents, topics.blockedPrefixes, topics.services))
        .write(topics.verificationRequests, topics.codeChecks, topics.blockedPrefixes, topics.services)
        .read(topics.verificationReplies, topics.verificationEvents, topics.blockedPrefixes, topics.services)
        .build();
  }

  /** The broker and the client security every Kafka client of the API uses. */
  public KafkaAccess kafka() {
    return kafka;
  }

  public Topics topics() {
    return topics;
  }

  /** Seals guesses for the dispatcher; it opens no code (codes are sealed under other keys). */
  public SecretSealer guessSealer() {
    return guessSealer;
  }

  public VerificationIds ids() {
    return ids;
  }

  public String httpHost() {
    return httpHost;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The port of /metrics and health apart from the public port, when one is configured. */
  public java.util.OptionalInt managementPort() {
    return managementPort;
  }

  public Duration replyTimeout() {
    return replyTimeout;
  }

  public Duration produceTimeout() {
    return produceTimeout;
  }

  public Duration startupTimeout() {
    return startupTimeout;
  }

  public CodeLength codeLength() {
    return codeLength;
  }

  /** The regions an operator enabled, or empty when every region is. */
  public Optional<Set<String>> enabledCountries() {
    return enabledCountries;
  }

  public boolean requireMobile() {
    return requireMobile;
  }

  public ApiKeys apiKeys() {
    return apiKeys;
  }

  /** The keys of the admin endpoints; none configured turns them off. */
  public ApiKeys adminKeys() {
    return adminKeys;
  }

  public ClientAddresses clientAddresses() {
    return clientAddresses;
  }

  /** Whether the operator let the API run without keys (development only). */
  public boolean allowUnauthenticated() {
    return allowUnauthenticated;
  }

  public Rates checksPerIp() {
    return checksPerIp;
  }

  public Rates checksPerApiKey() {
    return checksPerApiKey;
  }

  /** The dispatchers' query endpoints, in the order they are asked. */
  public List<URI> dispatcherQueryUrls() {
    return dispatcherQueryUrls;
  }

  /** The shared token of the dispatchers' query endpoints; empty when none is configured. */
  public String dispatcherQueryToken() {
    return dispatcherQueryToken;
  }

  public Duration dispatcherQueryTimeout() {
    return dispatcherQueryTimeout;
  }

  private static List<URI> urls(List<String> entries) {
    List<URI> urls = new ArrayList<>();
    for (String entry : entries) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI url;
      try {
        url = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(DISPATCHER_QUERY_URLS.name() + ": '" + trimmed + "' is not a URL");
      }
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
        throw new ConfigException(DISPATCHER_QUERY_URLS.name() + ": '" + trimmed + "' is not an http(s) URL with a host");
      }
      urls.add(url);
    }
    if (urls.isEmpty()) {
      throw new ConfigException(DISPATCHER_QUERY_URLS.name() + " needs at least one URL");
    }
    return List.copyOf(urls);
  }

  public Duration idempotencyWindow() {
    return idempotencyWindow;
  }

  /** How old the copy of the services a start applies may be. */
  public Duration servicesRefresh() {
    return servicesRefresh;
  }

  /** When the API stops handing requests to a dispatcher that could not answer them in time. */
  public OverloadLimits overloadLimits() {
    return overloadLimits;
  }

  /**
   * How long a request may be expected to wait for the dispatcher's reply before it is refused at
   * the door instead: starts at {@code startWait}, everything else (a person who already has a code)
   * at {@code followUpWait}; {@code minReplyRate} is the rate assumed while fewer replies were seen.
   */
  public record OverloadLimits(Duration startWait, Duration followUpWait, double minReplyRate, Duration replyTimeout) {

    public OverloadLimits {
      if (startWait.compareTo(followUpWait) > 0) {
        throw new ConfigException(OVERLOAD_START_WAIT_SHARE.name() + " must not exceed " + OVERLOAD_WAIT_SHARE.name()
            + ": starts are refused before the requests of people who already have a code");
      }
      if (!(minReplyRate > 0) || Double.isInfinite(minReplyRate)) {
        throw new ConfigException(OVERLOAD_MIN_REPLY_RATE.name() + " must be a number of replies per second above zero");
      }
    }
  }

  private static OverloadLimits overloadLimits(RelayConfig config, Duration replyTimeout) {
    double startShare = nonZeroShare(config, OVERLOAD_START_WAIT_SHARE);
    double share = nonZeroShare(config, OVERLOAD_WAIT_SHARE);
    String rate = config.get(OVERLOAD_MIN_REPLY_RATE).trim();
    double minReplyRate;
    try {
      minReplyRate = Double.parseDouble(rate);
    } catch (NumberFormatException e) {
      throw new ConfigException(OVERLOAD_MIN_REPLY_RATE.name() + " must be a number of replies per second, not '" + rate + "'");
    }
    return new OverloadLimits(share(replyTimeout, startShare), share(replyTimeout, share), minReplyRate, replyTimeout);
  }

  private static double nonZeroShare(RelayConfig config, ConfigKey key) {
    double share = config.getFraction(key);
    if (share == 0) {
      // Zero would refuse every request, even on an idle stack.
      throw new ConfigException(key.name() + " must be above 0 (and at most 1)");
    }
    return share;
  }

  private static Duration share(Duration whole, double share) {
    return Duration.ofNanos(Math.round(whole.toNanos() * share));
  }

  /** How many digits a guess may have; a guess outside it cannot be right and never reaches Kafka. */
  public record CodeLength(int min, int max) {

    public CodeLength {
      if (min < MIN_CODE_DIGITS || max > MAX_CODE_DIGITS || min > max) {
        throw new ConfigException(CODE_LENGTH.name() + " must lie within " + MIN_CODE_DIGITS + "-" + MAX_CODE_DIGITS
            + " with min <= max, not " + min + "-" + max);
      }
    }

    static CodeLength parse(String value) {
      Matcher matcher = LENGTH_RANGE.matcher(value.trim());
      if (!matcher.matches()) {
        throw new ConfigException(CODE_LENGTH.name() + " is written N or MIN-MAX (for example 6 or 4-10), not '" + value + "'");
      }
      int min = Integer.parseInt(matcher.group(1));
      int max = matcher.group(2) == null ? min : Integer.parseInt(matcher.group(2));
      return new CodeLength(min, max);
    }

    public boolean accepts(String code) {
      if (code.length() < min || code.length() > max) {
        return false;
      }
      // Only ASCII digits: Character.isDigit would let Arabic-Indic or full-width digits through.
      return code.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    public String describe() {
      return min == max ? min + " digits" : min + " to " + max + " digits";
    }
  }

  private static int port(RelayConfig config) {
    int port = config.getInt(HTTP_PORT);
    if (port < 0 || port > 65535) {
      throw new ConfigException(HTTP_PORT.name() + " must be between 0 and 65535, not " + port);
    }
    return port;
  }

  private static Duration positive(RelayConfig config, ConfigKey key) {
    Duration value = config.getDuration(key);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(key.name() + " must be longer than zero, not " + value);
    }
    return value;
  }

  private static Optional<Set<String>> countries(List<String> entries) {
    if (entries.equals(List.of("*"))) {
      return Optional.empty();
    }
    if (entries.isEmpty()) {
      throw new ConfigException(ENABLED_COUNTRIES.name() + " is empty: list ISO regions (DE,FR) or write * for all");
    }
    Set<String> supported = PhoneNumberUtil.getInstance().getSupportedRegions();
    Set<String> regions = new TreeSet<>();
    List<String> unknown = new ArrayList<>();
    for (String entry : entries) {
      String region = entry.toUpperCase(Locale.ROOT);
      if (supported.contains(region)) {
        regions.add(region);
      } else {
        unknown.add(entry);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(ENABLED_COUNTRIES.name() + ": " + unknown
          + " are not ISO 3166 regions with phone numbers (write DE, FR, ... or * for all)");
    }
    return Optional.of(Set.copyOf(regions));
  }
}
