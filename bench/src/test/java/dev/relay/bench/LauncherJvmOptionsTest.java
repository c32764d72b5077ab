package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bench measures the stack as the README's launcher runs it, so the JVM options {@code bench.sh}
 * uses by default must be those of {@code relay-local.sh}; a heap or collector changed in one alone
 * would make every figure in docs/performance.md describe a process nobody runs.
 */
class LauncherJvmOptionsTest {

  /** Maven runs the module's tests in {@code bench/}; the scripts sit at the repository's root. */
  private static final Path REPOSITORY = Path.of("..");

  private static final Pattern LAUNCHER_OPTIONS = Pattern.compile("exec java (.*?) \\\\?\\s*-cp ", Pattern.DOTALL);
  private static final Pattern BENCH_DEFAULT_OPTIONS = Pattern.compile("\\$\\{BENCH_JAVA_OPTS:-([^}]*)}");

  @Test
  void theBenchRunsTheStackWithTheLaunchersJvmOptions() throws IOException {
    List<String> launcher = options(LAUNCHER_OPTIONS, "relay-local.sh");
    List<String> bench = options(BENCH_DEFAULT_OPTIONS, "bench.sh");

    assertThat(bench).containsExactlyElementsOf(launcher);
  }

  @Test
  void theLauncherGivesTheHeapAnInitialSize() throws IOException {
    // Without it the JDK starts the heap at 1/64 of the machine's memory, and an idle stack's RSS grows
    // into it for hours before the first full collection.
    assertThat(options(LAUNCHER_OPTIONS, "relay-local.sh")).anyMatch(option -> option.startsWith("-Xms"));
  }

  private static List<String> options(Pattern pattern, String script) throws IOException {
    String text = Files.readString(REPOSITORY.resolve(script));
    Matcher matcher = pattern.matcher(text);
    assertThat(matcher.find()).as("JVM options in %s", script).isTrue();
    return List.of(matcher.group(1).replace("\\\n", " ").trim().split("\\s+"));
  }
}
