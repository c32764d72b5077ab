package dev.relay.dispatcher.topology;

import java.time.Instant;
import java.util.List;

/**
 * The sends users asked for to one number (starts, repeated starts, resends), across its
 * verifications, with the client network that asked: what the per-number limits are decided on.
 */
interface SendHistory {

  /** One send: when, and from which network ({@code ""} when the request named no client address). */
  record Sent(Instant at, String network) {}

  List<Sent> of(String number);

  void record(String number, Sent sent, Instant now);
}
