package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.policy.JwtKeySet;
import io.gatehouse.testing.TestJwts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The JWK Set cache's timing rules on a fake clock, with fetches the test completes. */
class JwksCacheTest {
  static final String ONE = TestJwts.jwks(TestJwts.RSA);
  static final String TWO = TestJwts.jwks(TestJwts.RSA, TestJwts.RSA_ROTATED);
  static final Duration CACHE = Duration.ofMinutes(10);
  static final Duration MIN_REFETCH = Duration.ofSeconds(30);

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final List<CompletableFuture<String>> fetches = new ArrayList<>();
  final List<Runnable> loopTasks = new ArrayList<>();
  Executor loop = null;

  JwksCache cache() {
    return new JwksCache(
        "https://idp.example/jwks",
        CACHE,
        MIN_REFETCH,
        now::get,
        () -> {
          CompletableFuture<String> f = new CompletableFuture<>();
          fetches.add(f);
          return f;
        },
        () -> loop);
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  static int size(CompletionStage<JwtKeySet> s) {
    return s.toCompletableFuture().getNow(null).size();
  }

  @Test
  void callers_waiting_at_once_share_one_fetch() {
    JwksCache c = cache();
    assertThat(c.current().size()).isZero();
    CompletionStage<JwtKeySet> a = c.refresh(false);
    CompletionStage<JwtKeySet> b = c.refresh(false);
    CompletionStage<JwtKeySet> k = c.refresh(true);
    assertThat(fetches).hasSize(1);
    assertThat(a.toCompletableFuture()).isNotDone();
    fetches.get(0).complete(ONE);
    assertThat(size(a)).isEqualTo(1);
    assertThat(size(b)).isEqualTo(1);
    assertThat(size(k)).isEqualTo(1);
    assertThat(c.current().size()).isEqualTo(1);
  }

  @Test
  void unknown_kids_cause_at_most_one_fetch_per_minimum_refetch_interval() {
    JwksCache c = cache();
    c.prefetch();
    fetches.get(0).complete(ONE);
    advance(Duration.ofSeconds(31));
    CompletionStage<JwtKeySet> first = c.refresh(true);
    assertThat(fetches).hasSize(2);
    fetches.get(1).complete(TWO);
    assertThat(size(first)).isEqualTo(2);
    // A flood of random kids inside the interval: no fetch, the held set at once.
    for (int i = 0; i < 1000; i++) {
      advance(Duration.ofMillis(29));
      assertThat(size(c.refresh(true))).isEqualTo(2);
    }
    assertThat(fetches).hasSize(2);
    advance(Duration.ofSeconds(1));
    c.refresh(true);
    assertThat(fetches).hasSize(3);
  }

  @Test
  void an_expired_set_is_used_while_refreshed_in_the_background_up_to_twice_its_duration() {
    JwksCache c = cache();
    c.prefetch();
    fetches.get(0).complete(ONE);
    advance(CACHE.minusSeconds(1));
    assertThat(c.current().size()).isEqualTo(1);
    assertThat(fetches).hasSize(1);
    advance(Duration.ofSeconds(2));
    assertThat(c.current().size()).as("stale, still used").isEqualTo(1);
    assertThat(fetches).as("a background refresh").hasSize(2);
    fetches.get(1).completeExceptionally(new IllegalStateException("status 503"));
    assertThat(c.current().size()).as("a failed refresh keeps the set").isEqualTo(1);
    advance(CACHE);
    assertThat(c.current().size()).as("past twice the duration: not trusted").isZero();
  }

  @Test
  void a_missing_set_is_retried_at_most_once_a_second() {
    JwksCache c = cache();
    c.prefetch();
    fetches.get(0).completeExceptionally(new IllegalStateException("connection refused"));
    assertThat(size(c.refresh(false))).isZero();
    advance(Duration.ofMillis(999));
    assertThat(size(c.refresh(false))).isZero();
    assertThat(fetches).hasSize(1);
    advance(Duration.ofMillis(1));
    CompletionStage<JwtKeySet> retry = c.refresh(false);
    assertThat(fetches).hasSize(2);
    fetches.get(1).complete(ONE);
    assertThat(size(retry)).isEqualTo(1);
  }

  @Test
  void a_body_that_is_no_usable_set_keeps_the_set_held() {
    JwksCache c = cache();
    c.prefetch();
    fetches.get(0).complete(ONE);
    for (String bad :
        List.of("not json", "{\"keys\": []}", TestJwts.jwks(TestJwts.OCT), "{\"keys\": 1}")) {
      advance(MIN_REFETCH);
      CompletionStage<JwtKeySet> s = c.refresh(true);
      fetches.get(fetches.size() - 1).complete(bad);
      assertThat(size(s)).as(bad).isEqualTo(1);
    }
  }

  @Test
  void a_waiter_called_from_an_event_loop_is_completed_on_that_loop() {
    JwksCache c = cache();
    loop = loopTasks::add;
    CompletionStage<JwtKeySet> s = c.refresh(false);
    fetches.get(0).complete(ONE);
    assertThat(s.toCompletableFuture()).as("not before the loop runs it").isNotDone();
    assertThat(loopTasks).hasSize(1);
    loopTasks.get(0).run();
    assertThat(size(s)).isEqualTo(1);
  }

  @Test
  void a_fetch_that_throws_at_once_is_a_failed_fetch() {
    JwksCache c =
        new JwksCache(
            "https://idp.example/jwks",
            CACHE,
            MIN_REFETCH,
            now::get,
            () -> {
              throw new IllegalStateException("closed");
            },
            () -> null);
    assertThat(size(c.refresh(false))).isZero();
  }
}
