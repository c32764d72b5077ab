package dev.relay.providers;

import dev.relay.providers.http.VendorHttp;
import java.time.Duration;

/** Adapter HTTP settings for tests: short timeouts so timeout paths run in milliseconds. */
public final class TestHttp {

  private TestHttp() {}

  /** Patient enough for a cold JVM's first request on a busy 2-core machine. */
  public static VendorHttp http(String provider) {
    return new VendorHttp(provider, new VendorHttp.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 4, 10));
  }

  /** For tests of a vendor that never answers: the timeout is the point. */
  public static VendorHttp impatient(String provider) {
    return new VendorHttp(provider, new VendorHttp.Settings(Duration.ofMillis(500), Duration.ofMillis(300), 4, 10));
  }

  /** A port nothing listens on. */
  public static String refusedBaseUrl() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
