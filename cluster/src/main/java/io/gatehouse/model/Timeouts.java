package io.gatehouse.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-route time limits. {@code request} is the whole exchange and {@link Duration#ZERO} turns it
 * off (for WebSocket and long streaming routes).
 */
public record Timeouts(Duration connect, Duration response, Duration bodyIdle, Duration request) {
  public static final Timeouts DEFAULTS =
      new Timeouts(
          Duration.ofSeconds(5),
          Duration.ofSeconds(15),
          Duration.ofSeconds(60),
          Duration.ofSeconds(300));

  public Timeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(bodyIdle, "bodyIdle");
    Objects.requireNonNull(request, "request");
  }
}
