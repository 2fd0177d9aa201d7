package io.gatehouse.testing;

import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Backend policies and Retry policies with every field away from its default (issue #14), shared
 * through cluster's test-jar: the document, codec and translator tests round-trip them.
 */
public final class TestPolicies {
  private TestPolicies() {}

  /** Maglev on a header with a sticky cookie, an HTTP check, success-rate ejection, low limits. */
  public static BackendPolicy everyField() {
    return new BackendPolicy(
        new LoadBalancing(
            LoadBalancing.Algorithm.MAGLEV,
            HashOn.header("x-user"),
            new CookieAffinity("sticky", Duration.ofHours(1), "/app", true, "None", false, true),
            null,
            25),
        new HealthCheck(
            HealthCheck.Protocol.HTTP,
            "/healthz?full=1",
            "app.internal",
            List.of(new HealthCheck.StatusRange(200, 299), HealthCheck.StatusRange.of(418)),
            "",
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            Duration.ZERO,
            2,
            1),
        new OutlierDetection(
            3,
            0,
            new OutlierDetection.SuccessRate(3, 50, 2500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            100),
        new CircuitBreaker(10, 20, 30, 4));
  }

  /** Least request with slow start, a gRPC check, outlier detection off. */
  public static BackendPolicy leastRequestGrpc() {
    return new BackendPolicy(
        LoadBalancing.of(LoadBalancing.Algorithm.LEAST_REQUEST)
            .withSlowStart(Duration.ofSeconds(30))
            .withPanicThresholdPercent(0),
        new HealthCheck(
            HealthCheck.Protocol.GRPC,
            null,
            null,
            HealthCheck.DEFAULT_STATUSES,
            "grpc.health.v1.Health",
            HealthCheck.DEFAULT_INTERVAL,
            HealthCheck.DEFAULT_TIMEOUT,
            HealthCheck.DEFAULT_JITTER,
            HealthCheck.DEFAULT_UNHEALTHY_THRESHOLD,
            HealthCheck.DEFAULT_HEALTHY_THRESHOLD),
        null,
        CircuitBreaker.DEFAULT);
  }

  /** A Retry with every field set. */
  public static Retry everyRetryField() {
    return new Retry(
        Set.of(
            Retry.Condition.CONNECT_FAILURE,
            Retry.Condition.RESET,
            Retry.Condition.STATUS,
            Retry.Condition.GRPC_STATUS),
        List.of(409, 503),
        List.of(14),
        3,
        Duration.ofSeconds(2),
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        50,
        10,
        true,
        16 * 1024);
  }
}
