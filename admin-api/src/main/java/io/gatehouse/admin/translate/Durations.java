package io.gatehouse.admin.translate;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the routes file writes them: {@code 0}, {@code 250ms}, {@code 10s}, {@code 1d}. */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(0)|([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  public static Optional<Duration> parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    if (m.group(1) != null) {
      return Optional.of(Duration.ZERO);
    }
    long n = Long.parseLong(m.group(2));
    return Optional.of(
        switch (m.group(3)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
  }

  /** The largest unit that states {@code d} exactly. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }
}
