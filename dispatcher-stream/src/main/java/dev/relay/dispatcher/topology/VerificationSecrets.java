package dev.relay.dispatcher.topology;

import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.CodeGenerator;
import dev.relay.support.secrets.CodeHasher;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.Secrets;
import dev.relay.support.secrets.VerificationIds;

/**
 * What the topology needs to make and check codes without ever keeping one in plaintext: the
 * generator, the verifying hash, the sealer of the resendable copy (code keys), the opener of the
 * API's sealed guesses (guess keys, a separate keyring), and the id minter for requests that do
 * not propose an id.
 */
public record VerificationSecrets(CodeGenerator codes, CodeHasher hasher, SecretSealer codeSealer, SecretSealer guessSealer,
    VerificationIds ids) {

  public VerificationSecrets {
    if (codeSealer.purpose() != SecretSealer.Purpose.CODE || guessSealer.purpose() != SecretSealer.Purpose.GUESS) {
      throw new IllegalArgumentException("the code sealer seals codes and the guess sealer guesses");
    }
  }

  public static VerificationSecrets fromConfig(RelayConfig config, int codeLength) {
    return new VerificationSecrets(new CodeGenerator(codeLength), Secrets.hasher(config), Secrets.codeSealer(config),
        Secrets.guessSealer(config), Secrets.ids(config));
  }
}
