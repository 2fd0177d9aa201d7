package io.gatehouse.validate;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Host name rules shared by every source and by the router's request path. A configured host is
 * lower-cased, loses a trailing dot and any {@code :port}, and an internationalised name becomes
 * punycode; {@code *.example.com} covers exactly one label.
 */
public final class Hostnames {
  public static final int MAX_LENGTH = 253;
  private static final int MAX_LABEL = 63;

  private Hostnames() {}

  /** Normalises a configured host, or explains why it is not one. */
  public static Validated<String> normalizeConfigured(String field, String raw) {
    return normalize(field, raw, false);
  }

  /**
   * As {@link #normalizeConfigured}, for a Gateway API hostname: a wildcard may stand over one
   * label ({@code *.com}), as the Gateway API's hostname pattern allows, since there it covers any
   * number of labels and is matched per listener.
   */
  public static Validated<String> normalizeGatewayHostname(String field, String raw) {
    return normalize(field, raw, true);
  }

  private static Validated<String> normalize(String field, String raw, boolean oneLabelSuffix) {
    if (raw == null || raw.isEmpty()) {
      return fail(field, raw, "a host name such as app.example.com or *.example.com");
    }
    String host = stripPortAndDot(raw);
    boolean wildcard = host.startsWith("*.");
    String name = wildcard ? host.substring(2) : host;
    if (name.indexOf('*') >= 0) {
      return fail(field, raw, "'*' only as the whole first label, as in *.example.com");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return fail(field, raw, "a valid DNS name (letters, digits, '-', labels of 1-63 characters)");
    }
    String problem = checkDnsName(ascii);
    if (problem != null) {
      return fail(field, raw, problem);
    }
    if (isIpLiteral(ascii)) {
      return fail(field, raw, "a DNS name, not an IP address");
    }
    if (wildcard && ascii.indexOf('.') < 0 && !oneLabelSuffix) {
      return fail(field, raw, "a wildcard over at least two labels, as in *.example.com");
    }
    return Validated.ok(wildcard ? "*." + ascii : ascii);
  }

  /**
   * Normalises the host a client sent (Host header or :authority) for lookup: lower-case ASCII, no
   * port, no trailing dot. Returns empty when it is not a syntactically valid authority host.
   */
  public static Optional<String> normalizeRequestHost(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Optional.empty();
    }
    String host = stripPortAndDot(raw);
    if (host.isEmpty() || host.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    if (host.charAt(0) == '[') {
      return host.endsWith("]") ? Optional.of(host.toLowerCase(Locale.ROOT)) : Optional.empty();
    }
    StringBuilder b = null;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
      if (!ok) {
        if (c >= 'A' && c <= 'Z') {
          if (b == null) {
            b = new StringBuilder(host);
          }
          b.setCharAt(i, (char) (c + 32));
        } else {
          return Optional.empty();
        }
      }
    }
    return Optional.of(b == null ? host : b.toString());
  }

  /** The wildcard that covers {@code host}: {@code a.example.com} gives {@code example.com}. */
  public static @Nullable String wildcardSuffix(String host) {
    int dot = host.indexOf('.');
    return dot < 0 || dot == host.length() - 1 ? null : host.substring(dot + 1);
  }

  private static String stripPortAndDot(String raw) {
    String host = raw;
    if (!host.startsWith("[")) {
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && host.indexOf(':') == colon && isDigits(host, colon + 1)) {
        host = host.substring(0, colon);
      }
    } else {
      int close = host.indexOf(']');
      if (close > 0 && close + 1 < host.length() && host.charAt(close + 1) == ':') {
        host = host.substring(0, close + 1);
      }
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host;
  }

  private static boolean isDigits(String s, int from) {
    if (from >= s.length() || s.length() - from > 5) {
      return false;
    }
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static @Nullable String checkDnsName(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      return "a DNS name of 1-" + MAX_LENGTH + " characters";
    }
    int start = 0;
    while (start <= name.length()) {
      int dot = name.indexOf('.', start);
      int end = dot < 0 ? name.length() : dot;
      int len = end - start;
      if (len == 0 || len > MAX_LABEL) {
        return "labels of 1-" + MAX_LABEL + " characters separated by single dots";
      }
      if (name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
        return "labels that neither start nor end with '-'";
      }
      for (int i = start; i < end; i++) {
        char c = name.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return "only letters, digits and '-' in each label";
        }
      }
      if (dot < 0) {
        break;
      }
      start = dot + 1;
    }
    return null;
  }

  private static boolean isIpLiteral(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.')) {
        return false;
      }
    }
    return true;
  }

  private static <T> Validated<T> fail(String field, String value, String rule) {
    return Validated.failed(java.util.List.of(new Violation(field, value, rule)));
  }
}
