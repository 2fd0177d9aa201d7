package io.gatehouse.acme;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How to reach an ACME server and how long each step may take; every wait is bounded, so an order
 * always ends in an outcome.
 *
 * @param directory the server's directory URL
 * @param trust the TLS trust for the server (its private CA in tests); null for the JDK's default
 * @param contacts account contacts ({@code mailto:...}); may be empty
 * @param agreeToTerms whether the operator agreed to the server's terms of service
 * @param requestTimeout each HTTP request to the server
 * @param challengeTimeout from triggering a challenge until the server decided it
 * @param orderTimeout each wait on the order (ready to finalize, then issued)
 */
public record AcmeOptions(
    URI directory,
    @Nullable SSLContext trust,
    List<String> contacts,
    boolean agreeToTerms,
    Duration requestTimeout,
    Duration challengeTimeout,
    Duration orderTimeout) {

  public AcmeOptions {
    Objects.requireNonNull(directory, "directory");
    contacts = List.copyOf(contacts);
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(challengeTimeout, "challengeTimeout");
    requirePositive(orderTimeout, "orderTimeout");
  }

  /** Defaults: no contact, terms agreed, 10 s a request, 60 s a challenge, 60 s an order wait. */
  public static AcmeOptions of(URI directory, @Nullable SSLContext trust) {
    return new AcmeOptions(
        directory,
        trust,
        List.of(),
        true,
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60));
  }

  public AcmeOptions withTimeouts(Duration request, Duration challenge, Duration order) {
    return new AcmeOptions(directory, trust, contacts, agreeToTerms, request, challenge, order);
  }

  private static void requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }
}
