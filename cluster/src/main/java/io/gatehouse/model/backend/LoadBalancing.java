package io.gatehouse.model.backend;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one request's endpoint is picked among the backend's available endpoints.
 *
 * @param algorithm the pick
 * @param hashOn what a hashing algorithm ({@link Algorithm#RING_HASH}, {@link Algorithm#MAGLEV})
 *     hashes; required by them, null for the others
 * @param affinity a cookie that pins a client to the endpoint it was first sent to (ingress-nginx
 *     {@code affinity: cookie}), on top of the algorithm, or null for none
 * @param slowStart an endpoint new to the backend (or back from an ejection) ramps its weight up
 *     linearly over this window, or null for none; round robin and least request only, as Envoy
 * @param panicThresholdPercent when fewer than this share of the endpoints are available (healthy
 *     and not ejected), every endpoint is used again, as Envoy's {@code healthy_panic_threshold}: a
 *     failing health check must not take the whole backend down; 0 turns panic off
 */
public record LoadBalancing(
    Algorithm algorithm,
    @Nullable HashOn hashOn,
    @Nullable CookieAffinity affinity,
    @Nullable Duration slowStart,
    int panicThresholdPercent) {

  /** Envoy's default: below half of the endpoints available, use them all. */
  public static final int DEFAULT_PANIC_THRESHOLD_PERCENT = 50;

  public static final LoadBalancing DEFAULT =
      new LoadBalancing(Algorithm.ROUND_ROBIN, null, null, null, DEFAULT_PANIC_THRESHOLD_PERCENT);

  public enum Algorithm {
    /** Smooth weighted round robin (nginx's), each event loop its own rotation. */
    ROUND_ROBIN,
    /**
     * The endpoint with the fewest requests in flight from this node, weight-adjusted; ties broken
     * at random.
     */
    LEAST_REQUEST,
    /** Two endpoints drawn at random (by weight), the one with fewer requests in flight. */
    POWER_OF_TWO,
    /**
     * Finagle's and Linkerd's peak EWMA: the lowest (moving-average latency, decaying fast on a
     * peak) times (requests in flight + 1), of two random draws.
     */
    PEAK_EWMA,
    /** A consistent-hash ring (Karger), virtual nodes by weight. */
    RING_HASH,
    /** Google's Maglev table: as even as round robin, minimal disruption on endpoint change. */
    MAGLEV;

    public boolean hashes() {
      return this == RING_HASH || this == MAGLEV;
    }
  }

  public LoadBalancing {
    Objects.requireNonNull(algorithm, "algorithm");
  }

  public static LoadBalancing of(Algorithm algorithm) {
    return new LoadBalancing(algorithm, null, null, null, DEFAULT_PANIC_THRESHOLD_PERCENT);
  }

  /** A consistent hash on {@code on}. */
  public static LoadBalancing hash(Algorithm algorithm, HashOn on) {
    return new LoadBalancing(algorithm, on, null, null, DEFAULT_PANIC_THRESHOLD_PERCENT);
  }

  public LoadBalancing withAffinity(@Nullable CookieAffinity a) {
    return new LoadBalancing(algorithm, hashOn, a, slowStart, panicThresholdPercent);
  }

  public LoadBalancing withSlowStart(@Nullable Duration window) {
    return new LoadBalancing(algorithm, hashOn, affinity, window, panicThresholdPercent);
  }

  public LoadBalancing withPanicThresholdPercent(int percent) {
    return new LoadBalancing(algorithm, hashOn, affinity, slowStart, percent);
  }
}
