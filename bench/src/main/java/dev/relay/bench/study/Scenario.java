package dev.relay.bench.study;

import java.math.BigDecimal;
import java.util.Map;

/**
 * One degradation of the study, each on its own destination country so that all of them run in the
 * same stack at the same time without touching each other (routes, scores and demotion are per
 * provider x country). {@link #fault} is the simulator route the degraded provider gets for the
 * fault phase; {@link #lasting} says whether it stays after the fault phase (a price change does).
 */
enum Scenario {
  DROP_HALF("DE", "+491511", 7, "twilio", "silently drops half of its messages (accepted, never delivered, no receipt)",
      false, Map.of("silentDropRate", 0.5)),
  DOWN("FR", "+3361", 7, "twilio", "rejects every message to the country (geo permission error)",
      false, Map.of("acceptRate", 0.0)),
  RECEIPTS_LOST("GB", "+447400", 6, "twilio", "delivers every message but posts no delivery receipt",
      false, Map.of("receiptLossRate", 1.0)),
  PRICE_CHANGE("ES", "+3461", 7, "vonage", "raises its price from 0.035 to 0.110 (the cheaper provider becomes the expensive one)",
      true, Map.of()),
  /**
   * A route that loses everything silently until it is demoted, then recovers: what the study reads here is the
   * way back (time from the recovery to the route's promotion and to its being first again).
   */
  RECOVERY("IT", "+39347", 7, "twilio", "silently loses every message (accepted, never delivered, no receipt), then recovers",
      false, Map.of("silentDropRate", 1.0));

  /** The world's prices per message before any change, by country and provider (one currency unit for all). */
  static final Map<String, Map<String, BigDecimal>> PRICES = Map.of(
      "DE", Map.of("twilio", new BigDecimal("0.040"), "vonage", new BigDecimal("0.065")),
      "FR", Map.of("twilio", new BigDecimal("0.040"), "vonage", new BigDecimal("0.065")),
      "GB", Map.of("twilio", new BigDecimal("0.040"), "vonage", new BigDecimal("0.065")),
      "ES", Map.of("twilio", new BigDecimal("0.060"), "vonage", new BigDecimal("0.035")),
      "IT", Map.of("twilio", new BigDecimal("0.040"), "vonage", new BigDecimal("0.065")));
  /** What {@link #PRICE_CHANGE}'s provider charges from the fault phase on. */
  static final BigDecimal CHANGED_PRICE = new BigDecimal("0.110");

  final String country;
  final String prefix;
  final int freeDigits;
  /** The provider the scenario degrades: the operator's first choice for the country. */
  final String provider;
  final String description;
  final boolean lasting;
  private final Map<String, Object> fault;

  Scenario(String country, String prefix, int freeDigits, String provider, String description, boolean lasting,
      Map<String, Object> fault) {
    this.country = country;
    this.prefix = prefix;
    this.freeDigits = freeDigits;
    this.provider = provider;
    this.description = description;
    this.lasting = lasting;
    this.fault = fault;
  }

  /** The i-th distinct mobile number of this scenario's country. */
  String number(int i) {
    return prefix + String.format("%0" + freeDigits + "d", i);
  }

  BigDecimal healthyPrice(String provider) {
    return PRICES.get(country).get(provider);
  }

  BigDecimal faultPrice() {
    return this == PRICE_CHANGE ? CHANGED_PRICE : healthyPrice(provider);
  }

  /** The simulator route (admin API JSON fields) of the degraded provider during the fault. */
  Map<String, Object> faultRoute() {
    Map<String, Object> route = new java.util.LinkedHashMap<>(fault);
    route.put("price", faultPrice());
    return route;
  }

  /** The healthy route of a provider in this country: only its price differs from the simulator's default. */
  Map<String, Object> healthyRoute(String provider) {
    return Map.of("price", healthyPrice(provider));
  }
}
