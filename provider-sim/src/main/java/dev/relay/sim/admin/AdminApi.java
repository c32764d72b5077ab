package dev.relay.sim.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.relay.sim.handset.Handsets;
import dev.relay.sim.handset.WhatsAppUsers;
import dev.relay.sim.route.Provider;
import dev.relay.sim.route.RouteBehaviour;
import dev.relay.sim.route.RouteBehaviourJson;
import dev.relay.sim.route.RouteBook;
import dev.relay.sim.route.SimChannel;
import dev.relay.sim.user.AutoVerifier;
import dev.relay.sim.vendor.SendLog;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.Json;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The simulator's own API, for tests, demos and scenario runs: read and clear a handset's inbox,
 * change how a provider treats a country at runtime, switch a provider's full outage, reset it all.
 */
public final class AdminApi {

  private static final Set<String> REGIONS = PhoneNumberUtil.getInstance().getSupportedRegions();

  private final RouteBook routes;
  private final Handsets handsets;
  private final RouteBehaviourJson behaviourJson;
  private final AutoVerifier autoVerifier;
  private SendLog sendLog;
  private WhatsAppUsers whatsAppUsers;

  public AdminApi(RouteBook routes, Handsets handsets, RouteBehaviourJson behaviourJson) {
    this(routes, handsets, behaviourJson, null);
  }

  /** @param autoVerifier the simulated users, switched by {@code /sim/auto-verify}; null leaves that path out */
  public AdminApi(RouteBook routes, Handsets handsets, RouteBehaviourJson behaviourJson, AutoVerifier autoVerifier) {
    this.routes = routes;
    this.handsets = handsets;
    this.behaviourJson = behaviourJson;
    this.autoVerifier = autoVerifier;
  }

  /** Serves {@code GET|PUT /sim/handsets/{number}/whatsapp} ({@code {"onWhatsApp": false}}), and clears it on reset. */
  public AdminApi whatsAppUsers(WhatsAppUsers users) {
    this.whatsAppUsers = users;
    return this;
  }

  /** Serves {@code GET /sim/handsets/{number}/sends} from this log, and clears it on reset. */
  public AdminApi sendLog(SendLog log) {
    this.sendLog = log;
    return this;
  }

  public void register(Javalin app) {
    app.get("/sim/handsets/{number}/messages", ctx -> ctx.json(handsets.messages(number(ctx))));
    if (sendLog != null) {
      app.get("/sim/handsets/{number}/sends", ctx -> ctx.json(sendLog.of(number(ctx))));
    }
    if (whatsAppUsers != null) {
      app.get("/sim/handsets/{number}/whatsapp", ctx -> ctx.json(Map.of("onWhatsApp", whatsAppUsers.isOnWhatsApp(number(ctx)))));
      app.put("/sim/handsets/{number}/whatsapp", this::writeWhatsApp);
    }
    app.delete("/sim/handsets/{number}/messages", ctx -> {
      handsets.clear(number(ctx));
      ctx.status(204);
    });
    String route = "/sim/providers/{provider}/countries/{country}";
    app.get(route, this::readRoute);
    app.put(route, this::writeRoute);
    app.delete(route, this::resetRoute);
    app.get("/sim/providers/{provider}/outage", ctx -> outage(ctx, provider(ctx)));
    app.put("/sim/providers/{provider}/outage", this::writeOutage);
    if (autoVerifier != null) {
      app.get("/sim/auto-verify", ctx -> ctx.json(autoVerifyJson(autoVerifier.settings())));
      app.put("/sim/auto-verify", this::writeAutoVerify);
    }
    app.post("/sim/reset", ctx -> {
      routes.resetAll();
      handsets.clearAll();
      if (sendLog != null) {
        sendLog.clearAll();
      }
      if (whatsAppUsers != null) {
        whatsAppUsers.clearAll();
      }
      ctx.status(204);
    });
  }

  private void writeWhatsApp(Context ctx) throws Exception {
    String number = number(ctx);
    com.fasterxml.jackson.databind.JsonNode body;
    try {
      body = Json.MAPPER.readTree(ctx.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = null;
    }
    if (body == null || !body.path("onWhatsApp").isBoolean()) {
      throw ApiError.badRequest("invalid_whatsapp", "the body must be {\"onWhatsApp\": true} or {\"onWhatsApp\": false}");
    }
    com.fasterxml.jackson.databind.JsonNode onWhatsApp = body.path("onWhatsApp");
    whatsAppUsers.set(number, onWhatsApp.asBoolean());
    ctx.json(Map.of("onWhatsApp", whatsAppUsers.isOnWhatsApp(number)));
  }

  private void readRoute(Context ctx) {
    Provider provider = provider(ctx);
    String country = country(ctx);
    ctx.json(RouteBehaviourJson.write(routes.behaviour(provider, channel(ctx, provider), country)));
  }

  private void writeRoute(Context ctx) throws Exception {
    Provider provider = provider(ctx);
    String country = country(ctx);
    SimChannel channel = channel(ctx, provider);
    RouteBehaviour behaviour = behaviourJson.read(Json.MAPPER.readTree(ctx.body()), provider, channel,
        routes.healthy(provider, channel));
    routes.set(provider, channel, country, behaviour);
    ctx.json(RouteBehaviourJson.write(behaviour));
  }

  private void resetRoute(Context ctx) {
    Provider provider = provider(ctx);
    String country = country(ctx);
    routes.reset(provider, channel(ctx, provider), country);
    ctx.status(204);
  }

  private void writeOutage(Context ctx) throws Exception {
    Provider provider = provider(ctx);
    JsonNode body = Json.MAPPER.readTree(ctx.body());
    if (body == null || !body.isObject() || !body.path("down").isBoolean()) {
      throw ApiError.badRequest("invalid_outage", "the body must be {\"down\": true} or {\"down\": false}");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!"down".equals(name)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + name + "'; the only field is 'down'");
      }
    }
    routes.setDown(provider, body.get("down").asBoolean());
    outage(ctx, provider);
  }

  /** {@code {"enabled": true, "minDelay": "PT1S", "maxDelay": "PT3S"}}; left-out delays keep their value. */
  private void writeAutoVerify(Context ctx) throws Exception {
    JsonNode body = Json.MAPPER.readTree(ctx.body());
    if (body == null || !body.isObject() || !body.path("enabled").isBoolean()) {
      throw ApiError.badRequest("invalid_auto_verify",
          "the body must be {\"enabled\": true|false} with optional \"minDelay\" and \"maxDelay\" such as \"PT2S\"");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!Set.of("enabled", "minDelay", "maxDelay").contains(name)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + name + "'; known: enabled, minDelay, maxDelay");
      }
    }
    AutoVerifier.Settings current = autoVerifier.settings();
    Duration min = delay(body, "minDelay", current.minDelay());
    Duration max = delay(body, "maxDelay", current.maxDelay());
    if (min.isNegative() || max.compareTo(min) < 0 || max.compareTo(Duration.ofMinutes(10)) > 0) {
      throw ApiError.badRequest("invalid_auto_verify", "the delays must satisfy 0 <= minDelay <= maxDelay <= PT10M");
    }
    AutoVerifier.Settings changed = new AutoVerifier.Settings(body.get("enabled").asBoolean(), min, max);
    autoVerifier.update(changed);
    ctx.json(autoVerifyJson(changed));
  }

  private static Duration delay(JsonNode body, String field, Duration current) {
    JsonNode value = body.get(field);
    if (value == null) {
      return current;
    }
    try {
      return Duration.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_auto_verify", field + " must be an ISO-8601 duration such as PT2S, not '" + value.asText() + "'");
    }
  }

  private static Map<String, Object> autoVerifyJson(AutoVerifier.Settings settings) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("enabled", settings.enabled());
    json.put("minDelay", settings.minDelay().toString());
    json.put("maxDelay", settings.maxDelay().toString());
    return json;
  }

  private void outage(Context ctx, Provider provider) {
    ctx.json(Map.of("provider", provider.wireName(), "down", routes.isDown(provider)));
  }

  private static Provider provider(Context ctx) {
    String name = ctx.pathParam("provider");
    return Provider.fromWireName(name).orElseThrow(() -> new ApiError(404, "unknown_provider",
        "no provider '" + name + "'; the simulator speaks twilio, vonage and plivo"));
  }

  private static String country(Context ctx) {
    String country = ctx.pathParam("country").toUpperCase(Locale.ROOT);
    if (!REGIONS.contains(country)) {
      throw ApiError.badRequest("invalid_country", "'" + ctx.pathParam("country")
          + "' is not an ISO 3166 alpha-2 country with phone numbers, such as DE or US");
    }
    return country;
  }

  /**
   * {@code ?channel=sms} (the default) or {@code ?channel=voice}: a route is one channel, because a
   * vendor's codes and defaults differ between its messaging and voice APIs.
   */
  private static SimChannel channel(Context ctx, Provider provider) {
    String wanted = ctx.queryParam("channel");
    if (wanted == null) {
      return SimChannel.SMS;
    }
    SimChannel channel = SimChannel.fromWireName(wanted).orElseThrow(() ->
        ApiError.badRequest("invalid_channel", "channel must be sms, voice or whatsapp, not '" + wanted + "'"));
    if (!provider.serves(channel)) {
      throw ApiError.badRequest("invalid_channel", provider.wireName() + " does not serve " + channel.wireName());
    }
    return channel;
  }

  /**
   * The number in the path, normalized. A literal {@code +} in a path may reach us decoded as a
   * space, as form encoding would have it; both spellings, and {@code %2B}, mean the same number.
   */
  private static String number(Context ctx) {
    String raw = ctx.pathParam("number");
    String input = raw.startsWith(" ") ? "+" + raw.substring(1) : raw;
    try {
      return PhoneNumbers.parse(input).number();
    } catch (InvalidPhoneNumberException e) {
      throw ApiError.badRequest("invalid_number", "'" + raw + "' is not an E.164 phone number: " + e.getMessage());
    }
  }
}
