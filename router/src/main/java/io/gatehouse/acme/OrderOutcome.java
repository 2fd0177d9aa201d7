package io.gatehouse.acme;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one order ended, as data: issued, or which step failed and why. No outcome's {@link
 * #toString} shows a key.
 */
public sealed interface OrderOutcome {
  /** The hosts the order was for, in the order asked. */
  List<String> hosts();

  /** The certificate was issued. */
  record Issued(List<String> hosts, List<X509Certificate> chain, PrivateKey key)
      implements OrderOutcome {
    public Issued {
      hosts = List.copyOf(hosts);
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("chain: empty (expected: the leaf first)");
      }
    }

    public X509Certificate leaf() {
      return chain.get(0);
    }

    public Instant notAfter() {
      return leaf().getNotAfter().toInstant();
    }

    @Override
    public String toString() {
      return "Issued[hosts=" + hosts + ", notAfter=" + notAfter() + ", chain=" + chain.size() + "]";
    }
  }

  /** The request was not sent: the hosts cannot be ordered this way (for example a wildcard). */
  record Refused(List<String> hosts, String reason) implements OrderOutcome {}

  /** The server's rate limit: try again no earlier than {@code retryAfter} when it gave one. */
  record RateLimited(List<String> hosts, String detail, @Nullable Instant retryAfter)
      implements OrderOutcome {}

  /** The server could not validate {@code host}'s challenge (unreachable, wrong answer...). */
  record ChallengeInvalid(List<String> hosts, String host, String detail) implements OrderOutcome {}

  /** The server answered with an error document (RFC 7807 {@code type}) at {@code step}. */
  record ServerError(List<String> hosts, String step, String type, String detail)
      implements OrderOutcome {}

  /** {@code step} did not finish within {@code bound}. */
  record TimedOut(List<String> hosts, String step, Duration bound) implements OrderOutcome {}

  /** Anything else at {@code step}: the network, a malformed answer, an order the server voided. */
  record Failed(List<String> hosts, String step, String detail) implements OrderOutcome {}
}
