package dev.relay.dispatcher.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The network an address belongs to for limits: its /24 (IPv4) or /48 (IPv6). One subscriber,
 * office or cloud host usually holds a whole block, so limiting single addresses alone is beaten by
 * rotating through a block; for IPv6 that block is commonly a /48 (RIPE-690 advises a /48 or /56
 * per customer), so counting /64s would hand one subscriber up to 65 536 separate budgets.
 */
public final class Networks {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.:]{2,45}");
  private static final int IPV4_PREFIX_BYTES = 3;
  private static final int IPV6_PREFIX_BYTES = 6;

  private Networks() {}

  /** {@code 203.0.113.0/24} or {@code 2001:db8:1:0:0:0:0:0/48}; empty when the text is not an address literal. */
  public static Optional<String> of(String address) {
    if (address == null) {
      return Optional.empty();
    }
    boolean literal = address.indexOf(':') >= 0 ? IPV6.matcher(address).matches() : IPV4.matcher(address).matches();
    if (!literal) {
      return Optional.empty();
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      int keep = bytes.length == 4 ? IPV4_PREFIX_BYTES : IPV6_PREFIX_BYTES;
      for (int i = keep; i < bytes.length; i++) {
        bytes[i] = 0;
      }
      return Optional.of(InetAddress.getByAddress(bytes).getHostAddress() + "/" + keep * 8);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
