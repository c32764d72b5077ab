package dev.relay.sender;

import dev.relay.providers.ProviderClients;
import dev.relay.sender.config.SenderConfig;
import dev.relay.support.runtime.ServiceMain;

/** Runs the sender alone: {@code java -cp ... dev.relay.sender.SenderMain [--config=FILE] [--relay.key=value]}. */
public final class SenderMain {

  private SenderMain() {}

  public static void main(String[] args) {
    ServiceMain.run(args, SenderConfig.SCHEMA,
        config -> new SenderService(config, ProviderClients.fromConfig(config), SenderMain::exitOnFatal));
  }

  /** A sender that cannot go on must not linger half-alive: exit non-zero, off the failing thread. */
  private static void exitOnFatal() {
    Thread exit = new Thread(() -> System.exit(1), "sender-fatal-exit");
    exit.setDaemon(false);
    exit.start();
  }
}
