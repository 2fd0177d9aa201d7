package io.gatehouse.policy;

import io.gatehouse.model.policy.Retry;
import java.util.random.RandomGenerator;

/**
 * A route's {@link Retry} policy compiled once: which failed attempt is retried, how long to wait
 * before the retry, and the limits a retry needs. Pure (the proxy classifies the failure and asks);
 * held by the route's {@link PolicyChain}, null for a route without the policy, which then keeps
 * the node's one connect-failure retry.
 */
public final class RetryRule {
  /** What went wrong with an attempt, before any answer head. */
  public enum Failure {
    CONNECT_FAILURE,
    RESET,
    REFUSED_STREAM,
    TIMEOUT
  }

  private final Retry spec;
  private final boolean connectFailure;
  private final boolean reset;
  private final boolean refusedStream;
  private final boolean timeout;
  private final boolean gatewayError;
  private final boolean serverError;
  private final boolean[] statuses = new boolean[600];
  private final boolean[] grpcStatuses = new boolean[17];
  private final long backoffBaseNanos;
  private final long backoffMaxNanos;
  private final long perTryTimeoutMillis;
  private final long timeoutNanos;

  public RetryRule(Retry spec) {
    this.spec = spec;
    connectFailure = spec.on().contains(Retry.Condition.CONNECT_FAILURE);
    reset = spec.on().contains(Retry.Condition.RESET);
    refusedStream = spec.on().contains(Retry.Condition.REFUSED_STREAM);
    timeout = spec.on().contains(Retry.Condition.TIMEOUT);
    gatewayError = spec.on().contains(Retry.Condition.GATEWAY_ERROR);
    serverError = spec.on().contains(Retry.Condition.SERVER_ERROR);
    if (spec.on().contains(Retry.Condition.STATUS)) {
      for (int s : spec.statuses()) {
        if (s >= 0 && s < statuses.length) {
          statuses[s] = true;
        }
      }
    }
    if (spec.on().contains(Retry.Condition.GRPC_STATUS)) {
      for (int s : spec.grpcStatuses()) {
        if (s >= 0 && s < grpcStatuses.length) {
          grpcStatuses[s] = true;
        }
      }
    }
    backoffBaseNanos = Math.max(0, spec.backoffBase().toNanos());
    backoffMaxNanos = Math.max(backoffBaseNanos, spec.backoffMax().toNanos());
    perTryTimeoutMillis = spec.perTryTimeout() == null ? 0 : spec.perTryTimeout().toMillis();
    timeoutNanos = spec.timeout() == null ? 0 : spec.timeout().toNanos();
  }

  public Retry spec() {
    return spec;
  }

  /** Whether an attempt that failed with {@code failure} is retried (its conditions only). */
  public boolean retries(Failure failure) {
    return switch (failure) {
      case CONNECT_FAILURE -> connectFailure;
      case RESET -> reset;
      // A refused stream was never processed: RESET covers it too, as Envoy's reset does.
      case REFUSED_STREAM -> refusedStream || reset;
      case TIMEOUT -> timeout;
    };
  }

  /**
   * Whether an answer with {@code status} (and {@code grpcStatus} from its head, -1 when it has
   * none: only a Trailers-Only gRPC answer carries it there) is retried.
   */
  public boolean retries(int status, int grpcStatus) {
    if (status >= 500 && status < 600) {
      if (serverError) {
        return true;
      }
      if (gatewayError && (status == 502 || status == 503 || status == 504)) {
        return true;
      }
    }
    if (status >= 0 && status < statuses.length && statuses[status]) {
      return true;
    }
    return grpcStatus >= 0 && grpcStatus < grpcStatuses.length && grpcStatuses[grpcStatus];
  }

  /** Whether any answer status is retried at all: else the proxy never looks at an answer. */
  public boolean retriesAnswers() {
    if (serverError || gatewayError) {
      return true;
    }
    for (boolean b : statuses) {
      if (b) {
        return true;
      }
    }
    for (boolean b : grpcStatuses) {
      if (b) {
        return true;
      }
    }
    return false;
  }

  /** Whether a request with {@code method} may be retried: idempotent ones unless allowed all. */
  public boolean allowsMethod(String method) {
    return spec.nonIdempotent() || isIdempotent(method);
  }

  /** RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE. */
  public static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  /** Whether retry number {@code retry} (1 for the first retry) is within {@code attempts}. */
  public boolean withinAttempts(int retry) {
    return retry <= spec.attempts();
  }

  /** The largest body kept for a retry; a body past it is never retried. */
  public long bufferBytes() {
    return spec.bufferBytes();
  }

  /** One attempt's limit to the response head in milliseconds; 0 for none. */
  public long perTryTimeoutMillis() {
    return perTryTimeoutMillis;
  }

  /** The limit of all attempts together in nanoseconds; 0 for none. */
  public long timeoutNanos() {
    return timeoutNanos;
  }

  public int budgetPercent() {
    return spec.budgetPercent();
  }

  public int minRetryConcurrency() {
    return spec.minRetryConcurrency();
  }

  /**
   * The wait before retry number {@code retry} (1 for the first): exponential back-off with full
   * jitter (AWS's "full jitter"), uniform in {@code [0, min(backoffMax, backoffBase × 2^(retry −
   * 1))]}, so retries of many requests that failed together spread out instead of arriving
   * together.
   */
  public long backoffNanos(int retry, RandomGenerator random) {
    long ceiling = backoffBaseNanos;
    for (int i = 1; i < retry && ceiling < backoffMaxNanos; i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, backoffMaxNanos);
    return ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
  }

  @Override
  public String toString() {
    return "RetryRule" + spec;
  }
}
