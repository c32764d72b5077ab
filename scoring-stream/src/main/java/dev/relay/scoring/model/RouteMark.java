package dev.relay.scoring.model;

/**
 * The publishing bookkeeping of one route: when its newest fact happened (to within a second: a fact
 * that close to the marked one is not written), the end of the window last
 * published on provider-scores that has not been closed yet (written to provider-score-history), or
 * {@link #NONE}, and whether facts arrived since the last publication ({@code dirty}).
 */
public record RouteMark(long lastFactAt, long openWindowEnd, boolean dirty) {

  /** No published window waits to be closed. */
  public static final long NONE = Long.MIN_VALUE;

  public boolean hasOpenWindow() {
    return openWindowEnd != NONE;
  }
}
