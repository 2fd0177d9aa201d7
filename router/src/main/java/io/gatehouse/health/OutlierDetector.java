package io.gatehouse.health;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.snapshot.Target;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Passive health, Envoy's outlier detection: every upstream attempt reports its outcome (a status,
 * or {@link #GATEWAY_ERROR}) and an endpoint is ejected after {@code consecutive5xx} 5xx in a row,
 * after {@code consecutiveGatewayErrors} gateway errors in a row, or when its success rate over an
 * interval lies far below its backend's mean.
 *
 * <p>Hot path. A report finds its backend by the target's endpoint-index slot (an array read, no
 * map), checks the backend was built for the balancer's set (one identity compare), finds the
 * endpoint in it (identity scan, or an identity hash table for large sets; no allocation) and
 * updates the endpoint's node-wide atomics; a success writes only when a counter is non-zero, so
 * healthy traffic from many event loops does not bounce a cache line. Success-rate counters exist
 * only for a policy that asks for them.
 */
public final class OutlierDetector implements AttemptOutcomes {
  /** The outcome of an attempt the upstream never answered: connect failure, reset, timeout. */
  public static final int GATEWAY_ERROR = 0;

  /** Sets up to this size are scanned by identity; larger ones have an identity hash table. */
  private static final int SCAN = 16;

  private final HealthRegistry registry;

  /** Told of each ejection this node's detector makes (metrics); nothing by default. */
  public interface Ejections {
    Ejections NONE = (backend, reason) -> {};

    /**
     * {@code reason}: {@code consecutive-5xx}, {@code consecutive-gateway-errors}, {@code
     * success-rate}.
     */
    void ejected(EndpointsKey backend, String reason);
  }

  private volatile Ejections ejections = Ejections.NONE;
  private final Object growLock = new Object();
  private volatile AtomicReferenceArray<@Nullable Backend> bySlot = new AtomicReferenceArray<>(64);

  /** One backend as this node sees it: built per endpoint set and policy (by identity). */
  static final class Backend {
    final EndpointSet set;
    final OutlierDetection policy;
    final List<Endpoint> endpoints;
    final EndpointHealth[] health;

    /** Attempts and failures per endpoint this interval; null without success-rate ejection. */
    final @Nullable AtomicLongArray attempts;

    final @Nullable AtomicLongArray failures;
    long nextJudgeNanos;

    Backend(EndpointSet set, OutlierDetection policy, HealthRegistry registry, long now) {
      this.set = set;
      this.policy = policy;
      this.endpoints = set.endpoints();
      this.health = new EndpointHealth[endpoints.size()];
      for (int i = 0; i < health.length; i++) {
        Endpoint e = endpoints.get(i);
        health[i] = registry.health(e.host(), e.port());
      }
      boolean rates = policy.successRate() != null;
      this.attempts = rates ? new AtomicLongArray(health.length) : null;
      this.failures = rates ? new AtomicLongArray(health.length) : null;
      this.nextJudgeNanos = now + policy.interval().toNanos();
      int n = endpoints.size();
      if (n > SCAN) {
        int size = Integer.highestOneBit(n * 2 - 1) << 1;
        Endpoint[] t = new Endpoint[size];
        int[] at = new int[size];
        for (int i = 0; i < n; i++) {
          Endpoint e = endpoints.get(i);
          int k = System.identityHashCode(e) & (size - 1);
          while (t[k] != null) {
            k = (k + 1) & (size - 1);
          }
          t[k] = e;
          at[k] = i;
        }
        this.table = t;
        this.slots = at;
      } else {
        this.table = null;
        this.slots = null;
      }
    }

    /**
     * Identity hash table of the endpoints (open addressing, linear probing), for sets above {@link
     * #SCAN}: the balancer hands back the very instances of the set, and an identity hash (kept in
     * the object header after its first use) is cheaper than comparing host strings.
     */
    private final Endpoint @Nullable [] table;

    private final int @Nullable [] slots;

    int indexOf(Endpoint e) {
      List<Endpoint> list = endpoints;
      int n = list.size();
      if (n <= SCAN) {
        for (int i = 0; i < n; i++) {
          if (list.get(i) == e) {
            return i;
          }
        }
        return byValue(e);
      }
      Endpoint[] t = table;
      int[] at = slots;
      if (t != null && at != null) {
        int mask = t.length - 1;
        for (int k = System.identityHashCode(e) & mask; t[k] != null; k = (k + 1) & mask) {
          if (t[k] == e) {
            return at[k];
          }
        }
      }
      return byValue(e);
    }

    /** An equal endpoint from an older set's balancer (a retry): found by host and port. */
    private int byValue(Endpoint e) {
      List<Endpoint> list = endpoints;
      int lo = 0;
      int hi = list.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        Endpoint x = list.get(mid);
        int c = x.host().compareTo(e.host());
        if (c == 0) {
          c = Integer.compare(x.port(), e.port());
        }
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -1;
    }
  }

  public OutlierDetector(HealthRegistry registry) {
    this.registry = registry;
  }

  /** Where this detector reports its ejections from now on. */
  public void onEjection(Ejections listener) {
    this.ejections = listener;
  }

  private void eject(Backend b, EndpointHealth h, String why) {
    if (registry.tryEject(b.health, h, b.policy, why)) {
      ejections.ejected(b.set.key(), why);
    }
  }

  /**
   * One attempt's outcome: {@code outcome} is the upstream's status, or {@link #GATEWAY_ERROR}.
   * {@code set} is the set the attempt's balancer picked from (null for the default backend, which
   * is not judged).
   */
  @Override
  public void report(Target target, @Nullable EndpointSet set, Endpoint endpoint, int outcome) {
    OutlierDetection policy = target.policy().outlierDetection();
    if (policy == null || set == null) {
      return;
    }
    Backend b = backend(target.slot(), set, policy);
    int i = b.indexOf(endpoint);
    if (i < 0) {
      return;
    }
    EndpointHealth h = b.health[i];
    boolean failed;
    if (outcome == GATEWAY_ERROR) {
      failed = true;
      int gateway = h.consecutiveGatewayErrors.incrementAndGet();
      int fives = h.consecutive5xx.incrementAndGet();
      if (reached(policy.consecutiveGatewayErrors(), gateway)) {
        eject(b, h, "consecutive-gateway-errors");
      } else if (reached(policy.consecutive5xx(), fives)) {
        eject(b, h, "consecutive-5xx");
      }
    } else {
      if (h.consecutiveGatewayErrors.get() != 0) {
        h.consecutiveGatewayErrors.set(0);
      }
      failed = outcome >= 500;
      if (failed) {
        if (reached(policy.consecutive5xx(), h.consecutive5xx.incrementAndGet())) {
          eject(b, h, "consecutive-5xx");
        }
      } else if (h.consecutive5xx.get() != 0) {
        h.consecutive5xx.set(0);
      }
    }
    AtomicLongArray attempts = b.attempts;
    AtomicLongArray failures = b.failures;
    if (attempts != null && failures != null) {
      attempts.incrementAndGet(i);
      if (failed) {
        failures.incrementAndGet(i);
      }
    }
  }

  private static boolean reached(int threshold, int count) {
    return threshold > 0 && count >= threshold;
  }

  private Backend backend(int slot, EndpointSet set, OutlierDetection policy) {
    AtomicReferenceArray<@Nullable Backend> a = bySlot;
    if (slot < a.length()) {
      Backend b = a.get(slot);
      if (b != null && b.set == set && b.policy == policy) {
        return b;
      }
    }
    Backend built = new Backend(set, policy, registry, registry.clock().nanoTime());
    synchronized (growLock) {
      a = bySlot;
      if (slot >= a.length()) {
        AtomicReferenceArray<@Nullable Backend> grown =
            new AtomicReferenceArray<>(Math.max(slot + 1, a.length() * 2));
        for (int i = 0; i < a.length(); i++) {
          grown.set(i, a.get(i));
        }
        bySlot = grown;
        a = grown;
      }
      a.set(slot, built);
    }
    return built;
  }

  /**
   * The periodic pass (the node runs it every 100 ms): judges the success rate of each backend
   * whose interval ended, lowers ejection counts that decayed, and ends expired ejections the
   * timers may have missed.
   */
  public void sweep() {
    long now = registry.clock().nanoTime();
    AtomicReferenceArray<@Nullable Backend> a = bySlot;
    for (int s = 0; s < a.length(); s++) {
      Backend b = a.get(s);
      if (b != null && now - b.nextJudgeNanos >= 0) {
        b.nextJudgeNanos = now + b.policy.interval().toNanos();
        judgeSuccessRate(b);
      }
    }
    registry.decay();
    registry.expire();
  }

  /** Forgets the backends of every slot not in {@code live} (their routes went). */
  public void retainSlots(Set<Integer> live) {
    synchronized (growLock) {
      AtomicReferenceArray<@Nullable Backend> a = bySlot;
      for (int s = 0; s < a.length(); s++) {
        if (a.get(s) != null && !live.contains(s)) {
          a.set(s, null);
        }
      }
    }
  }

  /**
   * Envoy's success-rate ejection: among the endpoints with at least {@code requestVolume} attempts
   * this interval, if there are {@code minimumHosts}, each whose success rate is below mean −
   * factor × standard deviation is ejected. The counters restart every interval.
   */
  static void judgeSuccessRate(Backend b, HealthRegistry registry) {
    judgeSuccessRate(b, registry, Ejections.NONE);
  }

  static void judgeSuccessRate(Backend b, HealthRegistry registry, Ejections ejections) {
    OutlierDetection.SuccessRate rule = b.policy.successRate();
    AtomicLongArray attempts = b.attempts;
    AtomicLongArray failures = b.failures;
    if (rule == null || attempts == null || failures == null) {
      return;
    }
    int n = b.health.length;
    double[] rates = new double[n];
    boolean[] eligible = new boolean[n];
    int count = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      long total = attempts.getAndSet(i, 0);
      long failed = failures.getAndSet(i, 0);
      if (total >= rule.requestVolume() && total > 0) {
        eligible[i] = true;
        rates[i] = 100.0 * (total - failed) / total;
        sum += rates[i];
        count++;
      }
    }
    if (count == 0 || count < rule.minimumHosts()) {
      return;
    }
    double mean = sum / count;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      if (eligible[i]) {
        squares += (rates[i] - mean) * (rates[i] - mean);
      }
    }
    double stdev = Math.sqrt(squares / count);
    double threshold = mean - rule.stdevFactorThousandths() / 1000.0 * stdev;
    for (int i = 0; i < n; i++) {
      if (eligible[i] && rates[i] < threshold) {
        if (registry.tryEject(b.health, b.health[i], b.policy, "success-rate")) {
          ejections.ejected(b.set.key(), "success-rate");
        }
      }
    }
  }

  private void judgeSuccessRate(Backend b) {
    judgeSuccessRate(b, registry, ejections);
  }
}
