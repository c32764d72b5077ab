package dev.relay.scoring.model;

/**
 * An accepted send waiting for its final receipt: the route it went through and when the provider
 * was called. {@code settled} once a final receipt was counted, so a duplicate or a contradicting
 * later receipt counts nothing.
 */
public record SentMessage(RouteKey route, long startedAt, boolean settled) {

  public SentMessage settle() {
    return new SentMessage(route, startedAt, true);
  }
}
