package dev.relay.support.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The set of keys one service reads: what it accepts, documents and validates at start-up. */
public final class ConfigSchema {

  private final Map<String, ConfigKey> keys;
  private final List<ConfigPrefix> prefixes;

  private ConfigSchema(Map<String, ConfigKey> keys) {
    this(keys, List.of());
  }

  private ConfigSchema(Map<String, ConfigKey> keys, List<ConfigPrefix> prefixes) {
    this.keys = Collections.unmodifiableMap(keys);
    this.prefixes = List.copyOf(prefixes);
  }

  public static ConfigSchema of(Collection<ConfigKey> keys) {
    Map<String, ConfigKey> byName = new LinkedHashMap<>();
    for (ConfigKey key : keys) {
      ConfigKey previous = byName.putIfAbsent(key.name(), key);
      if (previous != null && !previous.equals(key)) {
        throw new IllegalArgumentException("config key " + key.name() + " is declared twice, differently");
      }
    }
    return new ConfigSchema(byName);
  }

  @SafeVarargs
  public static ConfigSchema combine(List<ConfigKey>... groups) {
    Map<String, ConfigKey> byName = new LinkedHashMap<>();
    for (List<ConfigKey> group : groups) {
      group.forEach(key -> byName.putIfAbsent(key.name(), key));
    }
    return new ConfigSchema(byName);
  }

  public Collection<ConfigKey> keys() {
    return keys.values();
  }

  public Optional<ConfigKey> find(String name) {
    return Optional.ofNullable(keys.get(name));
  }

  /** This schema, also accepting the keys under {@code prefix} (each checked by the prefix). */
  public ConfigSchema withPrefix(ConfigPrefix prefix) {
    List<ConfigPrefix> all = new java.util.ArrayList<>(prefixes);
    all.add(prefix);
    return new ConfigSchema(new LinkedHashMap<>(keys), all);
  }

  public List<ConfigPrefix> prefixes() {
    return prefixes;
  }

  /** The prefix {@code name} falls under, if it is not a key of its own. */
  public Optional<ConfigPrefix> prefixOf(String name) {
    return prefixes.stream().filter(prefix -> prefix.covers(name)).findFirst();
  }

  /**
   * The entries of {@code values} that this schema reads (its keys and its prefixes), for wiring
   * several services from one map of settings, as the tests that run a dispatcher and a sender do.
   */
  public java.util.Map<String, String> select(java.util.Map<String, String> values) {
    java.util.Map<String, String> selected = new java.util.HashMap<>();
    values.forEach((name, value) -> {
      if (find(name).isPresent() || prefixOf(name).isPresent()) {
        selected.put(name, value);
      }
    });
    return selected;
  }

  public Optional<ConfigKey> findByEnvName(String envName) {
    return keys.values().stream().filter(key -> key.envName().equals(envName)).findFirst();
  }
}
