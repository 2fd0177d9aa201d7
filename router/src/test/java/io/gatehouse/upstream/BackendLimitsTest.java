package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.backend.CircuitBreaker;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The circuit breakers' arithmetic: places taken and given back, the retry budget, counts. */
@Timeout(10)
class BackendLimitsTest {
  private static final EndpointsKey A =
      new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "a"), 0);
  private static final EndpointsKey B =
      new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "b"), 0);

  static Stream<Arguments> budgets() {
    // retries in flight, requests in flight, percent, min concurrency, max retries -> refused by
    return Stream.of(
        Arguments.of("min-concurrency-allows-the-first-three", 2, 1, 20, 3, 100, null),
        Arguments.of(
            "min-concurrency-refuses-the-fourth-of-few",
            3,
            5,
            20,
            3,
            100,
            BackendLimits.Limit.RETRY_BUDGET),
        Arguments.of("twenty-percent-of-twenty-is-four", 3, 20, 20, 3, 100, null),
        Arguments.of(
            "twenty-percent-of-twenty-refuses-a-fifth",
            4,
            20,
            20,
            3,
            100,
            BackendLimits.Limit.RETRY_BUDGET),
        Arguments.of("percent-rounds-down", 4, 24, 20, 3, 100, BackendLimits.Limit.RETRY_BUDGET),
        Arguments.of("percent-of-many", 199, 1000, 20, 3, 1000, null),
        Arguments.of(
            "max-retries-caps-the-budget", 3, 1000, 20, 3, 3, BackendLimits.Limit.MAX_RETRIES),
        Arguments.of(
            "zero-max-retries-refuses-all", 0, 1000, 100, 3, 0, BackendLimits.Limit.MAX_RETRIES),
        Arguments.of(
            "zero-budget-and-min-refuses-all",
            0,
            1000,
            0,
            0,
            100,
            BackendLimits.Limit.RETRY_BUDGET));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("budgets")
  void a_retry_needs_room_in_the_budget_and_under_max_retries(
      String name,
      int retries,
      int requests,
      int percent,
      int min,
      int maxRetries,
      BackendLimits.Limit refused) {
    assertThat(BackendLimits.retryRefusedBy(retries, requests, percent, min, maxRetries))
        .isEqualTo(refused);
  }

  @Test
  void requests_past_max_requests_are_refused_and_counted_until_one_ends() {
    BackendLimits limits = new BackendLimits();
    BackendLimits.Backend a = limits.backend(A);
    CircuitBreaker two = new CircuitBreaker(10, 10, 2, 3);
    assertThat(a.tryBeginRequest(two)).isTrue();
    assertThat(a.tryBeginRequest(two)).isTrue();
    assertThat(a.tryBeginRequest(two)).isFalse();
    assertThat(limits.refused(BackendLimits.Limit.MAX_REQUESTS)).isEqualTo(1);
    a.endRequest();
    assertThat(a.tryBeginRequest(two)).isTrue();
    assertThat(a.requests()).isEqualTo(2);
  }

  @Test
  void each_backend_has_its_own_counters_shared_by_every_loop() {
    BackendLimits limits = new BackendLimits();
    BackendLimits.Local loop1 = limits.local();
    BackendLimits.Local loop2 = limits.local();
    assertThat(loop1.forSlot(3, A)).isSameAs(loop2.forSlot(3, A)).isSameAs(limits.backend(A));
    assertThat(loop1.forSlot(4, B)).isNotSameAs(loop1.forSlot(3, A));
    // A slot given to another key reads the other key's counters.
    assertThat(loop1.forSlot(3, B)).isSameAs(limits.backend(B));
    // Slots far past the first array.
    assertThat(loop1.forSlot(100, A)).isSameAs(limits.backend(A));
  }

  @Test
  void the_counters_of_a_backend_no_route_uses_are_dropped_once_idle() {
    BackendLimits limits = new BackendLimits();
    BackendLimits.Local loop = limits.local();
    BackendLimits.Backend a = loop.forSlot(0, A);
    BackendLimits.Backend b = loop.forSlot(1, B);
    assertThat(a.tryBeginRequest(CircuitBreaker.DEFAULT)).isTrue();
    // Neither key is held any more; A still has a request in flight, so only B goes.
    assertThat(limits.prune(Set.of())).isEqualTo(1);
    assertThat(limits.size()).isEqualTo(1);
    assertThat(limits.backend(A)).isSameAs(a);
    a.endRequest();
    assertThat(limits.prune(Set.of(A))).as("a live key stays").isZero();
    assertThat(limits.prune(Set.of())).isEqualTo(1);
    assertThat(limits.size()).isZero();
    // A loop that cached B asks again: one set of counters for the key, the node's.
    BackendLimits.Backend again = loop.forSlot(1, B);
    assertThat(again).isNotSameAs(b).isSameAs(limits.backend(B));
  }

  @Test
  void retries_in_flight_follow_the_requests_in_flight() {
    BackendLimits limits = new BackendLimits();
    BackendLimits.Backend a = limits.backend(A);
    CircuitBreaker many = new CircuitBreaker(100, 100, 100, 100);
    for (int i = 0; i < 20; i++) {
      assertThat(a.tryBeginRequest(many)).isTrue();
    }
    int allowed = 0;
    while (a.tryBeginRetry(20, 3, 100)) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(4);
    assertThat(limits.refused(BackendLimits.Limit.RETRY_BUDGET)).isEqualTo(1);
    a.endRetry();
    assertThat(a.tryBeginRetry(20, 3, 100)).isTrue();
    assertThat(a.tryBeginRetry(20, 3, 2)).isFalse();
    assertThat(limits.refused(BackendLimits.Limit.MAX_RETRIES)).isEqualTo(1);
  }

  @Test
  void a_freed_connection_slot_goes_back_when_nobody_waits() {
    BackendLimits.Backend a = new BackendLimits().backend(A);
    assertThat(a.tryOpenConnection(1)).isTrue();
    assertThat(a.tryOpenConnection(1)).isFalse();
    a.connectionClosed();
    assertThat(a.connections()).isZero();
    assertThat(a.tryOpenConnection(1)).isTrue();
  }

  @Test
  void the_overflow_reasons_are_the_header_values() {
    assertThat(BackendLimits.Limit.MAX_REQUESTS.reason()).isEqualTo("max-requests");
    assertThat(BackendLimits.Limit.MAX_PENDING.reason()).isEqualTo("max-pending");
    assertThat(BackendLimits.Limit.MAX_CONNECTIONS.reason()).isEqualTo("max-connections");
    assertThat(BackendLimits.Limit.RETRY_BUDGET.reason()).isEqualTo("retry-budget");
  }
}
