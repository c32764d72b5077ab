package dev.relay.api;

import dev.relay.api.admin.BlockedPrefixes;
import dev.relay.api.admin.BlocksUnavailableException;
import dev.relay.schemas.PrefixBlock;
import dev.relay.schemas.PrefixBlockState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Blocked prefixes in memory, for the admin route tests; {@link #unavailable} makes every call fail as Kafka would. */
public final class FakeBlockedPrefixes implements BlockedPrefixes {

  public final Map<String, PrefixBlock> latest = new TreeMap<>();
  public final List<String> releases = new ArrayList<>();
  public volatile boolean unavailable;

  /** A block as the detector writes it. */
  public static PrefixBlock block(String prefix, Instant blockedAt, Instant blockedUntil) {
    return PrefixBlock.newBuilder()
        .setPrefix(prefix)
        .setCountry("DE")
        .setState(PrefixBlockState.BLOCKED)
        .setReason("40 verifications started in the last 15m against a baseline of 0.5")
        .setStartedInWindow(40)
        .setApprovedInWindow(1)
        .setCompletionRate(0.025)
        .setBaselinePerWindow(0.5)
        .setWindowStart(blockedAt.minusSeconds(900))
        .setBlockedAt(blockedAt)
        .setBlockedUntil(blockedUntil)
        .build();
  }

  @Override
  public List<PrefixBlock> blocked(Instant now) {
    failIfUnavailable();
    return latest.values().stream()
        .filter(block -> block.getState() == PrefixBlockState.BLOCKED && block.getBlockedUntil().isAfter(now))
        .toList();
  }

  @Override
  public Optional<PrefixBlock> release(String prefix, String releasedBy, Instant now) {
    failIfUnavailable();
    PrefixBlock held = latest.get(prefix);
    if (held == null || held.getState() != PrefixBlockState.BLOCKED || !held.getBlockedUntil().isAfter(now)) {
      return Optional.empty();
    }
    PrefixBlock released = PrefixBlock.newBuilder(held).setState(PrefixBlockState.RELEASED).setReleasedAt(now)
        .setReleasedBy(releasedBy).build();
    latest.put(prefix, released);
    releases.add(prefix + " by " + releasedBy);
    return Optional.of(released);
  }

  private void failIfUnavailable() {
    if (unavailable) {
      throw new BlocksUnavailableException("Kafka is down", null);
    }
  }
}
