package io.gatehouse.admin.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** A token bucket per token id: {@code burst} requests at once, refilled at {@code perSecond}. */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /** 0 when the request may go, else the whole seconds until one may (Retry-After). */
  public long acquire(String key) {
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanoTime.getAsLong()));
    synchronized (b) {
      long now = nanoTime.getAsLong();
      b.tokens = Math.min(burst, b.tokens + (now - b.last) / 1e9 * perSecond);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
    }
  }

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }
}
