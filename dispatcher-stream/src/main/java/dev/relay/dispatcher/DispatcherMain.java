package dev.relay.dispatcher;

import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.providers.ProviderClients;
import dev.relay.support.runtime.ServiceMain;

/** Runs the dispatcher alone: {@code java -cp ... dev.relay.dispatcher.DispatcherMain [--config=FILE] [--relay.key=value]}. */
public final class DispatcherMain {

  private DispatcherMain() {}

  public static void main(String[] args) {
    ServiceMain.run(args, DispatcherConfig.SCHEMA,
        config -> new DispatcherService(config, ProviderClients.fromConfig(config), DispatcherMain::exitOnFatal));
  }

  /** A dispatcher that cannot go on must not linger half-alive: exit non-zero, off the failing thread. */
  private static void exitOnFatal() {
    Thread exit = new Thread(() -> System.exit(1), "dispatcher-fatal-exit");
    exit.setDaemon(false);
    exit.start();
  }
}
