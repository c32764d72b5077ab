package dev.relay.scoring.testing;

import dev.relay.schemas.ProviderScore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * A scenario's inputs, each at its event time, piped in that order with a publication every emit
 * interval of event time in between: scoring sees the traffic as a live stack would, however the
 * scenario was written down.
 */
public final class EventTimeInputs {

  private record Step(Instant at, int order, Runnable input) {}

  private final List<Step> steps = new ArrayList<>();

  public void at(Instant at, Runnable input) {
    steps.add(new Step(at, steps.size(), input));
  }

  /** Pipes every input from {@code from} on, publishing every {@code emit} until {@code until}; every score published. */
  public List<KeyValue<String, ProviderScore>> run(ScoringDriver driver, Instant from, Duration emit, Instant until) {
    steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
    List<KeyValue<String, ProviderScore>> published = new ArrayList<>();
    Instant nextPublication = from.plus(emit);
    for (Step step : steps) {
      while (!step.at().isBefore(nextPublication)) {
        driver.publish();
        published.addAll(driver.publishedScores());
        nextPublication = nextPublication.plus(emit);
      }
      step.input().run();
    }
    while (nextPublication.isBefore(until)) {
      driver.publish();
      published.addAll(driver.publishedScores());
      nextPublication = nextPublication.plus(emit);
    }
    return published;
  }
}
