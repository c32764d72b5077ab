package dev.relay.scoring.replay;

import dev.relay.scoring.model.RouteKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One recorded provider try, joined with its receipt and its verification's end: the evidence a route's
 * estimate is made of. {@code first} for a try of a verification's first send (a fast failover after a
 * rejection included), {@code late} for a try of a failover after the window, a failed receipt or on
 * the next channel, when the person has waited and may have left. A try to a person who let their
 * first delivered code pass ({@code ignoredByPerson}) says nothing about its route's completion.
 */
public record RouteSend(RouteKey route, Instant startedAt, boolean accepted, Optional<Long> priceMicros,
    boolean first, boolean late, boolean completed, Optional<Duration> deliveredAfter, Optional<Duration> failedAfter,
    Optional<Duration> verifiedAfter) {}
