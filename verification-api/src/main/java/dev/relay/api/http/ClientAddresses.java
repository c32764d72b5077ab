package dev.relay.api.http;

import dev.relay.support.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which address a request came from, for the per-IP limits: the connection's peer, or, only when
 * that peer is one of the operator's trusted proxies, the right-most address in
 * {@code X-Forwarded-For} that is not itself a trusted proxy. Anyone can write the header, so it
 * is never believed from an untrusted peer: that would let an attacker pick a fresh IP per request.
 */
public final class ClientAddresses {

  /** Literal addresses only: a host name would make parsing the header a DNS lookup. */
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

  private record Block(byte[] network, int prefixBits) {

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> trusted;

  private ClientAddresses(List<Block> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** No trusted proxy: the connection's peer is the client. */
  public static ClientAddresses direct() {
    return new ClientAddresses(List.of());
  }

  /** Reads addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}). */
  public static ClientAddresses parse(String settingName, List<String> entries) {
    List<Block> blocks = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      byte[] address = literal(host).orElseThrow(() -> new ConfigException(
          settingName + ": '" + entry + "' is not an IP address or CIDR block (10.0.0.0/8, 192.0.2.7, fd00::/8)"));
      int bits = address.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > address.length * 8) {
          throw new ConfigException(settingName + ": '" + entry + "' has a prefix length outside 0-" + address.length * 8);
        }
      }
      blocks.add(new Block(address, bits));
    }
    return new ClientAddresses(blocks);
  }

  /**
   * The client's address in canonical form.
   *
   * @param peer the connection's remote address
   * @param forwardedFor every {@code X-Forwarded-For} line of the request, in order, joined with commas
   *     (a proxy may add a line instead of extending the client's), or null
   */
  public String resolve(String peer, String forwardedFor) {
    Optional<byte[]> peerAddress = literal(peer);
    if (peerAddress.isEmpty()) {
      return peer;
    }
    if (forwardedFor == null || !isTrusted(peerAddress.get())) {
      return canonical(peerAddress.get());
    }
    String[] hops = forwardedFor.split(",");
    byte[] client = peerAddress.get();
    // From the right: every hop a trusted proxy added, until the first address no trusted proxy vouches past.
    for (int i = hops.length - 1; i >= 0; i--) {
      Optional<byte[]> hop = literal(hops[i].trim());
      if (hop.isEmpty()) {
        break;
      }
      client = hop.get();
      if (!isTrusted(client)) {
        break;
      }
    }
    return canonical(client);
  }

  private boolean isTrusted(byte[] address) {
    for (Block block : trusted) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static Optional<byte[]> literal(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    boolean literal = host.indexOf(':') >= 0 ? IPV6.matcher(host).matches() : IPV4.matcher(host).matches();
    if (!literal) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static String canonical(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("an address of " + address.length + " bytes", e);
    }
  }
}
