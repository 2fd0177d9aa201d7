package io.gatehouse.model.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * When and how often a route retries a failed upstream attempt, on another endpoint of the same
 * backend where one is available. Without this policy a route retries once: a connect failure
 * whatever the method (nothing was sent), or a pooled connection closed under an idempotent request
 * (nginx's {@code proxy_next_upstream error timeout} for requests that never reached an
 * application). A connect failure is retried for every method under the policy too.
 *
 * <p>Retries are bounded three ways: {@code attempts} per request, the retry budget (the retries in
 * flight on a node for the route's backend stay under {@code budgetPercent} of its requests in
 * flight, or {@code minRetryConcurrency}, whichever is more, as Envoy's retry budget) and the
 * backend's {@code circuitBreaker.maxRetries}. A request whose body streamed past {@code
 * bufferBytes} is never retried, since the body cannot be sent again.
 *
 * @param on the failures that are retried
 * @param statuses answer statuses that are retried (with {@link Condition#STATUS})
 * @param grpcStatuses {@code grpc-status} values that are retried (with {@link
 *     Condition#GRPC_STATUS})
 * @param attempts retries after the first attempt (ingress-nginx {@code proxy-next-upstream-tries}
 *     counts the first one too: tries − 1)
 * @param perTryTimeout one attempt's limit to the response head, or null for the route's response
 *     timeout
 * @param timeout the whole of the attempts (ingress-nginx {@code proxy-next-upstream-timeout}), or
 *     null for the route's timeouts only
 * @param backoffBase the wait before the first retry; each further one doubles it, with full jitter
 * @param backoffMax the longest wait
 * @param budgetPercent the retry budget, in percent of the requests in flight
 * @param minRetryConcurrency retries always allowed in flight whatever the budget
 * @param nonIdempotent whether POST, PATCH and other non-idempotent methods are retried after
 *     something was sent (ingress-nginx {@code non_idempotent}); a failed connect sent nothing and
 *     is retried for every method
 * @param bufferBytes the request body kept for a retry; a larger body is not retried
 */
public record Retry(
    Set<Condition> on,
    List<Integer> statuses,
    List<Integer> grpcStatuses,
    int attempts,
    @Nullable Duration perTryTimeout,
    @Nullable Duration timeout,
    Duration backoffBase,
    Duration backoffMax,
    int budgetPercent,
    int minRetryConcurrency,
    boolean nonIdempotent,
    long bufferBytes)
    implements PolicySpec {

  public enum Condition {
    /** The connection could not be opened (refused, unreachable, connect timeout). */
    CONNECT_FAILURE,
    /** The connection or stream was reset or closed before the response head. */
    RESET,
    /** An HTTP/2 upstream refused the stream ({@code REFUSED_STREAM}): never processed. */
    REFUSED_STREAM,
    /** No response head within the per-try timeout. */
    TIMEOUT,
    /** A 502, 503 or 504 answer. */
    GATEWAY_ERROR,
    /** Any 5xx answer. */
    SERVER_ERROR,
    /** An answer whose status is in {@code statuses}. */
    STATUS,
    /** A gRPC answer whose {@code grpc-status} is in {@code grpcStatuses}. */
    GRPC_STATUS
  }

  /** ingress-nginx's {@code proxy-next-upstream-tries: 3}: two retries after the first try. */
  public static final int DEFAULT_ATTEMPTS = 2;

  /** Envoy's: 25 ms base, ten times that at most. */
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);

  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);

  /** Envoy's retry budget defaults: 20 % of active requests, at least 3 retries. */
  public static final int DEFAULT_BUDGET_PERCENT = 20;

  public static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;

  /** Bodies up to 64 KiB are kept for a retry (Envoy's default request buffer is 64 KiB too). */
  public static final long DEFAULT_BUFFER_BYTES = 64 * 1024;

  public Retry {
    on = Set.copyOf(Objects.requireNonNull(on, "on"));
    statuses = statuses == null ? List.of() : List.copyOf(statuses);
    grpcStatuses = grpcStatuses == null ? List.of() : List.copyOf(grpcStatuses);
    backoffBase = backoffBase == null ? DEFAULT_BACKOFF_BASE : backoffBase;
    backoffMax = backoffMax == null ? DEFAULT_BACKOFF_MAX : backoffMax;
  }

  /** Retries on {@code conditions} with every other setting at its default. */
  public static Retry on(Set<Condition> conditions) {
    return new Retry(
        conditions,
        List.of(),
        List.of(),
        DEFAULT_ATTEMPTS,
        null,
        null,
        DEFAULT_BACKOFF_BASE,
        DEFAULT_BACKOFF_MAX,
        DEFAULT_BUDGET_PERCENT,
        DEFAULT_MIN_RETRY_CONCURRENCY,
        false,
        DEFAULT_BUFFER_BYTES);
  }

  public Retry withAttempts(int n) {
    return new Retry(
        on,
        statuses,
        grpcStatuses,
        n,
        perTryTimeout,
        timeout,
        backoffBase,
        backoffMax,
        budgetPercent,
        minRetryConcurrency,
        nonIdempotent,
        bufferBytes);
  }
}
