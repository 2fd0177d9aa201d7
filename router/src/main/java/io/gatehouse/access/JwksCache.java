package io.gatehouse.access;

import io.gatehouse.policy.JwtKeySet;
import io.gatehouse.policy.JwtKeySource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's copy of one JWK Set URL. A fetched set is used for its cache duration; past it, it is
 * refetched in the background while still used, up to twice the cache duration (then, with the URL
 * still failing, no key is trusted and tokens are refused). A token naming an unknown {@code kid}
 * may cause one refetch per minimum refetch interval (an attacker sending random {@code kid}s
 * causes no more); a missing set is retried at most once a second (or the minimum refetch interval
 * when shorter). Every caller waiting at one time shares one fetch. A fetch that fails, or yields
 * no usable key, keeps the set held before. Pure logic over a fetch function and a clock, so it is
 * tested without a network or a wait.
 */
final class JwksCache implements JwtKeySource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

  /** The retry interval, at most, while no set could be fetched. */
  static final Duration MISSING_RETRY = Duration.ofSeconds(1);

  /** One fetch of the set's text; fails on any error, including its own timeout. */
  interface Fetch {
    CompletionStage<String> fetch();
  }

  private record Held(JwtKeySet keys, long fetchedAt) {}

  private final String uri;
  private final long cacheNanos;
  private final long minRefetchNanos;
  private final long missingRetryNanos;
  private final LongSupplier nanoClock;
  private final Fetch fetch;
  private final Supplier<@Nullable Executor> callerLoop;

  private volatile @Nullable Held held;

  // Guarded by this.
  private @Nullable CompletableFuture<JwtKeySet> inFlight;
  private boolean started;
  private long lastStart;
  private boolean failing;
  private List<String> lastSkipped = List.of();

  /**
   * @param callerLoop the event loop of the calling thread, or null when it is none: a waiter is
   *     completed there
   */
  JwksCache(
      String uri,
      Duration cacheDuration,
      Duration minRefetch,
      LongSupplier nanoClock,
      Fetch fetch,
      Supplier<@Nullable Executor> callerLoop) {
    this.uri = uri;
    this.cacheNanos = cacheDuration.toNanos();
    this.minRefetchNanos = minRefetch.toNanos();
    this.missingRetryNanos = Math.min(MISSING_RETRY.toNanos(), minRefetchNanos);
    this.nanoClock = nanoClock;
    this.fetch = fetch;
    this.callerLoop = callerLoop;
  }

  @Override
  public JwtKeySet current() {
    Held h = held;
    if (h == null) {
      return JwtKeySet.EMPTY;
    }
    long age = nanoClock.getAsLong() - h.fetchedAt();
    if (age < cacheNanos) {
      return h.keys();
    }
    synchronized (this) {
      if (inFlight == null && mayStart(missingRetryNanos)) {
        start();
      }
    }
    return age < 2 * cacheNanos ? h.keys() : JwtKeySet.EMPTY;
  }

  @Override
  public CompletionStage<JwtKeySet> refresh(boolean unknownKid) {
    CompletableFuture<JwtKeySet> f;
    synchronized (this) {
      if (inFlight != null) {
        f = inFlight;
      } else if (!mayStart(unknownKid ? minRefetchNanos : missingRetryNanos)) {
        return CompletableFuture.completedFuture(usable());
      } else {
        f = start();
      }
    }
    if (f.isDone()) {
      return f;
    }
    Executor loop = callerLoop.get();
    return loop == null ? f : f.thenApplyAsync(k -> k, loop);
  }

  /** Starts a fetch now (as a node does when a route first names the URL), unless one runs. */
  synchronized void prefetch() {
    if (inFlight == null) {
      start();
    }
  }

  private boolean mayStart(long interval) {
    return !started || nanoClock.getAsLong() - lastStart >= interval;
  }

  /** The set held, unless too stale to trust. */
  private JwtKeySet usable() {
    Held h = held;
    if (h == null || nanoClock.getAsLong() - h.fetchedAt() >= 2 * cacheNanos) {
      return JwtKeySet.EMPTY;
    }
    return h.keys();
  }

  private CompletableFuture<JwtKeySet> start() {
    CompletableFuture<JwtKeySet> f = new CompletableFuture<>();
    inFlight = f;
    started = true;
    lastStart = nanoClock.getAsLong();
    CompletionStage<String> body;
    try {
      body = fetch.fetch();
    } catch (RuntimeException e) {
      body = CompletableFuture.failedFuture(e);
    }
    body.whenComplete((text, error) -> done(f, text, error));
    return f;
  }

  private void done(CompletableFuture<JwtKeySet> f, @Nullable String text, @Nullable Throwable e) {
    JwtKeySet keys = null;
    String problem = null;
    if (e != null || text == null) {
      problem = e == null ? "no body" : describe(e);
    } else {
      try {
        keys = JwtKeySet.parse(text, false);
        if (keys.size() == 0) {
          problem = "no usable key" + (keys.skipped().isEmpty() ? "" : ": " + keys.skipped());
          keys = null;
        }
      } catch (IllegalArgumentException ex) {
        problem = ex.getMessage();
      }
    }
    boolean logFailure;
    boolean logRecovery;
    boolean logSkipped = false;
    synchronized (this) {
      if (keys != null) {
        held = new Held(keys, nanoClock.getAsLong());
        logRecovery = failing;
        logFailure = false;
        failing = false;
        if (!keys.skipped().equals(lastSkipped)) {
          lastSkipped = keys.skipped();
          logSkipped = !lastSkipped.isEmpty();
        }
      } else {
        logFailure = !failing;
        logRecovery = false;
        failing = true;
      }
      inFlight = null;
    }
    // A change of state at warn/info, the repeats at debug: an endpoint down for an hour logs once.
    if (logFailure) {
      LOG.warn("JWK Set at {} could not be had: {}; keeping what was held, if any", uri, problem);
    } else if (problem != null) {
      LOG.debug("JWK Set at {} could not be had again: {}", uri, problem);
    }
    if (logRecovery) {
      LOG.info("JWK Set at {} fetched again", uri);
    }
    if (logSkipped && keys != null) {
      LOG.warn("JWK Set at {}: keys left out: {}", uri, keys.skipped());
    }
    f.complete(usable());
  }

  private static String describe(Throwable e) {
    Throwable t = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public String toString() {
    return "JwksCache[" + uri + "]";
  }
}
