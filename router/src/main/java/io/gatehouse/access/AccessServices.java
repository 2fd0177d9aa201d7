package io.gatehouse.access;

import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.policy.ForwardAuthService;
import io.gatehouse.policy.JwtKeySource;
import io.gatehouse.policy.PasswordChecks;
import io.gatehouse.policy.PolicyServices;
import io.gatehouse.policy.RateLimits;
import io.gatehouse.table.InMemoryLimitCounters;
import io.gatehouse.table.LimitCounters;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The node's {@link PolicyServices}: one per node, made by the node before its first snapshot and
 * closed when it stops. Each service is created on first use, so a node without access policies
 * opens no client and starts no timer.
 */
public final class AccessServices implements PolicyServices, AutoCloseable {
  private final Vertx vertx;
  private @Nullable HashChecks hashChecks;
  private final Supplier<LimitCounters> limitCounters;
  private @Nullable LimitCounters openedCounters;
  private @Nullable RateLimitService rateLimits;

  public AccessServices(Vertx vertx) {
    this(vertx, InMemoryLimitCounters::new);
  }

  /**
   * @param limitCounters opens the cluster's counters for global rate limits (the table's Hazelcast
   *     member, or in memory on a node alone) on the first limit compiled
   */
  public AccessServices(Vertx vertx, Supplier<LimitCounters> limitCounters) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.limitCounters = Objects.requireNonNull(limitCounters, "limitCounters");
  }

  @Override
  public synchronized RateLimits rateLimits() {
    RateLimitService s = rateLimits;
    if (s == null) {
      LimitCounters c = limitCounters.get();
      openedCounters = c;
      s = RateLimitService.start(c, RateLimitService.DEFAULT_REPORT_INTERVAL);
      rateLimits = s;
    }
    return s;
  }

  Vertx vertx() {
    return vertx;
  }

  /** The forward-auth client; made on the first route that needs it. */
  private @Nullable ForwardAuthClient forwardAuth;

  @Override
  public synchronized PasswordChecks passwordChecks() {
    if (hashChecks == null) {
      hashChecks = HashChecks.forNode();
    }
    return hashChecks;
  }

  @Override
  public synchronized ForwardAuthService forwardAuth() {
    if (forwardAuth == null) {
      forwardAuth = new ForwardAuthClient(vertx);
    }
    return forwardAuth;
  }

  // ---- JWT: one JWK Set cache per URL and timings, one fetch client for all of them.

  /** A JWK Set cache's identity: routes naming the same URL and timings share one. */
  private record JwksKey(String uri, Duration cache, Duration minRefetch, Duration timeout) {}

  private final ConcurrentHashMap<JwksKey, JwksCache> jwkSets = new ConcurrentHashMap<>();
  private @Nullable JwksFetcher jwksFetcher;

  @Override
  public JwtKeySource jwtKeys(JwtAuth spec) {
    String uri = Objects.requireNonNull(spec.jwksUri(), "jwksUri");
    JwksKey key =
        new JwksKey(uri, spec.jwksCacheDuration(), spec.jwksMinRefetch(), spec.jwksTimeout());
    JwksCache cache = jwkSets.get(key);
    if (cache == null) {
      JwksCache made =
          new JwksCache(
              uri,
              key.cache(),
              key.minRefetch(),
              System::nanoTime,
              () -> jwksFetcher().fetch(uri, key.timeout()),
              AccessServices::callerLoop);
      cache = jwkSets.putIfAbsent(key, made);
      if (cache == null) {
        cache = made;
        made.prefetch(); // the first request finds the keys already here
      }
    }
    return cache;
  }

  private synchronized JwksFetcher jwksFetcher() {
    JwksFetcher f = jwksFetcher;
    if (f == null) {
      f = new JwksFetcher(vertx);
      jwksFetcher = f;
    }
    return f;
  }

  /** The calling thread's Vert.x context as an executor, or null off Vert.x threads. */
  private static @Nullable Executor callerLoop() {
    Context c = Vertx.currentContext();
    if (c == null) {
      return null;
    }
    return task -> c.runOnContext(v -> task.run());
  }

  @Override
  public synchronized void close() {
    if (hashChecks != null) {
      hashChecks.close();
    }
    if (forwardAuth != null) {
      forwardAuth.close();
    }
    if (jwksFetcher != null) {
      jwksFetcher.close();
      jwksFetcher = null;
    }
    if (rateLimits != null) {
      rateLimits.close();
    }
    if (openedCounters != null) {
      openedCounters.close(); // says goodbye: the others see a graceful leave
    }
  }
}
