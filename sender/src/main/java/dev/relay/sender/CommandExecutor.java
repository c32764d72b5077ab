package dev.relay.sender;

import dev.relay.providers.OutboundMessage;
import dev.relay.providers.ProviderClient;
import dev.relay.providers.ProviderResponse;
import dev.relay.schemas.Channel;
import dev.relay.schemas.ErrorCategory;
import dev.relay.schemas.Route;
import dev.relay.schemas.SendCommand;
import dev.relay.schemas.SendOutcome;
import dev.relay.schemas.SendResult;
import dev.relay.sender.message.MessageTemplates;
import dev.relay.sender.message.RenderedMessage;
import dev.relay.support.secrets.SecretSealer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out one send command: opens the sealed code just before the first provider call, renders
 * the message in the recipient's language, and tries the command's routes in order. A retryable rejection moves to the next route
 * at once, in the same call; an acceptance or a rejection permanent for the number stops. The answer
 * is one {@link SendResult} per try, the last marked {@code lastTry}. A command whose code has
 * expired is not sent at all (an empty answer).
 */
public final class CommandExecutor {

  static final String NOT_CONFIGURED = "provider not configured";
  static final String CHANNEL_NOT_SUPPORTED = "provider does not offer this channel";
  static final String CODE_DOES_NOT_OPEN =
      "the sealed code does not open for this verification and destination with the configured code keys";
  static final String NO_ANSWER = "no answer within the try timeout";
  static final String NO_ROUTES = "the command names no route";

  private final Map<String, ProviderClient> clients;
  private final MessageTemplates templates;
  private final SecretSealer sealer;
  private final Clock clock;
  private final Duration tryTimeout;

  public CommandExecutor(Map<String, ProviderClient> clients, MessageTemplates templates, SecretSealer sealer, Clock clock,
      Duration tryTimeout) {
    this.clients = Map.copyOf(clients);
    this.templates = templates;
    this.sealer = sealer;
    this.clock = clock;
    this.tryTimeout = tryTimeout;
  }

  /** Whether the command's code has expired: such a command is skipped. */
  public boolean expired(SendCommand command) {
    return !now().isBefore(command.getExpiresAt());
  }

  /** Never completes exceptionally: every failure is a rejected try in the answer. */
  public CompletableFuture<List<SendResult>> execute(SendCommand command) {
    if (expired(command)) {
      return CompletableFuture.completedFuture(List.of());
    }
    Instant startedAt = now();
    List<Route> routes = command.getRoutes();
    if (routes.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(
          result(command, 0, true, "none", ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null, NO_ROUTES), startedAt)));
    }
    // Bound to the id and the destination: a command whose `to` was rewritten does not open, so nothing is sent.
    Optional<String> code = sealer.open(command.getCode(), command.getVerificationId(), command.getTo());
    if (code.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(result(command, 0, true, routes.get(0).getProvider(),
          ProviderResponse.rejected(ErrorCategory.AUTH_CONFIG, null, CODE_DOES_NOT_OPEN), startedAt)));
    }
    // WhatsApp's authentication templates take the code as a variable (the vendor renders the approved
    // text); the other channels get the rendered text alone, so the bare code travels no further than needed.
    String templateCode = command.getChannel() == Channel.WHATSAPP ? code.get() : null;
    RenderedMessage rendered = templates.render(command.getChannel(), code.get(), command.getLocale(), command.getCountry(),
        command.getServiceSettings());
    OutboundMessage message = new OutboundMessage(command.getTo(), command.getCountry(), command.getChannel(),
        rendered.text(), templateCode, command.getIdempotencyKey(), rendered.language());
    return tryFrom(command, message, 0, new ArrayList<>());
  }

  private CompletableFuture<List<SendResult>> tryFrom(SendCommand command, OutboundMessage message, int index,
      List<SendResult> results) {
    Route route = command.getRoutes().get(index);
    Instant startedAt = now();
    return call(route.getProvider(), command.getChannel(), message).thenCompose(response -> {
      boolean lastRoute = index == command.getRoutes().size() - 1;
      boolean stop = response.accepted() || response.permanentForNumber() || lastRoute;
      results.add(result(command, index, stop, route.getProvider(), response, startedAt));
      return stop ? CompletableFuture.completedFuture(List.copyOf(results))
          : tryFrom(command, message, index + 1, results);
    });
  }

  private CompletableFuture<ProviderResponse> call(String provider, Channel channel, OutboundMessage message) {
    ProviderClient client = clients.get(provider);
    if (client == null) {
      return CompletableFuture.completedFuture(ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null, NOT_CONFIGURED));
    }
    if (!client.channels().contains(channel)) {
      return CompletableFuture.completedFuture(
          ProviderResponse.rejected(ErrorCategory.NO_ROUTE, null, CHANNEL_NOT_SUPPORTED));
    }
    CompletableFuture<ProviderResponse> answer;
    try {
      answer = client.send(message);
    } catch (RuntimeException e) {
      // The contract says adapters never throw; one that does is a broken route, not a broken sender.
      return CompletableFuture.completedFuture(rejectedBy(e));
    }
    return answer
        .orTimeout(tryTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(CommandExecutor::rejectedBy);
  }

  private static ProviderResponse rejectedBy(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return ProviderResponse.rejected(ErrorCategory.TIMEOUT, null, NO_ANSWER);
    }
    return ProviderResponse.rejected(ErrorCategory.PROVIDER_ERROR, null, cause.getClass().getSimpleName());
  }

  /** Millisecond precision, as the records keep it. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private SendResult result(SendCommand command, int tryIndex, boolean lastTry, String provider,
      ProviderResponse response, Instant startedAt) {
    return SendResult.newBuilder()
        .setVerificationId(command.getVerificationId())
        .setAttempt(command.getAttempt())
        .setIdempotencyKey(command.getIdempotencyKey())
        .setTryIndex(tryIndex)
        .setLastTry(lastTry)
        .setProvider(provider)
        .setChannel(command.getChannel())
        .setTo(command.getTo())
        .setCountry(command.getCountry())
        .setOutcome(response.accepted() ? SendOutcome.ACCEPTED : SendOutcome.REJECTED)
        .setErrorCategory(response.accepted() ? ErrorCategory.NONE
            : Objects.requireNonNullElse(response.category(), ErrorCategory.UNKNOWN_ERROR))
        .setVendorCode(response.vendorCode())
        .setVendorMessage(response.vendorMessage())
        .setProviderMessageId(ProviderResponse.normalizeMessageId(response.providerMessageId()))
        .setPriceMicros(response.priceMicros())
        .setStartedAt(startedAt)
        .setCompletedAt(now())
        .setRoutingReason(tryIndex < command.getRoutes().size() ? command.getRoutes().get(tryIndex).getRoutingReason() : null)
        .build();
  }
}
