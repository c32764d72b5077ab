package dev.relay.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code --name=value} flags of the bench's command lines ({@code bench.sh}, {@code routing-study.sh}). */
public final class CommandLineFlags {

  private CommandLineFlags() {}

  public static Map<String, String> parse(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("flags are --name=value, not '" + arg + "'");
      }
      flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return flags;
  }

  /**
   * A flag of {@code key=value,key=value} settings (e.g. {@code --api-settings}) into a map; empty for an
   * absent or empty flag.
   */
  public static Map<String, String> settings(Map<String, String> flags, String name) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String pair : flags.getOrDefault(name, "").split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--" + name + " takes key=value pairs separated by commas, not " + pair);
      }
      settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return settings;
  }
}
