package io.gatehouse.policy;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A JWT carried in a cookie: reading it from the request's {@code Cookie} fields (RFC 6265 section
 * 5.4: {@code name=value} pairs split by {@code ;}; HTTP/2 may split them over several fields,
 * which the request joins with {@code ,}, a character a cookie value may not hold) and taking it
 * out of what the upstream receives.
 */
final class JwtCookies {
  /** Two cookies of the token's name: the upstream might read the one that was not checked. */
  static final String AMBIGUOUS = new String("ambiguous"); // compared by identity

  private JwtCookies() {}

  /** The cookie's value, null when absent or empty, or {@link #AMBIGUOUS}. */
  static @Nullable String value(RequestContext r, String name) {
    String all = r.headerValues("cookie");
    if (all == null) {
      return null;
    }
    String found = null;
    for (String pair : pairs(all, several(r, all))) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
        if (found != null) {
          return AMBIGUOUS;
        }
        String v = pair.substring(eq + 1).strip();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
          v = v.substring(1, v.length() - 1);
        }
        found = v;
      }
    }
    return found == null || found.isEmpty() ? null : found;
  }

  /** Every upstream attempt gets the client's cookies less this one (none left: no header). */
  static void dropFromUpstream(RequestContext r, String name) {
    String all = r.headerValues("cookie");
    if (all == null) {
      return;
    }
    StringBuilder kept = new StringBuilder(all.length());
    for (String pair : pairs(all, several(r, all))) {
      int eq = pair.indexOf('=');
      String n = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
      if (n.equals(name) || pair.isBlank()) {
        continue;
      }
      if (kept.length() > 0) {
        kept.append("; ");
      }
      kept.append(pair.strip());
    }
    if (kept.length() == 0) {
      r.dropUpstreamHeader("cookie");
    } else {
      r.upstreamHeader("cookie", kept.toString());
    }
  }

  private static boolean several(RequestContext r, String all) {
    String first = r.header("cookie");
    return first != null && first.length() != all.length();
  }

  private static List<String> pairs(String all, boolean several) {
    List<String> out = new ArrayList<>(8);
    int start = 0;
    for (int i = 0; i <= all.length(); i++) {
      if (i == all.length() || all.charAt(i) == ';' || (several && all.charAt(i) == ',')) {
        out.add(all.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }
}
