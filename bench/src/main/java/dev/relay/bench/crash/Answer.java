package dev.relay.bench.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * What one call to the stack got back: an HTTP status with its body and {@code Retry-After}, or, when no
 * answer came (connection refused, reset, timed out), the name of what went wrong.
 */
record Answer(int status, JsonNode body, String retryAfter, String failure) {

  static Answer of(int status, JsonNode body, String retryAfter) {
    return new Answer(status, body == null ? MissingNode.getInstance() : body, retryAfter, null);
  }

  static Answer none(String failure) {
    return new Answer(0, MissingNode.getInstance(), null, failure);
  }

  boolean answered() {
    return failure == null;
  }

  /** The body's {@code status} field (a verification's state), empty when there is none. */
  String verificationStatus() {
    return body.path("status").asText("");
  }

  /** How the report counts it: the HTTP status with the API's error code if it gave one, or the failure's name. */
  String label() {
    if (!answered()) {
      return failure;
    }
    String error = body.path("error").asText("");
    return error.isEmpty() ? Integer.toString(status) : status + " " + error;
  }
}
