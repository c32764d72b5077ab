package dev.relay.support.secrets;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * One {@link Cipher} and one {@link Mac} of each algorithm per thread, initialised afresh by every use:
 * {@code getInstance} searches the installed providers on every call, which a profile of the dispatcher
 * at 300 verifications/s showed as 1.4 % of all CPU samples (a start mints an id, seals its code and
 * hashes it). Each use must call {@code init} before anything else; none keeps an instance across calls.
 */
final class CryptoInstances {

  /** This thread's instances, by kind and algorithm. */
  private static final ThreadLocal<Map<String, Object>> INSTANCES = ThreadLocal.withInitial(HashMap::new);

  private CryptoInstances() {}

  static Cipher cipher(String transformation) throws GeneralSecurityException {
    return instance("Cipher/" + transformation, Cipher.class, () -> Cipher.getInstance(transformation));
  }

  static Mac mac(String algorithm) throws GeneralSecurityException {
    return instance("Mac/" + algorithm, Mac.class, () -> Mac.getInstance(algorithm));
  }

  private interface Lookup<T> {
    T get() throws GeneralSecurityException;
  }

  private static <T> T instance(String name, Class<T> type, Lookup<T> lookup) throws GeneralSecurityException {
    Map<String, Object> mine = INSTANCES.get();
    Object instance = mine.get(name);
    if (instance == null) {
      instance = lookup.get();
      mine.put(name, instance);
    }
    return type.cast(instance);
  }
}
