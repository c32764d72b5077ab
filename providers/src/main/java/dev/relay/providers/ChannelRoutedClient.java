package dev.relay.providers;

import dev.relay.providers.receipt.Receipt;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One vendor whose channels are separate APIs (Vonage: SMS API for SMS, Messages API for WhatsApp),
 * seen by the sender as one provider: each send goes to the API of its channel. Status lookups go to
 * the first API, the only one of them that offers one.
 */
public final class ChannelRoutedClient implements ProviderClient {

  private final String name;
  private final Map<Channel, ProviderClient> byChannel = new EnumMap<>(Channel.class);
  private final ProviderClient lookups;

  /** @param apis the vendor's APIs, the one with status lookups first */
  public ChannelRoutedClient(String name, ProviderClient... apis) {
    this.name = name;
    for (ProviderClient api : apis) {
      api.channels().forEach(channel -> byChannel.putIfAbsent(channel, api));
    }
    this.lookups = apis[0];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Channel> channels() {
    return Collections.unmodifiableSet(byChannel.isEmpty() ? EnumSet.noneOf(Channel.class) : EnumSet.copyOf(byChannel.keySet()));
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    ProviderClient api = byChannel.get(message.channel());
    return api != null ? api.send(message) : CompletableFuture.completedFuture(ProviderResponse.rejected(
        ErrorCategory.NO_ROUTE, null, name + " is not configured for channel " + message.channel()));
  }

  @Override
  public CompletableFuture<Optional<Receipt>> checkStatus(String providerMessageId) {
    return lookups.checkStatus(providerMessageId);
  }
}
