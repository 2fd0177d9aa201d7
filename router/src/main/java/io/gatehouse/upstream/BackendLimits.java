package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.backend.CircuitBreaker;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The node's circuit breakers: per backend ({@link EndpointsKey}), counters that every event loop
 * shares (connections open, requests waiting for one, requests and retries in flight), checked
 * against the backend's {@link CircuitBreaker}. An overflow is refused at once and counted by
 * {@link Limit}; nothing waits without bound (the pending list is bounded, and each waiter by the
 * connect timeout).
 *
 * <p>Owned by the node, handed to every loop through the router settings; each loop reaches a
 * backend's counters through its {@link Local} cache, an array by endpoint-index slot (no map
 * look-up per request). The limits are Envoy's per-proxy ones: N nodes allow N times as much. The
 * counters of a backend the node no longer serves are dropped once idle ({@link #prune}), so a node
 * whose routes come and go by REST does not keep one object per backend it ever served.
 */
public final class BackendLimits {

  /** Which limit refused a request: the reason Gatehouse names in its 503 and access log. */
  public enum Limit {
    MAX_CONNECTIONS,
    MAX_PENDING,
    MAX_REQUESTS,
    MAX_RETRIES,
    /** Not an overflow answer: a retry the retry budget refused (the failure went as it was). */
    RETRY_BUDGET;

    private final String reason = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /**
     * The reason as the {@code x-gatehouse-overflow} header names it, e.g. {@code max-requests}.
     */
    public String reason() {
      return reason;
    }
  }

  /**
   * A request refused by a limit: the failure of a connection lease; no stack trace (one shared
   * instance per limit, thrown only as a future's cause).
   */
  public static final class Overflow extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Limit limit;

    private Overflow(Limit limit) {
      super(limit.reason(), null, false, false);
      this.limit = limit;
    }

    public Limit limit() {
      return limit;
    }
  }

  static final Overflow CONNECTIONS_OVERFLOW = new Overflow(Limit.MAX_CONNECTIONS);
  static final Overflow PENDING_OVERFLOW = new Overflow(Limit.MAX_PENDING);

  /** One backend's counters on this node; shared by every event loop, so all atomic. */
  public static final class Backend {
    private final BackendLimits owner;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();

    /** FIFO of the requests waiting for a connection slot, from every loop. */
    final ConcurrentLinkedQueue<Http1Connections.Waiter> waiters = new ConcurrentLinkedQueue<>();

    /**
     * Dropped by {@link #prune}: a loop that still caches it asks the node again, so a key that
     * comes back counts on one set of counters, not on an old and a new one.
     */
    private volatile boolean retired;

    Backend(BackendLimits owner) {
      this.owner = owner;
    }

    /** Takes a place for a request in flight; false (counted) when {@code max} are. */
    public boolean tryBeginRequest(CircuitBreaker limits) {
      if (!tryTake(requests, limits.maxRequests())) {
        owner.count(Limit.MAX_REQUESTS);
        return false;
      }
      return true;
    }

    public void endRequest() {
      requests.decrementAndGet();
    }

    /**
     * Takes a place for a retry when both the retry budget and {@code maxRetries} allow it ({@link
     * #retryAllowed}); false, counted by the limit that refused, when not.
     */
    public boolean tryBeginRetry(int budgetPercent, int minRetryConcurrency, int maxRetries) {
      for (; ; ) {
        int r = retries.get();
        Limit refused =
            retryRefusedBy(r, requests.get(), budgetPercent, minRetryConcurrency, maxRetries);
        if (refused != null) {
          owner.count(refused);
          return false;
        }
        if (retries.compareAndSet(r, r + 1)) {
          return true;
        }
      }
    }

    public void endRetry() {
      retries.decrementAndGet();
    }

    /** Requests in flight now (for tests and explain). */
    public int requests() {
      return requests.get();
    }

    public int retries() {
      return retries.get();
    }

    public int connections() {
      return connections.get();
    }

    public int pending() {
      return pending.get();
    }

    /** Takes a connection slot when fewer than {@code max} are open. */
    boolean tryOpenConnection(int max) {
      return tryTake(connections, max);
    }

    /**
     * A connection slot is free (a counted connection closed, or a waiter gave back one it did not
     * need): it goes to the first waiter still waiting, else back to the pool of slots.
     */
    void connectionClosed() {
      Http1Connections.Waiter w;
      while ((w = waiters.poll()) != null) {
        if (w.grant()) {
          return;
        }
      }
      connections.decrementAndGet();
    }

    void count(Limit limit) {
      owner.count(limit);
    }

    private boolean idle() {
      return connections.get() == 0
          && pending.get() == 0
          && requests.get() == 0
          && retries.get() == 0
          && waiters.isEmpty();
    }
  }

  /**
   * Whether a retry may start with {@code retries} in flight for a backend with {@code requests} in
   * flight: null when it may, else the limit that refuses it. The budget allows {@code
   * max(minRetryConcurrency, budgetPercent % of requests)} retries in flight (Envoy's retry
   * budget), and the backend's circuit breaker {@code maxRetries}; both must allow one more.
   */
  public static @Nullable Limit retryRefusedBy(
      int retries, int requests, int budgetPercent, int minRetryConcurrency, int maxRetries) {
    if (retries >= maxRetries) {
      return Limit.MAX_RETRIES;
    }
    long budget = Math.max(minRetryConcurrency, (long) requests * budgetPercent / 100);
    return retries >= budget ? Limit.RETRY_BUDGET : null;
  }

  private static boolean tryTake(AtomicInteger counter, int max) {
    for (; ; ) {
      int n = counter.get();
      if (n >= max) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private final ConcurrentHashMap<EndpointsKey, Backend> backends = new ConcurrentHashMap<>();
  private final AtomicLongArray refused = new AtomicLongArray(Limit.values().length);

  /** The counters of {@code key}'s backend, made on first use. */
  public Backend backend(EndpointsKey key) {
    return backends.computeIfAbsent(key, k -> new Backend(this));
  }

  /**
   * Drops the counters of the backends whose key is not in {@code live} (the keys the node's
   * endpoint index still holds) and that are idle: nothing open, waiting or in flight. A busy one
   * stays until a later pass finds it idle. Returns how many were dropped.
   */
  public int prune(Set<? extends EndpointsKey> live) {
    int dropped = 0;
    for (Map.Entry<EndpointsKey, Backend> e : backends.entrySet()) {
      Backend b = e.getValue();
      if (!live.contains(e.getKey()) && b.idle() && backends.remove(e.getKey(), b)) {
        b.retired = true;
        if (!b.idle()) {
          // A request took a place between the check and the removal: keep counting on it.
          b.retired = false;
          backends.putIfAbsent(e.getKey(), b);
          continue;
        }
        dropped++;
      }
    }
    return dropped;
  }

  /** How many backends have counters now (for tests). */
  public int size() {
    return backends.size();
  }

  void count(Limit limit) {
    refused.incrementAndGet(limit.ordinal());
  }

  /** Requests refused (or retries not made) by {@code limit} since the node started. */
  public long refused(Limit limit) {
    return refused.get(limit.ordinal());
  }

  /** A loop's view: the backends by endpoint-index slot, so a request reads an array. */
  public Local local() {
    return new Local(this);
  }

  /** One event loop's cache of backends by slot; touched only on its loop. */
  public static final class Local {
    private final BackendLimits node;
    private @Nullable EndpointsKey[] keys = new EndpointsKey[16];
    private @Nullable Backend[] backends = new Backend[16];

    private Local(BackendLimits node) {
      this.node = node;
    }

    /** The counters of the backend in {@code slot}, whose key is {@code key}. */
    public Backend forSlot(int slot, EndpointsKey key) {
      if (slot < keys.length) {
        EndpointsKey k = keys[slot];
        Backend b = backends[slot];
        if (b != null && !b.retired && (k == key || key.equals(k))) {
          keys[slot] = key; // the next look-up of this compile's key is one identity check
          return b;
        }
      } else {
        int n = Math.max(slot + 1, keys.length * 2);
        keys = Arrays.copyOf(keys, n);
        backends = Arrays.copyOf(backends, n);
      }
      Backend b = node.backend(key);
      keys[slot] = key;
      backends[slot] = b;
      return b;
    }
  }

  /** Requests waiting for a connection now, over every backend (for tests and metrics). */
  public int pendingTotal() {
    int n = 0;
    for (Backend b : backends.values()) {
      n += b.pending();
    }
    return n;
  }

  /** Counts since start; a test's or a scrape's view. */
  public long refusedTotal() {
    long n = 0;
    for (int i = 0; i < refused.length(); i++) {
      n += refused.get(i);
    }
    return n;
  }
}
