package dev.relay.support.secrets;

import dev.relay.schemas.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals short secrets (a code kept for resends, a user's guess on its way to the dispatcher) with
 * AES-256-GCM: a random 96-bit nonce per value and the verification id as associated data, so a
 * sealed code copied onto another verification does not open.
 */
public final class SecretSealer {

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final Keyring keys;
  private final SecureRandom random = new SecureRandom();

  public SecretSealer(Keyring keys) {
    this.keys = keys;
  }

  public SealedSecret seal(String secret, String verificationId) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.current("AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(verificationId.getBytes(StandardCharsets.UTF_8));
      byte[] ciphertext = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return new SealedSecret(keys.currentId(), ByteBuffer.wrap(nonce), ByteBuffer.wrap(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret, or empty when the key is unknown or the value was not sealed for this verification. */
  public Optional<String> open(SealedSecret sealed, String verificationId) {
    Optional<SecretKey> key = keys.find(sealed.getKeyId(), "AES");
    if (key.isEmpty()) {
      return Optional.empty();
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, bytes(sealed.getNonce())));
      cipher.updateAAD(verificationId.getBytes(StandardCharsets.UTF_8));
      return Optional.of(new String(cipher.doFinal(bytes(sealed.getCiphertext())), StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
