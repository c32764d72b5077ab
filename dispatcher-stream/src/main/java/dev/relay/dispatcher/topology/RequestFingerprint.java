package dev.relay.dispatcher.topology;

import dev.relay.schemas.RequestAction;
import dev.relay.schemas.VerificationRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a request asked for, as a short digest kept beside its request id: the action, the channel,
 * the locale and, for an action on an existing verification, its id. The number is not part of it,
 * since a verification's state already belongs to one number; a start's proposed id is not either,
 * since the API proposes a fresh one each time.
 */
final class RequestFingerprint {

  private static final int DIGEST_BYTES = 12;

  private RequestFingerprint() {}

  static String of(VerificationRequest request) {
    RequestAction action = Objects.requireNonNullElse(request.getAction(), RequestAction.START);
    String named = action == RequestAction.START ? "" : Objects.requireNonNullElse(request.getVerificationId(), "");
    String text = String.join("\u0000", action.name(), String.valueOf(request.getChannel()),
        Objects.requireNonNullElse(request.getLocale(), ""), named);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(Arrays.copyOf(digest, DIGEST_BYTES));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
