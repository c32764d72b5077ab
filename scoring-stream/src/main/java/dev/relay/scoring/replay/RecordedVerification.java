package dev.relay.scoring.replay;

import dev.relay.schemas.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One recorded verification as the replay sees it: where and when it started, how it ended, and what
 * the person did. {@code reaction} is how long the person took from the code's delivery to the check
 * (known when they checked and the code's delivery receipt came); {@code ignoredDeliveredCode} when their
 * first send's code was delivered and they never checked: the replay gives them no completion on any route.
 */
public record RecordedVerification(String id, String country, Channel channel, Instant createdAt, boolean completed,
    Optional<Duration> timeToVerify, int failovers, long costMicros, Optional<Duration> reaction,
    boolean ignoredDeliveredCode) {}
