package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.policy.ConnectionLimitSlots;
import io.gatehouse.policy.RateLimitBuckets;
import io.gatehouse.table.InMemoryLimitCounters;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitServiceTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(SECOND);

  private static RateLimit limit(long requests, long burst, RateLimit.Scope scope) {
    return new RateLimit(
        "l", LimitKey.CLIENT_ADDRESS, requests, RateLimit.SECOND, burst, scope, List.of());
  }

  private static int admitted(RateLimitBuckets b, String key, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      if (b.take(key) >= 0) {
        n++;
      }
    }
    return n;
  }

  @Test
  void a_bucket_gives_its_burst_then_refills_at_the_rate_and_never_beyond_the_burst() {
    RateLimitService s = RateLimitService.manual(new InMemoryLimitCounters(), now::get, 100);
    RateLimitBuckets b = s.buckets("a", limit(10, 5, RateLimit.Scope.LOCAL));
    assertThat(admitted(b, "k", 20)).isEqualTo(5);
    assertThat(b.take("k")).as("-1 - millis until a token: 100 ms at 10/s").isBetween(-102L, -101L);
    now.addAndGet(SECOND / 2);
    assertThat(admitted(b, "k", 20)).isEqualTo(5);
    now.addAndGet(60 * SECOND);
    assertThat(admitted(b, "k", 20)).as("a quiet minute refills the burst only").isEqualTo(5);
  }

  @Test
  void refilled_buckets_are_evicted_and_new_keys_past_the_cap_share_one_bucket() {
    RateLimitService s = RateLimitService.manual(new InMemoryLimitCounters(), now::get, 3);
    RateLimitBuckets b = s.buckets("a", limit(1, 1, RateLimit.Scope.LOCAL));
    for (String k : List.of("k1", "k2", "k3")) {
      assertThat(b.take(k)).isZero();
    }
    assertThat(s.liveKeys()).isEqualTo(3);
    assertThat(b.take("k4")).as("the overflow bucket's token").isZero();
    assertThat(b.take("k5")).as("k5 shares the overflow bucket, now empty").isNegative();
    assertThat(b.take("k1")).as("known keys keep their own bucket").isNegative();
    assertThat(s.sweep()).as("nothing has refilled yet").isZero();
    now.addAndGet(2 * SECOND);
    assertThat(s.sweep()).as("three keys and the overflow refilled").isEqualTo(4);
    assertThat(s.liveKeys()).isZero();
    assertThat(b.take("k5")).as("room again: a bucket of its own").isZero();
    assertThat(s.liveKeys()).isEqualTo(1);
  }

  @Test
  void a_flood_of_distinct_keys_stays_within_the_cap() {
    RateLimitService s = RateLimitService.manual(new InMemoryLimitCounters(), now::get, 1000);
    RateLimitBuckets b = s.buckets("a", limit(10, 10, RateLimit.Scope.LOCAL));
    int admitted = 0;
    for (int i = 0; i < 100_000; i++) {
      if (b.take("10.0." + (i >> 8) + "." + (i & 255)) >= 0) {
        admitted++;
      }
    }
    assertThat(s.liveKeys()).isEqualTo(1000);
    assertThat(admitted).as("one each for 1000 keys, then the overflow's 10").isEqualTo(1000 + 10);
  }

  @Test
  void global_members_take_one_anothers_reports_off_their_buckets() {
    InMemoryLimitCounters.Hub hub = new InMemoryLimitCounters.Hub();
    RateLimitService a = RateLimitService.manual(hub.join("a"), now::get, 100);
    RateLimitService b = RateLimitService.manual(hub.join("b"), now::get, 100);
    RateLimit spec = limit(10, 10, RateLimit.Scope.GLOBAL);
    RateLimitBuckets ba = a.buckets("g", spec);
    RateLimitBuckets bb = b.buckets("g", spec);
    assertThat(admitted(ba, "k", 6)).isEqualTo(6);
    a.report();
    assertThat(admitted(bb, "k", 10)).as("b knows a took 6 of 10").isEqualTo(4);
    b.report();
    assertThat(admitted(ba, "k", 10)).isZero();
    a.report();
    now.addAndGet(SECOND);
    assertThat(admitted(ba, "k", 20)).as("one second: 10 for both").isEqualTo(10);
    RateLimitBuckets local = a.buckets("l", limit(10, 10, RateLimit.Scope.LOCAL));
    admitted(local, "k", 10);
    a.report();
    RateLimitBuckets localB = b.buckets("l", limit(10, 10, RateLimit.Scope.LOCAL));
    assertThat(admitted(localB, "k", 20)).as("a local limit is never reported").isEqualTo(10);
  }

  @Test
  void the_debt_of_a_late_report_is_repaid_so_the_long_run_rate_holds() {
    InMemoryLimitCounters.Hub hub = new InMemoryLimitCounters.Hub();
    List<RateLimitService> members =
        List.of(
            RateLimitService.manual(hub.join("a"), now::get, 100),
            RateLimitService.manual(hub.join("b"), now::get, 100),
            RateLimitService.manual(hub.join("c"), now::get, 100));
    RateLimit spec = limit(300, 30, RateLimit.Scope.GLOBAL);
    List<RateLimitBuckets> buckets = members.stream().map(m -> m.buckets("g", spec)).toList();
    int admitted = 0;
    // 30 s, 1,000 req/s spread over the three, a report every 20 ms.
    for (int ms = 0; ms < 30_000; ms++) {
      now.addAndGet(SECOND / 1000);
      admitted += admitted(buckets.get(ms % 3), "k", 1);
      if (ms % 20 == 19) {
        members.forEach(RateLimitService::report);
      }
    }
    assertThat(admitted / 30.0).isBetween(300 * 0.97, 300 * 1.03);
  }

  @Test
  void a_member_cut_off_limits_on_its_share_and_logs_each_change_once() {
    Logger log = (Logger) LoggerFactory.getLogger(RateLimitService.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    log.addAppender(logged);
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO); // the recovery is logged at INFO
    try {
      InMemoryLimitCounters.Hub hub = new InMemoryLimitCounters.Hub();
      InMemoryLimitCounters ca = hub.join("a");
      RateLimitService a = RateLimitService.manual(ca, now::get, 100);
      hub.join("b");
      InMemoryLimitCounters cc = hub.join("c");
      RateLimitBuckets b = a.buckets("g", limit(300, 30, RateLimit.Scope.GLOBAL));
      assertThat(a.share()).isEqualTo(1.0);
      hub.cut(ca, true);
      assertThat(a.share()).isEqualTo(1.0 / 3);
      assertThat(admitted(b, "k", 100)).as("a third of the burst").isEqualTo(10);
      now.addAndGet(SECOND / 10 + 1000);
      assertThat(admitted(b, "k", 100)).as("a third of the rate: 10 in 0.1 s").isEqualTo(10);
      hub.cut(ca, true); // no change: no second line
      assertThat(logged.list)
          .filteredOn(e -> e.getFormattedMessage().contains("1 of the 3"))
          .hasSize(1);
      hub.cut(ca, false);
      assertThat(a.share()).isEqualTo(1.0);
      assertThat(logged.list)
          .filteredOn(e -> e.getFormattedMessage().contains("seen again"))
          .hasSize(1);
      cc.close();
      assertThat(a.share()).as("a goodbye shrinks the cluster on purpose").isEqualTo(1.0);
    } finally {
      log.detachAppender(logged);
      log.setLevel(level);
    }
  }

  @Test
  void connection_slots_are_per_key_and_given_back() {
    RateLimitService s = RateLimitService.manual(new InMemoryLimitCounters(), now::get, 100);
    ConnectionLimitSlots slots = s.slots("c", 2);
    assertThat(s.slots("c", 2)).isSameAs(slots);
    assertThat(slots.acquire("a")).isTrue();
    assertThat(slots.acquire("a")).isTrue();
    assertThat(slots.acquire("a")).isFalse();
    assertThat(slots.acquire("b")).isTrue();
    slots.release("a");
    assertThat(slots.acquire("a")).isTrue();
    slots.release("a");
    slots.release("a");
    slots.release("b");
    assertThat(((RateLimitService.Slots) slots).keys())
        .as("no entry outlives its requests")
        .isZero();
  }

  @Test
  void connection_slots_hold_under_concurrent_acquire_and_release() throws Exception {
    RateLimitService s = RateLimitService.manual(new InMemoryLimitCounters(), now::get, 100);
    ConnectionLimitSlots slots = s.slots("c", 3);
    AtomicLong over = new AtomicLong();
    java.util.concurrent.atomic.AtomicInteger inFlight =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  if (slots.acquire("k")) {
                    if (inFlight.incrementAndGet() > 3) {
                      over.incrementAndGet();
                    }
                    inFlight.decrementAndGet();
                    slots.release("k");
                  }
                }
              });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join(30_000);
    }
    assertThat(over.get()).isZero();
    assertThat(((RateLimitService.Slots) slots).keys()).isZero();
  }
}
