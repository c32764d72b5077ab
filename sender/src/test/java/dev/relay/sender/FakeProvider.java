package dev.relay.sender;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.Channel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A provider that answers as told and remembers what it was asked to send. */
final class FakeProvider implements ProviderClient {

  private final String name;
  private final Set<Channel> channels;
  private final Function<OutboundMessage, CompletableFuture<ProviderResponse>> answer;
  final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();

  FakeProvider(String name, Set<Channel> channels, Function<OutboundMessage, CompletableFuture<ProviderResponse>> answer) {
    this.name = name;
    this.channels = channels;
    this.answer = answer;
  }

  static FakeProvider accepting(String name, String messageId) {
    return new FakeProvider(name, Set.of(Channel.SMS, Channel.VOICE),
        message -> CompletableFuture.completedFuture(ProviderResponse.accepted(messageId, 7_900L)));
  }

  static FakeProvider rejecting(String name, ProviderResponse rejection) {
    return new FakeProvider(name, Set.of(Channel.SMS, Channel.VOICE),
        message -> CompletableFuture.completedFuture(rejection));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Channel> channels() {
    return channels;
  }

  @Override
  public CompletableFuture<ProviderResponse> send(OutboundMessage message) {
    sent.add(message);
    return answer.apply(message);
  }
}
