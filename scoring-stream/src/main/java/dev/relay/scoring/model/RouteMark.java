package dev.relay.scoring.model;

/**
 * The publishing bookkeeping of one route: when its newest fact happened, up to which window end it
 * was last published, and whether facts arrived since ({@code dirty}).
 */
public record RouteMark(long lastFactAt, long publishedWindowEnd, boolean dirty) {

  public static final long NEVER = Long.MIN_VALUE;
}
