package dev.relay.support.config;

import dev.relay.schemas.topics.Durations;
import dev.relay.support.secrets.OwnerOnly;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * A service's settings, layered in this order, later wins: the keys' defaults, a properties file
 * ({@code --config=FILE} or {@code RELAY_CONFIG_FILE}), environment variables ({@code RELAY_...}),
 * then {@code --relay.key=value} flags. Validated once at start-up against the service's
 * {@link ConfigSchema} (unknown {@code relay.*} keys and missing required ones are errors that name
 * the key) and immutable afterwards. Keys under a prefix the schema accepts ({@link ConfigPrefix},
 * e.g. {@code relay.kafka.client.*}) come from the same layers; their environment variables are
 * derived the other way round ({@link ConfigPrefix#nameOfEnv}).
 */
public final class RelayConfig {

  public static final String CONFIG_FILE_ENV = "RELAY_CONFIG_FILE";
  private static final String CONFIG_FILE_FLAG = "--config=";

  private final ConfigSchema schema;
  private final Map<String, String> values;

  private RelayConfig(ConfigSchema schema, Map<String, String> values) {
    this.schema = schema;
    this.values = Collections.unmodifiableMap(values);
  }

  /** Loads the layers a process sees: its environment and its command-line flags. */
  public static RelayConfig load(ConfigSchema schema, String[] args) {
    return load(schema, System.getenv(), args);
  }

  public static RelayConfig load(ConfigSchema schema, Map<String, String> env, String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ConfigKey key : schema.keys()) {
      if (key.defaultValue() != null) {
        values.put(key.name(), key.defaultValue());
      }
    }
    Optional<Path> file = configFile(env, args);
    if (file.isPresent()) {
      values.putAll(checked(schema, readFile(file.get()), "file " + file.get()));
    }
    for (ConfigKey key : schema.keys()) {
      String fromEnv = env.get(key.envName());
      if (fromEnv != null) {
        values.put(key.name(), fromEnv);
      }
    }
    values.putAll(checked(schema, prefixedFromEnv(schema, env), "environment"));
    values.putAll(checked(schema, flags(args), "command line"));
    return validated(schema, values);
  }

  /** Config from explicit values on top of the defaults; how the launcher and tests wire services. */
  public static RelayConfig of(ConfigSchema schema, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ConfigKey key : schema.keys()) {
      if (key.defaultValue() != null) {
        values.put(key.name(), key.defaultValue());
      }
    }
    values.putAll(checked(schema, overrides, "settings"));
    return validated(schema, values);
  }

  public ConfigSchema schema() {
    return schema;
  }

  public String get(ConfigKey key) {
    String value = values.get(known(key).name());
    if (value == null) {
      throw new ConfigException(key.name() + " is not set");
    }
    return value;
  }

  public Optional<String> find(ConfigKey key) {
    return Optional.ofNullable(values.get(known(key).name())).filter(value -> !value.isBlank());
  }

  public int getInt(ConfigKey key) {
    String value = get(key);
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + " must be a whole number, not '" + value + "'");
    }
  }

  public boolean getBoolean(ConfigKey key) {
    String value = get(key).trim();
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new ConfigException(key.name() + " must be true or false, not '" + value + "'");
  }

  /** A share or a rate: a number from 0 to 1. */
  public double getFraction(ConfigKey key) {
    String value = get(key).trim();
    try {
      return requireFraction(key, Double.parseDouble(value));
    } catch (NumberFormatException e) {
      throw new ConfigException(key.name() + " must be a number between 0 and 1, not '" + value + "'");
    }
  }

  /** A factor: a number of 0 or more. */
  public double getFactor(ConfigKey key) {
    String value = get(key).trim();
    try {
      double factor = Double.parseDouble(value);
      if (factor >= 0 && Double.isFinite(factor)) {
        return factor;
      }
    } catch (NumberFormatException e) {
      // answered below, as a value out of range is
    }
    throw new ConfigException(key.name() + " must be a number of 0 or more, not '" + value + "'");
  }

  /** Checks a value of {@code key} that was given in code rather than read, with the same message. */
  public static double requireFraction(ConfigKey key, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new ConfigException(key.name() + " must be between 0 and 1, not " + value);
    }
    return value;
  }

  public Duration getDuration(ConfigKey key) {
    String value = get(key);
    try {
      return Durations.parse(value);
    } catch (RuntimeException e) {
      throw new ConfigException(key.name() + ": " + e.getMessage());
    }
  }

  public List<String> getList(ConfigKey key) {
    List<String> items = new ArrayList<>();
    for (String item : get(key).split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  /** Lookup by raw name, for code that declares its own keys (the topic descriptors). */
  public Function<String, Optional<String>> lookup() {
    return name -> Optional.ofNullable(values.get(name)).filter(value -> !value.isBlank());
  }

  /**
   * The values under an accepted prefix, by their name after it: {@code relay.kafka.client.sasl.mechanism}
   * is {@code sasl.mechanism} here.
   */
  public Map<String, String> under(ConfigPrefix prefix) {
    if (!schema.prefixes().contains(prefix)) {
      throw new IllegalArgumentException(prefix.prefix() + "* is not part of this service's config schema");
    }
    Map<String, String> found = new LinkedHashMap<>();
    values.forEach((name, value) -> {
      if (prefix.covers(name)) {
        found.put(prefix.suffix(name), value);
      }
    });
    return found;
  }

  /** All values, secrets masked: safe to print at start-up. */
  public Map<String, String> printable() {
    Map<String, String> printable = new LinkedHashMap<>();
    values.forEach((name, value) -> printable.put(name, isSecret(name) ? MASK : value));
    return printable;
  }

  public static final String MASK = "******";

  private boolean isSecret(String name) {
    Optional<ConfigKey> key = schema.find(name);
    if (key.isPresent()) {
      return key.get().secret();
    }
    return schema.prefixOf(name).map(prefix -> prefix.secret().test(prefix.suffix(name))).orElse(false);
  }

  private ConfigKey known(ConfigKey key) {
    if (schema.find(key.name()).isEmpty()) {
      throw new IllegalArgumentException(key.name() + " is not part of this service's config schema");
    }
    return key;
  }

  private static RelayConfig validated(ConfigSchema schema, Map<String, String> values) {
    List<String> missing = new ArrayList<>();
    for (ConfigKey key : schema.keys()) {
      String value = values.get(key.name());
      if (key.isRequired() && (value == null || value.isBlank())) {
        missing.add(key.name() + " (env " + key.envName() + "): " + key.description());
      }
    }
    if (!missing.isEmpty()) {
      throw new ConfigException("missing required settings:\n  " + String.join("\n  ", missing));
    }
    return new RelayConfig(schema, values);
  }

  private static Map<String, String> checked(ConfigSchema schema, Map<String, String> layer, String source) {
    for (String name : layer.keySet()) {
      if (schema.find(name).isPresent()) {
        continue;
      }
      Optional<ConfigPrefix> prefix = schema.prefixOf(name);
      if (prefix.isEmpty()) {
        throw new ConfigException("unknown setting '" + name + "' in " + source
            + " (is it spelt right, and does this service read it?)");
      }
      // The value is not part of the message: under a prefix it may be a password.
      prefix.get().problem().apply(prefix.get().suffix(name)).ifPresent(problem -> {
        throw new ConfigException("bad setting '" + name + "' in " + source + ": " + problem);
      });
    }
    return layer;
  }

  private static Map<String, String> prefixedFromEnv(ConfigSchema schema, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ConfigPrefix prefix : schema.prefixes()) {
      env.forEach((name, value) -> {
        // RELAY_KAFKA_CLIENT_PROPERTIES_FILE is a key of its own, not a client property.
        if (name.startsWith(prefix.envPrefix()) && name.length() > prefix.envPrefix().length()
            && schema.findByEnvName(name).isEmpty()) {
          values.put(prefix.nameOfEnv(name), value);
        }
      });
    }
    return values;
  }

  private static Optional<Path> configFile(Map<String, String> env, String[] args) {
    for (String arg : args) {
      if (arg.startsWith(CONFIG_FILE_FLAG)) {
        return Optional.of(Path.of(arg.substring(CONFIG_FILE_FLAG.length())));
      }
    }
    return Optional.ofNullable(env.get(CONFIG_FILE_ENV)).filter(path -> !path.isBlank()).map(Path::of);
  }

  private static Map<String, String> readFile(Path file) {
    // The file a deployment keeps its secrets in (relay.secrets.*, vendor tokens): its owner's alone.
    OwnerOnly.tighten(file);
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
    return values;
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String arg : args) {
      if (arg.startsWith(CONFIG_FILE_FLAG)) {
        continue;
      }
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new ConfigException("cannot read argument '" + arg + "': write settings as --relay.key=value");
      }
      int equals = arg.indexOf('=');
      values.put(arg.substring(2, equals), arg.substring(equals + 1));
    }
    return values;
  }
}
