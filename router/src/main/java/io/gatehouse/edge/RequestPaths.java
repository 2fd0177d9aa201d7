package io.gatehouse.edge;

import io.gatehouse.validate.UriChars;
import org.jspecify.annotations.Nullable;

/**
 * Normalises the path of a request before routing, Envoy-style, so that the router and the upstream
 * see the same path and no encoding trick reaches a route it should not. The input is the path
 * without the query. {@link #normalize} applies, in order:
 *
 * <ol>
 *   <li>The path must start with {@code '/'}.
 *   <li>Every {@code %} must be followed by two hex digits.
 *   <li>Percent-encoded unreserved characters (RFC 3986: {@code ALPHA DIGIT - . _ ~}) are decoded;
 *       the hex of every other escape is upper-cased. {@code %2F} and {@code %5C} stay encoded, so
 *       they are never a segment separator.
 *   <li>Any raw character outside RFC 3986 {@code pchar} and {@code '/'} refuses the request:
 *       controls, space, non-ASCII, {@code '\'}, {@code '#'}, {@code '?'}, {@code '"'}, {@code
 *       '<'}, {@code '>'}, {@code '['}, {@code ']'}, {@code '^'}, {@code '`'}, <code>'{'</code>,
 *       {@code '|'}, <code>'}'</code>.
 *   <li>Repeated slashes are merged.
 *   <li>Dot segments are removed as in RFC 3986 section 5.2.4 (also {@code %2e} once decoded); a
 *       path that would climb above the root stays at {@code "/"}. A trailing slash, or a final
 *       {@code .} or {@code ..} segment, leaves the path ending in {@code '/'}.
 * </ol>
 *
 * A path already in normal form is returned as the same instance, without allocating.
 */
public final class RequestPaths {
  /** Raw characters allowed besides '/' and '%': unreserved, sub-delims, ':' and '@'. */
  private static final boolean[] PCHAR = new boolean[128];

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      PCHAR[c] = true;
      PCHAR[c - 32] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      PCHAR[c] = true;
    }
    for (char c : "-._~!$&'()*+,;=:@".toCharArray()) {
      PCHAR[c] = true;
    }
  }

  private RequestPaths() {}

  /** The normalised path, or null when the request must be refused with 400. */
  public static @Nullable String normalize(@Nullable String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      return null;
    }
    int len = rawPath.length();
    for (int i = 0; i < len; i++) {
      char c = rawPath.charAt(i);
      if (c == '/') {
        if (i + 1 < len) {
          char next = rawPath.charAt(i + 1);
          if (next == '/' || (next == '.' && isDotSegment(rawPath, i + 1, len))) {
            return rewrite(rawPath);
          }
        }
      } else if (c == '%') {
        return rewrite(rawPath);
      } else if (c >= 128 || !PCHAR[c]) {
        return null;
      }
    }
    return rawPath;
  }

  /** True when {@code s[from..]} starts with a "." or ".." segment. */
  private static boolean isDotSegment(String s, int from, int len) {
    int end = from + 1;
    if (end < len && s.charAt(end) == '.') {
      end++;
    }
    return end == len || s.charAt(end) == '/';
  }

  /** The slow path: decode, check, then merge slashes and remove dot segments. */
  private static @Nullable String rewrite(String raw) {
    int len = raw.length();
    char[] buf = new char[len];
    int n = 0;
    for (int i = 0; i < len; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= len) {
          return null;
        }
        int hi = hex(raw.charAt(i + 1));
        int lo = hex(raw.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        char decoded = (char) (hi * 16 + lo);
        if (UriChars.isUnreserved(decoded)) {
          buf[n++] = decoded;
        } else {
          buf[n++] = '%';
          buf[n++] = HEX[hi];
          buf[n++] = HEX[lo];
        }
        i += 2;
      } else if (c == '/' || (c < 128 && PCHAR[c])) {
        buf[n++] = c;
      } else {
        return null;
      }
    }

    char[] out = new char[n + 1];
    int o = 0;
    boolean trailingSlash = false;
    int i = 0;
    while (i < n) {
      while (i < n && buf[i] == '/') {
        i++;
      }
      if (i == n) {
        trailingSlash = true;
        break;
      }
      int start = i;
      while (i < n && buf[i] != '/') {
        i++;
      }
      int segment = i - start;
      if (segment == 1 && buf[start] == '.') {
        trailingSlash = true;
      } else if (segment == 2 && buf[start] == '.' && buf[start + 1] == '.') {
        while (o > 0 && out[o - 1] != '/') {
          o--;
        }
        if (o > 0) {
          o--;
        }
        trailingSlash = true;
      } else {
        out[o++] = '/';
        System.arraycopy(buf, start, out, o, segment);
        o += segment;
        trailingSlash = false;
      }
    }
    if (o == 0 || trailingSlash) {
      out[o++] = '/';
    }
    String result = new String(out, 0, o);
    return result.equals(raw) ? raw : result;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
