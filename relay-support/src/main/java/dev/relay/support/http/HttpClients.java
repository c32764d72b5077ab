package dev.relay.support.http;

import java.net.http.HttpClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the JDK HTTP clients and remembers whom each works for. The JDK names a client's threads
 * {@code HttpClient-<id>-SelectorManager} and {@code HttpClient-<id>-Worker-<n>} and offers no way to
 * choose that name; in one process holding the sender, the simulator and a load generator (the local
 * run, the benchmark) their clients' CPU would otherwise be one anonymous heap. Each client built here
 * has its id recorded with its owner, so {@link #ownerOfThread} can tell a thread's owner from its name.
 */
public final class HttpClients {

  /** The id the JDK prints at the end of a client's {@code toString()}: {@code HttpClientImpl@1b2c3d(7)}. */
  private static final Pattern CLIENT_ID = Pattern.compile("\\((\\d+)\\)$");
  private static final Pattern THREAD_OF_CLIENT = Pattern.compile("^HttpClient-(\\d+)-");

  private static final Map<Long, String> OWNERS = new ConcurrentHashMap<>();

  private HttpClients() {}

  /** Builds the client and records it as {@code owner}'s. */
  public static HttpClient build(String owner, HttpClient.Builder builder) {
    HttpClient client = builder.build();
    Matcher id = CLIENT_ID.matcher(client.toString());
    if (id.find()) {
      // A JDK that prints no id leaves the client's threads without an owner, nothing worse.
      OWNERS.put(Long.parseLong(id.group(1)), owner);
    }
    return client;
  }

  /** The owner of a JDK HTTP client's thread, by the thread's name; empty for other threads and unknown clients. */
  public static Optional<String> ownerOfThread(String threadName) {
    Matcher id = THREAD_OF_CLIENT.matcher(threadName);
    return id.find() ? Optional.ofNullable(OWNERS.get(Long.parseLong(id.group(1)))) : Optional.empty();
  }
}
