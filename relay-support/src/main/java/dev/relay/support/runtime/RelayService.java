package dev.relay.support.runtime;

/**
 * A deployable part of Relay with a lifecycle: started once, closed once, ready when it can serve.
 * The same object runs alone from its {@code main} and inside the embedded launcher.
 */
public interface RelayService extends AutoCloseable {

  String name();

  void start();

  boolean isReady();

  /** Where it listens, for the start-up banner; empty for services without HTTP. */
  default String endpoint() {
    return "";
  }

  @Override
  void close();
}
