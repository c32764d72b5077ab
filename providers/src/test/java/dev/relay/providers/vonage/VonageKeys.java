package dev.relay.providers.vonage;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** A Vonage application's key pair for tests, the private half as PKCS#8 PEM as Vonage hands it out. */
public final class VonageKeys {

  public static final KeyPair APPLICATION = generate();

  private VonageKeys() {}

  public static String privatePem() {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(APPLICATION.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  public static String publicPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(APPLICATION.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
