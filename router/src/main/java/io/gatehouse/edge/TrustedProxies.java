package io.gatehouse.edge;

import io.gatehouse.validate.Cidrs;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The peers whose X-Forwarded-* and Forwarded headers Gatehouse keeps and extends, and whose {@code
 * X-Forwarded-For} (or {@code Forwarded: for=}) names the real client; every other peer's are
 * replaced. Parsed once from CIDRs such as {@code 10.0.0.0/8} or {@code ::1/128}; the matching is
 * {@link Cidrs}'s, the messages name a trusted proxy.
 */
public final class TrustedProxies {
  private static final TrustedProxies NONE = new TrustedProxies(Cidrs.NONE);

  /** Volatile: a node's set is replaced whole on a configuration reload ({@link #replace}). */
  private volatile Cidrs cidrs;

  private final boolean replaceable;

  private TrustedProxies(Cidrs cidrs) {
    this(cidrs, false);
  }

  private TrustedProxies(Cidrs cidrs, boolean replaceable) {
    this.cidrs = cidrs;
    this.replaceable = replaceable;
  }

  public static TrustedProxies none() {
    return NONE;
  }

  /** Parses CIDRs; throws IllegalArgumentException naming the first bad one. */
  public static TrustedProxies parse(List<String> cidrs) {
    for (String raw : cidrs) {
      String c = raw.trim();
      if (Cidrs.problem(c) != null) {
        throw new IllegalArgumentException(message(c));
      }
    }
    return cidrs.isEmpty() ? NONE : new TrustedProxies(Cidrs.parse(cidrs));
  }

  /**
   * A node's own set, which {@link #replace} swaps at runtime: every holder (the listeners' PROXY
   * protocol gate, the pacing, each exchange) reads the new networks from its next check on.
   */
  public static TrustedProxies replaceable(List<String> cidrs) {
    TrustedProxies parsed = parse(cidrs);
    return new TrustedProxies(parsed.cidrs, true);
  }

  /**
   * Replaces the networks (a configuration reload); throws IllegalArgumentException naming a bad
   * one, and then changes nothing.
   */
  public void replace(List<String> next) {
    if (!replaceable) {
      throw new IllegalStateException("a shared or fixed set of trusted proxies is never replaced");
    }
    cidrs = parse(next).cidrs;
  }

  /** The message of a bad entry: the address, or the prefix length with its allowed range. */
  private static String message(String c) {
    int slash = c.indexOf('/');
    String addr = slash < 0 ? c : c.substring(0, slash);
    byte[] bytes = Cidrs.literal(addr);
    if (bytes == null) {
      return "trusted proxy \"" + c + "\" (expected: an IP address or CIDR such as 10.0.0.0/8)";
    }
    boolean mapped = bytes.length == 4 && addr.indexOf(':') >= 0;
    return "trusted proxy \""
        + c
        + "\" (expected: prefix length "
        + (mapped ? "96-128 for an IPv4-mapped address" : "0-" + (bytes.length * 8))
        + ")";
  }

  public boolean isEmpty() {
    return cidrs.isEmpty();
  }

  /** The networks, for rules that match an address in the same way. */
  public Cidrs cidrs() {
    return cidrs;
  }

  /** Whether {@code ip} (a textual IP literal, as Vert.x reports peers) is trusted. */
  public boolean contains(@Nullable String ip) {
    return cidrs.contains(ip);
  }

  /** Whether the address {@code bytes} (as {@link Cidrs#literal} gives them) is trusted. */
  public boolean containsAddress(byte[] address) {
    return cidrs.contains(address);
  }
}
