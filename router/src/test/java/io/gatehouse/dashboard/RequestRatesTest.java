package io.gatehouse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RequestRatesTest {
  private static final long SECOND = 1_000_000_000L;

  /** Starts at an odd, negative instant: nanoTime has no fixed origin. */
  private final AtomicLong now = new AtomicLong(-7 * SECOND - 123);

  private final RequestRates rates = new RequestRates(now::get);

  private void advance(long seconds) {
    now.addAndGet(seconds * SECOND);
  }

  @Test
  void the_current_second_is_left_out_until_it_is_complete() {
    rates.record(false);
    rates.record(true);
    assertThat(rates.read().requests()).containsOnly(0L);
    advance(1);
    RequestRates.Rates r = rates.read();
    assertThat(r.requests()[RequestRates.WINDOW_SECONDS - 1]).isEqualTo(2);
    assertThat(r.errors()[RequestRates.WINDOW_SECONDS - 1]).isEqualTo(1);
    assertThat(r.seconds()).isEqualTo(1);
    assertThat(r.requestsPerSecond()).isEqualTo(2.0);
    assertThat(r.errorsPerSecond()).isEqualTo(1.0);
  }

  @Test
  void each_second_lands_in_its_own_slot_oldest_first() {
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i <= s; i++) {
        rates.record(s == 2);
      }
      advance(1);
    }
    RequestRates.Rates r = rates.read();
    int last = RequestRates.WINDOW_SECONDS - 1;
    assertThat(r.requests()[last - 2]).isEqualTo(1);
    assertThat(r.requests()[last - 1]).isEqualTo(2);
    assertThat(r.requests()[last]).isEqualTo(3);
    assertThat(r.errors()[last]).isEqualTo(3);
    assertThat(r.errors()[last - 1]).isZero();
    assertThat(r.seconds()).isEqualTo(3);
    assertThat(r.requestsPerSecond()).isEqualTo(2.0);
  }

  @Test
  void the_mean_covers_at_most_the_window_and_old_seconds_drop_out() {
    advance(100); // counting for longer than the window
    for (int i = 0; i < 120; i++) {
      rates.record(i % 4 == 0);
    }
    advance(1);
    RequestRates.Rates r = rates.read();
    assertThat(r.seconds()).isEqualTo(RequestRates.WINDOW_SECONDS);
    assertThat(r.requestsPerSecond()).isEqualTo(2.0);
    assertThat(r.errorsPerSecond()).isEqualTo(0.5);
    advance(RequestRates.WINDOW_SECONDS - 1);
    assertThat(rates.read().requests()[0]).isEqualTo(120);
    advance(1);
    assertThat(rates.read().requestsPerSecond()).isZero();
    assertThat(rates.read().requests()).containsOnly(0L);
  }

  @Test
  void a_slot_reused_a_window_later_starts_from_zero() {
    rates.record(true);
    advance(RequestRates.WINDOW_SECONDS); // same slot, one window later
    rates.record(false);
    advance(1);
    RequestRates.Rates r = rates.read();
    assertThat(r.requests()).containsOnly(0L, 1L);
    assertThat(java.util.Arrays.stream(r.requests()).sum()).isEqualTo(1);
    assertThat(java.util.Arrays.stream(r.errors()).sum()).isZero();
  }

  @Test
  @Timeout(10)
  void counts_of_every_thread_are_summed() throws Exception {
    int threads = 4;
    int each = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CompletableFuture<?>[] all = new CompletableFuture<?>[threads];
      for (int t = 0; t < threads; t++) {
        all[t] =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < each; i++) {
                    rates.record(i % 10 == 0);
                  }
                },
                pool);
      }
      CompletableFuture.allOf(all).get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    advance(1);
    RequestRates.Rates r = rates.read();
    assertThat(r.requests()[RequestRates.WINDOW_SECONDS - 1]).isEqualTo((long) threads * each);
    assertThat(r.errors()[RequestRates.WINDOW_SECONDS - 1]).isEqualTo((long) threads * each / 10);
  }
}
