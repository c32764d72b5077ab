package dev.relay.bench.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole embedded stack as a deployment runs it: the README's launcher ({@code relay-local.sh}) in a
 * process of its own, on a data directory and ports of the run's choosing, so that it can be killed as a
 * machine kills it ({@code SIGKILL}: nothing closes, nothing flushes) and launched again on the same data.
 */
final class LaunchedStack {

  private final Path launcher;
  private final Path dataDir;
  private final StackPorts ports;
  private final Process process;

  private LaunchedStack(Path launcher, Path dataDir, StackPorts ports, Process process) {
    this.launcher = launcher;
    this.dataDir = dataDir;
    this.ports = ports;
    this.process = process;
  }

  static LaunchedStack launch(Path launcher, Path dataDir, StackPorts ports, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "--data-dir=" + dataDir));
    command.addAll(ports.launcherFlags());
    Process process = new ProcessBuilder(command).directory(launcher.toAbsolutePath().getParent().toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new LaunchedStack(launcher, dataDir, ports, process);
  }

  /** The same launcher on the same data directory and ports. */
  LaunchedStack relaunch(Path log) throws IOException {
    return launch(launcher, dataDir, ports, log);
  }

  /** The development API key the launcher created at its first start, once it has. */
  Optional<String> apiKey() throws IOException {
    Path secrets = dataDir.resolve("secrets.properties");
    if (!Files.exists(secrets)) {
      return Optional.empty();
    }
    return Files.readAllLines(secrets).stream().filter(line -> line.startsWith("api-key="))
        .map(line -> line.substring("api-key=".length()).trim()).findFirst();
  }

  /** {@code SIGKILL} to the launcher and whatever it started (it execs the JVM, so usually that is all). */
  void kill() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
  }

  /** {@code SIGTERM}, as Ctrl-C would: the stack closes its services and the broker. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
