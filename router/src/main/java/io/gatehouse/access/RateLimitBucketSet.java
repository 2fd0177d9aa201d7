package io.gatehouse.access;

import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.policy.RateLimitBuckets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One rate limit's token buckets on this node, one per key value, shared by every event loop. A
 * bucket is a short lock around two numbers (tokens as a double, the last refill time):
 * hand-written rather than a library's because the global scope needs what no local limiter offers,
 * taking other members' counts off the same bucket (Gubernator's GLOBAL behaviour), and because its
 * whole cost is a map lookup and an uncontended lock ({@code RateLimitBenchmark}).
 *
 * <p>Global: every bucket refills at the cluster's rate, is taken from by this node's requests at
 * once and by the other members' reports when they arrive (the balance may go into debt, at most
 * one burst, which later refills repay), so over any window the cluster admits the rate plus one
 * burst plus what the members admitted during one report's delay. A bucket this node admitted from
 * is queued once until the next report reads its count.
 *
 * <p>A bucket that has refilled to its burst is the same as a new one, so the sweep evicts it with
 * nothing lost; the service caps the buckets of all limits together, and a key value that finds the
 * cap reached shares one overflow bucket of its limit (a flood of distinct addresses is limited as
 * one client rather than growing memory).
 */
final class RateLimitBucketSet implements RateLimitBuckets {
  /** The overflow bucket's key: no header, claim or address is empty with a NUL in it. */
  static final String OVERFLOW = "\u0000overflow";

  final String id;
  final boolean global;
  private final RateLimitService service;
  private final double tokensPerNano;
  private final double burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Bucket> unreported = new ConcurrentLinkedQueue<>();

  RateLimitBucketSet(String id, RateLimit spec, RateLimitService service) {
    this.id = id;
    this.global = spec.scope() == RateLimit.Scope.GLOBAL;
    this.service = service;
    this.tokensPerNano = (double) spec.requests() / spec.per().toNanos();
    this.burst = spec.burst();
  }

  final class Bucket {
    final String key;
    private double tokens;
    private long last;
    private long unsent;
    private boolean evicted;

    Bucket(String key, long now) {
      this.key = key;
      this.tokens = Math.max(1.0, burst * share());
      this.last = now;
    }

    private double share() {
      return global ? service.share() : 1.0;
    }

    // Caller holds the lock.
    private void refill(long now) {
      double s = share();
      double cap = Math.max(1.0, burst * s);
      if (now > last) {
        tokens = Math.min(cap, tokens + (now - last) * tokensPerNano * s);
        last = now;
      } else if (tokens > cap) {
        tokens = cap; // the share shrank
      }
    }

    /** See {@link RateLimitBuckets#take}; Long.MIN_VALUE: evicted meanwhile, look again. */
    synchronized long take(long now) {
      if (evicted) {
        return Long.MIN_VALUE;
      }
      refill(now);
      if (tokens >= 1.0) {
        tokens -= 1.0;
        if (global && unsent++ == 0) {
          unreported.add(this);
        }
        return (long) tokens;
      }
      double nanos = (1.0 - tokens) / (tokensPerNano * share());
      return -1 - (long) Math.ceil(nanos / 1_000_000.0);
    }

    synchronized boolean takeRemote(long count, long now) {
      if (evicted) {
        return false;
      }
      refill(now);
      tokens = Math.max(-burst, tokens - count);
      return true;
    }

    synchronized long drainUnsent() {
      long n = unsent;
      unsent = 0;
      return n;
    }

    /** Marks the bucket evicted when it is full and has nothing to report. */
    synchronized boolean evictIfIdle(long now) {
      refill(now);
      if (unsent == 0 && tokens >= Math.max(1.0, burst * share())) {
        evicted = true;
      }
      return evicted;
    }

    synchronized double tokens(long now) {
      refill(now);
      return tokens;
    }
  }

  @Override
  public long take(String keyValue) {
    long now = service.nanoTime();
    for (int i = 0; i < 3; i++) {
      long r = bucket(keyValue, now).take(now);
      if (r != Long.MIN_VALUE) {
        return r;
      }
    }
    return bucket(OVERFLOW, now).take(now); // evicted three times in a row: never in practice
  }

  private Bucket bucket(String keyValue, long now) {
    Bucket b = buckets.get(keyValue);
    if (b != null) {
      return b;
    }
    if (!service.reserve()) {
      // At the cap: the new key value shares the overflow bucket (one per limit, not counted).
      service.overflowed(id);
      return buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(k, now));
    }
    Bucket fresh = new Bucket(keyValue, now);
    Bucket raced = buckets.putIfAbsent(keyValue, fresh);
    if (raced != null) {
      service.unreserve();
      return raced;
    }
    return fresh;
  }

  /** Another member admitted {@code count} from {@code keyValue}'s bucket. */
  void remote(String keyValue, long count) {
    long now = service.nanoTime();
    for (int i = 0; i < 3; i++) {
      if (bucket(keyValue, now).takeRemote(count, now)) {
        return;
      }
    }
  }

  /** Adds what this node admitted since the last report to {@code report}, by bucket id. */
  void report(Map<String, Long> report) {
    Bucket b;
    while ((b = unreported.poll()) != null) {
      long n = b.drainUnsent();
      if (n > 0) {
        report.merge(id + "\n" + b.key, n, Long::sum);
      }
    }
  }

  /** Evicts full buckets; returns how many. */
  int sweep() {
    long now = service.nanoTime();
    int n = 0;
    for (Bucket b : buckets.values()) {
      if (b.evictIfIdle(now) && buckets.remove(b.key, b)) {
        n++;
        if (!b.key.equals(OVERFLOW)) {
          service.unreserve();
        }
      }
    }
    return n;
  }

  int size() {
    return buckets.size();
  }

  /** The tokens in {@code keyValue}'s bucket now, or the burst when it has none (tests). */
  double tokens(String keyValue) {
    Bucket b = buckets.get(keyValue);
    return b == null ? burst : b.tokens(service.nanoTime());
  }
}
