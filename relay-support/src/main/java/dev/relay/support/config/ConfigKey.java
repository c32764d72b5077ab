package dev.relay.support.config;

import java.util.Locale;

/**
 * One documented setting: its dotted name ({@code relay.kafka.bootstrap-servers}), the environment
 * variable that sets it ({@code RELAY_KAFKA_BOOTSTRAP_SERVERS}), its default, and whether it is a
 * secret (never printed).
 *
 * @param defaultValue {@code null} when the key is required
 */
public record ConfigKey(String name, String defaultValue, String description, boolean secret) {

  public static ConfigKey optional(String name, String defaultValue, String description) {
    return new ConfigKey(name, defaultValue, description, false);
  }

  public static ConfigKey required(String name, String description) {
    return new ConfigKey(name, null, description, false);
  }

  public static ConfigKey secret(String name, String description) {
    return new ConfigKey(name, null, description, true);
  }

  /** A secret that may stay empty, e.g. the credentials of a vendor that is not enabled. */
  public static ConfigKey optionalSecret(String name, String description) {
    return new ConfigKey(name, "", description, true);
  }

  public boolean isRequired() {
    return defaultValue == null;
  }

  /** The environment variable for this key: upper case, dots and dashes as underscores. */
  public String envName() {
    return envNameOf(name);
  }

  public static String envNameOf(String name) {
    return name.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }
}
