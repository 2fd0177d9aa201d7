package io.gatehouse.model.backend;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Passive health: an endpoint whose real answers fail is ejected (no new requests) for a while,
 * Envoy's outlier detection. The n-th ejection of one endpoint lasts {@code baseEjectionTime × n},
 * at most {@code maxEjectionTime}; the count decays while the endpoint behaves. In a cluster an
 * ejection is shared: every node avoids the endpoint within 100 ms, and the ejection expires on its
 * own everywhere.
 *
 * @param consecutive5xx ejects after this many 5xx answers in a row (a 502/503/504 Gatehouse made
 *     itself counts too); 0 turns it off
 * @param consecutiveGatewayErrors ejects after this many connect failures, resets and timeouts in a
 *     row (the upstream never answered); 0 turns it off
 * @param successRate ejects endpoints whose success rate lies far below the backend's mean, or null
 *     for none
 * @param interval how often the success rate is judged and ejections are re-counted
 * @param baseEjectionTime the first ejection's length
 * @param maxEjectionTime the longest ejection
 * @param maxEjectionPercent at most this share of the backend's endpoints is ejected at once, but
 *     always at least one (as Envoy)
 */
public record OutlierDetection(
    int consecutive5xx,
    int consecutiveGatewayErrors,
    @Nullable SuccessRate successRate,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent) {

  /**
   * Success-rate ejection (Envoy's): with at least {@code minimumHosts} endpoints that each saw
   * {@code requestVolume} requests in an interval, an endpoint whose success rate lies below mean −
   * stdevFactor × standard deviation is ejected.
   *
   * @param stdevFactorThousandths the factor in thousandths (Envoy's 1900 = 1.9)
   */
  public record SuccessRate(int minimumHosts, int requestVolume, int stdevFactorThousandths) {
    public static final SuccessRate DEFAULT = new SuccessRate(5, 100, 1900);
  }

  /**
   * Envoy's thresholds (5 in a row), a shorter first ejection than Envoy's 30 s since a restarted
   * pod is usually back in seconds, and half the endpoints at most so a backend-wide outage does
   * not eject everything (the panic threshold covers the rest).
   */
  public static final OutlierDetection DEFAULT =
      new OutlierDetection(
          5, 5, null, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(300), 50);

  public OutlierDetection {
    interval = interval == null ? DEFAULT.interval() : interval;
    baseEjectionTime = baseEjectionTime == null ? DEFAULT.baseEjectionTime() : baseEjectionTime;
    maxEjectionTime = maxEjectionTime == null ? DEFAULT.maxEjectionTime() : maxEjectionTime;
  }
}
