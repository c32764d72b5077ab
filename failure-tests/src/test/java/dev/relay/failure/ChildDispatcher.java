package dev.relay.failure;

import dev.relay.dispatcher.DispatcherService;
import dev.relay.providers.ProviderClient;
import dev.relay.dispatcher.config.DispatcherConfig;
import dev.relay.sender.SenderService;
import dev.relay.sender.config.SenderConfig;
import dev.relay.support.config.RelayConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A dispatcher and a sender in a process of their own (one node), so a test can kill them with
 * SIGKILL: their Kafka clients never commit, leave the group or abort a transaction, exactly as when
 * a machine dies. Arguments: the settings of both as a properties file (each takes the keys it
 * reads), and the file the sender's providers record their calls in.
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
    Map<String, ProviderClient> providers =
        Map.of("twilio", new RecordingProvider("twilio", calls), "vonage", new RecordingProvider("vonage", calls));
    DispatcherService service = new DispatcherService(
        RelayConfig.of(DispatcherConfig.SCHEMA, DispatcherConfig.SCHEMA.select(values)), providers);
    service.start();
    Map<String, String> senderValues = SenderConfig.SCHEMA.select(values);
    // The test watches the dispatcher's port; the sender's health is not what it waits for.
    senderValues.put(SenderConfig.HTTP_PORT.name(), "0");
    new SenderService(RelayConfig.of(SenderConfig.SCHEMA, senderValues), providers).start();
    // Runs until killed; the test never closes it.
    Thread.currentThread().join();
  }
}
