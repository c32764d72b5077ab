package dev.relay.support.secrets;

import dev.relay.schemas.SealedSecret;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals short secrets of one purpose (the code kept for resends, or a user's guess on its way to the
 * dispatcher) with AES-256-GCM: a random 96-bit nonce per value, and as associated data the purpose,
 * the verification id and the destination number. A sealed code therefore does not open as a guess
 * (another purpose, and in a deployment another key), nor on another verification, nor for a
 * rewritten destination. Each purpose has its own keyring, so a service that only seals guesses (the
 * API) holds no key that opens a code.
 */
public final class SecretSealer {

  /** What a sealed value is; part of its associated data, and each purpose has its own keys. */
  public enum Purpose {
    CODE, GUESS
  }

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** Versions the associated-data layout, so a later layout cannot be confused with this one. */
  private static final String LAYOUT = "relay.sealed.v2";

  private final Purpose purpose;
  private final Keyring keys;
  private final SecureRandom random = new SecureRandom();

  public SecretSealer(Purpose purpose, Keyring keys) {
    this.purpose = Objects.requireNonNull(purpose, "purpose");
    this.keys = keys;
  }

  public Purpose purpose() {
    return purpose;
  }

  /**
   * @param verificationId the verification the secret belongs to, or null for a guess that names only the number
   * @param to the E.164 destination the secret is for
   */
  public SealedSecret seal(String secret, String verificationId, String to) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = CryptoInstances.cipher(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.current("AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(verificationId, to));
      byte[] ciphertext = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return new SealedSecret(keys.currentId(), ByteBuffer.wrap(nonce), ByteBuffer.wrap(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * The secret, or empty when the key is unknown or the value was not sealed for this purpose,
   * verification and destination.
   */
  public Optional<String> open(SealedSecret sealed, String verificationId, String to) {
    if (sealed == null || to == null) {
      return Optional.empty();
    }
    Optional<SecretKey> key = keys.find(sealed.getKeyId(), "AES");
    if (key.isEmpty()) {
      return Optional.empty();
    }
    try {
      Cipher cipher = CryptoInstances.cipher(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, bytes(sealed.getNonce())));
      cipher.updateAAD(associatedData(verificationId, to));
      return Optional.of(new String(cipher.doFinal(bytes(sealed.getCiphertext())), StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Length-prefixed parts, so no choice of id and number can read as another's. */
  private byte[] associatedData(String verificationId, String to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String part : new String[] {LAYOUT, purpose.name(), verificationId == null ? "" : verificationId,
        Objects.requireNonNull(to, "to")}) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
