package dev.relay.api.http;

import dev.relay.schemas.Channel;
import dev.relay.schemas.VerificationService;
import dev.relay.schemas.topics.Durations;
import dev.relay.support.http.ApiError;
import java.security.SecureRandom;
import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A service's settings as an operator writes them on create or update, validated whole before
 * anything is stored: every refusal is a 400 naming the field and the allowed range. On create, an
 * absent field takes the default Twilio Verify uses (6 digits, 10 minutes, 5 guesses, 5 sends); on
 * update, an absent field keeps its value.
 */
final class ServiceForm {

  static final Set<String> FIELDS = Set.of("friendlyName", "codeLength", "expiry", "maxChecks", "maxSends", "channels",
      "templates");
  static final int MIN_CODE_LENGTH = 4;
  static final int MAX_CODE_LENGTH = 10;
  static final Duration MIN_EXPIRY = Duration.ofMinutes(1);
  static final Duration MAX_EXPIRY = Duration.ofHours(24);
  /** The dispatcher's own bounds for its deployment-wide caps (DispatcherSettings). */
  static final int MAX_CHECKS = 1000;
  static final int MAX_SENDS = 100;
  static final int MAX_FRIENDLY_NAME = 30;
  static final int MAX_TEMPLATES = 20;
  static final int MAX_TEMPLATE_LENGTH = 320;

  private static final int DEFAULT_CODE_LENGTH = 6;
  private static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(10);
  private static final int DEFAULT_MAX_CHECKS = 5;
  private static final int DEFAULT_MAX_SENDS = 5;
  private static final List<Channel> DEFAULT_CHANNELS = List.of(Channel.SMS, Channel.VOICE);
  /** The service ids this API mints and accepts in paths. */
  static final Pattern SERVICE_ID = Pattern.compile("svc_[a-z0-9]{16}");
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  /** BCP 47 in the shape a request's {@code locale} takes. */
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ServiceForm() {}

  /** A new service from the body: friendlyName is required, everything else has a default. */
  static VerificationService create(JsonBody body, String adminKeyName, Instant now) {
    VerificationService.Builder service = VerificationService.newBuilder()
        .setServiceId(mintId())
        .setFriendlyName(friendlyName(body.requiredString("friendlyName")))
        .setCodeLength(DEFAULT_CODE_LENGTH)
        .setExpiryMillis(DEFAULT_EXPIRY.toMillis())
        .setMaxChecks(DEFAULT_MAX_CHECKS)
        .setMaxSends(DEFAULT_MAX_SENDS)
        .setChannels(DEFAULT_CHANNELS)
        .setTemplates(Map.of())
        .setCreatedAt(now);
    return apply(body, service, adminKeyName, now);
  }

  /** The stored service with the body's fields changed. */
  static VerificationService update(VerificationService stored, JsonBody body, String adminKeyName, Instant now) {
    VerificationService.Builder service = VerificationService.newBuilder(stored);
    body.optionalString("friendlyName").map(ServiceForm::friendlyName).ifPresent(service::setFriendlyName);
    return apply(body, service, adminKeyName, now);
  }

  private static VerificationService apply(JsonBody body, VerificationService.Builder service, String adminKeyName,
      Instant now) {
    body.optionalInt("codeLength").map(length -> within("codeLength", length, MIN_CODE_LENGTH, MAX_CODE_LENGTH))
        .ifPresent(service::setCodeLength);
    body.optionalString("expiry").map(ServiceForm::expiry).ifPresent(expiry -> service.setExpiryMillis(expiry.toMillis()));
    body.optionalInt("maxChecks").map(cap -> within("maxChecks", cap, 1, MAX_CHECKS)).ifPresent(service::setMaxChecks);
    body.optionalInt("maxSends").map(cap -> within("maxSends", cap, 1, MAX_SENDS)).ifPresent(service::setMaxSends);
    body.optionalStrings("channels").map(ServiceForm::channels).ifPresent(service::setChannels);
    body.optionalStringMap("templates").map(ServiceForm::templates).ifPresent(service::setTemplates);
    return service.setUpdatedAt(now).setUpdatedBy(adminKeyName).build();
  }

  private static String mintId() {
    StringBuilder id = new StringBuilder("svc_");
    for (int i = 0; i < 16; i++) {
      id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return id.toString();
  }

  private static String friendlyName(String value) {
    String name = value.strip();
    if (name.isEmpty() || name.length() > MAX_FRIENDLY_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.badRequest("invalid_friendly_name",
          "'friendlyName' must be 1-" + MAX_FRIENDLY_NAME + " characters without line breaks or control characters");
    }
    return name;
  }

  private static int within(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw ApiError.badRequest("invalid_" + snake(field), "'" + field + "' must be from " + min + " to " + max);
    }
    return value;
  }

  private static Duration expiry(String value) {
    Duration expiry;
    try {
      expiry = Durations.parse(value);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ApiError.badRequest("invalid_expiry", "'expiry' must be a duration such as PT10M or 10m");
    }
    if (expiry.compareTo(MIN_EXPIRY) < 0 || expiry.compareTo(MAX_EXPIRY) > 0) {
      throw ApiError.badRequest("invalid_expiry", "'expiry' must be from " + MIN_EXPIRY + " to " + MAX_EXPIRY);
    }
    return expiry;
  }

  private static List<Channel> channels(List<String> names) {
    if (names.isEmpty()) {
      throw ApiError.badRequest("invalid_channels", "'channels' must name at least one of sms, whatsapp, voice");
    }
    EnumSet<Channel> channels = EnumSet.noneOf(Channel.class);
    for (String name : names) {
      Channel channel = switch (name.toLowerCase(Locale.ROOT)) {
        case "sms" -> Channel.SMS;
        case "voice" -> Channel.VOICE;
        case "whatsapp" -> Channel.WHATSAPP;
        default -> throw ApiError.badRequest("invalid_channels", "'channels' may hold only sms, whatsapp and voice");
      };
      channels.add(channel);
    }
    return new ArrayList<>(channels);
  }

  private static Map<String, String> templates(Map<String, String> given) {
    if (given.size() > MAX_TEMPLATES) {
      throw ApiError.badRequest("invalid_templates", "'templates' holds at most " + MAX_TEMPLATES + " locales");
    }
    Map<String, String> templates = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : given.entrySet()) {
      if (!LOCALE.matcher(entry.getKey()).matches()) {
        throw ApiError.badRequest("invalid_templates", "each key of 'templates' must be a language tag such as de or pt-BR");
      }
      String locale = entry.getKey().replace('_', '-');
      String template = entry.getValue();
      if (template.isBlank() || template.length() > MAX_TEMPLATE_LENGTH) {
        throw ApiError.badRequest("invalid_templates", "the template for " + locale + " must be 1-" + MAX_TEMPLATE_LENGTH
            + " characters");
      }
      MessageFormat format;
      try {
        format = new MessageFormat(template, Locale.forLanguageTag(locale));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("invalid_templates", "the template for " + locale
            + " is not a MessageFormat pattern ({0} the friendly name, {1} the code; a quote written twice)");
      }
      if (format.getFormatsByArgumentIndex().length != 2) {
        // Without {1} the message would carry no code; {2} and above would be sent as written.
        throw ApiError.badRequest("invalid_templates", "the template for " + locale
            + " must contain {1}, the code, and no argument but {0} and {1}");
      }
      templates.put(locale, template);
    }
    return templates;
  }

  private static String snake(String field) {
    return field.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
