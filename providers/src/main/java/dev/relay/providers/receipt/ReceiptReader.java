package dev.relay.providers.receipt;

import java.util.List;

/**
 * One vendor's delivery callbacks: checks the signature exactly as the vendor specifies it, and reads
 * the callback into normalized {@link Receipt}s. dlr-ingest calls {@link #verify} first and
 * {@link #read} only for a request that passed.
 */
public interface ReceiptReader {

  String provider();

  /** True only when the request carries this vendor's valid signature; never throws. */
  boolean verify(CallbackRequest request);

  /**
   * The receipts in the callback (one for every vendor here; a list for vendors that batch).
   *
   * @throws MalformedReceiptException when the callback is not a receipt this vendor sends
   */
  List<Receipt> read(CallbackRequest request);

  /**
   * The request passed {@link #verify} but its receipts could not be stored (dlr-ingest answers 503):
   * whatever {@code verify} remembered against replays is forgotten, so the vendor's retry of the
   * same callback is taken.
   */
  default void release(CallbackRequest request) {}
}
