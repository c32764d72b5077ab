package dev.relay.local;

import dev.relay.api.http.ApiKeys;
import dev.relay.support.secrets.Keyring;
import dev.relay.support.secrets.OwnerOnly;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The secrets of a development stack: generated at its first start and kept in its data directory,
 * both owner-only (tightened on every start), so a restart still verifies the codes it issued before. Production deployments set
 * every secret themselves; there is no built-in default.
 */
public final class LocalSecrets {

  static final String FILE = "secrets.properties";
  /** The property holding the local development API key. */
  static final String API_KEY = "api-key";
  /** The name the API knows the local development key by (in logs and per-key limits). */
  static final String API_KEY_NAME = "local-dev";
  /** The property holding the local admin key (the admin endpoints, /v1/admin/...). */
  static final String ADMIN_KEY = "admin-key";
  /** The name the API knows the local admin key by (a release names who made it). */
  static final String ADMIN_KEY_NAME = "local-admin";

  /** The property holding the token of the dispatcher's status-read endpoint (relay.dispatcher.query-token). */
  static final String DISPATCHER_QUERY_TOKEN = "dispatcher-query-token";

  /** The Vonage application the Messages API's JWTs name, and its key pair (PEM: PKCS#8 private, X.509 public). */
  static final String VONAGE_APPLICATION_ID = "vonage-application-id";
  static final String VONAGE_PRIVATE_KEY = "vonage-private-key";
  static final String VONAGE_PUBLIC_KEY = "vonage-public-key";

  private final Properties values;

  private LocalSecrets(Properties values) {
    this.values = values;
  }

  public static LocalSecrets loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    Properties values = new Properties();
    try {
      // A data directory or secrets file from an older run, or made by hand, may be open to others.
      OwnerOnly.tighten(dataDir);
      OwnerOnly.tighten(file);
      if (Files.exists(file)) {
        try (Reader reader = Files.newBufferedReader(file)) {
          values.load(reader);
        }
      }
      boolean added = false;
      added |= putIfAbsent(values, "code-hmac-keys", () -> Keyring.generateSetting("k1"));
      added |= putIfAbsent(values, "code-encryption-keys", () -> Keyring.generateSetting("k1"));
      // A keyring of its own: the API seals guesses with it and never holds the code keys.
      added |= putIfAbsent(values, "guess-encryption-keys", () -> Keyring.generateSetting("g1"));
      added |= putIfAbsent(values, "id-keys", () -> Keyring.generateSetting("k1"));
      added |= putIfAbsent(values, "twilio-account-sid", () -> "AC" + randomHex(16));
      added |= putIfAbsent(values, "twilio-auth-token", () -> randomHex(16));
      added |= putIfAbsent(values, "vonage-api-key", () -> randomHex(4));
      added |= putIfAbsent(values, "vonage-api-secret", () -> randomHex(8));
      added |= putIfAbsent(values, "vonage-signature-secret", () -> randomHex(16));
      // The Vonage application behind WhatsApp (Messages API): its id and its RSA key pair, made together.
      added |= putIfAbsent(values, VONAGE_APPLICATION_ID, () -> UUID.randomUUID().toString());
      if (values.getProperty(VONAGE_PRIVATE_KEY) == null || values.getProperty(VONAGE_PUBLIC_KEY) == null) {
        KeyPair pair = rsaKeyPair();
        values.setProperty(VONAGE_PRIVATE_KEY, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        values.setProperty(VONAGE_PUBLIC_KEY, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        added = true;
      }
      added |= putIfAbsent(values, "plivo-auth-id", () -> "MA" + randomHex(9).toUpperCase(Locale.ROOT));
      added |= putIfAbsent(values, "plivo-auth-token", () -> randomHex(16));
      // The API key itself, not its hash: the developer reads it from here to call the local API.
      added |= putIfAbsent(values, API_KEY, () -> ApiKeys.generate(API_KEY_NAME).key());
      added |= putIfAbsent(values, ADMIN_KEY, () -> ApiKeys.generate(ADMIN_KEY_NAME).key());
      // Between the API and the dispatcher's status-read endpoint.
      added |= putIfAbsent(values, DISPATCHER_QUERY_TOKEN, () -> randomHex(24));
      if (added) {
        Files.createDirectories(dataDir);
        OwnerOnly.tighten(dataDir);
        if (!Files.exists(file)) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (Writer writer = Files.newBufferedWriter(file)) {
          values.store(writer, "Relay development secrets: generated once, kept for restarts. Not for production.");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep development secrets in " + file, e);
    }
    return new LocalSecrets(values);
  }

  public String get(String name) {
    return values.getProperty(name);
  }

  private static boolean putIfAbsent(Properties values, String name, java.util.function.Supplier<String> generator) {
    if (values.getProperty(name) != null) {
      return false;
    }
    values.setProperty(name, generator.get());
    return true;
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no RSA", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
