package io.gatehouse.edge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The peers whose X-Forwarded-* and Forwarded headers Gatehouse keeps and extends; every other
 * peer's are replaced. Parsed once from CIDRs such as {@code 10.0.0.0/8} or {@code ::1/128}.
 */
public final class TrustedProxies {
  private final byte[][] networks;
  private final int[] prefixes;

  private TrustedProxies(byte[][] networks, int[] prefixes) {
    this.networks = networks;
    this.prefixes = prefixes;
  }

  public static TrustedProxies none() {
    return new TrustedProxies(new byte[0][], new int[0]);
  }

  /** Parses CIDRs; throws IllegalArgumentException naming the first bad one. */
  public static TrustedProxies parse(List<String> cidrs) {
    List<byte[]> nets = new ArrayList<>();
    int[] prefixes = new int[cidrs.size()];
    for (int i = 0; i < cidrs.size(); i++) {
      String c = cidrs.get(i).trim();
      int slash = c.indexOf('/');
      String addr = slash < 0 ? c : c.substring(0, slash);
      byte[] bytes = literal(addr);
      if (bytes == null) {
        throw new IllegalArgumentException(
            "trusted proxy \"" + c + "\" (expected: an IP address or CIDR such as 10.0.0.0/8)");
      }
      // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is kept as IPv4, like peers are.
      boolean mapped = bytes.length == 4 && addr.indexOf(':') >= 0;
      int max = mapped ? 128 : bytes.length * 8;
      int prefix = slash < 0 ? max : prefixLength(c.substring(slash + 1));
      if (prefix < (mapped ? 96 : 0) || prefix > max) {
        throw new IllegalArgumentException(
            "trusted proxy \""
                + c
                + "\" (expected: prefix length "
                + (mapped ? "96-128 for an IPv4-mapped address" : "0-" + max)
                + ")");
      }
      if (mapped) {
        prefix -= 96;
      }
      nets.add(bytes);
      prefixes[i] = prefix;
    }
    return new TrustedProxies(nets.toArray(new byte[0][]), prefixes);
  }

  /** 1-3 decimal digits; -1 for anything else ("", "+8", "8a"). */
  private static int prefixLength(String s) {
    if (s.isEmpty() || s.length() > 3) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  public boolean isEmpty() {
    return networks.length == 0;
  }

  /** Whether {@code ip} (a textual IP literal, as Vert.x reports peers) is trusted. */
  public boolean contains(@Nullable String ip) {
    if (networks.length == 0 || ip == null) {
      return false;
    }
    byte[] a = literal(ip);
    if (a == null) {
      return false;
    }
    for (int i = 0; i < networks.length; i++) {
      if (matches(networks[i], prefixes[i], a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] net, int prefix, byte[] a) {
    if (net.length != a.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != a[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (net[full] & mask) == (a[full] & mask);
  }

  /** The address bytes of an IP literal, without any DNS lookup; null if not a literal. */
  static byte @Nullable [] literal(String s) {
    if (s.isEmpty()) {
      return null;
    }
    String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v6 = t.indexOf(':') >= 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || c == '.'
              || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!ok) {
        return null;
      }
    }
    if (!v6) {
      // Parsed here: InetAddress would look up "256.1.1.1" or "1.2.3.04x" in DNS.
      return dottedQuad(t);
    }
    try {
      byte[] b = InetAddress.getByName(t).getAddress();
      // An IPv4-mapped IPv6 peer is compared as IPv4.
      if (b.length == 16 && isV4Mapped(b)) {
        return java.util.Arrays.copyOfRange(b, 12, 16);
      }
      return b;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Four decimal octets 0-255 without leading zeros (which some parsers read as octal). */
  private static byte @Nullable [] dottedQuad(String t) {
    byte[] out = new byte[4];
    int part = 0;
    int i = 0;
    int n = t.length();
    while (part < 4) {
      int start = i;
      int v = 0;
      while (i < n && t.charAt(i) != '.') {
        v = v * 10 + (t.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return null;
        }
      }
      int len = i - start;
      if (len == 0 || v > 255 || (len > 1 && t.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) v;
      if (part < 4) {
        if (i >= n) {
          return null;
        }
        i++; // the dot
      }
    }
    return i == n ? out : null;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
