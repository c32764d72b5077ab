package dev.relay.sim.callback;

import java.net.URI;
import java.util.Map;

/**
 * One receipt to post, already in the vendor's format and signed: where, how, and with what body.
 *
 * @param provider for logs and metrics only
 * @param body the encoded body, or {@code null} for a GET (the parameters are then in the URI)
 */
public record Callback(String provider, URI uri, String method, String contentType, String body,
                       Map<String, String> headers) {

  public Callback {
    headers = Map.copyOf(headers);
  }

  public static Callback post(String provider, URI uri, String contentType, String body, Map<String, String> headers) {
    return new Callback(provider, uri, "POST", contentType, body, headers);
  }

  public static Callback get(String provider, URI uri, Map<String, String> headers) {
    return new Callback(provider, uri, "GET", null, null, headers);
  }
}
