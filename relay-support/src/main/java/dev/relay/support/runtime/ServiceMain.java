package dev.relay.support.runtime;

import dev.relay.support.config.ConfigException;
import dev.relay.support.config.ConfigSchema;
import dev.relay.support.config.RelayConfig;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one service as a process: loads and validates its config, starts it, closes it on SIGTERM or
 * Ctrl-C, and exits non-zero when it cannot start or fails fatally.
 */
public final class ServiceMain {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  public static void run(String[] args, ConfigSchema schema, Function<RelayConfig, RelayService> factory) {
    RelayService service;
    try {
      service = factory.apply(RelayConfig.load(schema, args));
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }, service.name() + "-shutdown"));
    try {
      service.start();
      LOG.info("{} started {}", service.name(), service.endpoint());
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("{} failed", service.name(), e);
      System.exit(1);
    }
  }
}
