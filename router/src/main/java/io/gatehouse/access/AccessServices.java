package io.gatehouse.access;

import io.gatehouse.policy.PolicyServices;
import io.gatehouse.policy.RateLimits;
import io.gatehouse.table.InMemoryLimitCounters;
import io.gatehouse.table.LimitCounters;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The node's {@link PolicyServices}: one per node, made by the node before its first snapshot and
 * closed when it stops. Each service is created on first use, so a node without access policies
 * opens no client and starts no timer.
 */
public final class AccessServices implements PolicyServices, AutoCloseable {
  private final Vertx vertx;
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

  @Override
  public synchronized void close() {
    if (rateLimits != null) {
      rateLimits.close();
    }
    if (openedCounters != null) {
      openedCounters.close(); // says goodbye: the others see a graceful leave
    }
  }
}
