package io.gatehouse.document;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The human forms of durations ({@code 10s}, {@code 250ms}, {@code 5m}, {@code 1h}, {@code 1m30s},
 * ISO-8601 {@code PT10S}) and byte sizes ({@code 32768}, {@code 32KiB}, {@code 10MiB}) that the
 * route document and the node configuration accept. Their texts are {@link Forms#DURATION} and
 * {@link Forms#BYTES}.
 */
public final class Quantities {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final Pattern BYTES =
      Pattern.compile("(\\d{1,19})\\s*(b|kib|mib|gib|ki|mi|gi|k|m|g)?", Pattern.CASE_INSENSITIVE);

  private Quantities() {}

  /** Parses a duration; empty when {@code raw} is none of the accepted forms or negative. */
  public static Optional<Duration> parseDuration(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String s = raw.trim();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    if (s.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
      try {
        Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
        return d.isNegative() ? Optional.empty() : Optional.of(d);
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    Matcher m = DURATION_PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    try {
      while (at < s.length()) {
        if (!m.find(at) || m.start() != at) {
          return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        Duration part =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        total = total.plus(part);
        at = m.end();
      }
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
    return Optional.of(total);
  }

  /** The shortest of {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}; ISO-8601 otherwise. */
  public static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return d.toString();
    }
    // In seconds: a duration of whole seconds may be too long for toMillis().
    long s = d.getSeconds();
    if (d.getNano() == 0) {
      if (s % 3600 == 0) {
        return s / 3600 + "h";
      }
      return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
    return s < Long.MAX_VALUE / 1000 - 1 ? d.toMillis() + "ms" : d.toString();
  }

  /**
   * Parses a byte size: a plain integer, or one with a binary unit ({@code KiB}, {@code MiB},
   * {@code GiB}; {@code Ki}, {@code K}, {@code Mi}, {@code M}, {@code Gi}, {@code G} mean the
   * same). Empty when malformed or too big.
   */
  public static Optional<Long> parseBytes(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    Matcher m = BYTES.matcher(raw.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      long factor =
          switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
          };
      return Optional.of(Math.multiplyExact(n, factor));
    } catch (NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }
}
