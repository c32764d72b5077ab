package dev.relay.scoring.model;

/**
 * How much of one verification's attempt history scoring has already counted: failovers up to
 * attempt {@code countedAttempts}, and whether its final status was seen (so a replayed final event
 * counts nothing twice).
 */
public record VerificationProgress(int countedAttempts, boolean finished) {}
