package dev.relay.support.secrets;

import dev.relay.support.config.CommonKeys;
import dev.relay.support.config.RelayConfig;

/** Builds the secret-handling parts from a service's config, naming the setting in any error. */
public final class Secrets {

  private Secrets() {}

  /** Seals and opens codes: the dispatcher (which makes them) and the sender (which sends them). */
  public static SecretSealer codeSealer(RelayConfig config) {
    return new SecretSealer(SecretSealer.Purpose.CODE,
        Keyring.parse(CommonKeys.CODE_ENCRYPTION_KEYS.name(), config.get(CommonKeys.CODE_ENCRYPTION_KEYS)));
  }

  /** Seals and opens guesses: the API (which seals them) and the dispatcher (which opens them). */
  public static SecretSealer guessSealer(RelayConfig config) {
    return new SecretSealer(SecretSealer.Purpose.GUESS,
        Keyring.parse(CommonKeys.GUESS_ENCRYPTION_KEYS.name(), config.get(CommonKeys.GUESS_ENCRYPTION_KEYS)));
  }

  public static CodeHasher hasher(RelayConfig config) {
    return new CodeHasher(Keyring.parse(CommonKeys.CODE_HMAC_KEYS.name(), config.get(CommonKeys.CODE_HMAC_KEYS)));
  }

  public static VerificationIds ids(RelayConfig config) {
    return new VerificationIds(Keyring.parse(CommonKeys.ID_KEYS.name(), config.get(CommonKeys.ID_KEYS)));
  }
}
