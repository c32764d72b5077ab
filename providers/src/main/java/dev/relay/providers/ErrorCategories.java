package dev.relay.providers;

import dev.relay.schemas.ErrorCategory;

/** What each error category means for failover. */
public final class ErrorCategories {

  private ErrorCategories() {}

  /** True when no other route can reach the number either: stop and fail the verification. */
  public static boolean isPermanentForNumber(ErrorCategory category) {
    return switch (category) {
      case INVALID_NUMBER, UNREACHABLE_NUMBER, OPTED_OUT -> true;
      default -> false;
    };
  }
}
