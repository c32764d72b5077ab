package dev.relay.dispatcher.topology;

import dev.relay.schemas.DeliveryReceipt;
import java.time.Instant;
import java.util.Optional;

/**
 * Final receipts that outran their send result: a receipt names the provider's message id, which the
 * dispatcher learns only from the result, and the two travel on different topics.
 */
interface EarlyReceipts {

  void hold(DeliveryReceipt receipt, Instant now);

  Optional<DeliveryReceipt> find(String provider, String providerMessageId, Instant now);
}
