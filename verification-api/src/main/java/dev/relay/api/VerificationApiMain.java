package dev.relay.api;

import dev.relay.api.config.ApiConfig;
import dev.relay.api.http.ApiKeys;
import dev.relay.support.runtime.ServiceMain;

/**
 * Runs verification-api as its own process: {@code java -jar verification-api.jar
 * --relay.http.port=8080}. {@code generate-api-key NAME} instead prints a new API key and the
 * {@code relay.api.keys} entry that accepts it, since the setting holds only hashes.
 */
public final class VerificationApiMain {

  private VerificationApiMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("generate-api-key")) {
      if (args.length != 2) {
        System.err.println("usage: generate-api-key NAME");
        System.exit(2);
      }
      ApiKeys.GeneratedKey key = ApiKeys.generate(args[1]);
      System.out.println("API key (give it to the caller; it is not stored): " + key.key());
      System.out.println("add to " + ApiConfig.API_KEYS.name() + ": " + key.settingEntry());
      return;
    }
    ServiceMain.run(args, ApiConfig.SCHEMA, VerificationApiService::new);
  }
}
