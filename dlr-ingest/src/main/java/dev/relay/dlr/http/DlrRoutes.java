package dev.relay.dlr.http;

import dev.relay.dlr.receipts.DeliveryReceipts;
import dev.relay.dlr.receipts.ReceiptPublisher;
import dev.relay.providers.receipt.CallbackRequest;
import dev.relay.providers.receipt.MalformedReceiptException;
import dev.relay.providers.receipt.Receipt;
import dev.relay.providers.receipt.ReceiptReader;
import dev.relay.support.http.ApiError;
import dev.relay.support.http.RelayHttp;
import dev.relay.support.logging.LogContext;
import dev.relay.support.phone.InvalidPhoneNumberException;
import dev.relay.support.phone.PhoneNumbers;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook per enabled vendor, {@code /dlr/<vendor>}, taking GET and POST as vendors may be set to
 * either. A callback is trusted only with a valid vendor signature over the URL the vendor called
 * (the configured public base URL, so a proxy in front changes nothing), then normalized and
 * produced. Intermediate statuses are answered 204 and counted but not produced: nothing downstream reads
 * them. The vendor gets 204 only after Kafka acknowledged every final receipt in the callback; 503 with
 * Retry-After when Kafka did not, so the vendor retries and nothing is lost; 401 for a bad or missing
 * signature, 400 for a callback that is not a receipt and 413 for a body past
 * {@link RelayHttp#MAX_REQUEST_BYTES} (chunked or not, refused without reading it whole), with
 * nothing written for any of them.
 */
public final class DlrRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(DlrRoutes.class);
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final Map<String, ReceiptReader> readers;
  private final ReceiptPublisher publisher;
  private final String publicBaseUrl;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final Consumer<Boolean> kafkaOutcome;

  /**
   * @param publicBaseUrl the base URL vendors call, without a trailing slash
   * @param kafkaOutcome told after every publish whether Kafka acked, for readiness
   */
  public DlrRoutes(Map<String, ReceiptReader> readers, ReceiptPublisher publisher, String publicBaseUrl, Clock clock,
      MeterRegistry metrics, Consumer<Boolean> kafkaOutcome) {
    this.readers = readers;
    this.publisher = publisher;
    this.publicBaseUrl = publicBaseUrl;
    this.clock = clock;
    this.metrics = metrics;
    this.kafkaOutcome = kafkaOutcome;
  }

  public static String path(String provider) {
    return "/dlr/" + provider;
  }

  public void register(Javalin app) {
    readers.forEach((provider, reader) -> {
      app.post(path(provider), ctx -> handle(ctx, reader));
      app.get(path(provider), ctx -> handle(ctx, reader));
    });
  }

  private void handle(Context ctx, ReceiptReader reader) {
    String provider = reader.provider();
    // Read to the bound only, before anything else: a vendor's receipt is a few hundred bytes, and a
    // body of any size from anyone would otherwise be held in memory before the signature is checked.
    String body = new String(RelayHttp.boundedBody(ctx), StandardCharsets.UTF_8);
    CallbackRequest request = new CallbackRequest(ctx.method().name(), publicUrl(ctx), ctx.headerMap(), ctx.contentType(), body);
    List<DeliveryReceipts.Keyed> read;
    try {
      if (!reader.verify(request)) {
        count(provider, "bad_signature");
        LOG.warn("refused a {} callback without a valid signature from {}", provider, ctx.ip());
        throw new ApiError(401, "bad_signature", "the request does not carry a valid " + provider + " signature");
      }
      Instant receivedAt = clock.instant();
      read = new ArrayList<>();
      for (Receipt receipt : reader.read(request)) {
        read.add(DeliveryReceipts.of(receipt, receivedAt));
      }
    } catch (MalformedReceiptException e) {
      count(provider, "malformed");
      throw ApiError.badRequest("malformed_receipt", e.getMessage());
    } catch (InvalidPhoneNumberException e) {
      count(provider, "malformed");
      throw ApiError.badRequest("invalid_number", "the receipt's recipient is not a valid number: " + e.getMessage());
    }
    // Only a final status changes anything downstream (the lifecycle and scoring skip the rest): an
    // intermediate one (queued, sent, accepted, buffered) is acknowledged and counted, not stored.
    List<DeliveryReceipts.Keyed> records = read.stream().filter(record -> record.value().getFinalStatus()).toList();
    for (int i = records.size(); i < read.size(); i++) {
      count(provider, "intermediate");
    }
    if (records.isEmpty()) {
      ctx.status(204);
      return;
    }
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (DeliveryReceipts.Keyed record : records) {
      acks.add(publisher.publish(record));
    }
    ctx.future(() -> CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((done, error) -> {
      kafkaOutcome.accept(error == null);
      if (error != null) {
        // Not stored: the vendor sends the same callback again, and it must not be taken for a replay.
        reader.release(request);
        count(provider, "kafka_unavailable");
        LOG.warn("Kafka did not ack {} receipt(s) from {}: {}; answering 503", records.size(), provider, rootCause(error));
        ctx.header("Retry-After", Long.toString(RETRY_AFTER.toSeconds()));
        RelayHttp.writeError(ctx, 503, "unavailable", "the receipt could not be stored now; retry later");
        return null;
      }
      for (DeliveryReceipts.Keyed record : records) {
        count(provider, "stored");
        countReceipt(record.value());
        // The callback reference is the attempt's key: it names the verification for the logs.
        try (LogContext.Scope verification = LogContext.verification(
            LogContext.verificationOfAttempt(record.value().getIdempotencyKey()).orElse(null))) {
          LOG.debug("stored {} receipt {} {} for {}", provider, record.value().getProviderMessageId(), record.value().getStatus(),
              PhoneNumbers.mask(record.key()));
        }
      }
      ctx.status(204);
      return null;
    }));
  }

  /** The URL as the vendor called it: what its signature covers. */
  private String publicUrl(Context ctx) {
    String query = ctx.queryString();
    return publicBaseUrl + ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
  }

  private void count(String provider, String outcome) {
    if (metrics != null) {
      metrics.counter("relay.dlr.callbacks", "provider", provider, "outcome", outcome).increment();
    }
  }

  /**
   * Receipts stored, by status, as they arrive: a vendor's replays count again. The delivery rate takes
   * the dispatcher's relay.delivery.outcomes instead, one per message.
   */
  private void countReceipt(dev.relay.schemas.DeliveryReceipt receipt) {
    if (metrics != null) {
      metrics.counter("relay.dlr.receipts", "provider", receipt.getProvider(), "country", receipt.getCountry(),
          "status", receipt.getStatus().name().toLowerCase(java.util.Locale.ROOT),
          "final", Boolean.toString(receipt.getFinalStatus())).increment();
    }
  }

  private static String rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
