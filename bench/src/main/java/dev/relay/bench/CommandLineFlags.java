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
}
