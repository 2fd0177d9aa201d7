package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RetryValidatorTest {
  private static final Set<Retry.Condition> RESET = Set.of(Retry.Condition.RESET);

  private static RouteSpec route(Limits limits, PolicySpec... policies) {
    RouteSpec r =
        RouteSpec.simple(
                RouteKey.of("t", "api", "r"),
                List.of("a.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
            .withPolicies(List.of(policies));
    return new RouteSpec(
        r.key(),
        r.hosts(),
        r.paths(),
        r.methods(),
        r.headers(),
        r.queries(),
        r.backends(),
        Timeouts.DEFAULTS,
        limits,
        0,
        null,
        r.policies());
  }

  private static List<Violation> violations(Limits limits, PolicySpec... policies) {
    Validated<RouteSpec> v = RouteValidator.validate(route(limits, policies));
    return v.isValid() ? List.of() : v.violations();
  }

  private static Retry retry(
      Set<Retry.Condition> on,
      List<Integer> statuses,
      List<Integer> grpc,
      int attempts,
      Duration perTry,
      Duration base,
      Duration max,
      int percent,
      int min,
      long buffer) {
    return new Retry(
        on, statuses, grpc, attempts, perTry, null, base, max, percent, min, false, buffer);
  }

  private static Retry base() {
    return Retry.on(RESET);
  }

  record Refused(String name, Retry retry, String field, String rule) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Refused> refused() {
    Duration b = Retry.DEFAULT_BACKOFF_BASE;
    Duration m = Retry.DEFAULT_BACKOFF_MAX;
    long buf = Retry.DEFAULT_BUFFER_BYTES;
    return Stream.of(
        new Refused("no-condition", Retry.on(Set.of()), "policies[0].on", RetryValidator.ON_RULE),
        new Refused(
            "attempts-above-10",
            base().withAttempts(11),
            "policies[0].attempts",
            RetryValidator.ATTEMPTS_RULE),
        new Refused(
            "attempts-negative",
            base().withAttempts(-1),
            "policies[0].attempts",
            RetryValidator.ATTEMPTS_RULE),
        new Refused(
            "status-condition-without-statuses",
            Retry.on(Set.of(Retry.Condition.STATUS)),
            "policies[0].statuses",
            RetryValidator.STATUSES_RULE),
        new Refused(
            "statuses-without-status-condition",
            retry(RESET, List.of(409), List.of(), 2, null, b, m, 20, 3, buf),
            "policies[0].statuses",
            RetryValidator.STATUSES_RULE),
        new Refused(
            "status-above-599",
            retry(
                Set.of(Retry.Condition.STATUS), List.of(600), List.of(), 2, null, b, m, 20, 3, buf),
            "policies[0].statuses[0]",
            RetryValidator.STATUS_RULE),
        new Refused(
            "status-given-twice",
            retry(
                Set.of(Retry.Condition.STATUS),
                List.of(409, 409),
                List.of(),
                2,
                null,
                b,
                m,
                20,
                3,
                buf),
            "policies[0].statuses[1]",
            RetryValidator.STATUS_RULE),
        new Refused(
            "grpc-status-above-16",
            retry(
                Set.of(Retry.Condition.GRPC_STATUS),
                List.of(),
                List.of(17),
                2,
                null,
                b,
                m,
                20,
                3,
                buf),
            "policies[0].grpcStatuses[0]",
            RetryValidator.GRPC_STATUS_RULE),
        new Refused(
            "grpc-condition-without-grpc-statuses",
            Retry.on(Set.of(Retry.Condition.GRPC_STATUS)),
            "policies[0].grpcStatuses",
            RetryValidator.GRPC_STATUSES_RULE),
        new Refused(
            "per-try-timeout-zero",
            retry(RESET, List.of(), List.of(), 2, Duration.ZERO, b, m, 20, 3, buf),
            "policies[0].perTryTimeout",
            RetryValidator.TIMEOUT_RULE),
        new Refused(
            "backoff-base-zero",
            retry(RESET, List.of(), List.of(), 2, null, Duration.ZERO, m, 20, 3, buf),
            "policies[0].backoff.base",
            RetryValidator.BACKOFF_RULE),
        new Refused(
            "backoff-max-below-base",
            retry(RESET, List.of(), List.of(), 2, null, Duration.ofSeconds(1), m, 20, 3, buf),
            "policies[0].backoff.max",
            RetryValidator.BACKOFF_ORDER_RULE),
        new Refused(
            "backoff-max-over-a-minute",
            retry(RESET, List.of(), List.of(), 2, null, b, Duration.ofMinutes(2), 20, 3, buf),
            "policies[0].backoff.max",
            RetryValidator.BACKOFF_RULE),
        new Refused(
            "budget-over-100-percent",
            retry(RESET, List.of(), List.of(), 2, null, b, m, 101, 3, buf),
            "policies[0].budget.percent",
            RetryValidator.BUDGET_RULE),
        new Refused(
            "min-concurrency-negative",
            retry(RESET, List.of(), List.of(), 2, null, b, m, 20, -1, buf),
            "policies[0].budget.minConcurrency",
            RetryValidator.MIN_CONCURRENCY_RULE),
        new Refused(
            "buffer-over-10-mib",
            retry(RESET, List.of(), List.of(), 2, null, b, m, 20, 3, (10L << 20) + 1),
            "policies[0].bufferBytes",
            RetryValidator.BUFFER_RULE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void a_retry_policy_is_refused_as_the_table_says(Refused c) {
    assertThat(violations(Limits.DEFAULTS, c.retry()))
        .extracting(Violation::field, Violation::rule)
        .containsExactly(tuple(c.field(), c.rule()));
  }

  @Test
  void every_field_set_passes_and_ten_attempts_are_the_most() {
    assertThat(violations(Limits.DEFAULTS, TestPolicies.everyRetryField())).isEmpty();
    assertThat(violations(Limits.DEFAULTS, base().withAttempts(10))).isEmpty();
    assertThat(violations(Limits.DEFAULTS, base().withAttempts(0))).isEmpty();
  }

  @Test
  void the_buffer_is_bounded_by_the_routes_body_limit_unless_unlimited() {
    assertThat(violations(new Limits(1024), base()))
        .extracting(Violation::field, Violation::rule)
        .containsExactly(tuple("policies[0].bufferBytes", RetryValidator.BUFFER_RULE));
    assertThat(violations(new Limits(0), base())).isEmpty();
    assertThat(violations(new Limits(64 * 1024), base())).isEmpty();
  }

  @Test
  void a_route_has_at_most_one_retry_policy() {
    assertThat(violations(Limits.DEFAULTS, base(), base()))
        .extracting(Violation::field, Violation::rule)
        .containsExactly(tuple("policies", RetryValidator.ONCE_RULE));
  }
}
