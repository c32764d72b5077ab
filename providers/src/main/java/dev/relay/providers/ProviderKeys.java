package dev.relay.providers;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigKey;
import dev.relay.support.config.RelayConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every provider setting: which vendors are enabled, their base URLs and credentials, the public URL
 * at which they reach dlr-ingest, and the HTTP limits of the adapters. Services that send or receive
 * through providers add {@link #ALL} to their schema. A disabled vendor's keys may stay empty; an
 * enabled vendor's missing credential fails start-up with the key's name ({@link #require}).
 */
public final class ProviderKeys {

  public static final String TWILIO = "twilio";
  public static final String VONAGE = "vonage";
  public static final String PLIVO = "plivo";
  /** The vendors this build speaks, in their default routing order. */
  public static final List<String> KNOWN = List.of(TWILIO, VONAGE, PLIVO);

  public static final ConfigKey ENABLED = ConfigKey.optional(
      "relay.providers.enabled", "twilio,vonage", "vendors to use, comma separated, of " + KNOWN);
  public static final ConfigKey DLR_PUBLIC_URL = ConfigKey.optional(
      "relay.dlr.public-url", "http://localhost:8082",
      "base URL at which providers reach dlr-ingest (behind any proxy); status callback URLs and signature checks use it;"
          + " https, since receipts carry phone numbers and their signatures can be captured on a plain-http path");
  public static final ConfigKey DLR_ALLOW_PLAIN_HTTP = ConfigKey.optional(
      "relay.dlr.allow-plain-http", "false",
      "development only: let dlr-ingest start with an http:// relay.dlr.public-url (the embedded run sets it)");

  public static final ConfigKey CONNECT_TIMEOUT = ConfigKey.optional(
      "relay.providers.connect-timeout", "2s", "TCP/TLS connect timeout to a vendor API");
  public static final ConfigKey READ_TIMEOUT = ConfigKey.optional(
      "relay.providers.read-timeout", "5s", "how long to wait for a vendor's answer before the try counts as TIMEOUT");
  public static final ConfigKey MAX_CONCURRENT = ConfigKey.optional(
      "relay.providers.max-concurrent-requests", "256",
      "requests in flight per vendor; more wait in a queue. A vendor answering in L seconds carries at most this / L"
          + " sends a second (256 at 200 ms: 1,280)");
  public static final ConfigKey MAX_QUEUED = ConfigKey.optional(
      "relay.providers.max-queued-requests", "1000", "requests waiting per vendor; beyond it a send is rejected as THROTTLED at once");

  public static final ConfigKey CIRCUIT_ENABLED = ConfigKey.optional(
      "relay.providers.circuit-breaker.enabled", "true", "one circuit breaker per vendor x country");
  public static final ConfigKey CIRCUIT_FAILURE_RATE = ConfigKey.optional(
      "relay.providers.circuit-breaker.failure-rate-percent", "50", "failure rate (5xx, timeouts, I/O errors) that opens a circuit");
  public static final ConfigKey CIRCUIT_MINIMUM_CALLS = ConfigKey.optional(
      "relay.providers.circuit-breaker.minimum-calls", "3", "calls a circuit must see before it may open");
  public static final ConfigKey CIRCUIT_WINDOW = ConfigKey.optional(
      "relay.providers.circuit-breaker.window-calls", "20", "calls in the sliding window that the failure rate is computed over");
  public static final ConfigKey CIRCUIT_OPEN_FOR = ConfigKey.optional(
      "relay.providers.circuit-breaker.open-for", "30s", "how long an open circuit refuses calls before it lets a probe through");

  public static final ConfigKey TWILIO_BASE_URL = ConfigKey.optional(
      "relay.providers.twilio.base-url", "https://api.twilio.com", "Twilio REST API base URL");
  public static final ConfigKey TWILIO_ACCOUNT_SID = ConfigKey.optional(
      "relay.providers.twilio.account-sid", "", "Twilio Account SID (AC...)");
  public static final ConfigKey TWILIO_AUTH_TOKEN = ConfigKey.optionalSecret(
      "relay.providers.twilio.auth-token", "Twilio Auth Token: API password and the key of X-Twilio-Signature");
  public static final ConfigKey TWILIO_FROM = ConfigKey.optional(
      "relay.providers.twilio.from", "", "sender of SMS: a Twilio number or alphanumeric id (or set messaging-service-sid)");
  public static final ConfigKey TWILIO_MESSAGING_SERVICE_SID = ConfigKey.optional(
      "relay.providers.twilio.messaging-service-sid", "", "Messaging Service SID (MG...), sent instead of From when set");
  public static final ConfigKey TWILIO_VOICE_FROM = ConfigKey.optional(
      "relay.providers.twilio.voice-from", "", "caller id of voice calls; empty disables Twilio voice");
  public static final ConfigKey TWILIO_WHATSAPP_FROM = ConfigKey.optional(
      "relay.providers.twilio.whatsapp-from", "", "the approved WhatsApp sender (E.164, sent as whatsapp:+...); empty disables Twilio WhatsApp");
  public static final ConfigKey TWILIO_WHATSAPP_CONTENT_SID = ConfigKey.optional(
      "relay.providers.twilio.whatsapp-content-sid", "",
      "the approved WhatsApp authentication template of the Content API (HX...), the code as its variable {{1}}");

  public static final ConfigKey VONAGE_BASE_URL = ConfigKey.optional(
      "relay.providers.vonage.base-url", "https://rest.nexmo.com", "Vonage SMS API base URL");
  public static final ConfigKey VONAGE_API_KEY = ConfigKey.optional(
      "relay.providers.vonage.api-key", "", "Vonage API key");
  public static final ConfigKey VONAGE_API_SECRET = ConfigKey.optionalSecret(
      "relay.providers.vonage.api-secret", "Vonage API secret");
  public static final ConfigKey VONAGE_SIGNATURE_SECRET = ConfigKey.optionalSecret(
      "relay.providers.vonage.signature-secret", "Vonage signature secret: the key of the 'sig' on signed callbacks");
  public static final ConfigKey VONAGE_SIGNATURE_METHOD = ConfigKey.optional(
      "relay.providers.vonage.signature-method", "md5hash",
      "the signature method chosen in the Vonage dashboard: md5hash, md5, sha1, sha256 or sha512");
  public static final ConfigKey VONAGE_FROM = ConfigKey.optional(
      "relay.providers.vonage.from", "", "sender of SMS: a Vonage number or alphanumeric id");
  public static final ConfigKey VONAGE_MESSAGES_BASE_URL = ConfigKey.optional(
      "relay.providers.vonage.messages-base-url", "https://api.nexmo.com", "Vonage Messages API base URL (WhatsApp)");
  public static final ConfigKey VONAGE_APPLICATION_ID = ConfigKey.optional(
      "relay.providers.vonage.application-id", "", "Vonage application id: the Messages API's JWTs name it");
  public static final ConfigKey VONAGE_PRIVATE_KEY = ConfigKey.optionalSecret(
      "relay.providers.vonage.private-key", "the Vonage application's RSA private key (PKCS#8 PEM) that signs the Messages API's JWTs");
  public static final ConfigKey VONAGE_WHATSAPP_FROM = ConfigKey.optional(
      "relay.providers.vonage.whatsapp-from", "", "the WhatsApp Business number (E.164); empty disables Vonage WhatsApp");
  public static final ConfigKey VONAGE_WHATSAPP_TEMPLATE = ConfigKey.optional(
      "relay.providers.vonage.whatsapp-template", "",
      "the approved WhatsApp template's name, the code as its one parameter; empty sends the rendered text (only inside a 24 h session)");
  public static final ConfigKey VONAGE_WHATSAPP_LOCALE = ConfigKey.optional(
      "relay.providers.vonage.whatsapp-locale", "en", "the language of the WhatsApp template (deterministic policy)");

  public static final ConfigKey PLIVO_BASE_URL = ConfigKey.optional(
      "relay.providers.plivo.base-url", "https://api.plivo.com", "Plivo REST API base URL");
  public static final ConfigKey PLIVO_AUTH_ID = ConfigKey.optional(
      "relay.providers.plivo.auth-id", "", "Plivo Auth ID (MA...)");
  public static final ConfigKey PLIVO_AUTH_TOKEN = ConfigKey.optionalSecret(
      "relay.providers.plivo.auth-token", "Plivo Auth Token: API password and the key of X-Plivo-Signature-V3");
  public static final ConfigKey PLIVO_NONCE_WINDOW = ConfigKey.optional(
      "relay.providers.plivo.nonce-window", "24h",
      "how long a Plivo receipt's X-Plivo-Signature-V3-Nonce is remembered: the same nonce again is refused (401)");
  public static final ConfigKey PLIVO_FROM = ConfigKey.optional(
      "relay.providers.plivo.from", "", "sender of SMS (src): a Plivo number or alphanumeric id");

  public static final List<ConfigKey> ALL = List.of(
      ENABLED, DLR_PUBLIC_URL, DLR_ALLOW_PLAIN_HTTP, CONNECT_TIMEOUT, READ_TIMEOUT, MAX_CONCURRENT, MAX_QUEUED,
      CIRCUIT_ENABLED, CIRCUIT_FAILURE_RATE, CIRCUIT_MINIMUM_CALLS, CIRCUIT_WINDOW, CIRCUIT_OPEN_FOR,
      TWILIO_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID, TWILIO_VOICE_FROM,
      TWILIO_WHATSAPP_FROM, TWILIO_WHATSAPP_CONTENT_SID,
      VONAGE_BASE_URL, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD, VONAGE_FROM,
      VONAGE_MESSAGES_BASE_URL, VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY, VONAGE_WHATSAPP_FROM, VONAGE_WHATSAPP_TEMPLATE,
      VONAGE_WHATSAPP_LOCALE,
      PLIVO_BASE_URL, PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN, PLIVO_NONCE_WINDOW, PLIVO_FROM);

  private ProviderKeys() {}

  /** The enabled vendors, lower case, in configured order; an unknown name is a config error. */
  public static List<String> enabled(RelayConfig config) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : config.getList(ENABLED)) {
      String provider = name.toLowerCase(Locale.ROOT);
      if (!KNOWN.contains(provider)) {
        throw new ConfigException(ENABLED.name() + ": unknown provider '" + name + "'; known: " + KNOWN);
      }
      names.add(provider);
    }
    return List.copyOf(names);
  }

  /** The value of a key an enabled vendor cannot work without. */
  public static String require(RelayConfig config, ConfigKey key, String provider) {
    return config.find(key).map(String::trim).orElseThrow(() -> new ConfigException(
        key.name() + " (env " + key.envName() + ") is required because provider '" + provider
            + "' is enabled in " + ENABLED.name() + ": " + key.description()));
  }

  /**
   * The public base URL where receipts are taken in: as {@link #publicUrl}, and refused when it is
   * plain http outside development, since a receipt's signature and the number it carries would cross
   * the network readable by anyone on the path.
   */
  public static String receivingPublicUrl(RelayConfig config) {
    String url = publicUrl(config);
    if (url.startsWith("http://") && !config.getBoolean(DLR_ALLOW_PLAIN_HTTP)) {
      throw new ConfigException(DLR_PUBLIC_URL.name() + " is plain http ('" + url + "'): vendors must call dlr-ingest"
          + " over https (terminate TLS in front of it and give that https address); " + DLR_ALLOW_PLAIN_HTTP.name()
          + "=true allows http for development only");
    }
    return url;
  }

  /** The public base URL without a trailing slash. */
  public static String publicUrl(RelayConfig config) {
    String url = config.get(DLR_PUBLIC_URL).trim();
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new ConfigException(DLR_PUBLIC_URL.name() + " must be an http(s) URL, not '" + url + "'");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
