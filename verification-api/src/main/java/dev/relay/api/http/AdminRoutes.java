package dev.relay.api.http;

import dev.relay.api.admin.BlockedPrefixes;
import dev.relay.api.admin.BlocksUnavailableException;
import dev.relay.api.config.ApiConfig;
import dev.relay.api.dispatch.VerificationReader;
import dev.relay.api.http.VerificationRoutes.Route;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.state.VerificationState;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import dev.relay.support.secrets.VerificationIds;
import dev.relay.support.http.ApiError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's endpoints: the destination prefixes anti-pumping blocked, and releasing one; a
 * verification looked up by number or id, with its whole history (the operator console's search). They
 * take only an admin key ({@code relay.api.admin-keys}), never a caller's API key; without any
 * admin key configured they answer 403.
 */
public final class AdminRoutes {

  /** Every admin path starts with this; the callers' authentication leaves these paths to this class. */
  public static final String PATH_PREFIX = "/v1/admin/";
  public static final Route BLOCKED_PREFIXES = new Route("get", "/v1/admin/blocked-prefixes");
  public static final Route RELEASE_PREFIX = new Route("delete", "/v1/admin/blocked-prefixes/{prefix}");
  public static final Route VERIFICATION_BY_NUMBER = new Route("get", "/v1/admin/verifications");
  public static final Route VERIFICATION_BY_ID = new Route("get", "/v1/admin/verifications/{id}");
  /** Every route this class serves; the OpenAPI test holds the document to these and VerificationRoutes'. */
  public static final List<Route> ROUTES = List.of(BLOCKED_PREFIXES, RELEASE_PREFIX, VERIFICATION_BY_NUMBER,
      VERIFICATION_BY_ID);

  private static final Pattern PREFIX = Pattern.compile("[0-9]{2,12}");
  private static final String ADMIN_KEY_ATTRIBUTE = "adminKey";

  private final BlockedPrefixes blocks;
  private final VerificationReader verifications;
  private final VerificationIds ids;
  private final ApiKeys adminKeys;
  private final Clock clock;

  public AdminRoutes(BlockedPrefixes blocks, VerificationReader verifications, VerificationIds ids, ApiKeys adminKeys,
      Clock clock) {
    this.blocks = blocks;
    this.verifications = verifications;
    this.ids = ids;
    this.adminKeys = adminKeys;
    this.clock = clock;
  }

  public void register(Javalin app) {
    app.before(PATH_PREFIX + "*", this::authenticate);
    app.get(BLOCKED_PREFIXES.path(), this::list);
    app.delete(RELEASE_PREFIX.path(), this::release);
    app.get(VERIFICATION_BY_NUMBER.path(), this::lookUpByNumber);
    app.get(VERIFICATION_BY_ID.path(), this::lookUpById);
  }

  private void authenticate(Context ctx) {
    if (!adminKeys.required()) {
      throw new ApiError(403, "admin_disabled",
          "no admin key is configured (" + ApiConfig.ADMIN_KEYS.name() + "): the admin endpoints are off");
    }
    String header = ctx.header("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    Optional<String> keyName = adminKeys.authenticate(presented);
    if (keyName.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "unauthorized", header == null
          ? "send an admin key as 'Authorization: Bearer KEY'"
          : "the key is not an admin key of this deployment");
    }
    ctx.attribute(ADMIN_KEY_ATTRIBUTE, keyName.get());
  }

  /** The name of the admin key that opened this request (never the key), for the records it changes. */
  static String adminKeyName(Context ctx) {
    return ctx.attribute(ADMIN_KEY_ATTRIBUTE);
  }

  private void list(Context ctx) {
    Instant now = clock.instant();
    List<Views.BlockedPrefix> blocked = available(() -> blocks.blocked(now)).stream().map(Views.BlockedPrefix::of).toList();
    ctx.json(new Views.BlockedPrefixes(blocked));
  }

  private void release(Context ctx) {
    String prefix = ctx.pathParam("prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw ApiError.badRequest("invalid_prefix", "a prefix is 2 to 12 digits of the E.164 number without '+', such as 49151");
    }
    String by = ctx.attribute(ADMIN_KEY_ATTRIBUTE);
    PrefixBlock released = available(() -> blocks.release(prefix, by, clock.instant()))
        .orElseThrow(() -> ApiError.notFound("prefix " + prefix + " is not blocked"));
    ctx.json(Views.BlockedPrefix.of(released));
  }

  /** Support's question "what happened to this person's code?": the number's current or last verification. */
  private void lookUpByNumber(Context ctx) {
    String input = ctx.queryParam("number");
    if (input == null || input.isBlank()) {
      throw ApiError.badRequest("invalid_number", "give the number as ?number=+4915112345678 (E.164, '+' written %2B)");
    }
    String number;
    try {
      number = PhoneNumbers.parse(input).number();
    } catch (InvalidPhoneNumberException e) {
      throw ApiError.badRequest("invalid_number_" + e.reason(), e.getMessage()
          + (input.startsWith(" ") ? " (a '+' in a query string must be written %2B)" : ""));
    }
    lookUp(ctx, number, null);
  }

  private void lookUpById(Context ctx) {
    String id = ctx.pathParam("id");
    // An id that does not open was never minted here, as on the public endpoints.
    String number = ids.numberOf(id).orElseThrow(() -> ApiError.notFound("no such verification"));
    lookUp(ctx, number, id);
  }

  /** The number's verification, when there is one and (looked up by id) it is that one. */
  private void lookUp(Context ctx, String number, String id) {
    ctx.future(() -> verifications.find(number).handle((found, error) -> {
      if (error != null) {
        throw VerificationRoutes.readFailure(error);
      }
      VerificationState state = found.filter(verification -> id == null || id.equals(verification.getVerificationId()))
          .orElseThrow(() -> ApiError.notFound(id == null ? "no verification for this number" : "no such verification"));
      ctx.json(Views.AdminVerification.of(state));
      return null;
    }));
  }

  private static <T> T available(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (BlocksUnavailableException e) {
      throw ApiError.unavailable("the blocked prefixes could not be reached in time; retry");
    }
  }
}
