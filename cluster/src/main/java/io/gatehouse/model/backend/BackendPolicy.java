package io.gatehouse.model.backend;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a backend spreads requests over its endpoints, how it finds the failing ones and how much
 * load it accepts from one node. Every part has a default ({@link #DEFAULT}), documented with its
 * reason in {@code docs/resilience.md}.
 *
 * @param loadBalancing the algorithm that picks an endpoint, with slow start and the panic
 *     threshold
 * @param healthCheck active probes of every endpoint, or null for none (the default: Kubernetes
 *     readiness already drops failing pods from a Service, and a static backend asks for probes
 *     explicitly)
 * @param outlierDetection passive ejection from the answers of real requests, or null for none
 * @param circuitBreaker the most connections, pending requests, requests and retries one node opens
 *     to the backend at once
 */
public record BackendPolicy(
    LoadBalancing loadBalancing,
    @Nullable HealthCheck healthCheck,
    @Nullable OutlierDetection outlierDetection,
    CircuitBreaker circuitBreaker) {

  /**
   * Weighted round robin, no active probes, outlier detection on with its defaults (as nginx's
   * {@code max_fails=1 fail_timeout=10s} is on by default: a dead endpoint must leave the rotation
   * without anyone configuring it), and Envoy's circuit-breaker limits.
   */
  public static final BackendPolicy DEFAULT =
      new BackendPolicy(
          LoadBalancing.DEFAULT, null, OutlierDetection.DEFAULT, CircuitBreaker.DEFAULT);

  public BackendPolicy {
    loadBalancing = loadBalancing == null ? LoadBalancing.DEFAULT : loadBalancing;
    circuitBreaker = circuitBreaker == null ? CircuitBreaker.DEFAULT : circuitBreaker;
  }

  /** {@code policy}, or {@link #DEFAULT} when null (a backend that names none). */
  public static BackendPolicy orDefault(@Nullable BackendPolicy policy) {
    return policy == null ? DEFAULT : policy;
  }

  public BackendPolicy withLoadBalancing(LoadBalancing lb) {
    return new BackendPolicy(
        Objects.requireNonNull(lb, "lb"), healthCheck, outlierDetection, circuitBreaker);
  }

  public BackendPolicy withHealthCheck(@Nullable HealthCheck check) {
    return new BackendPolicy(loadBalancing, check, outlierDetection, circuitBreaker);
  }

  public BackendPolicy withOutlierDetection(@Nullable OutlierDetection outliers) {
    return new BackendPolicy(loadBalancing, healthCheck, outliers, circuitBreaker);
  }

  public BackendPolicy withCircuitBreaker(CircuitBreaker breaker) {
    return new BackendPolicy(
        loadBalancing, healthCheck, outlierDetection, Objects.requireNonNull(breaker, "breaker"));
  }
}
