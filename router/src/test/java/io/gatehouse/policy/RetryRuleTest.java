package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.Retry.Condition;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure rules of a compiled Retry policy: which failure and answer, which method, what wait. */
@Timeout(10)
class RetryRuleTest {

  private static RetryRule rule(Condition... on) {
    return new RetryRule(
        new Retry(
            Set.of(on),
            List.of(409, 429),
            List.of(14),
            2,
            Duration.ofMillis(300),
            Duration.ofSeconds(2),
            Duration.ofMillis(25),
            Duration.ofMillis(250),
            20,
            3,
            false,
            1024));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            "connect-failure-retried-on-connect-failure",
            Condition.CONNECT_FAILURE,
            RetryRule.Failure.CONNECT_FAILURE,
            true),
        Arguments.of(
            "connect-failure-not-retried-on-reset",
            Condition.RESET,
            RetryRule.Failure.CONNECT_FAILURE,
            false),
        Arguments.of("reset-retried-on-reset", Condition.RESET, RetryRule.Failure.RESET, true),
        Arguments.of(
            "reset-not-retried-on-gateway-error",
            Condition.GATEWAY_ERROR,
            RetryRule.Failure.RESET,
            false),
        Arguments.of(
            "refused-stream-retried-on-refused-stream",
            Condition.REFUSED_STREAM,
            RetryRule.Failure.REFUSED_STREAM,
            true),
        Arguments.of(
            "refused-stream-retried-on-reset-too",
            Condition.RESET,
            RetryRule.Failure.REFUSED_STREAM,
            true),
        Arguments.of(
            "reset-not-retried-on-refused-stream",
            Condition.REFUSED_STREAM,
            RetryRule.Failure.RESET,
            false),
        Arguments.of(
            "timeout-retried-on-timeout", Condition.TIMEOUT, RetryRule.Failure.TIMEOUT, true),
        Arguments.of(
            "timeout-not-retried-on-server-error",
            Condition.SERVER_ERROR,
            RetryRule.Failure.TIMEOUT,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void a_failure_before_the_head_is_retried_only_under_its_condition(
      String name, Condition on, RetryRule.Failure failure, boolean retried) {
    assertThat(rule(on).retries(failure)).isEqualTo(retried);
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of("gateway-error-retries-502", Condition.GATEWAY_ERROR, 502, -1, true),
        Arguments.of("gateway-error-retries-503", Condition.GATEWAY_ERROR, 503, -1, true),
        Arguments.of("gateway-error-retries-504", Condition.GATEWAY_ERROR, 504, -1, true),
        Arguments.of("gateway-error-keeps-500", Condition.GATEWAY_ERROR, 500, -1, false),
        Arguments.of("gateway-error-keeps-200", Condition.GATEWAY_ERROR, 200, -1, false),
        Arguments.of("server-error-retries-500", Condition.SERVER_ERROR, 500, -1, true),
        Arguments.of("server-error-retries-599", Condition.SERVER_ERROR, 599, -1, true),
        Arguments.of("server-error-keeps-429", Condition.SERVER_ERROR, 429, -1, false),
        Arguments.of("status-list-retries-429", Condition.STATUS, 429, -1, true),
        Arguments.of("status-list-keeps-503", Condition.STATUS, 503, -1, false),
        Arguments.of(
            "status-list-unused-without-its-condition", Condition.GATEWAY_ERROR, 429, -1, false),
        Arguments.of("grpc-status-retries-unavailable", Condition.GRPC_STATUS, 200, 14, true),
        Arguments.of("grpc-status-keeps-internal", Condition.GRPC_STATUS, 200, 13, false),
        Arguments.of("grpc-status-unused-without-its-condition", Condition.STATUS, 200, 14, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void an_answer_is_retried_only_under_its_condition(
      String name, Condition on, int status, int grpcStatus, boolean retried) {
    assertThat(rule(on).retries(status, grpcStatus)).isEqualTo(retried);
  }

  @Test
  void a_rule_of_failures_only_never_looks_at_answers() {
    assertThat(rule(Condition.CONNECT_FAILURE, Condition.RESET).retriesAnswers()).isFalse();
    assertThat(rule(Condition.STATUS).retriesAnswers()).isTrue();
    assertThat(rule(Condition.GRPC_STATUS).retriesAnswers()).isTrue();
    assertThat(rule(Condition.GATEWAY_ERROR).retriesAnswers()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
  void an_idempotent_method_is_retried(String method) {
    assertThat(rule(Condition.RESET).allowsMethod(method)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"POST", "PATCH", "CONNECT"})
  void a_method_that_is_not_idempotent_is_retried_only_when_allowed(String method) {
    assertThat(rule(Condition.RESET).allowsMethod(method)).isFalse();
    Retry all =
        new Retry(
            Set.of(Condition.RESET), null, null, 2, null, null, null, null, 20, 3, true, 1024);
    assertThat(new RetryRule(all).allowsMethod(method)).isTrue();
  }

  @Test
  void attempts_count_the_retries_after_the_first_try() {
    RetryRule r = rule(Condition.RESET);
    assertThat(r.withinAttempts(1)).isTrue();
    assertThat(r.withinAttempts(2)).isTrue();
    assertThat(r.withinAttempts(3)).isFalse();
  }

  @Test
  void the_back_off_is_full_jitter_under_a_doubling_ceiling_capped_at_the_maximum() {
    RetryRule r = rule(Condition.RESET); // 25 ms base, 250 ms max
    Random random = new Random(42);
    long[] ceilings = {25, 50, 100, 200, 250, 250, 250};
    for (int retry = 1; retry <= ceilings.length; retry++) {
      long ceilingNanos = ceilings[retry - 1] * 1_000_000L;
      long max = 0;
      long min = Long.MAX_VALUE;
      for (int i = 0; i < 2000; i++) {
        long wait = r.backoffNanos(retry, random);
        assertThat(wait).as("retry %d", retry).isBetween(0L, ceilingNanos);
        max = Math.max(max, wait);
        min = Math.min(min, wait);
      }
      // Full jitter spreads over the whole range: near both ends in 2000 draws.
      assertThat(max)
          .as("retry %d reaches near its ceiling", retry)
          .isGreaterThan(ceilingNanos * 9 / 10);
      assertThat(min).as("retry %d reaches near 0", retry).isLessThan(ceilingNanos / 10);
    }
  }

  @Test
  void the_same_seed_gives_the_same_waits() {
    RetryRule r = rule(Condition.RESET);
    Random a = new Random(7);
    Random b = new Random(7);
    for (int retry = 1; retry < 5; retry++) {
      assertThat(r.backoffNanos(retry, a)).isEqualTo(r.backoffNanos(retry, b));
    }
  }

  @Test
  void a_zero_base_retries_at_once() {
    Retry spec =
        new Retry(
            Set.of(Condition.RESET),
            null,
            null,
            2,
            null,
            null,
            Duration.ZERO,
            Duration.ZERO,
            20,
            3,
            false,
            1024);
    assertThat(new RetryRule(spec).backoffNanos(3, new Random(1))).isZero();
  }

  @Test
  void the_timeouts_are_read_once_and_none_is_zero() {
    RetryRule r = rule(Condition.TIMEOUT);
    assertThat(r.perTryTimeoutMillis()).isEqualTo(300);
    assertThat(r.timeoutNanos()).isEqualTo(2_000_000_000L);
    RetryRule none = new RetryRule(Retry.on(Set.of(Condition.TIMEOUT)));
    assertThat(none.perTryTimeoutMillis()).isZero();
    assertThat(none.timeoutNanos()).isZero();
  }
}
