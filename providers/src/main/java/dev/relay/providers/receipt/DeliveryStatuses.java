package dev.relay.providers.receipt;

import dev.relay.schemas.DeliveryStatus;

/** Which canonical statuses end a message's story. */
public final class DeliveryStatuses {

  private DeliveryStatuses() {}

  /** DELIVERED, UNDELIVERED, FAILED, REJECTED and EXPIRED are final; everything else may still change. */
  public static boolean isFinal(DeliveryStatus status) {
    return switch (status) {
      case DELIVERED, UNDELIVERED, FAILED, REJECTED, EXPIRED -> true;
      default -> false;
    };
  }
}
