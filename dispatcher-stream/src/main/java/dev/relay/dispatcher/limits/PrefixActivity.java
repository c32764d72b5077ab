package dev.relay.dispatcher.limits;

import dev.relay.dispatcher.config.PumpingSettings;
import dev.relay.schemas.serde.StateSerde;
import dev.relay.schemas.state.PumpingBucket;
import dev.relay.schemas.state.PumpingCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;

/**
 * One destination prefix's recent verifications as the anti-pumping detector judges them: sends
 * (every send counts as a start, failovers included) and approvals counted per bucket over the recent window, the baseline the older buckets were folded
 * into (starts per millisecond, exponentially weighted with the baseline's time constant, so the
 * state stays small however long the history), and the prefix's block and release marks. Immutable:
 * every change returns a new value. Times are epoch milliseconds, 0 for "none".
 *
 * @param buckets the buckets still in the window, oldest first
 * @param baselineRate starts per millisecond before the window
 * @param baselineAt the end of the last bucket folded into the baseline
 * @param blockedUntil the end of the block this detector last issued
 * @param quietUntil no new block before this (set by an operator's release)
 * @param releaseSeen the release time of the last release applied; older events no longer count
 */
public record PrefixActivity(List<Bucket> buckets, double baselineRate, long baselineAt, long blockedUntil,
    long quietUntil, long releaseSeen) {

  /** Starts and approvals in {@code [start, start + bucket)}. */
  public record Bucket(long start, int started, int approved) {}

  /** The figures behind a block, as its record and its reason state them. */
  public record Verdict(Instant windowStart, long started, long approved, long matured, double completion,
      double baselinePerWindow) {

    /** For humans: the figures that crossed the thresholds (never a number, only counts). */
    public String reason(PumpingSettings settings) {
      return String.format(Locale.ROOT,
          "%d sends dispatched in the last %s against a baseline of %.1f (spike threshold x%.1f, floor %d);"
              + " %d approvals for the %d sends old enough to judge (%.0f%%, below %.0f%%): the pattern of SMS pumping",
          started, human(settings.window()), baselinePerWindow, settings.spikeFactor(), settings.minStarts(),
          approved, matured, completion * 100, settings.maxCompletion() * 100);
    }
  }

  /** Stored as its contract, {@code PumpingCounts}. */
  public static final Serde<PrefixActivity> SERDE =
      StateSerde.of(PumpingCounts.class, PrefixActivity::toContract, PrefixActivity::fromContract);

  public PrefixActivity {
    buckets = List.copyOf(buckets);
  }

  public static PrefixActivity empty() {
    return new PrefixActivity(List.of(), 0, 0, 0, 0, 0);
  }

  public PrefixActivity started(Instant at, PumpingSettings settings) {
    return add(at, 1, 0, settings);
  }

  public PrefixActivity approved(Instant at, PumpingSettings settings) {
    return add(at, 0, 1, settings);
  }

  public boolean isBlocked(Instant now) {
    return blockedUntil > now.toEpochMilli();
  }

  /**
   * Whether the prefix should be blocked now, and on what figures: enough starts in the window (the
   * floor), a spike against the baseline, and a completion rate below the threshold over the starts
   * old enough to have been completed. Never while a block or a release's grace holds.
   */
  public Optional<Verdict> judge(Instant now, PumpingSettings settings) {
    long nowMillis = now.toEpochMilli();
    if (blockedUntil > nowMillis || quietUntil > nowMillis) {
      return Optional.empty();
    }
    PrefixActivity current = advance(now, settings);
    long windowStart = nowMillis - settings.window().toMillis();
    long bucket = settings.bucket().toMillis();
    long delay = settings.completionDelay().toMillis();
    long started = 0;
    long approved = 0;
    long matured = 0;
    for (Bucket b : current.buckets) {
      started += b.started();
      approved += b.approved();
      // With a delay, a bucket counts once all of it is that old; without one, every start does.
      if (delay == 0 || b.start() + bucket <= nowMillis - delay) {
        matured += b.started();
      }
    }
    if (started < settings.minStarts() || matured < settings.minStarts()) {
      return Optional.empty();
    }
    double baselinePerWindow = current.baselineRateAt(windowStart, settings) * settings.window().toMillis();
    if (started < settings.spikeFactor() * baselinePerWindow) {
      return Optional.empty();
    }
    double completion = Math.min(1.0, (double) approved / matured);
    if (completion >= settings.maxCompletion()) {
      return Optional.empty();
    }
    return Optional.of(new Verdict(Instant.ofEpochMilli(windowStart), started, approved, matured, completion,
        baselinePerWindow));
  }

  /**
   * Blocked now: the window's buckets go (the spike must not become the baseline, nor block the
   * prefix again the moment the block lapses).
   */
  public PrefixActivity blocked(Instant now, PumpingSettings settings) {
    PrefixActivity current = advance(now, settings);
    return new PrefixActivity(List.of(), current.baselineRate, current.baselineAt,
        now.plus(settings.blockFor()).toEpochMilli(), current.quietUntil, current.releaseSeen);
  }

  /**
   * An operator released the prefix: the block ends, the window starts empty (what was counted before
   * the release does not count again) and no block follows within the grace period.
   */
  public PrefixActivity released(Instant releasedAt, PumpingSettings settings) {
    long at = releasedAt.toEpochMilli();
    if (at <= releaseSeen) {
      return this;
    }
    return new PrefixActivity(List.of(), baselineRate, baselineAt, 0, releasedAt.plus(settings.releaseGrace()).toEpochMilli(), at);
  }

  /**
   * Nothing in the window, no mark ahead, and a baseline so low that the floor alone decides (the
   * floor's starts are more than the spike factor times it): forgetting the entry changes no verdict.
   */
  public boolean isIdle(Instant now, PumpingSettings settings) {
    PrefixActivity current = advance(now, settings);
    long nowMillis = now.toEpochMilli();
    double baseline = current.baselineRateAt(nowMillis, settings) * settings.window().toMillis();
    return current.buckets.isEmpty() && blockedUntil <= nowMillis && quietUntil <= nowMillis
        && settings.spikeFactor() * baseline < settings.minStarts();
  }

  /** The baseline in starts per window length, as of the window that ends now. */
  public double baselinePerWindow(Instant now, PumpingSettings settings) {
    PrefixActivity current = advance(now, settings);
    return current.baselineRateAt(now.toEpochMilli() - settings.window().toMillis(), settings) * settings.window().toMillis();
  }

  /** The counts in the window that ends now: started, approved. */
  public long[] inWindow(Instant now, PumpingSettings settings) {
    long started = 0;
    long approved = 0;
    for (Bucket b : advance(now, settings).buckets) {
      started += b.started();
      approved += b.approved();
    }
    return new long[] {started, approved};
  }

  /** Folds the buckets that have left the window ending at {@code now} into the baseline. */
  PrefixActivity advance(Instant now, PumpingSettings settings) {
    long windowStart = now.toEpochMilli() - settings.window().toMillis();
    long bucket = settings.bucket().toMillis();
    if (buckets.isEmpty() || buckets.get(0).start() + bucket > windowStart) {
      return this;
    }
    double tau = settings.baseline().toMillis();
    double rate = baselineRate;
    long at = baselineAt;
    List<Bucket> kept = new ArrayList<>();
    for (Bucket b : buckets) {
      if (b.start() + bucket > windowStart) {
        kept.add(b);
        continue;
      }
      if (at == 0) {
        // The first bucket ever folded: nothing is known before it, so the baseline starts there from zero.
        at = b.start();
      }
      rate *= Math.exp(-Math.max(0, b.start() - at) / tau);
      double keep = Math.exp(-bucket / tau);
      rate = rate * keep + ((double) b.started() / bucket) * (1 - keep);
      at = b.start() + bucket;
    }
    return new PrefixActivity(kept, rate, at, blockedUntil, quietUntil, releaseSeen);
  }

  /** The baseline rate decayed over the quiet time between the last folded bucket and {@code millis}. */
  private double baselineRateAt(long millis, PumpingSettings settings) {
    if (baselineAt == 0 || millis <= baselineAt) {
      return baselineRate;
    }
    return baselineRate * Math.exp(-(millis - baselineAt) / (double) settings.baseline().toMillis());
  }

  private PrefixActivity add(Instant at, int started, int approved, PumpingSettings settings) {
    long millis = at.toEpochMilli();
    if (millis < releaseSeen) {
      // Counted before the operator's release, only processed now: the release wiped it.
      return this;
    }
    PrefixActivity current = advance(at, settings);
    long bucket = settings.bucket().toMillis();
    long start = Math.floorDiv(millis, bucket) * bucket;
    if (start < current.baselineAt) {
      // Late: its bucket was already folded into the baseline.
      return current;
    }
    List<Bucket> next = new ArrayList<>(current.buckets.size() + 1);
    boolean merged = false;
    for (Bucket b : current.buckets) {
      if (!merged && b.start() == start) {
        next.add(new Bucket(start, b.started() + started, b.approved() + approved));
        merged = true;
      } else if (!merged && b.start() > start) {
        next.add(new Bucket(start, started, approved));
        next.add(b);
        merged = true;
      } else {
        next.add(b);
      }
    }
    if (!merged) {
      next.add(new Bucket(start, started, approved));
    }
    return new PrefixActivity(next, current.baselineRate, current.baselineAt, blockedUntil, quietUntil, releaseSeen);
  }

  private static String human(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static PumpingCounts toContract(PrefixActivity activity) {
    List<PumpingBucket> buckets = new ArrayList<>(activity.buckets.size());
    for (Bucket b : activity.buckets) {
      buckets.add(new PumpingBucket(b.start(), b.started(), b.approved()));
    }
    return new PumpingCounts(buckets, activity.baselineRate, activity.baselineAt, activity.blockedUntil,
        activity.quietUntil, activity.releaseSeen);
  }

  private static PrefixActivity fromContract(PumpingCounts counts) {
    List<Bucket> buckets = new ArrayList<>(counts.getBuckets().size());
    for (PumpingBucket b : counts.getBuckets()) {
      buckets.add(new Bucket(b.getStart(), b.getStarted(), b.getApproved()));
    }
    return new PrefixActivity(buckets, counts.getBaselineRate(), counts.getBaselineAt(), counts.getBlockedUntil(),
        counts.getQuietUntil(), counts.getReleaseSeen());
  }
}
