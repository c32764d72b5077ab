package dev.relay.providers.vonage;

import io.jsonwebtoken.Jwts;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/**
 * The bearer token of Vonage's application APIs (https://developer.vonage.com/en/getting-started/concepts/authentication#json-web-tokens):
 * a JWT signed RS256 with the application's private key, naming the application, with a fresh
 * {@code jti} and a short life. One token per request, so a captured one is of use for minutes only.
 */
public final class VonageApplicationJwt {

  /** How long a token is valid; Vonage accepts up to a day, a request needs seconds. */
  static final Duration LIFETIME = Duration.ofMinutes(5);

  private final String applicationId;
  private final PrivateKey privateKey;
  private final Clock clock;

  /**
   * @param privateKeyPem the application's private key as Vonage hands it out (PKCS#8 PEM)
   * @throws IllegalArgumentException when the key is not an RSA private key in PKCS#8 PEM
   */
  public VonageApplicationJwt(String applicationId, String privateKeyPem, Clock clock) {
    this.applicationId = applicationId;
    this.privateKey = parse(privateKeyPem);
    this.clock = clock;
  }

  public String token() {
    Instant now = clock.instant();
    return Jwts.builder()
        .claim("application_id", applicationId)
        .id(UUID.randomUUID().toString())
        .issuedAt(Date.from(now))
        .expiration(Date.from(now.plus(LIFETIME)))
        .signWith(privateKey, Jwts.SIG.RS256)
        .compact();
  }

  static PrivateKey parse(String pem) {
    String base64 = pem.replace("\\n", "\n")
        .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    if (base64.isEmpty() || pem.contains("BEGIN RSA PRIVATE KEY")) {
      throw new IllegalArgumentException("not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an RSA private key in PKCS#8 PEM: " + e.getClass().getSimpleName());
    }
  }
}
