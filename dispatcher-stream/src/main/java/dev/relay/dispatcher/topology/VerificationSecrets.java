package dev.relay.dispatcher.topology;

import dev.relay.support.config.RelayConfig;
import dev.relay.support.secrets.CodeGenerator;
import dev.relay.support.secrets.CodeHasher;
import dev.relay.support.secrets.SecretSealer;
import dev.relay.support.secrets.Secrets;
import dev.relay.support.secrets.VerificationIds;

/**
 * What the topology needs to make and check codes without ever keeping one in plaintext: the
 * generator, the verifying hash, the sealer for the resendable copy (and for opening guesses), and
 * the id minter for requests that do not propose an id.
 */
public record VerificationSecrets(CodeGenerator codes, CodeHasher hasher, SecretSealer sealer, VerificationIds ids) {

  public static VerificationSecrets fromConfig(RelayConfig config, int codeLength) {
    return new VerificationSecrets(new CodeGenerator(codeLength), Secrets.hasher(config), Secrets.sealer(config),
        Secrets.ids(config));
  }
}
