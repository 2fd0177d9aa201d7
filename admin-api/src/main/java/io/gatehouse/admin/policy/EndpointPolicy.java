package io.gatehouse.admin.policy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The upstream addresses the admin API refuses: link-local and cloud-metadata addresses by default,
 * plus the operator's CIDRs and names. Only literals are checked; a DNS name is compared by name,
 * never resolved here.
 */
public final class EndpointPolicy {
  /** IPv4 and IPv6 link-local (169.254.169.254 and fd00:ec2::254 are metadata services). */
  public static final List<String> DEFAULT_DENIED_CIDRS =
      List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128");

  public static final Set<String> DEFAULT_DENIED_NAMES =
      Set.of("metadata.google.internal", "metadata.goog", "metadata");

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final List<Cidr> denied;
  private final Set<String> deniedNames;

  private EndpointPolicy(List<Cidr> denied, Set<String> deniedNames) {
    this.denied = List.copyOf(denied);
    this.deniedNames = Set.copyOf(deniedNames);
  }

  /** The defaults plus {@code extraCidrs}; throws on a malformed CIDR (operator configuration). */
  public static EndpointPolicy withDefaults(List<String> extraCidrs) {
    List<Cidr> all = new ArrayList<>();
    for (String c : DEFAULT_DENIED_CIDRS) {
      all.add(Cidr.parse(c));
    }
    for (String c : extraCidrs) {
      all.add(Cidr.parse(c));
    }
    return new EndpointPolicy(all, DEFAULT_DENIED_NAMES);
  }

  /** Null when {@code host} may be an upstream, else the rule it breaks. */
  public String refusal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (deniedNames.contains(h)) {
      return "not a cloud metadata service name";
    }
    InetAddress literal = literal(h);
    if (literal == null) {
      return null;
    }
    for (Cidr c : denied) {
      if (c.contains(literal)) {
        return "an address outside " + c.text() + " (denied by the operator's upstream policy)";
      }
    }
    return null;
  }

  private static InetAddress literal(String h) {
    if (!IPV4.matcher(h).matches() && !IPV6.matcher(h).matches()) {
      return null;
    }
    try {
      // A literal never goes to DNS; IPv4-mapped IPv6 comes back as IPv4.
      return InetAddress.getByName(h);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  record Cidr(String text, byte[] network, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      InetAddress a = literal(addr.toLowerCase(Locale.ROOT));
      if (a == null) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      byte[] bytes = a.getAddress();
      int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
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
      BigInteger mask =
          BigInteger.ONE.shiftLeft(b.length * 8).subtract(BigInteger.ONE).shiftRight(bits).not();
      BigInteger x = new BigInteger(1, b).and(mask);
      BigInteger n = new BigInteger(1, network).and(mask);
      return x.equals(n);
    }
  }
}
