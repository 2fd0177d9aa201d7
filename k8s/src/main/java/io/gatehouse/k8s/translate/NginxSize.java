package io.gatehouse.k8s.translate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * nginx's size syntax as ingress-nginx validates it ({@code parser.SizeRegex}, {@code
 * ^(?i)\d+[bkmg]?$}): digits and an optional unit, {@code k}, {@code m} and {@code g} powers of
 * 1024; at most 12 digits, beyond a long read as {@link Long#MAX_VALUE}. One reader for annotations
 * and the controller ConfigMap alike.
 */
final class NginxSize {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})([bBkKmMgG]?)");

  private NginxSize() {}

  /** The size in bytes, or null when {@code v} is not a size. */
  static @Nullable Long bytes(@Nullable String v) {
    if (v == null) {
      return null;
    }
    Matcher m = SIZE.matcher(v);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k", "K" -> 10;
          case "m", "M" -> 20;
          case "g", "G" -> 30;
          default -> 0;
        };
    // 12 digits of gigabytes do not fit a long: saturate, so each caller's ceiling applies
    // instead of a wrapped small (or negative) size
    return n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
  }
}
