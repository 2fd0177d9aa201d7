package io.gatehouse.proxy;

import org.jspecify.annotations.Nullable;

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1), plus the framing headers
 * Gatehouse always sets itself: a proxy never forwards a framing header it did not produce.
 */
final class HopByHop {
  private HopByHop() {}

  /** Whether {@code name} is never copied from one hop to the next. */
  static boolean isHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 7:
        return name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 14:
        return name.equalsIgnoreCase("content-length");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      default:
        return false;
    }
  }

  /** Whether {@code token} appears in the comma-separated {@code connection} header value. */
  static boolean namedIn(@Nullable String connection, String name) {
    if (connection == null) {
      return false;
    }
    int i = 0;
    int n = connection.length();
    while (i < n) {
      int comma = connection.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int s = i;
      int e = end;
      // OWS is spaces and horizontal tabs (RFC 9110 5.6.3).
      while (s < e && isOws(connection.charAt(s))) {
        s++;
      }
      while (e > s && isOws(connection.charAt(e - 1))) {
        e--;
      }
      if (e - s == name.length() && connection.regionMatches(true, s, name, 0, name.length())) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
