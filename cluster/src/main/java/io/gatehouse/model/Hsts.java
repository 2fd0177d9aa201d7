package io.gatehouse.model;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Strict-Transport-Security} header a route sends on HTTPS responses. {@link #OFF} sends
 * none; a zero max-age is not "off" but tells browsers to forget an earlier policy.
 */
public record Hsts(boolean enabled, Duration maxAge, boolean includeSubDomains, boolean preload) {
  public static final Hsts OFF = new Hsts(false, Duration.ZERO, false, false);

  /** What hstspreload.org requires of a site that asks to be preloaded. */
  public static final Duration PRELOAD_MIN_MAX_AGE = Duration.ofDays(365);

  /**
   * The longest max-age: 2^31-1 seconds (68 years), the largest delta-seconds a client must
   * represent (RFC 9111 section 1.2.2). Longer means nothing more, and could not be written back.
   */
  public static final Duration MAX_MAX_AGE = Duration.ofSeconds(Integer.MAX_VALUE);

  public Hsts {
    Objects.requireNonNull(maxAge, "maxAge");
  }

  public static Hsts of(Duration maxAge, boolean includeSubDomains, boolean preload) {
    return new Hsts(true, maxAge, includeSubDomains, preload);
  }

  /** The header value, e.g. {@code max-age=31536000; includeSubDomains}; null when off. */
  public @Nullable String headerValue() {
    if (!enabled) {
      return null;
    }
    StringBuilder b = new StringBuilder("max-age=").append(maxAge.toSeconds());
    if (includeSubDomains) {
      b.append("; includeSubDomains");
    }
    if (preload) {
      b.append("; preload");
    }
    return b.toString();
  }
}
