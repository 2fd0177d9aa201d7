package io.gatehouse.validate;

import io.gatehouse.model.Limits;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.Retry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a route's {@link Retry} policy. Fields are named as the route document names them ({@code
 * backoff.base}, {@code budget.percent}, {@code budget.minConcurrency}).
 */
public final class RetryValidator {
  /**
   * At most 10 retries after the first try. Each retry is one more request to a backend that is
   * already failing: Envoy's default is 1, ingress-nginx's 2 (3 tries), and beyond 10 a request
   * only multiplies an outage (the retry budget bounds the total, this bounds one request).
   */
  public static final int MAX_ATTEMPTS = 10;

  public static final int MAX_STATUSES = 32;
  public static final int MAX_MIN_CONCURRENCY = 10_000;

  /** The largest body kept for a retry (as a mirror's): beyond it, a retry costs too much heap. */
  public static final long MAX_BUFFER_BYTES = 10L << 20;

  public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  public static final String ON_RULE = "at least one condition";
  public static final String ATTEMPTS_RULE =
      "0-" + MAX_ATTEMPTS + " retries after the first try (more only multiplies an outage)";
  public static final String STATUS_RULE = "a status from 100 to 599, each once";
  public static final String STATUSES_RULE =
      "the statuses to retry with Status in on, 1-" + MAX_STATUSES + " of them";
  public static final String GRPC_STATUS_RULE = "a gRPC status from 0 to 16, each once";
  public static final String GRPC_STATUSES_RULE =
      "the gRPC statuses to retry with GrpcStatus in on, 1-17 of them";
  public static final String TIMEOUT_RULE = "more than 0, up to 1 day";
  public static final String BACKOFF_RULE = "more than 0, up to 1 minute";
  public static final String BACKOFF_ORDER_RULE = "at least backoff.base";
  public static final String BUDGET_RULE = "a percentage 0-100";
  public static final String MIN_CONCURRENCY_RULE = "0-" + MAX_MIN_CONCURRENCY;
  public static final String BUFFER_RULE =
      "a size from 0 to 10 MiB, at most the route's maxRequestBodyBytes";
  public static final String ONCE_RULE = "at most one Retry per route";

  private RetryValidator() {}

  /** {@code r} checked, with violations under {@code f} ({@code policies[i]}). */
  static Retry check(Retry r, String f, List<Violation> out) {
    if (r.on().isEmpty()) {
      out.add(new Violation(f + ".on", "[]", ON_RULE));
    }
    statuses(
        f + ".statuses",
        r.statuses(),
        r.on().contains(Retry.Condition.STATUS),
        100,
        599,
        MAX_STATUSES,
        STATUS_RULE,
        STATUSES_RULE,
        out);
    statuses(
        f + ".grpcStatuses",
        r.grpcStatuses(),
        r.on().contains(Retry.Condition.GRPC_STATUS),
        0,
        16,
        17,
        GRPC_STATUS_RULE,
        GRPC_STATUSES_RULE,
        out);
    BackendPolicyValidator.range(
        f + ".attempts", r.attempts(), 0, MAX_ATTEMPTS, ATTEMPTS_RULE, out);
    if (r.perTryTimeout() != null
        && !BackendPolicyValidator.positiveUpTo(r.perTryTimeout(), MAX_TIMEOUT)) {
      out.add(new Violation(f + ".perTryTimeout", r.perTryTimeout().toString(), TIMEOUT_RULE));
    }
    if (r.timeout() != null && !BackendPolicyValidator.positiveUpTo(r.timeout(), MAX_TIMEOUT)) {
      out.add(new Violation(f + ".timeout", r.timeout().toString(), TIMEOUT_RULE));
    }
    boolean base = BackendPolicyValidator.positiveUpTo(r.backoffBase(), MAX_BACKOFF);
    boolean max = BackendPolicyValidator.positiveUpTo(r.backoffMax(), MAX_BACKOFF);
    if (!base) {
      out.add(new Violation(f + ".backoff.base", r.backoffBase().toString(), BACKOFF_RULE));
    }
    if (!max) {
      out.add(new Violation(f + ".backoff.max", r.backoffMax().toString(), BACKOFF_RULE));
    }
    if (base && max && r.backoffMax().compareTo(r.backoffBase()) < 0) {
      out.add(new Violation(f + ".backoff.max", r.backoffMax().toString(), BACKOFF_ORDER_RULE));
    }
    BackendPolicyValidator.range(
        f + ".budget.percent", r.budgetPercent(), 0, 100, BUDGET_RULE, out);
    BackendPolicyValidator.range(
        f + ".budget.minConcurrency",
        r.minRetryConcurrency(),
        0,
        MAX_MIN_CONCURRENCY,
        MIN_CONCURRENCY_RULE,
        out);
    if (r.bufferBytes() < 0 || r.bufferBytes() > MAX_BUFFER_BYTES) {
      out.add(new Violation(f + ".bufferBytes", Long.toString(r.bufferBytes()), BUFFER_RULE));
    }
    return r;
  }

  private static void statuses(
      String f,
      List<Integer> values,
      boolean wanted,
      int min,
      int max,
      int most,
      String itemRule,
      String listRule,
      List<Violation> out) {
    if (wanted == values.isEmpty() || values.size() > most) {
      out.add(new Violation(f, values.size() + " given", listRule));
      return;
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      Integer v = values.get(i);
      if (v == null || v < min || v > max || !seen.add(v)) {
        out.add(new Violation(f + "[" + i + "]", String.valueOf(v), itemRule));
      }
    }
  }

  /**
   * What a Retry asks of the route: at most one, and a body buffer no larger than the body the
   * route accepts (0: unlimited).
   */
  static void checkRoute(List<PolicySpec> policies, Limits limits, List<Violation> out) {
    int retries = 0;
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i) instanceof Retry r) {
        retries++;
        long limit = limits.maxRequestBodyBytes();
        if (limit > 0 && r.bufferBytes() > limit && r.bufferBytes() <= MAX_BUFFER_BYTES) {
          out.add(
              new Violation(
                  "policies[" + i + "].bufferBytes", Long.toString(r.bufferBytes()), BUFFER_RULE));
        }
      }
    }
    if (retries > 1) {
      out.add(new Violation("policies", retries + " Retry", ONCE_RULE));
    }
  }
}
