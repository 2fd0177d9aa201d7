package io.gatehouse.metrics;

import java.util.Arrays;

/**
 * What the node measures beyond its built-in gauges.
 *
 * @param enabled request, upstream, connection, handshake, snapshot and JVM metrics; off: only the
 *     snapshot generation, TLS and mirror/overflow series
 * @param routeLabels label request series by route id; off: every request counts under {@code
 *     route=""} (for tables of tens of thousands of routes)
 * @param durationBuckets the upper bounds, in seconds, of the classic duration histograms' buckets,
 *     strictly increasing
 * @param maxBackends how many backends get a label of their own; later ones count under {@code
 *     backend="other"}
 */
public record MetricsOptions(
    boolean enabled, boolean routeLabels, double[] durationBuckets, int maxBackends) {
  /** 1 ms to 30 s: an edge's answers, from a cache hit to a slow upload. */
  public static final double[] DEFAULT_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  public static final int DEFAULT_MAX_BACKENDS = 1000;

  public static final MetricsOptions DEFAULTS =
      new MetricsOptions(true, true, DEFAULT_BUCKETS, DEFAULT_MAX_BACKENDS);

  public MetricsOptions {
    durationBuckets = durationBuckets.clone();
    for (int i = 0; i < durationBuckets.length; i++) {
      if (!(durationBuckets[i] > 0) || (i > 0 && durationBuckets[i] <= durationBuckets[i - 1])) {
        throw new IllegalArgumentException(
            "durationBuckets: "
                + Arrays.toString(durationBuckets)
                + " (expected: positive seconds, strictly increasing)");
      }
    }
    if (maxBackends < 1) {
      throw new IllegalArgumentException("maxBackends: " + maxBackends + " (expected: >= 1)");
    }
  }

  @Override
  public double[] durationBuckets() {
    return durationBuckets.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricsOptions m
        && m.enabled == enabled
        && m.routeLabels == routeLabels
        && m.maxBackends == maxBackends
        && Arrays.equals(m.durationBuckets, durationBuckets);
  }

  @Override
  public int hashCode() {
    return ((Arrays.hashCode(durationBuckets) * 31 + Boolean.hashCode(enabled)) * 31
                + Boolean.hashCode(routeLabels))
            * 31
        + maxBackends;
  }

  @Override
  public String toString() {
    return "MetricsOptions[enabled="
        + enabled
        + ", routeLabels="
        + routeLabels
        + ", durationBuckets="
        + Arrays.toString(durationBuckets)
        + ", maxBackends="
        + maxBackends
        + "]";
  }
}
