package dev.relay.scoring.replay;

import static dev.relay.scoring.replay.RecordedWorld.START;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: its flags, its report, and a one-line reason with a non-zero exit for every bad input. */
class ReplayMainTest {

  private static final Instant NOW = START.plus(Duration.ofDays(1));
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final RecordedWorld world = new RecordedWorld(7).record(START, 3, Duration.ofSeconds(10));
  private final List<Instant[]> reads = new ArrayList<>();
  private final ReplayMain.RecordingSource source = (config, from, to, settle, lookback) -> {
    reads.add(new Instant[] {from, to});
    return world.recording(from, to);
  };
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir
  Path dir;

  @Test
  void printsTheReportForARangeGivenAsInstants() throws Exception {
    int exit = run("--from=2026-11-30T10:00:00Z", "--to=2026-11-30T13:00:00Z", "--table=" + table("vonage", "twilio"),
        "--scores=off", "--seed=3");

    assertThat(exit).isZero();
    assertThat(err()).isEmpty();
    assertThat(out()).startsWith("What-if replay of 2026-11-30T10:00:00Z .. 2026-11-30T13:00:00Z: 1080 verifications")
        .contains("scores off (the table's order); failover window 30s; expiry 10m; max sends 5; seed 3")
        .contains(ReplayReport.ASSUMPTIONS);
  }

  @Test
  void readsARangeGivenAsDurationsAgoAndPassesTheSettings() throws Exception {
    int exit = run("--from=PT24H", "--to=21h", "--table=" + table("twilio", "vonage"), "--window=20s",
        "--relay.routing.min-samples=50");

    assertThat(exit).isZero();
    assertThat(reads).singleElement().satisfies(range -> assertThat(range).containsExactly(START, START.plusSeconds(3 * 3600)));
    assertThat(out()).contains("scores on (min samples 50, margin 0.05, exploration 0.05, cap 0.40); failover window 20s");
  }

  @Test
  void fromAfterToIsRefusedBeforeAnythingIsRead() throws Exception {
    int exit = run("--from=2026-11-30T13:00:00Z", "--to=2026-11-30T10:00:00Z", "--table=" + table("twilio"));

    assertThat(exit).isEqualTo(2);
    assertThat(reads).isEmpty();
    assertThat(out()).isEmpty();
    assertThat(err()).isEqualTo("routing replay: --from (2026-11-30T13:00:00Z) must be before --to (2026-11-30T10:00:00Z)\n");
  }

  @Test
  void anEmptyRangeIsRefused() throws Exception {
    int exit = run("--from=2026-11-29T00:00:00Z", "--to=2026-11-29T06:00:00Z", "--table=" + table("twilio"));

    assertThat(exit).isEqualTo(2);
    assertThat(err()).startsWith("routing replay: no verification started between 2026-11-29T00:00:00Z and 2026-11-29T06:00:00Z")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void anUnknownRouteInTheTableIsRefused() throws Exception {
    int exit = run("--from=2026-11-30T10:00:00Z", "--to=2026-11-30T13:00:00Z", "--table=" + table("twilio", "sinch"));

    assertThat(exit).isEqualTo(2);
    assertThat(out()).isEmpty();
    assertThat(err()).startsWith("routing replay: the routing table names [sinch], with no recorded try")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aTableThatIsNotATableIsRefusedWithItsFileNamed() throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\"countries\": {\"DE\": {\"sms\": [{\"provider\": \"twilio\"}]}}}");

    int exit = run("--from=7d", "--table=" + file);

    assertThat(exit).isEqualTo(2);
    assertThat(reads).isEmpty();
    assertThat(err()).isEqualTo("routing replay: " + file + ": routing table: the default entry (country *) needs at least one SMS route\n");
  }

  @Test
  void badFlagsAreRefusedWithTheirReason() throws Exception {
    String table = "--table=" + table("twilio");

    assertThat(run("--from=last tuesday", table)).isEqualTo(2);
    assertThat(run("--from=7d", table, "--scores=maybe")).isEqualTo(2);
    assertThat(run("--from=7d", table, "--window=0s")).isEqualTo(2);
    assertThat(run(table)).isEqualTo(2);

    assertThat(err().lines().filter(line -> line.startsWith("routing replay: "))).hasSize(4);
    assertThat(err()).contains("relay.replay.from: 'last tuesday' is neither an ISO instant")
        .contains("--scores) is on or off, not 'maybe'")
        .contains("(--window) must be positive")
        .contains("routing replay: missing required settings:\n  relay.replay.from")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(reads).isEmpty();
  }

  @Test
  void kafkaUnreachableIsExitOne() throws Exception {
    ReplayMain.RecordingSource failing = (config, from, to, settle, lookback) -> {
      throw new TimeoutException("Timeout expired while fetching topic metadata");
    };
    int exit = ReplayMain.run(new String[] {"--from=7d", "--table=" + table("twilio")}, Map.of(), failing,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);

    assertThat(exit).isEqualTo(1);
    assertThat(err()).isEqualTo("routing replay failed: Timeout expired while fetching topic metadata\n");
  }

  @Test
  void theDocsStateTheAssumptionsTheReportPrints() throws Exception {
    // The module's tests run in scoring-stream/; the study's page is the repository's.
    String docs = Files.readString(Path.of("..", "docs", "routing-study.md"));

    assertThat(docs).contains("## What-if replay").contains(ReplayReport.ASSUMPTIONS);
  }

  private int run(String... args) {
    return ReplayMain.run(args, Map.of(), source, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
  }

  private String table(String... providers) throws Exception {
    Path file = dir.resolve(String.join("-", providers) + ".json");
    Files.writeString(file, RecordedWorld.table(providers));
    return file.toString();
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
