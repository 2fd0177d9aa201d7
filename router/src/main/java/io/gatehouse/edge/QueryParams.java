package io.gatehouse.edge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The one reading of a request's query string that route conditions see, shared by the data plane
 * ({@code ProxyExchange}) and explain so the two cannot drift. Pairs are separated by {@code '&'};
 * a pair's name ends at its first {@code '='}; a pair without one has the value {@code ""}. Names
 * and values are form-decoded ({@code %XX}, {@code '+'} as space) by {@link URLDecoder}; a
 * malformed escape makes a name match nothing and a value null.
 *
 * <p>Hand-written on purpose: it runs per request with a query condition, where a general parser
 * would build a map of every pair. A name without {@code '%'} or {@code '+'} is compared in place,
 * so a lookup allocates nothing but the value it returns (a substring of the query, decoded only
 * when it holds {@code '%'} or {@code '+'}).
 */
public final class QueryParams {
  private QueryParams() {}

  /**
   * The first value of parameter {@code name} in {@code query} (without the {@code '?'}), decoded;
   * {@code ""} when the pair has no {@code '='}; null when {@code query} is null, no pair has that
   * name, or the first such value is malformed.
   */
  public static @Nullable String first(@Nullable String query, String name) {
    if (query == null) {
      return null;
    }
    int i = 0;
    int length = query.length();
    while (i <= length) {
      int amp = query.indexOf('&', i);
      int end = amp < 0 ? length : amp;
      int eq = query.indexOf('=', i);
      int nameEnd = eq < 0 || eq > end ? end : eq;
      if (nameIs(query, i, nameEnd, name)) {
        return nameEnd == end ? "" : decode(query, nameEnd + 1, end);
      }
      if (amp < 0) {
        break;
      }
      i = amp + 1;
    }
    return null;
  }

  private static boolean nameIs(String query, int from, int to, String name) {
    if (plain(query, from, to)) {
      return to - from == name.length() && query.regionMatches(from, name, 0, to - from);
    }
    return name.equals(decode(query, from, to));
  }

  /** {@code query[from, to)} decoded, or null when an escape is malformed. */
  private static @Nullable String decode(String query, int from, int to) {
    String s = query.substring(from, to);
    if (plain(query, from, to)) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean plain(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '+') {
        return false;
      }
    }
    return true;
  }
}
