package dev.relay.api.http;

import dev.relay.support.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys a deployment accepts, each with a name, kept only as SHA-256 hashes so the config
 * never holds a usable key. Keys are 256 random bits, which is why a plain hash is enough: there is
 * nothing to brute-force that a slow password hash would protect.
 */
public final class ApiKeys {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final String KEY_PREFIX = "rk_";
  private static final int KEY_BYTES = 32;

  /** {@code serviceId} is null for a key configured without a service (the deployment's default settings). */
  private record Entry(String name, byte[] hash, String serviceId) {}

  /** A new key: the secret to hand to a caller once, and the setting entry to configure. */
  public record GeneratedKey(String key, String settingEntry) {

    @Override
    public String toString() {
      return "GeneratedKey[" + settingEntry + "]";
    }
  }

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads {@code name:sha256-hex[:service-id][,...]}; an empty value accepts every caller. A key with a
   * service id belongs to that service (its settings, its verifications); one without keeps working as
   * before services existed, under the deployment's own settings.
   */
  public static ApiKeys parse(String settingName, String value) {
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String item : value.split(",")) {
      String entry = item.trim();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", -1);
      String name = parts.length < 2 ? "" : parts[0];
      String hash = parts.length < 2 ? "" : parts[1];
      if (parts.length > 3 || !NAME.matcher(name).matches() || !SHA256_HEX.matcher(hash).matches()) {
        throw new ConfigException(settingName + ": each key is written name:sha256-hex of the key[:service-id]"
            + " (name of 1-64 letters, digits, '.', '_' or '-'); generate one with ApiKeys.generate");
      }
      String serviceId = parts.length == 3 ? parts[2] : null;
      if (serviceId != null && !ServiceForm.SERVICE_ID.matcher(serviceId).matches()) {
        throw new ConfigException(settingName + ": key '" + name + "' names service '" + serviceId
            + "', which is not a service id (svc_ and 16 lower-case letters and digits, as POST /v1/admin/services answers)");
      }
      if (!names.add(name)) {
        throw new ConfigException(settingName + ": key name '" + name + "' appears twice");
      }
      entries.add(new Entry(name, HexFormat.of().parseHex(hash), serviceId));
    }
    return new ApiKeys(entries);
  }

  public static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  public static GeneratedKey generate(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a key name has 1-64 letters, digits, '.', '_' or '-'");
    }
    byte[] material = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(material);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(material);
    return new GeneratedKey(key, settingEntry(name, key));
  }

  /** The setting entry ({@code name:sha256-hex}) that accepts an existing key, e.g. one kept by a development stack. */
  public static String settingEntry(String name, String key) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a key name has 1-64 letters, digits, '.', '_' or '-'");
    }
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("an API key must not be empty");
    }
    return name + ":" + HexFormat.of().formatHex(sha256(key));
  }

  /** Whether callers must present a key at all. */
  public boolean required() {
    return !entries.isEmpty();
  }

  /** The name of the key presented, or empty when it is not one of ours. */
  public Optional<String> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(presented);
    String match = null;
    // Every entry is compared, in constant time each, so timing does not reveal which one matched.
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), hash) && match == null) {
        match = entry.name();
      }
    }
    return Optional.ofNullable(match);
  }

  /** The service the named key belongs to; empty for a key configured without one. */
  public Optional<String> serviceOf(String keyName) {
    for (Entry entry : entries) {
      if (entry.name().equals(keyName)) {
        return Optional.ofNullable(entry.serviceId());
      }
    }
    return Optional.empty();
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
