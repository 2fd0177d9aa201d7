package io.gatehouse.access;

import io.gatehouse.policy.PasswordChecks;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link PasswordChecks}: a bounded pool of its own that hashes Basic auth passwords
 * (bcrypt, Argon2) so no event loop ever does, and a {@link HashCheckCache} of recent successes. A
 * full queue answers {@link Verdict#BUSY} at once (the filter's 503) rather than letting requests
 * wait behind minutes of hashing; a check whose request has ended while it was queued is skipped.
 * Defaults: half the cores as threads (at least one: hashing is CPU-bound and shares the cores with
 * the event loops), {@value #DEFAULT_QUEUE} queued checks, successes remembered {@link
 * #DEFAULT_TTL} for up to {@value #DEFAULT_CACHE_ENTRIES} credentials.
 */
public final class HashChecks implements PasswordChecks, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HashChecks.class);

  static final int DEFAULT_QUEUE = 64;
  static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
  static final int DEFAULT_CACHE_ENTRIES = 10_000;

  private final ThreadPoolExecutor pool;
  private final HashCheckCache cache;

  HashChecks(int threads, int queue, HashCheckCache cache) {
    this.cache = cache;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "gatehouse-password-check-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** The node's pool, with the defaults above. */
  static HashChecks forNode() {
    return new HashChecks(
        Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
        DEFAULT_QUEUE,
        new HashCheckCache(DEFAULT_TTL.toNanos(), DEFAULT_CACHE_ENTRIES, System::nanoTime));
  }

  @Override
  public @Nullable Verdict check(String user, byte[] password, String hash, Waiter waiter) {
    HashCheckCache.Key key = cache.key(user, password, hash);
    if (cache.remembers(key)) {
      return Verdict.MATCH;
    }
    // The waiter is told on the caller's event loop; without one (tests), on the pool's thread.
    Context context = Vertx.currentContext();
    try {
      pool.execute(() -> run(key, password, hash, waiter, context));
    } catch (RejectedExecutionException e) {
      return Verdict.BUSY;
    }
    return null;
  }

  private void run(
      HashCheckCache.Key key,
      byte[] password,
      String hash,
      Waiter waiter,
      @Nullable Context context) {
    if (waiter.abandoned()) {
      return; // the client left or the request timed out while queued: spend nothing on it
    }
    boolean match;
    try {
      match = HashVerifier.matches(hash, password);
    } catch (RuntimeException e) {
      // A validated hash does not get here; a refusal is the safe answer if one does.
      LOG.warn("a password hash could not be checked: {}", e.getClass().getSimpleName());
      match = false;
    }
    if (match) {
      cache.remember(key);
    }
    Verdict v = match ? Verdict.MATCH : Verdict.MISMATCH;
    if (context == null) {
      waiter.done(v);
    } else {
      context.runOnContext(ignored -> waiter.done(v));
    }
  }

  /** Checks queued or running now (for tests and metrics). */
  int pending() {
    return pool.getQueue().size() + pool.getActiveCount();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
