package dev.relay.sim.route;

import java.util.Locale;
import java.util.Optional;

/** How a simulated handset receives a message: a text, a call whose spoken words it hears, or a WhatsApp message. */
public enum SimChannel {
  SMS, VOICE, WHATSAPP;

  /** The name the admin API and the inbox use: {@code sms}, {@code voice} or {@code whatsapp}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SimChannel> fromWireName(String name) {
    for (SimChannel channel : values()) {
      if (channel.wireName().equals(name)) {
        return Optional.of(channel);
      }
    }
    return Optional.empty();
  }
}
