package dev.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FailoverRunNumbersTest {

  @Test
  void aFailoverPhaseNeverMeetsANumberAnEarlierPhaseUsed() {
    int offset = 30_000;
    Set<String> earlier = new HashSet<>();
    IntStream.range(0, offset).forEach(i -> earlier.add(LoadRun.number(i)));

    Set<String> phase = new HashSet<>();
    IntStream.range(offset, offset + 6_000).forEach(i -> phase.add(FailoverRun.number(i)));

    assertThat(phase).hasSize(6_000).doesNotContainAnyElementsOf(earlier);
  }

  @Test
  void theLoadsThirdCoversEveryLoadCountry() {
    Set<String> prefixes = new HashSet<>();
    IntStream.range(0, 30).filter(i -> i % 3 == 2).forEach(i -> prefixes.add(FailoverRun.number(i).substring(0, 4)));
    Set<String> loadPrefixes = new HashSet<>();
    IntStream.range(0, 5).forEach(i -> loadPrefixes.add(LoadRun.number(i).substring(0, 4)));

    assertThat(prefixes).isEqualTo(loadPrefixes);
  }
}
