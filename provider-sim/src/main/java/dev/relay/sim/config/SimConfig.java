package dev.relay.sim.config;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The simulator's settings: where it listens, the fake vendor accounts it accepts, where it posts
 * receipts and how it retries them. Validated once; refuses to exist unless {@code relay.sim.enabled}
 * is true, so a production configuration can never start it by accident.
 */
public final class SimConfig {

  public static final ConfigKey HTTP_PORT = CommonKeys.httpPort(8090);
  public static final ConfigKey HTTP_HOST = CommonKeys.httpHost();
  public static final ConfigKey ENABLED = ConfigKey.optional("relay.sim.enabled", "false",
      "Must be true: the simulator accepts any message and fakes delivery, so it refuses to start otherwise");
  public static final ConfigKey DLR_URL = ConfigKey.optional("relay.sim.dlr-url", "http://localhost:8082",
      "Base URL of dlr-ingest; receipts go to <base>/dlr/{twilio,vonage,plivo} when a send names no callback"
          + " (empty: only to callbacks named in the request)");
  // The accounts are required, but checked after relay.sim.enabled: a configuration that does not
  // enable the simulator must hear that first, not a list of simulator settings it never meant to give.
  public static final ConfigKey TWILIO_ACCOUNT_SID = ConfigKey.optional("relay.sim.twilio.account-sid", "",
      "Required: the simulated Twilio account, AC followed by 32 hex digits");
  public static final ConfigKey TWILIO_AUTH_TOKEN = ConfigKey.optionalSecret("relay.sim.twilio.auth-token",
      "Required: the simulated Twilio account's auth token (Basic auth password, X-Twilio-Signature key)");
  public static final ConfigKey VONAGE_API_KEY = ConfigKey.optional("relay.sim.vonage.api-key", "",
      "Required: the simulated Vonage account's api_key");
  public static final ConfigKey VONAGE_API_SECRET = ConfigKey.optionalSecret("relay.sim.vonage.api-secret",
      "Required: the simulated Vonage account's api_secret");
  // Empty means the account has no signature secret, so receipts are unsigned (dlr-ingest refuses those).
  public static final ConfigKey VONAGE_SIGNATURE_SECRET = ConfigKey.optionalSecret("relay.sim.vonage.signature-secret",
      "Vonage signature secret: when set, delivery receipts carry timestamp, nonce and sig, and requests may be signed");
  public static final ConfigKey VONAGE_SIGNATURE_METHOD = ConfigKey.optional("relay.sim.vonage.signature-method",
      "md5hash", "How Vonage signs, as chosen in its dashboard: md5hash (its default), md5, sha1, sha256 or sha512 (HMAC)");
  public static final ConfigKey VONAGE_DLR_METHOD = ConfigKey.optional("relay.sim.vonage.dlr-method", "POST-JSON",
      "How Vonage delivers receipts, as in its dashboard: POST-JSON, POST (form) or GET (query string)");
  public static final ConfigKey VONAGE_APPLICATION_ID = ConfigKey.optional("relay.sim.vonage.application-id", "",
      "The simulated Vonage application's id; the Messages API (WhatsApp) is off when this or its public key is empty");
  public static final ConfigKey VONAGE_APPLICATION_PUBLIC_KEY = ConfigKey.optional("relay.sim.vonage.application-public-key", "",
      "The simulated Vonage application's RSA public key (X.509 PEM): the Messages API's JWTs must verify with it");
  public static final ConfigKey PLIVO_AUTH_ID = ConfigKey.optional("relay.sim.plivo.auth-id", "",
      "The simulated Plivo account's Auth ID; Plivo's API is off when this or the auth token is empty");
  public static final ConfigKey PLIVO_AUTH_TOKEN = ConfigKey.optionalSecret("relay.sim.plivo.auth-token",
      "The simulated Plivo account's Auth Token (Basic auth password, X-Plivo-Signature-V2 key)");
  public static final ConfigKey RECEIPT_DELAY = ConfigKey.optional("relay.sim.receipt-delay", "PT0.2S",
      "Default time from acceptance to delivery and receipt on a healthy route");
  public static final ConfigKey CALLBACK_TIMEOUT = ConfigKey.optional("relay.sim.callback-timeout", "PT5S",
      "How long one receipt POST may take");
  public static final ConfigKey CALLBACK_ATTEMPTS = ConfigKey.optional("relay.sim.callback-attempts", "5",
      "Tries per receipt when the receiver fails, times out or answers 429/5xx (vendors retry too)");
  public static final ConfigKey CALLBACK_BACKOFF = ConfigKey.optional("relay.sim.callback-backoff", "PT0.5S",
      "Wait before the first retry of a receipt; doubles with each retry");
  public static final ConfigKey INBOX_SIZE = ConfigKey.optional("relay.sim.inbox-size", "50",
      "Messages kept per handset (oldest dropped first)");
  public static final ConfigKey MAX_HANDSETS = ConfigKey.optional("relay.sim.max-handsets", "100000",
      "Handsets kept (least recently used dropped first), so load runs do not exhaust the heap");
  public static final ConfigKey MAX_TRACKED_MESSAGES = ConfigKey.optional("relay.sim.max-tracked-messages", "100000",
      "Vendor message and call resources kept for status fetches (oldest dropped first)");
  public static final ConfigKey RANDOM_SEED = ConfigKey.optional("relay.sim.random-seed", "",
      "Seed for the fault dice, for reproducible scenario runs; empty: a fresh seed each start");
  public static final ConfigKey AUTO_VERIFY = ConfigKey.optional("relay.sim.auto-verify.enabled", "false",
      "Act as the users: enter each received code through Relay's API after a human-like delay (also switched per run"
          + " by PUT /sim/auto-verify)");
  public static final ConfigKey AUTO_VERIFY_API_URL = ConfigKey.optional("relay.sim.auto-verify.api-url",
      "http://localhost:8080", "Base URL of Relay's verification API, where simulated users enter their codes");
  public static final ConfigKey AUTO_VERIFY_API_KEY = ConfigKey.optionalSecret("relay.sim.auto-verify.api-key",
      "API key the simulated users send as 'Authorization: Bearer KEY'; empty sends none");
  public static final ConfigKey AUTO_VERIFY_MIN_DELAY = ConfigKey.optional("relay.sim.auto-verify.min-delay", "PT3S",
      "Shortest time a simulated user takes to type a received code in");
  public static final ConfigKey AUTO_VERIFY_MAX_DELAY = ConfigKey.optional("relay.sim.auto-verify.max-delay", "PT10S",
      "Longest time a simulated user takes to type a received code in");

  public static final ConfigSchema SCHEMA = ConfigSchema.of(List.of(
      HTTP_PORT, HTTP_HOST, ENABLED, DLR_URL,
      TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
      VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD, VONAGE_DLR_METHOD,
      VONAGE_APPLICATION_ID, VONAGE_APPLICATION_PUBLIC_KEY,
      PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN,
      RECEIPT_DELAY, CALLBACK_TIMEOUT, CALLBACK_ATTEMPTS, CALLBACK_BACKOFF,
      INBOX_SIZE, MAX_HANDSETS, MAX_TRACKED_MESSAGES, RANDOM_SEED,
      AUTO_VERIFY, AUTO_VERIFY_API_URL, AUTO_VERIFY_API_KEY, AUTO_VERIFY_MIN_DELAY, AUTO_VERIFY_MAX_DELAY));

  private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
  /** Beyond this a delay is a typo, and a scheduled receipt would outlive any test. */
  private static final Duration MAX_DELAY = Duration.ofMinutes(10);

  private final String httpHost;
  private final int httpPort;
  private final Optional<URI> dlrUrl;
  private final String twilioAccountSid;
  private final String twilioAuthToken;
  private final String vonageApiKey;
  private final String vonageApiSecret;
  private final Optional<String> vonageSignatureSecret;
  private final VonageSignatureMethod vonageSignatureMethod;
  private final VonageDlrMethod vonageDlrMethod;
  private final Optional<PlivoAccount> plivo;
  private final Optional<VonageApplication> vonageApplication;
  private final Duration receiptDelay;
  private final Duration callbackTimeout;
  private final int callbackAttempts;
  private final Duration callbackBackoff;
  private final int inboxSize;
  private final int maxHandsets;
  private final int maxTrackedMessages;
  private final OptionalLong randomSeed;
  private final boolean autoVerify;
  private final URI autoVerifyApiUrl;
  private final Optional<String> autoVerifyApiKey;
  private final Duration autoVerifyMinDelay;
  private final Duration autoVerifyMaxDelay;

  private SimConfig(RelayConfig config) {
    if (!config.getBoolean(ENABLED)) {
      throw new ConfigException(ENABLED.name() + " is not true. The provider simulator accepts any message and"
          + " fakes its delivery: it is a test and demo tool and never runs in a production configuration."
          + " Set " + ENABLED.name() + "=true (env " + ENABLED.envName() + "=true) to start it on purpose.");
    }
    List<String> missing = List.of(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, VONAGE_API_KEY, VONAGE_API_SECRET).stream()
        .filter(key -> config.find(key).isEmpty())
        .map(key -> key.name() + " (env " + key.envName() + "): " + key.description())
        .toList();
    if (!missing.isEmpty()) {
      throw new ConfigException("missing required settings:\n  " + String.join("\n  ", missing));
    }
    httpHost = config.get(HTTP_HOST);
    httpPort = inRange(config, HTTP_PORT, 0, 65535);
    dlrUrl = config.find(DLR_URL).map(value -> httpUrl(DLR_URL, value));
    twilioAccountSid = config.get(TWILIO_ACCOUNT_SID).trim();
    if (!ACCOUNT_SID.matcher(twilioAccountSid).matches()) {
      throw new ConfigException(TWILIO_ACCOUNT_SID.name() + " must be AC followed by 32 hex digits, as Twilio's are");
    }
    twilioAuthToken = config.get(TWILIO_AUTH_TOKEN);
    vonageApiKey = config.get(VONAGE_API_KEY).trim();
    vonageApiSecret = config.get(VONAGE_API_SECRET);
    vonageSignatureSecret = config.find(VONAGE_SIGNATURE_SECRET);
    vonageSignatureMethod = VonageSignatureMethod.parse(VONAGE_SIGNATURE_METHOD, config.get(VONAGE_SIGNATURE_METHOD));
    vonageDlrMethod = VonageDlrMethod.parse(VONAGE_DLR_METHOD, config.get(VONAGE_DLR_METHOD));
    Optional<String> plivoAuthId = config.find(PLIVO_AUTH_ID).map(String::trim).filter(id -> !id.isEmpty());
    Optional<String> plivoAuthToken = config.find(PLIVO_AUTH_TOKEN).filter(token -> !token.isEmpty());
    if (plivoAuthId.isPresent() != plivoAuthToken.isPresent()) {
      throw new ConfigException(PLIVO_AUTH_ID.name() + " and " + PLIVO_AUTH_TOKEN.name()
          + " are set together (Plivo on) or both left empty (Plivo off)");
    }
    plivo = plivoAuthId.map(id -> new PlivoAccount(id, plivoAuthToken.get()));
    Optional<String> applicationId = config.find(VONAGE_APPLICATION_ID).map(String::trim).filter(id -> !id.isEmpty());
    Optional<String> publicKey = config.find(VONAGE_APPLICATION_PUBLIC_KEY).filter(key -> !key.isBlank());
    if (applicationId.isPresent() != publicKey.isPresent()) {
      throw new ConfigException(VONAGE_APPLICATION_ID.name() + " and " + VONAGE_APPLICATION_PUBLIC_KEY.name()
          + " are set together (Messages API on) or both left empty (off)");
    }
    vonageApplication = applicationId.map(id -> new VonageApplication(id, rsaPublicKey(publicKey.get())));
    receiptDelay = delay(config, RECEIPT_DELAY);
    callbackTimeout = delay(config, CALLBACK_TIMEOUT);
    if (callbackTimeout.isZero()) {
      throw new ConfigException(CALLBACK_TIMEOUT.name() + " must be longer than zero");
    }
    callbackAttempts = inRange(config, CALLBACK_ATTEMPTS, 1, 20);
    callbackBackoff = delay(config, CALLBACK_BACKOFF);
    inboxSize = inRange(config, INBOX_SIZE, 1, 10_000);
    maxHandsets = inRange(config, MAX_HANDSETS, 1, 10_000_000);
    maxTrackedMessages = inRange(config, MAX_TRACKED_MESSAGES, 1, 10_000_000);
    randomSeed = config.find(RANDOM_SEED).map(value -> {
      try {
        return OptionalLong.of(Long.parseLong(value.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(RANDOM_SEED.name() + " must be a whole number, not '" + value + "'");
      }
    }).orElse(OptionalLong.empty());
    autoVerify = config.getBoolean(AUTO_VERIFY);
    autoVerifyApiUrl = httpUrl(AUTO_VERIFY_API_URL, config.get(AUTO_VERIFY_API_URL));
    autoVerifyApiKey = config.find(AUTO_VERIFY_API_KEY);
    autoVerifyMinDelay = delay(config, AUTO_VERIFY_MIN_DELAY);
    autoVerifyMaxDelay = delay(config, AUTO_VERIFY_MAX_DELAY);
    if (autoVerifyMaxDelay.compareTo(autoVerifyMinDelay) < 0) {
      throw new ConfigException(AUTO_VERIFY_MAX_DELAY.name() + " (" + autoVerifyMaxDelay + ") must not be shorter than "
          + AUTO_VERIFY_MIN_DELAY.name() + " (" + autoVerifyMinDelay + ")");
    }
  }

  /**
   * @throws ConfigException naming the key when a value is wrong, or when the simulator is not enabled
   */
  public static SimConfig from(RelayConfig config) {
    return new SimConfig(config);
  }

  public String httpHost() {
    return httpHost;
  }

  public int httpPort() {
    return httpPort;
  }

  /** dlr-ingest's base URL, when receipts without a callback in the request should go there. */
  public Optional<URI> dlrUrl() {
    return dlrUrl;
  }

  public String twilioAccountSid() {
    return twilioAccountSid;
  }

  public String twilioAuthToken() {
    return twilioAuthToken;
  }

  public String vonageApiKey() {
    return vonageApiKey;
  }

  public String vonageApiSecret() {
    return vonageApiSecret;
  }

  public Optional<String> vonageSignatureSecret() {
    return vonageSignatureSecret;
  }

  public VonageSignatureMethod vonageSignatureMethod() {
    return vonageSignatureMethod;
  }

  public VonageDlrMethod vonageDlrMethod() {
    return vonageDlrMethod;
  }

  /** The simulated Plivo account, when Plivo's API is on. */
  /** The Vonage application the Messages API (WhatsApp) authenticates, when configured. */
  public Optional<VonageApplication> vonageApplication() {
    return vonageApplication;
  }

  /** A Vonage application: its id and the public half of the key its JWTs are signed with. */
  public record VonageApplication(String id, java.security.interfaces.RSAPublicKey publicKey) {}

  private static java.security.interfaces.RSAPublicKey rsaPublicKey(String pem) {
    String base64 = pem.replace("\\n", "\n").replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    try {
      return (java.security.interfaces.RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
          .generatePublic(new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(base64)));
    } catch (java.security.GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new ConfigException(VONAGE_APPLICATION_PUBLIC_KEY.name() + " is not an RSA public key in X.509 PEM");
    }
  }

  public Optional<PlivoAccount> plivo() {
    return plivo;
  }

  /** A Plivo account: the Auth ID names it in every path and is the Basic auth user, the token is the password. */
  public record PlivoAccount(String authId, String authToken) {

    @Override
    public String toString() {
      return "PlivoAccount[" + authId + "]";
    }
  }

  public Duration receiptDelay() {
    return receiptDelay;
  }

  public Duration callbackTimeout() {
    return callbackTimeout;
  }

  public int callbackAttempts() {
    return callbackAttempts;
  }

  public Duration callbackBackoff() {
    return callbackBackoff;
  }

  public int inboxSize() {
    return inboxSize;
  }

  public int maxHandsets() {
    return maxHandsets;
  }

  public int maxTrackedMessages() {
    return maxTrackedMessages;
  }

  public OptionalLong randomSeed() {
    return randomSeed;
  }

  /** Whether the simulated users enter received codes from the start (the admin API may switch it per run). */
  public boolean autoVerify() {
    return autoVerify;
  }

  public URI autoVerifyApiUrl() {
    return autoVerifyApiUrl;
  }

  public Optional<String> autoVerifyApiKey() {
    return autoVerifyApiKey;
  }

  public Duration autoVerifyMinDelay() {
    return autoVerifyMinDelay;
  }

  public Duration autoVerifyMaxDelay() {
    return autoVerifyMaxDelay;
  }

  /** How a Vonage account signs: the legacy MD5 hash of the string plus the secret, or an HMAC. */
  public enum VonageSignatureMethod {
    MD5HASH("md5hash", null),
    MD5("md5", "HmacMD5"),
    SHA1("sha1", "HmacSHA1"),
    SHA256("sha256", "HmacSHA256"),
    SHA512("sha512", "HmacSHA512");

    private final String configName;
    private final String hmacAlgorithm;

    VonageSignatureMethod(String configName, String hmacAlgorithm) {
      this.configName = configName;
      this.hmacAlgorithm = hmacAlgorithm;
    }

    /** The JCA HMAC algorithm, or empty for the legacy md5hash. */
    public Optional<String> hmacAlgorithm() {
      return Optional.ofNullable(hmacAlgorithm);
    }

    static VonageSignatureMethod parse(ConfigKey key, String value) {
      String wanted = value.trim().toLowerCase(Locale.ROOT);
      for (VonageSignatureMethod method : values()) {
        if (method.configName.equals(wanted)) {
          return method;
        }
      }
      throw new ConfigException(key.name() + " must be one of md5hash, md5, sha1, sha256, sha512, not '" + value + "'");
    }
  }

  /** How Vonage delivers receipts: the dashboard's "HTTP method" for webhooks. */
  public enum VonageDlrMethod {
    POST_JSON, POST_FORM, GET;

    static VonageDlrMethod parse(ConfigKey key, String value) {
      return switch (value.trim().toUpperCase(Locale.ROOT)) {
        case "POST-JSON" -> POST_JSON;
        case "POST" -> POST_FORM;
        case "GET" -> GET;
        default -> throw new ConfigException(key.name() + " must be POST-JSON, POST or GET, not '" + value + "'");
      };
    }
  }

  private static int inRange(RelayConfig config, ConfigKey key, int min, int max) {
    int value = config.getInt(key);
    if (value < min || value > max) {
      throw new ConfigException(key.name() + " must be between " + min + " and " + max + ", not " + value);
    }
    return value;
  }

  private static Duration delay(RelayConfig config, ConfigKey key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.compareTo(MAX_DELAY) > 0) {
      throw new ConfigException(key.name() + " must be between 0 and " + MAX_DELAY + ", not " + value);
    }
    return value;
  }

  private static URI httpUrl(ConfigKey key, String value) {
    try {
      URI uri = new URI(value.trim());
      if (!uri.isAbsolute() || uri.getHost() == null
          || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
        throw new ConfigException(key.name() + " must be an absolute http(s) URL, not '" + value + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(key.name() + " is not a URL: '" + value + "'");
    }
  }
}
