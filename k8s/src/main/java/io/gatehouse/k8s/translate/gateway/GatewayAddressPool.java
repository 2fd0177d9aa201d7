package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.validate.Cidrs;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The addresses the operator gives Gateways ({@code kubernetes.gatewayAddresses}): CIDRs and single
 * addresses, parsed by {@link Cidrs}, the one IP parser. Every address of a CIDR is one a Gateway
 * may hold, the first and last included (as MetalLB's pools: list only what you own), except the
 * unspecified address ({@code 0.0.0.0}, {@code ::}), which would bind every address. Addresses are
 * compared by value and written in one canonical form ({@link #canonical}).
 */
public final class GatewayAddressPool {
  /** No pool: every Gateway is served by the node's own listeners (phase 1). */
  public static final GatewayAddressPool NONE = new GatewayAddressPool(List.of(), List.of());

  /** One CIDR: its first address and how many it holds; {@code bytes} 4 or 16. */
  private record Range(int bytes, BigInteger first, BigInteger size) {
    boolean contains(int length, BigInteger a) {
      return length == bytes && a.compareTo(first) >= 0 && a.compareTo(first.add(size)) < 0;
    }
  }

  private final List<Range> ranges;
  private final List<String> source;

  private GatewayAddressPool(List<Range> ranges, List<String> source) {
    this.ranges = ranges;
    this.source = source;
  }

  /**
   * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
   *     (operator configuration: the node refuses it when loading)
   */
  public static GatewayAddressPool parse(List<String> entries) {
    if (entries.isEmpty()) {
      return NONE;
    }
    List<Range> ranges = new ArrayList<>();
    for (String e : entries) {
      String c = e.trim();
      String problem = Cidrs.problem(c);
      if (problem != null) {
        throw new IllegalArgumentException("gatewayAddresses: " + problem);
      }
      int slash = c.indexOf('/');
      byte[] bytes = Objects.requireNonNull(Cidrs.literal(slash < 0 ? c : c.substring(0, slash)));
      int bits = bytes.length * 8;
      // an IPv4-mapped network (::ffff:10.0.0.0/104) is kept as IPv4, as Cidrs does
      int prefix = slash < 0 ? bits : Integer.parseInt(c.substring(slash + 1));
      if (prefix > bits) {
        prefix -= 96;
      }
      BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
      BigInteger first = new BigInteger(1, bytes).andNot(size.subtract(BigInteger.ONE));
      ranges.add(new Range(bytes.length, first, size));
    }
    return new GatewayAddressPool(List.copyOf(ranges), List.copyOf(entries));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The entries as configured, for messages. */
  public List<String> source() {
    return source;
  }

  /** {@code address} in canonical form when it is an IP literal in the pool, else null. */
  @Nullable String member(@Nullable String address) {
    String a = address == null ? null : canonical(address);
    return a != null && contains(a) ? a : null;
  }

  private boolean contains(String canonical) {
    byte[] b = Objects.requireNonNull(Cidrs.literal(canonical));
    BigInteger v = new BigInteger(1, b);
    return v.signum() != 0 && ranges.stream().anyMatch(r -> r.contains(b.length, v));
  }

  /**
   * The lowest address not in {@code used} (canonical forms), ranges in the order configured; null
   * when every address is used. Walks at most {@code used.size() + 1} addresses per range.
   */
  @Nullable String lowestFree(Set<String> used) {
    for (Range r : ranges) {
      BigInteger end = r.first.add(r.size);
      for (BigInteger a = r.first; a.compareTo(end) < 0; a = a.add(BigInteger.ONE)) {
        String text = format(a, r.bytes);
        if (a.signum() != 0 && !used.contains(text)) {
          return text;
        }
      }
    }
    return null;
  }

  /**
   * An IP literal in one form, so that equal addresses compare equal: IPv4 dotted quad, IPv6 as RFC
   * 5952 (lower case, the longest run of zero groups as {@code ::}); null for anything else.
   */
  static @Nullable String canonical(String literal) {
    byte[] b = Cidrs.literal(literal.trim());
    return b == null ? null : format(new BigInteger(1, b), b.length);
  }

  private static String format(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] b = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
    if (length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GatewayAddressPool p && p.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source.toString();
  }
}
