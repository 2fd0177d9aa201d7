package io.gatehouse.validate;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The form of a path and a query Gatehouse itself puts into a request target or a {@code Location}
 * (a rewrite's or a redirect's): the router's normal form of a request path, and nothing a request
 * target cannot carry. Shared by the validator (literal values) and the router (results built at
 * run time), so both refuse the same things. Allocates nothing.
 */
public final class TargetPaths {
  public static final int MAX_LENGTH = RouteValidator.MAX_PATH_LENGTH;

  public static final String PATH_RULE =
      "a normalised path: starts with '/', RFC 3986 path characters or %XX (upper-case hex, not an"
          + " unreserved character), no '//', '.' or '..' segments, at most "
          + MAX_LENGTH
          + " characters";

  private static final boolean[] PCHAR = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      PCHAR[c] = UriChars.isUnreserved(c);
    }
    for (char c : "!$&'()*+,;=:@".toCharArray()) {
      PCHAR[c] = true;
    }
  }

  private TargetPaths() {}

  /** Null when {@code v} is a path in normal form, else the rule it breaks ({@link #PATH_RULE}). */
  public static @Nullable String pathProblem(String v) {
    int n = v.length();
    if (n == 0 || v.charAt(0) != '/' || n > MAX_LENGTH) {
      return PATH_RULE;
    }
    int segmentStart = 1;
    for (int i = 1; i <= n; i++) {
      char c = i < n ? v.charAt(i) : '/';
      if (c == '/') {
        int len = i - segmentStart;
        if (i < n && len == 0) {
          return PATH_RULE; // "//"
        }
        if ((len == 1 && v.charAt(segmentStart) == '.')
            || (len == 2 && v.charAt(segmentStart) == '.' && v.charAt(segmentStart + 1) == '.')) {
          return PATH_RULE;
        }
        segmentStart = i + 1;
      } else if (c == '%') {
        if (!escape(v, i)) {
          return PATH_RULE;
        }
        i += 2;
      } else if (c >= 128 || !PCHAR[c]) {
        return PATH_RULE;
      }
    }
    return null;
  }

  /** Whether {@code q} (without '?') holds only RFC 3986 query characters and valid escapes. */
  public static boolean queryOk(String q) {
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (c == '%') {
        if (i + 2 >= q.length()
            || !UriChars.isHex(q.charAt(i + 1))
            || !UriChars.isHex(q.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (c >= 128 || !(PCHAR[c] || c == '/' || c == '?')) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code q} with every character a query cannot carry percent-encoded (as UTF-8), and a '%' not
   * followed by two hex digits written {@code %25}: {@code q} itself when it is already query text,
   * so a clean query costs a scan and no allocation.
   */
  public static String encodeQuery(String q) {
    if (queryOk(q)) {
      return q;
    }
    StringBuilder b = new StringBuilder(q.length() + 16);
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (c == '%'
          && i + 2 < q.length()
          && UriChars.isHex(q.charAt(i + 1))
          && UriChars.isHex(q.charAt(i + 2))) {
        b.append(c);
      } else if (c < 128 && c != '%' && (PCHAR[c] || c == '/' || c == '?')) {
        b.append(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < q.length() ? i + 2 : i + 1;
        for (byte x : q.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          b.append('%').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
        }
        i = end - 1;
      }
    }
    return b.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean escape(String v, int i) {
    if (i + 2 >= v.length()) {
      return false;
    }
    char h = v.charAt(i + 1);
    char l = v.charAt(i + 2);
    if (!upperHex(h) || !upperHex(l)) {
      return false;
    }
    return !UriChars.isUnreserved((char) (Character.digit(h, 16) * 16 + Character.digit(l, 16)));
  }

  private static boolean upperHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }
}
