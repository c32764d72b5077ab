package dev.relay.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.kafka.embedded.FreePorts;
import dev.relay.local.LocalStack.LocalStackSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack whose start fails part-way (here the API's port is taken, the last service to start) closes the
 * broker and the services it had started: left running, they would hold their ports, group memberships and
 * the data directory for the rest of the process, and the next stack in a test JVM would meet them.
 */
@Tag("integration")
class StackStartFailureTest {

  @TempDir Path dataDir;

  @Test
  void aStartThatFailsPartWayLeavesNothingRunning() throws Exception {
    LocalStackSettings settings = new LocalStackSettings(dataDir, FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
        FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick());
    LocalStack stack = new LocalStack(settings);
    try {
      try (ServerSocket taken = new ServerSocket()) {
        taken.bind(new InetSocketAddress(settings.apiPort()));

        assertThatThrownBy(stack::start).as("the API cannot bind its port").isInstanceOf(RuntimeException.class);
      }

      List<Integer> startedBeforeTheApi = List.of(settings.kafkaPort(), settings.simPort(), settings.dlrPort(),
          settings.dispatcherPort(), settings.senderPort(), settings.scoringPort());
      assertThat(startedBeforeTheApi).as("ports still held after the failed start").allSatisfy(port ->
          assertThat(bindable(port)).as("port %d", port).isTrue());
      DataDirectoryLock.acquire(dataDir).close();
    } finally {
      // Only what a failing assertion above leaves: the stack closes itself when its start fails.
      stack.close();
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
