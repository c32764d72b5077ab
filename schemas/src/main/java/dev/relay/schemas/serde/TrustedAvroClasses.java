package dev.relay.schemas.serde;

import dev.relay.schemas.Contracts;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate generated classes outside a trusted list; this adds ours once,
 * next to Avro's own defaults, instead of opening every package through a system property.
 */
final class TrustedAvroClasses {

  private static volatile boolean installed;

  private TrustedAvroClasses() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    ClassSecurityValidator.Builder ours = ClassSecurityValidator.builder();
    Contracts.ALL_TYPES.forEach(ours::add);
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours.build()));
    installed = true;
  }
}
