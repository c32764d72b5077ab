package dev.relay.schemas;

import dev.relay.schemas.state.VerificationState;
import java.util.Objects;

/**
 * Who may see and change a verification, decided the same way by the API (status reads) and the
 * dispatcher (checks, resends, cancels, repeated starts): a verification started under a service
 * belongs to that service, every key of it and no other; one started by a key without a service
 * belongs to that key alone, as before services existed. A caller that does not own it is told
 * exactly what a caller of an unknown id is told.
 */
public final class VerificationOwnership {

  private VerificationOwnership() {}

  public static boolean owns(VerificationState state, String apiKeyName, String serviceId) {
    if (state.getServiceId() != null || serviceId != null) {
      return Objects.equals(state.getServiceId(), serviceId);
    }
    return Objects.equals(state.getApiKeyName(), apiKeyName);
  }
}
