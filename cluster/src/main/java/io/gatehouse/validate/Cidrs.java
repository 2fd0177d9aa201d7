package io.gatehouse.validate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A set of IPv4 and IPv6 networks (CIDRs such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a
 * bare address is a /32 or /128), and the one parser of IP literals every access rule uses: trusted
 * proxies, IP allow and deny lists, rate-limit exemptions. Parsing never looks a name up in DNS
 * (InetAddress would for {@code 256.1.1.1}), refuses leading zeros (which some parsers read as
 * octal) and compares an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) as IPv4. Immutable and
 * thread-safe; {@link #contains} allocates only the parsed address.
 */
public final class Cidrs {
  /** No network: contains nothing. */
  public static final Cidrs NONE = new Cidrs(new byte[0][], new int[0], List.of());

  private final byte[][] networks;
  private final int[] prefixes;
  private final List<String> source;

  private Cidrs(byte[][] networks, int[] prefixes, List<String> source) {
    this.networks = networks;
    this.prefixes = prefixes;
    this.source = source;
  }

  /**
   * Parses CIDRs.
   *
   * @throws IllegalArgumentException naming the first bad one and what was expected
   */
  public static Cidrs parse(List<String> cidrs) {
    if (cidrs.isEmpty()) {
      return NONE;
    }
    byte[][] nets = new byte[cidrs.size()][];
    int[] prefixes = new int[cidrs.size()];
    for (int i = 0; i < cidrs.size(); i++) {
      String c = cidrs.get(i).trim();
      String problem = problem(c);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      int slash = c.indexOf('/');
      String addr = slash < 0 ? c : c.substring(0, slash);
      byte[] bytes = literal(addr);
      if (bytes == null) { // problem(c) said it is one: never
        throw new IllegalArgumentException("\"" + c + "\" is not an IP address or CIDR");
      }
      boolean mapped = bytes.length == 4 && addr.indexOf(':') >= 0;
      int max = mapped ? 128 : bytes.length * 8;
      int prefix = slash < 0 ? max : prefixLength(c.substring(slash + 1));
      nets[i] = bytes;
      prefixes[i] = mapped ? prefix - 96 : prefix;
    }
    return new Cidrs(nets, prefixes, List.copyOf(cidrs));
  }

  /**
   * Why {@code cidr} is not a CIDR or an IP address, or null when it is one; the text names the
   * value and what was expected.
   */
  public static @Nullable String problem(@Nullable String cidr) {
    if (cidr == null) {
      return "a CIDR is missing (expected: an IP address or CIDR such as 10.0.0.0/8)";
    }
    String c = cidr.trim();
    int slash = c.indexOf('/');
    String addr = slash < 0 ? c : c.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      return "\"" + c + "\" is not an IP address or CIDR (expected: such as 10.0.0.0/8 or ::1/128)";
    }
    // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is kept as IPv4, like addresses are.
    boolean mapped = bytes.length == 4 && addr.indexOf(':') >= 0;
    int max = mapped ? 128 : bytes.length * 8;
    int prefix = slash < 0 ? max : prefixLength(c.substring(slash + 1));
    if (prefix < (mapped ? 96 : 0) || prefix > max) {
      return "\""
          + c
          + "\" has a bad prefix length (expected: "
          + (mapped ? "96-128 for an IPv4-mapped address" : "0-" + max)
          + ")";
    }
    return null;
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

  /** The CIDRs as given. */
  public List<String> source() {
    return source;
  }

  /**
   * Whether {@code ip} (an IP literal, as Vert.x reports peers; brackets allowed) is in the set.
   */
  public boolean contains(@Nullable String ip) {
    if (networks.length == 0 || ip == null) {
      return false;
    }
    byte[] a = literal(ip);
    return a != null && contains(a);
  }

  /** Whether the address {@code bytes} (4 or 16, as {@link #literal} gives them) is in the set. */
  public boolean contains(byte[] address) {
    for (int i = 0; i < networks.length; i++) {
      if (matches(networks[i], prefixes[i], address)) {
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

  /**
   * The address bytes of an IP literal (4 for IPv4 and IPv4-mapped IPv6, 16 for IPv6), without any
   * DNS lookup; null if {@code s} is not a literal. Brackets around IPv6 are allowed; a zone
   * ({@code %eth0}) is not.
   */
  public static byte @Nullable [] literal(String s) {
    if (s.isEmpty()) {
      return null;
    }
    String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (t.isEmpty()) {
      return null;
    }
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
      return dottedQuad(t);
    }
    try {
      // Only hex digits, colons and dots reach here: InetAddress parses the literal, no DNS.
      byte[] b = InetAddress.getByName(t).getAddress();
      if (b.length == 16 && isV4Mapped(b)) {
        return Arrays.copyOfRange(b, 12, 16);
      }
      return b;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Four decimal octets 0-255 without leading zeros. */
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

  /** Every problem of {@code cidrs}, one per bad entry, in order. */
  public static List<String> problems(List<String> cidrs) {
    List<String> out = new ArrayList<>(0);
    for (String c : cidrs) {
      String p = problem(c);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Cidrs" + source;
  }
}
