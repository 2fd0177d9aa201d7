package io.gatehouse.validate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The upstream addresses a source refuses, shared by the admin API and the Kubernetes translator.
 * By default: link-local and cloud-metadata addresses and names, plus the operator's CIDRs; {@link
 * #denyingLoopback()} and {@link #denyingUnspecified()} add the node's own addresses.
 *
 * <p>Only what the host says is checked: a DNS name is compared by name, never resolved here (a
 * name whose DNS record points at a refused address is not caught). A numeric host that is not a
 * plain dotted quad ({@code 2130706433}, {@code 127.1}, {@code 0x7f.1}, {@code 0177.0.0.1}) is read
 * every way a resolver may read it (decimal, and C {@code inet_aton} with octal and hex parts), and
 * refused when any reading is.
 */
public final class EndpointPolicy {
  /** IPv4 and IPv6 link-local (169.254.169.254 and fd00:ec2::254 are metadata services). */
  public static final List<String> DEFAULT_DENIED_CIDRS =
      List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128");

  public static final Set<String> DEFAULT_DENIED_NAMES =
      Set.of("metadata.google.internal", "metadata.goog", "metadata");

  /** The node itself: IPv4 and IPv6 loopback. */
  public static final List<String> LOOPBACK_CIDRS = List.of("127.0.0.0/8", "::1/128");

  /**
   * Names that mean the node itself: {@code localhost}, anything under {@code .localhost} (RFC
   * 6761), and the loopback aliases of common {@code /etc/hosts} files.
   */
  public static final Set<String> LOOPBACK_NAMES =
      Set.of(
          "localhost",
          "localhost.localdomain",
          "localhost4",
          "localhost4.localdomain4",
          "localhost6",
          "localhost6.localdomain6",
          "ip6-localhost",
          "ip6-loopback");

  /** "This host": connecting to 0.0.0.0 or :: reaches the node's own listeners. */
  public static final List<String> UNSPECIFIED_CIDRS = List.of("0.0.0.0/8", "::/128");

  private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern NUMERIC_V4 =
      Pattern.compile("(0[xX][0-9A-Fa-f]*|[0-9]+)(\\.(0[xX][0-9A-Fa-f]*|[0-9]+)){0,3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final List<Rule> denied;
  private final Set<String> deniedNames;
  private final boolean loopbackNames;

  private EndpointPolicy(List<Rule> denied, Set<String> deniedNames, boolean loopbackNames) {
    this.denied = List.copyOf(denied);
    this.deniedNames = Set.copyOf(deniedNames);
    this.loopbackNames = loopbackNames;
  }

  /**
   * Link-local and metadata addresses and names, plus {@code extraCidrs}; throws on a malformed
   * CIDR (operator configuration, checked by {@link #isCidr} first).
   */
  public static EndpointPolicy withDefaults(List<String> extraCidrs) {
    List<Rule> all = new ArrayList<>();
    for (String c : DEFAULT_DENIED_CIDRS) {
      all.add(new Rule(Cidr.parse(c), c.startsWith("fd00") ? "cloud metadata" : "link-local"));
    }
    for (String c : extraCidrs) {
      all.add(new Rule(Cidr.parse(c.trim()), "denied by the operator's upstream policy"));
    }
    return new EndpointPolicy(all, DEFAULT_DENIED_NAMES, false);
  }

  /** This policy, also refusing 127.0.0.0/8, ::1 and the {@link #LOOPBACK_NAMES}. */
  public EndpointPolicy denyingLoopback() {
    if (loopbackNames) {
      return this;
    }
    List<Rule> all = new ArrayList<>(denied);
    for (String c : LOOPBACK_CIDRS) {
      all.add(new Rule(Cidr.parse(c), "loopback"));
    }
    return new EndpointPolicy(all, deniedNames, true);
  }

  /** This policy, also refusing 0.0.0.0/8 and ::. */
  public EndpointPolicy denyingUnspecified() {
    List<Rule> all = new ArrayList<>(denied);
    for (String c : UNSPECIFIED_CIDRS) {
      if (denied.stream().noneMatch(r -> r.cidr().text().equals(c))) {
        all.add(new Rule(Cidr.parse(c), "unspecified"));
      }
    }
    return new EndpointPolicy(all, deniedNames, loopbackNames);
  }

  /** Whether {@code text} is an IP address or CIDR this policy accepts as operator input. */
  public static boolean isCidr(String text) {
    try {
      Cidr.parse(text.trim());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Null when {@code host} may be an upstream, else the rule it breaks, worded as what was expected
   * ({@code an address outside 127.0.0.0/8 (loopback)}).
   */
  public @Nullable String refusal(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    while (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (deniedNames.contains(h)) {
      return "not a cloud metadata service name";
    }
    if (loopbackNames && (LOOPBACK_NAMES.contains(h) || h.endsWith(".localhost"))) {
      return "not a loopback name such as localhost (the node itself)";
    }
    for (InetAddress a : readings(h)) {
      for (Rule r : denied) {
        if (r.cidr().contains(a)) {
          String as =
              h.indexOf(':') >= 0 || a.getHostAddress().equals(h)
                  ? ""
                  : "; \"" + host + "\" reads as " + a.getHostAddress();
          return "an address outside " + r.cidr().text() + " (" + r.label() + as + ")";
        }
      }
    }
    return null;
  }

  /** Every address a resolver may take {@code h} for when it is an IP literal; none for a name. */
  private static Set<InetAddress> readings(String h) {
    Set<InetAddress> out = new LinkedHashSet<>();
    if (h.indexOf(':') >= 0) {
      InetAddress a = ipv6(h);
      if (a != null) {
        out.add(a);
      }
      return out;
    }
    if (!NUMERIC_V4.matcher(h).matches()) {
      return out;
    }
    String[] parts = h.split("\\.", -1);
    // decimal parts (Java, and dotted quads everywhere), then C inet_aton (0x hex, 0 octal)
    byte[] decimal = aton(parts, false);
    if (decimal != null) {
      out.add(v4(decimal));
    }
    byte[] c = aton(parts, true);
    if (c != null) {
      out.add(v4(c));
    }
    return out;
  }

  /** The 1-4 part IPv4 forms: the last part fills the bytes the others leave. */
  private static byte @Nullable [] aton(String[] parts, boolean octalAndHex) {
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      int radix = 10;
      if (octalAndHex && (p.startsWith("0x") || p.startsWith("0X"))) {
        radix = 16;
        p = p.substring(2);
        if (p.isEmpty()) {
          p = "0";
        }
      } else if (octalAndHex && p.length() > 1 && p.startsWith("0")) {
        radix = 8;
        p = p.substring(1);
      } else if (p.startsWith("0x") || p.startsWith("0X")) {
        return null;
      }
      if (p.length() > 12) {
        return null;
      }
      try {
        v[i] = Long.parseLong(p, radix);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    int last = parts.length - 1;
    for (int i = 0; i < last; i++) {
      if (v[i] > 0xff) {
        return null;
      }
    }
    int lastBytes = 4 - last;
    if (v[last] >= (1L << (8 * lastBytes))) {
      return null;
    }
    long n = v[last];
    for (int i = 0; i < last; i++) {
      n |= v[i] << (8 * (3 - i));
    }
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  private static InetAddress v4(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static @Nullable InetAddress ipv6(String h) {
    if (!IPV6.matcher(h).matches()) {
      return null;
    }
    try {
      // a string with ':' is parsed as an IPv6 literal, never looked up; IPv4-mapped comes back
      // as IPv4
      return InetAddress.getByName(h);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private record Rule(Cidr cidr, String label) {}

  record Cidr(String text, byte[] network, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = (slash < 0 ? text : text.substring(0, slash)).toLowerCase(Locale.ROOT);
      InetAddress a;
      if (DOTTED_QUAD.matcher(addr).matches()) {
        byte[] b = aton(addr.split("\\."), false);
        a = b == null ? null : v4(b);
      } else {
        a = addr.indexOf(':') >= 0 ? ipv6(addr) : null;
      }
      if (a == null) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      byte[] bytes = a.getAddress();
      int bits;
      try {
        bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR: " + text, e);
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("prefix length out of range: " + text);
      }
      return new Cidr(text, bytes, bits);
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[whole] & mask) == (network[whole] & mask);
    }
  }
}
