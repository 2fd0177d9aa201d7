package io.gatehouse.health;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.upstream.Availability;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link Availability}: per endpoint (host and port), whether an outlier ejection holds
 * (this node's or one another member shared) and what the active checks say. Balancers read {@link
 * #version()}, one volatile read, and ask {@link #available} only when it moved; while nothing is
 * unavailable {@code available} answers without a look-up.
 *
 * <p>Writers (the detector, the probers, the cluster topic, the expiry timer) serialise on one lock
 * held for a few field writes, never while calling out. Every change bumps the version after the
 * endpoint's {@code unavailable} flag is written, so a reader that saw the new version sees the new
 * flag. Each ejection and each return is logged once at INFO.
 */
public final class HealthRegistry implements Availability {
  private static final Logger LOG = LoggerFactory.getLogger(HealthRegistry.class);

  /** Arms a one-shot timer; the node's is a Vert.x timer, the tests' a fake. */
  public interface Timers {
    void schedule(long delayNanos, Runnable task);
  }

  /** What this node decided itself, for the cluster to hear. */
  interface Changes {
    void ejected(EndpointHealth h, long expiresEpochMillis, long durationMillis, String reason);

    void verdict(EndpointHealth h, boolean healthy);
  }

  /**
   * An ejection, for explain and metrics.
   *
   * @param by the member that ejected it; empty for this node
   * @param expiresEpochMillis when it ends, on this node's wall clock
   */
  public record Ejection(
      String host, int port, String reason, String by, long expiresEpochMillis, int ejections) {}

  private final HealthClock clock;
  private final Timers timers;
  private final Object lock = new Object();
  private final ConcurrentHashMap<Endpoint, EndpointHealth> byEndpoint = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();
  private final List<Changes> listeners = new CopyOnWriteArrayList<>();

  // Guarded by lock: the endpoints with an ejection, or an ejection count still decaying.
  private final Set<EndpointHealth> remembered = new HashSet<>();

  /** Endpoints whose flag is set: while 0, {@link #available} needs no look-up. */
  private volatile int unavailableCount;

  public HealthRegistry(HealthClock clock, Timers timers) {
    this.clock = clock;
    this.timers = timers;
  }

  @Override
  public long version() {
    return version.get();
  }

  @Override
  public boolean available(Endpoint endpoint) {
    if (unavailableCount == 0) {
      return true;
    }
    EndpointHealth h = byEndpoint.get(key(endpoint.host(), endpoint.port(), endpoint));
    return h == null || !h.unavailable;
  }

  HealthClock clock() {
    return clock;
  }

  /** The state of {@code host:port}, created on first use. */
  EndpointHealth health(String host, int port) {
    return byEndpoint.computeIfAbsent(
        key(host, port, null), k -> new EndpointHealth(k.host(), k.port()));
  }

  /** Weight ignored: the map holds weight-1 keys, and most endpoints already are one. */
  private static Endpoint key(String host, int port, @Nullable Endpoint given) {
    return given != null && given.weight() == Endpoint.DEFAULT_WEIGHT
        ? given
        : Endpoint.of(host, port);
  }

  void listen(Changes changes) {
    listeners.add(changes);
  }

  /**
   * Ejects {@code h}, one of {@code backend}'s endpoints, unless it already is or {@code backend}
   * already has its most ejected endpoints ({@code maxEjectionPercent}, at least one). The n-th
   * ejection lasts {@code base × n}, at most {@code max}. Returns whether it ejected.
   */
  boolean tryEject(
      EndpointHealth[] backend, EndpointHealth h, OutlierDetection policy, String why) {
    long now = clock.nanoTime();
    long durationNanos;
    long expires;
    synchronized (lock) {
      if (h.ejected) {
        h.resetCounters();
        return false;
      }
      int ejected = 0;
      for (EndpointHealth e : backend) {
        ejected += e.ejected ? 1 : 0;
      }
      int allowed = Math.max(1, backend.length * policy.maxEjectionPercent() / 100);
      if (ejected >= allowed) {
        return false;
      }
      h.ejections++;
      durationNanos = ejectionNanos(policy, h.ejections);
      expires = clock.epochMillis() + TimeUnit.NANOSECONDS.toMillis(durationNanos);
      h.decayIntervalNanos = policy.interval().toNanos();
      setEjected(h, now + durationNanos, expires, why, "");
      h.resetCounters();
    }
    changed();
    timers.schedule(durationNanos, this::expire);
    LOG.atInfo()
        .setMessage("endpoint ejected")
        .addKeyValue("endpoint", h.authority())
        .addKeyValue("reason", why)
        .addKeyValue("ejections", h.ejections)
        .addKeyValue("ms", TimeUnit.NANOSECONDS.toMillis(durationNanos))
        .log();
    long durationMillis = TimeUnit.NANOSECONDS.toMillis(durationNanos);
    for (Changes l : listeners) {
      l.ejected(h, expires, durationMillis, why);
    }
    return true;
  }

  /** {@code base × n}, at most {@code max} (never below base), without overflow. */
  static long ejectionNanos(OutlierDetection policy, int n) {
    long base = policy.baseEjectionTime().toNanos();
    long max = Math.max(base, policy.maxEjectionTime().toNanos());
    return n <= 0 || base > max / n ? max : base * n;
  }

  /**
   * Another member ejected {@code host:port} until {@code expiresEpochMillis} on its clock, for
   * {@code durationMillis}: held until that expiry read on this clock, but never longer than the
   * duration from now, so a skewed clock cannot make it last longer than the sender meant.
   */
  void ejectShared(
      String host,
      int port,
      long expiresEpochMillis,
      long durationMillis,
      String why,
      String member) {
    long remainingMillis = Math.min(expiresEpochMillis - clock.epochMillis(), durationMillis);
    if (remainingMillis <= 0) {
      return;
    }
    long remaining = TimeUnit.MILLISECONDS.toNanos(remainingMillis);
    EndpointHealth h = health(host, port);
    long now = clock.nanoTime();
    synchronized (lock) {
      if (h.ejected && h.ejectedUntilNanos - (now + remaining) >= 0) {
        return; // already held at least as long
      }
      setEjected(h, now + remaining, clock.epochMillis() + remainingMillis, why, member);
    }
    changed();
    timers.schedule(remaining, this::expire);
    LOG.atInfo()
        .setMessage("endpoint ejected by another member")
        .addKeyValue("endpoint", h.authority())
        .addKeyValue("reason", why)
        .addKeyValue("member", member)
        .addKeyValue("ms", remainingMillis)
        .log();
  }

  private void setEjected(
      EndpointHealth h, long untilNanos, long expiresEpochMillis, String why, String by) {
    h.ejected = true;
    h.ejectedUntilNanos = untilNanos;
    h.expiresEpochMillis = expiresEpochMillis;
    h.reason = why;
    h.ejectedBy = by;
    remembered.add(h);
    flag(h);
  }

  /** Ends every ejection whose time has come; the ejection timers call it. */
  public void expire() {
    long now = clock.nanoTime();
    List<EndpointHealth> back = new ArrayList<>();
    synchronized (lock) {
      for (EndpointHealth h : remembered) {
        if (h.ejected && now - h.ejectedUntilNanos >= 0) {
          h.ejected = false;
          h.lastDecayNanos = now;
          h.resetCounters();
          flag(h);
          back.add(h);
        }
      }
      remembered.removeIf(h -> !h.ejected && h.ejections == 0);
    }
    if (!back.isEmpty()) {
      changed();
      for (EndpointHealth h : back) {
        LOG.atInfo()
            .setMessage("endpoint returned")
            .addKeyValue("endpoint", h.authority())
            .addKeyValue("reason", h.reason)
            .log();
      }
    }
  }

  /**
   * Envoy's decay: an endpoint not ejected for a whole interval (of the policy that last ejected
   * it) has its ejection count lowered by one, so its next ejection is shorter again.
   */
  void decay() {
    long now = clock.nanoTime();
    synchronized (lock) {
      for (EndpointHealth h : remembered) {
        if (!h.ejected && h.ejections > 0 && now - h.lastDecayNanos >= h.decayIntervalNanos) {
          h.ejections--;
          h.lastDecayNanos = now;
        }
      }
      remembered.removeIf(h -> !h.ejected && h.ejections == 0);
    }
  }

  /**
   * The active checks' verdict on {@code host:port}; {@code local} when this node probed it (the
   * cluster then hears it). A verdict equal to the current one changes nothing.
   */
  void verdict(String host, int port, boolean healthy, boolean local, String from) {
    EndpointHealth h = health(host, port);
    synchronized (lock) {
      if (h.healthy == healthy) {
        return;
      }
      h.healthy = healthy;
      flag(h);
    }
    changed();
    LOG.atInfo()
        .setMessage(
            healthy ? "endpoint passes its health check" : "endpoint fails its health check")
        .addKeyValue("endpoint", h.authority())
        .addKeyValue("by", local ? "this node" : from)
        .log();
    if (local) {
      for (Changes l : listeners) {
        l.verdict(h, healthy);
      }
    }
  }

  /** The active checks' current verdict on {@code host:port} (healthy until told otherwise). */
  boolean healthy(String host, int port) {
    EndpointHealth h = byEndpoint.get(Endpoint.of(host, port));
    if (h == null) {
      return true;
    }
    synchronized (lock) {
      return h.healthy;
    }
  }

  private void flag(EndpointHealth h) {
    boolean now = h.ejected || !h.healthy;
    if (now != h.unavailable) {
      h.unavailable = now;
      unavailableCount += now ? 1 : -1; // under the lock: the only writer
    }
  }

  private void changed() {
    version.incrementAndGet();
  }

  /** The endpoints ejected now, soonest expiry first (explain, metrics). */
  public List<Ejection> ejected() {
    List<Ejection> out = new ArrayList<>();
    synchronized (lock) {
      for (EndpointHealth h : remembered) {
        if (h.ejected) {
          out.add(
              new Ejection(
                  h.host, h.port, h.reason, h.ejectedBy, h.expiresEpochMillis, h.ejections));
        }
      }
    }
    out.sort(Comparator.comparingLong(Ejection::expiresEpochMillis));
    return out;
  }

  /** The endpoints whose active check fails now, as {@code host:port} (explain, metrics). */
  public List<String> unhealthy() {
    List<String> out = new ArrayList<>();
    for (EndpointHealth h : failingChecks()) {
      out.add(h.authority());
    }
    out.sort(null);
    return out;
  }

  /** The endpoints whose active check fails now. */
  List<EndpointHealth> failingChecks() {
    List<EndpointHealth> out = new ArrayList<>();
    synchronized (lock) {
      for (EndpointHealth h : byEndpoint.values()) {
        if (!h.healthy) {
          out.add(h);
        }
      }
    }
    return out;
  }

  /**
   * Forgets endpoints no backend lists any more and nothing holds (no ejection, no decaying count,
   * a healthy verdict), so churning pods do not grow the map.
   */
  void retainOnly(Collection<Endpoint> live) {
    Set<Endpoint> keep = new HashSet<>();
    for (Endpoint e : live) {
      keep.add(Endpoint.of(e.host(), e.port()));
    }
    synchronized (lock) {
      byEndpoint
          .entrySet()
          .removeIf(
              en -> {
                EndpointHealth h = en.getValue();
                return !keep.contains(en.getKey())
                    && !h.ejected
                    && h.ejections == 0
                    && h.healthy
                    && !remembered.contains(h);
              });
    }
  }

  /** How many endpoints the registry holds (tests, metrics). */
  int size() {
    return byEndpoint.size();
  }
}
