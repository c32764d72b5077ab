package dev.relay.support.secrets;

import dev.relay.schemas.CodeHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * The verifying copy of a code: HMAC-SHA256 under a server key over the verification id and the
 * code, so a leaked store cannot be brute-forced offline without the key and a hash is useless for
 * another verification. Comparison is constant-time; hashes made under an older key still verify.
 */
public final class CodeHasher {

  private static final String ALGORITHM = "HmacSHA256";

  private final Keyring keys;

  public CodeHasher(Keyring keys) {
    this.keys = keys;
  }

  public CodeHash hash(String code, String verificationId) {
    return new CodeHash(keys.currentId(), ByteBuffer.wrap(mac(keys.current(ALGORITHM), code, verificationId)));
  }

  public boolean matches(CodeHash expected, String guess, String verificationId) {
    Optional<SecretKey> key = keys.find(expected.getKeyId(), ALGORITHM);
    if (key.isEmpty()) {
      return false;
    }
    ByteBuffer stored = expected.getHash().duplicate();
    byte[] storedBytes = new byte[stored.remaining()];
    stored.get(storedBytes);
    return MessageDigest.isEqual(storedBytes, mac(key.get(), guess, verificationId));
  }

  private static byte[] mac(SecretKey key, String code, String verificationId) {
    try {
      Mac mac = CryptoInstances.mac(ALGORITHM);
      mac.init(key);
      mac.update(verificationId.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(code.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
