package dev.relay.support.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Verification ids that carry their phone number sealed inside ({@code VE} + base64url of key id,
 * nonce and AES-GCM ciphertext). Every event of a number's verifications is keyed by the number, so
 * a check that names only the id must find the number: opening the id does that without a lookup
 * table, a second hop, or state in the API. Ids are random (fresh nonce), reveal nothing without the
 * key, and cannot be forged: a tampered id does not open and is answered 404 at once.
 */
public final class VerificationIds {

  public static final String PREFIX = "VE";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final byte[] CONTEXT = "relay-verification-id".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MAX_ID_LENGTH = 128;

  private final Keyring keys;
  private final SecureRandom random = new SecureRandom();

  public VerificationIds(Keyring keys) {
    this.keys = keys;
  }

  /** A new id for a verification of {@code e164}. */
  public String mint(String e164) {
    byte[] keyId = keys.currentId().getBytes(StandardCharsets.US_ASCII);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = CryptoInstances.cipher(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.current("AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(CONTEXT);
      byte[] sealed = cipher.doFinal(e164.getBytes(StandardCharsets.US_ASCII));
      ByteBuffer token = ByteBuffer.allocate(1 + keyId.length + NONCE_BYTES + sealed.length);
      token.put((byte) keyId.length).put(keyId).put(nonce).put(sealed);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The number inside the id, or empty for anything that is not an id this deployment minted. */
  public Optional<String> numberOf(String id) {
    if (id == null || !id.startsWith(PREFIX) || id.length() > MAX_ID_LENGTH) {
      return Optional.empty();
    }
    try {
      ByteBuffer token = ByteBuffer.wrap(Base64.getUrlDecoder().decode(id.substring(PREFIX.length())));
      int keyIdLength = token.get();
      if (keyIdLength <= 0 || token.remaining() < keyIdLength + NONCE_BYTES + TAG_BITS / 8) {
        return Optional.empty();
      }
      byte[] keyId = new byte[keyIdLength];
      token.get(keyId);
      byte[] nonce = new byte[NONCE_BYTES];
      token.get(nonce);
      byte[] sealed = new byte[token.remaining()];
      token.get(sealed);
      Optional<SecretKey> key = keys.find(new String(keyId, StandardCharsets.US_ASCII), "AES");
      if (key.isEmpty()) {
        return Optional.empty();
      }
      Cipher cipher = CryptoInstances.cipher(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(CONTEXT);
      return Optional.of(new String(cipher.doFinal(sealed), StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException | java.nio.BufferUnderflowException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }
}
