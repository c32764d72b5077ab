package dev.relay.sim.route;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The vendors the simulator impersonates, the channels each serves, and what a rejection or a failed
 * delivery looks like on each when the admin API does not say: a code that rules out the route for
 * the destination country, never the number, so a healthy Relay fails over rather than giving up.
 */
public enum Provider {
  // 21408: SMS to the region not enabled; 21215: calls to the region not permitted (geo permissions).
  // 30003: unreachable destination handset; 480: the callee did not answer (SIP Temporarily Unavailable).
  // WhatsApp: 63018, the channel's rate limit (retryable); 30008, unknown error.
  TWILIO("twilio", List.of(
      new ChannelDefaults(SimChannel.SMS, 21408, 30003, new BigDecimal("0.0790")),
      new ChannelDefaults(SimChannel.VOICE, 21215, 480, new BigDecimal("0.1300")),
      new ChannelDefaults(SimChannel.WHATSAPP, 63018, 30008, new BigDecimal("0.0050")))),
  // 29: non-whitelisted destination; err-code 1: unknown delivery failure.
  // WhatsApp (Messages API): 1430, the recipient is not valid for the channel; 1330, unknown carrier error.
  VONAGE("vonage", List.of(
      new ChannelDefaults(SimChannel.SMS, 29, 1, new BigDecimal("0.0333")),
      new ChannelDefaults(SimChannel.WHATSAPP, 1430, 1330, new BigDecimal("0.0350")))),
  // Plivo answers a refused send with an HTTP status: 403, the account may not send to that country
  // (geo permissions). Error code 80: destination temporarily unavailable.
  PLIVO("plivo", List.of(
      new ChannelDefaults(SimChannel.SMS, 403, 80, new BigDecimal("0.0050"))));

  private final String wireName;
  private final List<ChannelDefaults> channels;

  Provider(String wireName, List<ChannelDefaults> channels) {
    this.wireName = wireName;
    this.channels = channels;
  }

  /** What one channel of a provider answers by default. */
  public record ChannelDefaults(SimChannel channel, int rejectionCode, int deliveryErrorCode, BigDecimal price) {}

  /** Lower case, as Relay's routes name providers. */
  public String wireName() {
    return wireName;
  }

  public List<SimChannel> channels() {
    return channels.stream().map(ChannelDefaults::channel).toList();
  }

  public boolean serves(SimChannel channel) {
    return channels().contains(channel);
  }

  public ChannelDefaults defaults(SimChannel channel) {
    return channels.stream().filter(defaults -> defaults.channel() == channel).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(wireName + " does not serve " + channel.wireName()));
  }

  public static Optional<Provider> fromWireName(String name) {
    for (Provider provider : values()) {
      if (provider.wireName.equals(name)) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }
}
