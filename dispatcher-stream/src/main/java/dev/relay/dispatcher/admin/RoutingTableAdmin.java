package dev.relay.dispatcher.admin;

import dev.relay.dispatcher.routing.RoutingTable;
import dev.relay.support.routing.RoutingTableFile;
import dev.relay.schemas.RoutingTableVersion;
import dev.relay.support.config.ConfigException;
import dev.relay.support.http.ApiError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /admin/routing-table}: an operator publishes a new version of the routing table (the
 * JSON of {@link RoutingTableFile}) without a restart. The table is checked before anything is
 * published (valid JSON, a {@code *} entry, known providers only); a bad one is a 400 naming what is
 * wrong. Only a caller with the admin token ({@code Authorization: Bearer ...}) may publish; without
 * a configured token the endpoint is not there at all.
 */
public final class RoutingTableAdmin {

  public static final String PATH = "/admin/routing-table";
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableAdmin.class);

  private final byte[] token;
  private final Set<String> providers;
  private final Consumer<RoutingTableVersion> publisher;
  private final Clock clock;

  /**
   * @param token the admin token callers must present
   * @param providers the providers this deployment has configured: a table naming another is refused
   * @param publisher publishes a checked version durably, or throws (the broker is unreachable)
   */
  public RoutingTableAdmin(String token, Collection<String> providers, Consumer<RoutingTableVersion> publisher, Clock clock) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the routing table admin needs a token");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.providers = Set.copyOf(providers);
    this.publisher = publisher;
    this.clock = clock;
  }

  public void register(Javalin http) {
    http.put(PATH, this::publish);
  }

  private void publish(Context ctx) {
    authorize(ctx.header("Authorization"));
    Instant now = clock.instant();
    RoutingTableVersion table;
    try {
      // The publication time in milliseconds is the version, as with the command line publisher.
      table = RoutingTableFile.parse(ctx.body(), now.toEpochMilli(), now, "admin-api:" + ctx.ip());
    } catch (ConfigException e) {
      throw ApiError.badRequest("invalid_routing_table", e.getMessage());
    }
    Set<String> unknown = new TreeSet<>(RoutingTable.fromVersion(table).providers());
    unknown.removeAll(providers);
    if (!unknown.isEmpty()) {
      throw ApiError.badRequest("invalid_routing_table",
          "the table names providers that are not configured: " + unknown + " (configured: " + new TreeSet<>(providers) + ")");
    }
    try {
      publisher.accept(table);
    } catch (RuntimeException e) {
      LOG.warn("routing table version {} not published: {}", table.getVersion(), e.getMessage());
      throw ApiError.unavailable("the routing table was not published; retry");
    }
    LOG.info("routing table version {} published through the admin API ({} countries)", table.getVersion(),
        table.getCountries().size());
    ctx.json(Map.of("version", table.getVersion(), "publishedAt", table.getPublishedAt().toString(),
        "countries", table.getCountries().size()));
  }

  private void authorize(String header) {
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiError(401, "unauthorized", "publishing a routing table needs 'Authorization: Bearer <admin token>'");
    }
  }
}
