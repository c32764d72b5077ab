package dev.relay.schemas;

/**
 * Which canonical statuses end a message's story: the one definition the adapters (a receipt's
 * {@code finalStatus}), the dispatcher (what settles a send) and scoring (what it counts) share.
 */
public final class DeliveryStatuses {

  private DeliveryStatuses() {}

  /**
   * DELIVERED, UNDELIVERED, FAILED, REJECTED and EXPIRED are final; everything else may still change,
   * and no status yet ({@code null}, a send whose receipt has not come) is not final either.
   */
  public static boolean isFinal(DeliveryStatus status) {
    if (status == null) {
      return false;
    }
    return switch (status) {
      case DELIVERED, UNDELIVERED, FAILED, REJECTED, EXPIRED -> true;
      default -> false;
    };
  }
}
