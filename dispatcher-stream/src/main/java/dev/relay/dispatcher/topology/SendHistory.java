package dev.relay.dispatcher.topology;

import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.NumberSend;
import dev.relay.schemas.state.NumberSends;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * Every send to one number (starts, repeated starts, resends, failovers, the voice fallback), across
 * its verifications, with the client network it is counted against: what the per-number limits are
 * decided on. A failover is counted against the network of the request that began its chain.
 */
interface SendHistory {

  /** A number's sends as the store holds them: the {@code NumberSends} contract, oldest first. */
  Serde<List<Sent>> STORED = StateSerde.of(NumberSends.class,
      sends -> new NumberSends(sends.stream().map(sent -> new NumberSend(sent.at().toEpochMilli(), sent.network())).toList()),
      stored -> stored.getSends().stream().map(sent -> new Sent(Instant.ofEpochMilli(sent.getAt()), sent.getNetwork())).toList());

  /** One send: when, and from which network ({@code ""} when the request named no client address). */
  record Sent(Instant at, String network) {}

  List<Sent> of(String number);

  void record(String number, Sent sent, Instant now);
}
