package dev.relay.sim.vonage;

import java.util.Map;
import java.util.Optional;

/** A plausible MCCMNC per country for Vonage's {@code network} and {@code network-code} fields. */
final class NetworkCodes {

  private static final Map<String, String> BY_COUNTRY = Map.ofEntries(
      Map.entry("AT", "23201"), Map.entry("AU", "50501"), Map.entry("BR", "72405"), Map.entry("CA", "302720"),
      Map.entry("CH", "22801"), Map.entry("DE", "26201"), Map.entry("ES", "21407"), Map.entry("FR", "20801"),
      Map.entry("GB", "23410"), Map.entry("IN", "40410"), Map.entry("IT", "22201"), Map.entry("NL", "20408"),
      Map.entry("PL", "26002"), Map.entry("US", "310260"));

  private NetworkCodes() {}

  static Optional<String> of(String country) {
    return Optional.ofNullable(BY_COUNTRY.get(country));
  }
}
