package dev.relay.failure;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.support.config.RelayConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A dispatcher in a process of its own, so a test can kill it with SIGKILL: its Kafka clients never
 * commit, leave the group or abort a transaction, exactly as when a machine dies.
 * Arguments: the settings as a properties file, and the file its providers record their calls in.
 */
public final class ChildDispatcher {

  private ChildDispatcher() {}

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(args[0]))) {
      props.load(reader);
    }
    Map<String, String> values = new HashMap<>();
    props.stringPropertyNames().forEach(key -> values.put(key, props.getProperty(key)));
    Path calls = Path.of(args[1]);
    DispatcherService service = new DispatcherService(RelayConfig.of(DispatcherConfig.SCHEMA, values),
        Map.of("twilio", new RecordingProvider("twilio", calls), "vonage", new RecordingProvider("vonage", calls)));
    service.start();
    // Runs until killed; the test never closes it.
    Thread.currentThread().join();
  }
}
