package dev.relay.api.http;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.Json;
import dev.relay.support.http.RelayHttp;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request body read strictly: exactly one JSON object, only the fields the endpoint takes, each of
 * the JSON type it asks for (a string, and for the admin endpoints also a whole number, an array of
 * strings or an object of strings). Every refusal is a 400 with a stable code ({@code malformed_body},
 * {@code unknown_field}, {@code missing_field}, {@code invalid_field}) and a message naming the
 * field, never echoing the value.
 */
final class JsonBody {

  private static final ObjectReader READER = Json.MAPPER.reader()
      // {"to": "+49..."} followed by anything else is not one object.
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // {"to": A, "to": B} would leave it to the parser which number is verified.
      .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
  /** Field names are echoed in messages only when they look like field names. */
  private static final Pattern PRINTABLE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");

  private final ObjectNode fields;

  private JsonBody(ObjectNode fields) {
    this.fields = fields;
  }

  static JsonBody read(Context ctx, Set<String> accepted) {
    return parse(RelayHttp.boundedBody(ctx), accepted);
  }

  /** As {@link #read}, for an endpoint whose fields are all optional: no body at all counts as {}. */
  static JsonBody readOptional(Context ctx, Set<String> accepted) {
    byte[] bytes = RelayHttp.boundedBody(ctx);
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return new JsonBody(Json.MAPPER.createObjectNode());
    }
    return parse(bytes, accepted);
  }

  private static JsonBody parse(byte[] bytes, Set<String> accepted) {
    JsonNode node;
    try {
      node = READER.readTree(bytes);
    } catch (IOException e) {
      throw ApiError.badRequest("malformed_body", "the body is not valid JSON");
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiError.badRequest("malformed_body", "the body must be a JSON object");
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!accepted.contains(name)) {
        String shown = PRINTABLE_NAME.matcher(name).matches() ? "'" + name + "'" : "with an unreadable name";
        throw ApiError.badRequest("unknown_field", "unknown field " + shown + "; this endpoint takes " + accepted);
      }
    }
    return new JsonBody(object);
  }

  String requiredString(String field) {
    return optionalString(field).orElseThrow(() ->
        ApiError.badRequest("missing_field", "'" + field + "' is required"));
  }

  /** The field's text; absent and {@code null} are the same. */
  Optional<String> optionalString(String field) {
    JsonNode value = fields.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw ApiError.badRequest("invalid_field", "'" + field + "' must be a JSON string, not " + describe(value));
    }
    return Optional.of(value.textValue());
  }

  /** The field as a whole number; absent and {@code null} are the same. */
  Optional<Integer> optionalInt(String field) {
    JsonNode value = fields.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw ApiError.badRequest("invalid_field", "'" + field + "' must be a whole number, not " + describe(value));
    }
    return Optional.of(value.intValue());
  }

  /** The field as an array of strings; absent and {@code null} are the same. */
  Optional<List<String>> optionalStrings(String field) {
    JsonNode value = fields.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    List<String> items = new ArrayList<>();
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (!item.isTextual()) {
          throw ApiError.badRequest("invalid_field", "'" + field + "' must be an array of strings, not of " + describe(item));
        }
        items.add(item.textValue());
      }
      return Optional.of(items);
    }
    throw ApiError.badRequest("invalid_field", "'" + field + "' must be an array of strings, not " + describe(value));
  }

  /** The field as an object whose values are strings, in the body's order; absent and {@code null} are the same. */
  Optional<Map<String, String>> optionalStringMap(String field) {
    JsonNode value = fields.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!(value instanceof ObjectNode object)) {
      throw ApiError.badRequest("invalid_field", "'" + field + "' must be an object of strings, not " + describe(value));
    }
    Map<String, String> entries = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getValue().isTextual()) {
        throw ApiError.badRequest("invalid_field", "'" + field + "' must be an object whose values are strings");
      }
      entries.put(entry.getKey(), entry.getValue().textValue());
    }
    return Optional.of(entries);
  }

  private static String describe(JsonNode value) {
    return switch (value.getNodeType()) {
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> "a " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}
