package io.gatehouse.policy;

import org.jspecify.annotations.Nullable;

/**
 * Picks a content coding from a request's {@code Accept-Encoding} (RFC 9110 section 12.5.3): the
 * offered coding with the highest weight, ties going to the one offered first. A coding the header
 * names takes its own weight, any other the weight of {@code *}; weight 0 excludes it; {@code
 * x-gzip} counts as {@code gzip}. No header at all, an empty header or one that names nothing
 * offered gives none: without a stated preference the body stays as the upstream sent it (the RFC
 * allows any coding then, but clients that send no header are the ones that cannot decode).
 */
final class AcceptEncoding {
  private AcceptEncoding() {}

  /**
   * The index in {@code offered} (lower-case codings, in order of preference) of the coding to use,
   * or -1 for none.
   */
  static int choose(@Nullable String header, String[] offered) {
    if (header == null || offered.length == 0) {
      return -1;
    }
    int[] weight = new int[offered.length];
    boolean[] named = new boolean[offered.length];
    int star = -1;
    int len = header.length();
    int i = 0;
    while (i < len) {
      int end = header.indexOf(',', i);
      if (end < 0) {
        end = len;
      }
      int semi = header.indexOf(';', i);
      int tokenEnd = semi >= 0 && semi < end ? semi : end;
      int ts = skipSpace(header, i, tokenEnd);
      int te = trimEnd(header, ts, tokenEnd);
      if (te > ts) {
        int q = tokenEnd < end ? weight(header, tokenEnd + 1, end) : 1000;
        if (te - ts == 1 && header.charAt(ts) == '*') {
          star = Math.max(star, q);
        } else {
          for (int k = 0; k < offered.length; k++) {
            if (matches(header, ts, te, offered[k])) {
              // The first mention counts; a repeated coding is a broken header, read strictly.
              weight[k] = named[k] ? Math.min(weight[k], q) : q;
              named[k] = true;
            }
          }
        }
      }
      i = end + 1;
    }
    int best = -1;
    int bestWeight = 0;
    for (int k = 0; k < offered.length; k++) {
      int w = named[k] ? weight[k] : Math.max(star, 0);
      if (w > bestWeight) {
        best = k;
        bestWeight = w;
      }
    }
    return best;
  }

  private static boolean matches(String h, int from, int to, String coding) {
    int n = to - from;
    if (n == coding.length() && h.regionMatches(true, from, coding, 0, n)) {
      return true;
    }
    return coding.equals("gzip") && n == 6 && h.regionMatches(true, from, "x-gzip", 0, 6);
  }

  /**
   * The weight of the parameters between {@code from} and {@code to} in thousandths: {@code q=}'s
   * value, 1000 without one; 0 for a malformed one (a weight we cannot read accepts nothing).
   */
  private static int weight(String h, int from, int to) {
    int p = from;
    while (p < to) {
      int next = h.indexOf(';', p);
      if (next < 0 || next > to) {
        next = to;
      }
      int s = skipSpace(h, p, next);
      int e = trimEnd(h, s, next);
      if (e - s >= 2 && (h.charAt(s) == 'q' || h.charAt(s) == 'Q') && h.charAt(s + 1) == '=') {
        return qvalue(h, s + 2, e);
      }
      p = next + 1;
    }
    return 1000;
  }

  /** RFC 9110 {@code qvalue}: 0 to 1 with at most three decimals, in thousandths; else 0. */
  private static int qvalue(String h, int s, int e) {
    if (s >= e) {
      return 0;
    }
    char first = h.charAt(s);
    if (first != '0' && first != '1') {
      return 0;
    }
    int value = (first - '0') * 1000;
    if (s + 1 == e) {
      return value;
    }
    if (h.charAt(s + 1) != '.' || e - s - 2 > 3) {
      return 0;
    }
    int scale = 100;
    for (int p = s + 2; p < e; p++) {
      char c = h.charAt(p);
      if (c < '0' || c > '9' || (first == '1' && c != '0')) {
        return 0;
      }
      value += (c - '0') * scale;
      scale /= 10;
    }
    return value;
  }

  private static int skipSpace(String h, int from, int to) {
    while (from < to && (h.charAt(from) == ' ' || h.charAt(from) == '\t')) {
      from++;
    }
    return from;
  }

  private static int trimEnd(String h, int from, int to) {
    while (to > from && (h.charAt(to - 1) == ' ' || h.charAt(to - 1) == '\t')) {
      to--;
    }
    return to;
  }
}
