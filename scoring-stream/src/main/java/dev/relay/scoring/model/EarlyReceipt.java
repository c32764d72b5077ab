package dev.relay.scoring.model;

import dev.relay.schemas.DeliveryStatus;

/** A final receipt that arrived before the send result it belongs to; counted when the send lands. */
public record EarlyReceipt(DeliveryStatus status, long occurredAt) {}
