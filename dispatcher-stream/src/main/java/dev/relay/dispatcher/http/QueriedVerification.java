package dev.relay.dispatcher.http;

import dev.relay.schemas.VerificationStatus;
import dev.relay.schemas.state.VerificationState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored verification as a status read may see it: without the code's hash and sealed copy or the
 * request ids and their fingerprints, and as of the moment of the read. A pending verification past
 * its expiry is shown expired even before the punctuator has written that down, as the lifecycle
 * would answer a request about it.
 */
final class QueriedVerification {

  private QueriedVerification() {}

  static VerificationState of(VerificationState stored, Instant now) {
    VerificationState.Builder shown = VerificationState.newBuilder(stored)
        .setCodeHash(null)
        .setSealedCode(null)
        .setRequestIds(List.of())
        .setRequestFingerprints(Map.of());
    if (stored.getStatus() == VerificationStatus.PENDING && !now.isBefore(stored.getExpiresAt())) {
      shown.setStatus(VerificationStatus.EXPIRED).setFinishedAt(stored.getExpiresAt()).setDeliveryDeadline(null);
    }
    return shown.build();
  }
}
