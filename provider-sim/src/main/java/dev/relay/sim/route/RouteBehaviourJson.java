package dev.relay.sim.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.schemas.topics.Durations;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.Json;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes a {@link RouteBehaviour} as the admin API's JSON. Strict: an unknown field, a
 * wrong type, a rate outside [0, 1], a negative or absurd duration, or a code the vendor does not
 * have is a 400 that names the field. Fields left out keep the healthy default, so a PUT describes
 * the whole route.
 */
public final class RouteBehaviourJson {

  public static final String ACCEPT_RATE = "acceptRate";
  public static final String ERROR_CODE = "errorCode";
  public static final String LATENCY = "latency";
  public static final String DELIVERY_RATE = "deliveryRate";
  public static final String DELIVERY_ERROR_CODE = "deliveryErrorCode";
  public static final String SILENT_DROP_RATE = "silentDropRate";
  public static final String RECEIPT_LOSS_RATE = "receiptLossRate";
  public static final String RECEIPT_DELAY = "receiptDelay";
  public static final String RECEIPT_DELAY_JITTER = "receiptDelayJitter";
  public static final String PRICE = "price";

  private static final Set<String> FIELDS = Set.of(ACCEPT_RATE, ERROR_CODE, LATENCY, DELIVERY_RATE,
      DELIVERY_ERROR_CODE, SILENT_DROP_RATE, RECEIPT_LOSS_RATE, RECEIPT_DELAY, RECEIPT_DELAY_JITTER, PRICE);
  /** Longer than any client timeout worth testing; beyond it a value is a typo. */
  private static final Duration MAX_DURATION = Duration.ofMinutes(10);

  private final VendorCodes codes;

  public RouteBehaviourJson(VendorCodes codes) {
    this.codes = codes;
  }

  /**
   * @param healthy the defaults for fields the body leaves out
   * @throws ApiError 400 naming the offending field
   */
  public RouteBehaviour read(JsonNode body, Provider provider, SimChannel channel, RouteBehaviour healthy) {
    if (body == null || !body.isObject()) {
      throw invalid("the body must be a JSON object such as {\"acceptRate\": 0.5}");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + name + "'; known: " + String.join(", ",
            List.of(ACCEPT_RATE, ERROR_CODE, LATENCY, DELIVERY_RATE, DELIVERY_ERROR_CODE, SILENT_DROP_RATE,
                RECEIPT_LOSS_RATE, RECEIPT_DELAY, RECEIPT_DELAY_JITTER, PRICE)));
      }
    }
    List<Integer> errorCodes = codes(body, ERROR_CODE, healthy.errorCodes());
    for (int code : errorCodes) {
      if (!codes.isRejectionCode(provider, channel, code)) {
        throw invalid(ERROR_CODE + " " + code + " is not a " + provider.wireName() + " " + channel.wireName()
            + " send error the simulator knows");
      }
    }
    List<Integer> deliveryErrorCodes = codes(body, DELIVERY_ERROR_CODE, healthy.deliveryErrorCodes());
    for (int code : deliveryErrorCodes) {
      if (!codes.isDeliveryErrorCode(provider, channel, code)) {
        throw invalid(DELIVERY_ERROR_CODE + " " + code + " is not a " + provider.wireName() + " "
            + channel.wireName() + " delivery error the simulator knows");
      }
    }
    return new RouteBehaviour(
        rate(body, ACCEPT_RATE, healthy.acceptRate()),
        errorCodes,
        duration(body, LATENCY, healthy.latency()),
        rate(body, DELIVERY_RATE, healthy.deliveryRate()),
        deliveryErrorCodes,
        rate(body, SILENT_DROP_RATE, healthy.silentDropRate()),
        rate(body, RECEIPT_LOSS_RATE, healthy.receiptLossRate()),
        duration(body, RECEIPT_DELAY, healthy.receiptDelay()),
        duration(body, RECEIPT_DELAY_JITTER, healthy.receiptDelayJitter()),
        price(body, healthy.price()));
  }

  /** The JSON a GET answers; a PUT of it changes nothing. */
  public static ObjectNode write(RouteBehaviour behaviour) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put(ACCEPT_RATE, behaviour.acceptRate());
    putCodes(node, ERROR_CODE, behaviour.errorCodes());
    node.put(LATENCY, behaviour.latency().toString());
    node.put(DELIVERY_RATE, behaviour.deliveryRate());
    putCodes(node, DELIVERY_ERROR_CODE, behaviour.deliveryErrorCodes());
    node.put(SILENT_DROP_RATE, behaviour.silentDropRate());
    node.put(RECEIPT_LOSS_RATE, behaviour.receiptLossRate());
    node.put(RECEIPT_DELAY, behaviour.receiptDelay().toString());
    node.put(RECEIPT_DELAY_JITTER, behaviour.receiptDelayJitter().toString());
    node.put(PRICE, behaviour.price());
    return node;
  }

  private static void putCodes(ObjectNode node, String field, List<Integer> codes) {
    if (codes.size() == 1) {
      node.put(field, codes.get(0));
    } else {
      ArrayNode array = node.putArray(field);
      codes.forEach(array::add);
    }
  }

  private static double rate(JsonNode body, String field, double fallback) {
    JsonNode node = body.get(field);
    if (node == null) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw invalid(field + " must be a number between 0 and 1");
    }
    double value = node.asDouble();
    if (!(value >= 0.0 && value <= 1.0)) {
      throw invalid(field + " must be between 0 and 1, not " + node);
    }
    return value;
  }

  private static Duration duration(JsonNode body, String field, Duration fallback) {
    JsonNode node = body.get(field);
    if (node == null) {
      return fallback;
    }
    if (!node.isTextual()) {
      throw invalid(field + " must be a duration string such as \"PT0.2S\" or \"200ms\"");
    }
    Duration value;
    try {
      value = Durations.parse(node.asText());
    } catch (RuntimeException e) {
      throw invalid(field + ": '" + node.asText() + "' is not a duration; write PT0.2S or 200ms");
    }
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw invalid(field + " must be between 0 and " + MAX_DURATION + ", not " + value);
    }
    return value;
  }

  private static List<Integer> codes(JsonNode body, String field, List<Integer> fallback) {
    JsonNode node = body.get(field);
    if (node == null) {
      return fallback;
    }
    List<Integer> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(item -> values.add(code(field, item)));
      if (values.isEmpty()) {
        throw invalid(field + " must not be an empty list");
      }
    } else {
      values.add(code(field, node));
    }
    return values;
  }

  private static int code(String field, JsonNode node) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw invalid(field + " must be a whole number or a list of them, not " + node);
    }
    return node.asInt();
  }

  private static BigDecimal price(JsonNode body, BigDecimal fallback) {
    JsonNode node = body.get(PRICE);
    if (node == null) {
      return fallback;
    }
    if (!node.isNumber() || node.decimalValue().signum() < 0) {
      throw invalid(PRICE + " must be a number of at least 0, not " + node);
    }
    return node.decimalValue();
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_behaviour", message);
  }
}
