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

  private ConfigSchema(Map<String, ConfigKey> keys) {
    this.keys = Collections.unmodifiableMap(keys);
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

  public Optional<ConfigKey> findByEnvName(String envName) {
    return keys.values().stream().filter(key -> key.envName().equals(envName)).findFirst();
  }
}
