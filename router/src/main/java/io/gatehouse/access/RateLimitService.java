package io.gatehouse.access;

import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.policy.ConnectionLimitSlots;
import io.gatehouse.policy.RateLimitBuckets;
import io.gatehouse.policy.RateLimits;
import io.gatehouse.table.LimitCounters;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's rate and concurrency limits ({@link RateLimits}): every limit's buckets by id, so a
 * recompiled route keeps them; at most {@link #DEFAULT_MAX_KEYS} live buckets over all limits; a
 * sweep each second that evicts the buckets that refilled (losing nothing); and, for global limits,
 * a report of what this node admitted every {@link #DEFAULT_REPORT_INTERVAL} to the others through
 * {@link LimitCounters}, whose reports it takes off its own buckets. A request never waits on the
 * network: it pays a map lookup and a bucket's lock whatever the scope.
 *
 * <p>Cut off: when this node sees fewer members than it last knew and no member said goodbye (a
 * crash or a partition look the same from here), every global bucket refills at {@code seen / last
 * known} of the limit (alone: limit / last known members), logged once per change; a graceful leave
 * makes the smaller cluster the one known, and a member seen again restores the share.
 */
public final class RateLimitService implements RateLimits, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitService.class);

  /**
   * Live buckets over all limits of the node: about 150 bytes each (map entry, key text, bucket),
   * so 100,000 are about 15 MB, for 100,000 clients active within one refill time.
   */
  public static final int DEFAULT_MAX_KEYS = 100_000;

  /** How often a node reports its global counts: the accuracy's main term (rate × interval). */
  public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofMillis(20);

  private static final long SWEEP_MILLIS = 1000;

  private final LimitCounters counters;
  private final LongSupplier clock;
  private final int maxKeys;
  private final AtomicInteger live = new AtomicInteger();
  private final Map<String, RateLimitBucketSet> sets = new ConcurrentHashMap<>();
  private final Map<String, Slots> slots = new ConcurrentHashMap<>();
  private final @Nullable ScheduledExecutorService timer;
  private final AutoCloseable subscription;
  private final AutoCloseable membership;
  private final AtomicLong lastOverflowLog = new AtomicLong(Long.MIN_VALUE / 2);
  private volatile double share = 1.0;
  private int knownMembers;

  /** The node's service: timers on a thread of its own, reports every {@code interval}. */
  public static RateLimitService start(LimitCounters counters, Duration interval) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-rate-limits");
              t.setDaemon(true);
              return t;
            });
    RateLimitService s = new RateLimitService(counters, System::nanoTime, DEFAULT_MAX_KEYS, timer);
    timer.scheduleAtFixedRate(
        s::reportSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(s::sweepSafely, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    return s;
  }

  /** A service driven by hand (tests, benchmarks): no timer, {@link #report} and {@link #sweep}. */
  public static RateLimitService manual(LimitCounters counters, LongSupplier clock, int maxKeys) {
    return new RateLimitService(counters, clock, maxKeys, null);
  }

  private RateLimitService(
      LimitCounters counters,
      LongSupplier clock,
      int maxKeys,
      @Nullable ScheduledExecutorService timer) {
    this.counters = counters;
    this.clock = clock;
    this.maxKeys = maxKeys;
    this.timer = timer;
    this.knownMembers = counters.members();
    this.subscription = counters.subscribe(this::takeReport);
    this.membership = counters.onMembersChanged(this::membersChanged);
  }

  @Override
  public RateLimitBuckets buckets(String id, RateLimit spec) {
    return sets.computeIfAbsent(id, k -> new RateLimitBucketSet(k, spec, this));
  }

  @Override
  public ConnectionLimitSlots slots(String id, int max) {
    return slots.computeIfAbsent(id, k -> new Slots(max));
  }

  long nanoTime() {
    return clock.getAsLong();
  }

  /** The global limits' share of the limit on this node: 1, or less while cut off. */
  double share() {
    return share;
  }

  boolean reserve() {
    while (true) {
      int n = live.get();
      if (n >= maxKeys) {
        return false;
      }
      if (live.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void unreserve() {
    live.decrementAndGet();
  }

  /** Live buckets over all limits (the overflow buckets not counted). */
  public int liveKeys() {
    return live.get();
  }

  void overflowed(String id) {
    long now = clock.getAsLong();
    long last = lastOverflowLog.get();
    if (now - last > TimeUnit.MINUTES.toNanos(1) && lastOverflowLog.compareAndSet(last, now)) {
      LOG.warn(
          "rate limits hold {} keys, the most a node keeps: new key values of limit {} share one"
              + " bucket until idle ones are evicted",
          maxKeys,
          id);
    }
  }

  /** Sends what this node admitted from global buckets since the last report. */
  public void report() {
    Map<String, Long> out = null;
    for (RateLimitBucketSet s : sets.values()) {
      if (s.global) {
        if (out == null) {
          out = new HashMap<>();
        }
        s.report(out);
      }
    }
    if (out != null && !out.isEmpty()) {
      counters.publish(out);
    }
  }

  /** Evicts the buckets that refilled; returns how many. */
  public int sweep() {
    int n = 0;
    for (RateLimitBucketSet s : sets.values()) {
      n += s.sweep();
    }
    return n;
  }

  private void reportSafely() {
    try {
      report();
    } catch (RuntimeException e) {
      LOG.warn("global rate limit report failed: {}", e.toString());
    }
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("rate limit sweep failed: {}", e.toString());
    }
  }

  private void takeReport(Map<String, Long> report) {
    for (Map.Entry<String, Long> e : report.entrySet()) {
      String bucketId = e.getKey();
      int nl = bucketId.indexOf('\n');
      if (nl < 0) {
        continue;
      }
      RateLimitBucketSet s = sets.get(bucketId.substring(0, nl));
      // A limit this node has not compiled (yet): its counts are not needed here.
      if (s != null && s.global) {
        s.remote(bucketId.substring(nl + 1), e.getValue());
      }
    }
  }

  private synchronized void membersChanged(boolean graceful) {
    int seen = counters.members();
    // A goodbye makes the smaller cluster the one known; a member lost from sight does not.
    knownMembers = graceful ? seen : Math.max(knownMembers, seen);
    double next = Math.min(1.0, (double) seen / knownMembers);
    if (next != share) {
      if (next < 1.0) {
        LOG.warn(
            "global rate limits: this node sees {} of the {} members it knew; each global limit is"
                + " enforced on this side's share ({}/{} of it) until they are back",
            seen,
            knownMembers,
            seen,
            knownMembers);
      } else {
        LOG.info("global rate limits: {} members seen again, each global limit is whole", seen);
      }
    }
    share = next;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    for (AutoCloseable c : new AutoCloseable[] {subscription, membership}) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing rate limit listeners: {}", e.toString());
      }
    }
    if (timer != null) {
      reportSafely(); // the last counts, before the counters close
    }
  }

  /** One concurrency limit's requests in flight per key value; an entry lives while it is used. */
  static final class Slots implements ConnectionLimitSlots {
    private final int max;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    Slots(int max) {
      this.max = max;
    }

    @Override
    public boolean acquire(String keyValue) {
      while (true) {
        AtomicInteger c = inFlight.computeIfAbsent(keyValue, k -> new AtomicInteger());
        int n = c.get();
        if (n < 0) {
          inFlight.remove(keyValue, c); // released to nothing meanwhile: take a fresh one
          continue;
        }
        if (n >= max) {
          return false;
        }
        if (c.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    @Override
    public void release(String keyValue) {
      AtomicInteger c = inFlight.get(keyValue);
      if (c == null) {
        return;
      }
      // The last one out retires the counter (-1), so an acquire racing with it takes a new one.
      if (c.decrementAndGet() == 0 && c.compareAndSet(0, -1)) {
        inFlight.remove(keyValue, c);
      }
    }

    int inFlight(String keyValue) {
      AtomicInteger c = inFlight.get(keyValue);
      return c == null ? 0 : Math.max(0, c.get());
    }

    int keys() {
      return inFlight.size();
    }
  }
}
