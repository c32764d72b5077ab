package dev.relay.dispatcher.topology;

import java.time.Instant;
import java.util.List;

/**
 * Every send to one number (starts, repeated starts, resends, failovers, the voice fallback), across
 * its verifications, with the client network it is counted against: what the per-number limits are
 * decided on. A failover is counted against the network of the request that began its chain.
 */
interface SendHistory {

  /** One send: when, and from which network ({@code ""} when the request named no client address). */
  record Sent(Instant at, String network) {}

  List<Sent> of(String number);

  void record(String number, Sent sent, Instant now);
}
