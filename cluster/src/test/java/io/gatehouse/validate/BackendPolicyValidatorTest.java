package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackendPolicyValidatorTest {
  private static final LoadBalancing RR = LoadBalancing.DEFAULT;
  private static final HealthCheck HTTP = HealthCheck.http("/healthz");
  private static final OutlierDetection OD = OutlierDetection.DEFAULT;

  private static RouteSpec route(BackendPolicy policy) {
    return RouteSpec.simple(
        RouteKey.of("t", "api", "r"),
        List.of("a.example"),
        List.of(PathMatch.prefix("/")),
        BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))).withPolicy(policy));
  }

  private static List<Violation> violations(BackendPolicy policy) {
    Validated<RouteSpec> v = RouteValidator.validate(route(policy));
    return v.isValid() ? List.of() : v.violations();
  }

  record Refused(String name, BackendPolicy policy, String field, String rule) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static BackendPolicy lb(LoadBalancing lb) {
    return BackendPolicy.DEFAULT.withLoadBalancing(lb);
  }

  private static BackendPolicy check(UnaryOperator<HealthCheck> f) {
    return BackendPolicy.DEFAULT.withHealthCheck(f.apply(HTTP));
  }

  private static BackendPolicy outliers(OutlierDetection o) {
    return BackendPolicy.DEFAULT.withOutlierDetection(o);
  }

  private static HealthCheck http(String path, List<HealthCheck.StatusRange> statuses) {
    return new HealthCheck(
        HealthCheck.Protocol.HTTP,
        path,
        null,
        statuses,
        "",
        HealthCheck.DEFAULT_INTERVAL,
        HealthCheck.DEFAULT_TIMEOUT,
        HealthCheck.DEFAULT_JITTER,
        3,
        2);
  }

  private static CookieAffinity cookie(String name, Duration maxAge, String sameSite) {
    return new CookieAffinity(name, maxAge, null, null, sameSite, true, false);
  }

  static Stream<Refused> refused() {
    String b = "backend.";
    return Stream.of(
        new Refused(
            "ring-hash-needs-hash-on",
            lb(LoadBalancing.of(LoadBalancing.Algorithm.RING_HASH)),
            b + "loadBalancing.algorithm",
            BackendPolicyValidator.HASH_ON_RULE),
        new Refused(
            "hash-on-only-with-a-hashing-algorithm",
            lb(LoadBalancing.hash(LoadBalancing.Algorithm.ROUND_ROBIN, HashOn.cookie("sid"))),
            b + "loadBalancing.algorithm",
            BackendPolicyValidator.HASH_ON_RULE),
        new Refused(
            "hash-on-header-is-a-token",
            lb(LoadBalancing.hash(LoadBalancing.Algorithm.MAGLEV, HashOn.header("x user"))),
            b + "loadBalancing.hashOn.header",
            BackendPolicyValidator.HASH_NAME_RULE),
        new Refused(
            "hash-on-query-parameter-is-a-token",
            lb(
                LoadBalancing.hash(
                    LoadBalancing.Algorithm.RING_HASH, HashOn.queryParameter("a=b&c"))),
            b + "loadBalancing.hashOn.queryParameter",
            BackendPolicyValidator.HASH_NAME_RULE),
        new Refused(
            "slow-start-zero",
            lb(RR.withSlowStart(Duration.ZERO)),
            b + "loadBalancing.slowStart",
            BackendPolicyValidator.SLOW_START_RULE),
        new Refused(
            "slow-start-over-an-hour",
            lb(RR.withSlowStart(Duration.ofMinutes(61))),
            b + "loadBalancing.slowStart",
            BackendPolicyValidator.SLOW_START_RULE),
        new Refused(
            "slow-start-with-peak-ewma",
            lb(
                LoadBalancing.of(LoadBalancing.Algorithm.PEAK_EWMA)
                    .withSlowStart(Duration.ofSeconds(10))),
            b + "loadBalancing.slowStart",
            BackendPolicyValidator.SLOW_START_ALGORITHM_RULE),
        new Refused(
            "panic-threshold-over-100",
            lb(RR.withPanicThresholdPercent(101)),
            b + "loadBalancing.panicThreshold",
            BackendPolicyValidator.PERCENT_RULE),
        new Refused(
            "panic-threshold-negative",
            lb(RR.withPanicThresholdPercent(-1)),
            b + "loadBalancing.panicThreshold",
            BackendPolicyValidator.PERCENT_RULE),
        new Refused(
            "affinity-cookie-name-is-a-token",
            lb(RR.withAffinity(cookie("a;b", null, null))),
            b + "loadBalancing.affinity.cookie.name",
            PolicyValidator.SESSION_NAME_RULE),
        new Refused(
            "affinity-max-age-whole-seconds",
            lb(RR.withAffinity(cookie("s", Duration.ofMillis(1500), null))),
            b + "loadBalancing.affinity.cookie.maxAge",
            PolicyValidator.SESSION_TIMEOUT_RULE),
        new Refused(
            "affinity-same-site-none-needs-secure",
            lb(RR.withAffinity(cookie("s", null, "none"))),
            b + "loadBalancing.affinity.cookie.secure",
            PolicyValidator.SAME_SITE_NONE_RULE),
        new Refused(
            "affinity-same-site-unknown",
            lb(RR.withAffinity(cookie("s", null, "Loose"))),
            b + "loadBalancing.affinity.cookie.sameSite",
            PolicyValidator.SAME_SITE_RULE),
        new Refused(
            "http-check-path-in-origin-form",
            check(h -> http("healthz", HealthCheck.DEFAULT_STATUSES)),
            b + "healthCheck.http.path",
            BackendPolicyValidator.CHECK_PATH_RULE),
        new Refused(
            "http-check-path-without-fragment",
            check(h -> http("/h#x", HealthCheck.DEFAULT_STATUSES)),
            b + "healthCheck.http.path",
            BackendPolicyValidator.CHECK_PATH_RULE),
        new Refused(
            "http-check-needs-a-path",
            check(h -> http(null, HealthCheck.DEFAULT_STATUSES)),
            b + "healthCheck.http.path",
            BackendPolicyValidator.CHECK_PATH_RULE),
        new Refused(
            "expected-status-range-reversed",
            check(h -> http("/h", List.of(new HealthCheck.StatusRange(399, 200)))),
            b + "healthCheck.http.expectedStatuses[0]",
            BackendPolicyValidator.STATUS_RANGE_RULE),
        new Refused(
            "expected-status-below-100",
            check(h -> http("/h", List.of(HealthCheck.StatusRange.of(99)))),
            b + "healthCheck.http.expectedStatuses[0]",
            BackendPolicyValidator.STATUS_RANGE_RULE),
        new Refused(
            "expected-status-above-599",
            check(h -> http("/h", List.of(new HealthCheck.StatusRange(500, 600)))),
            b + "healthCheck.http.expectedStatuses[0]",
            BackendPolicyValidator.STATUS_RANGE_RULE),
        new Refused(
            "check-interval-zero",
            check(h -> h.withTiming(Duration.ZERO, h.timeout(), h.jitter())),
            b + "healthCheck.interval",
            BackendPolicyValidator.CHECK_DURATION_RULE),
        new Refused(
            "check-timeout-over-an-hour",
            check(h -> h.withTiming(h.interval(), Duration.ofHours(2), h.jitter())),
            b + "healthCheck.timeout",
            BackendPolicyValidator.CHECK_DURATION_RULE),
        new Refused(
            "check-jitter-negative",
            check(h -> h.withTiming(h.interval(), h.timeout(), Duration.ofSeconds(-1))),
            b + "healthCheck.jitter",
            BackendPolicyValidator.JITTER_RULE),
        new Refused(
            "unhealthy-threshold-zero",
            check(h -> h.withThresholds(0, 2)),
            b + "healthCheck.unhealthyThreshold",
            BackendPolicyValidator.THRESHOLD_RULE),
        new Refused(
            "healthy-threshold-over-100",
            check(h -> h.withThresholds(3, 101)),
            b + "healthCheck.healthyThreshold",
            BackendPolicyValidator.THRESHOLD_RULE),
        new Refused(
            "tcp-check-without-a-path",
            check(
                h ->
                    new HealthCheck(
                        HealthCheck.Protocol.TCP, "/x", null, null, "", null, null, null, 3, 2)),
            b + "healthCheck.tcp",
            BackendPolicyValidator.HTTP_ONLY_RULE),
        new Refused(
            "consecutive-5xx-negative",
            outliers(new OutlierDetection(-1, 5, null, null, null, null, 50)),
            b + "outlierDetection.consecutive5xx",
            BackendPolicyValidator.CONSECUTIVE_RULE),
        new Refused(
            "success-rate-minimum-hosts-zero",
            outliers(
                new OutlierDetection(
                    5, 5, new OutlierDetection.SuccessRate(0, 100, 1900), null, null, null, 50)),
            b + "outlierDetection.successRate.minimumHosts",
            BackendPolicyValidator.MINIMUM_HOSTS_RULE),
        new Refused(
            "success-rate-stdev-zero",
            outliers(
                new OutlierDetection(
                    5, 5, new OutlierDetection.SuccessRate(5, 100, 0), null, null, null, 50)),
            b + "outlierDetection.successRate.stdevFactor",
            BackendPolicyValidator.STDEV_RULE),
        new Refused(
            "ejection-max-below-base",
            outliers(
                new OutlierDetection(
                    5, 5, null, null, Duration.ofMinutes(1), Duration.ofSeconds(30), 50)),
            b + "outlierDetection.maxEjectionTime",
            BackendPolicyValidator.EJECTION_ORDER_RULE),
        new Refused(
            "ejection-base-zero",
            outliers(new OutlierDetection(5, 5, null, null, Duration.ZERO, null, 50)),
            b + "outlierDetection.baseEjectionTime",
            BackendPolicyValidator.EJECTION_DURATION_RULE),
        new Refused(
            "max-ejection-percent-over-100",
            outliers(new OutlierDetection(5, 5, null, null, null, null, 101)),
            b + "outlierDetection.maxEjectionPercent",
            BackendPolicyValidator.PERCENT_RULE),
        new Refused(
            "max-connections-zero",
            BackendPolicy.DEFAULT.withCircuitBreaker(new CircuitBreaker(0, 1, 1, 1)),
            b + "circuitBreaker.maxConnections",
            BackendPolicyValidator.LIMIT_RULE),
        new Refused(
            "max-retries-zero",
            BackendPolicy.DEFAULT.withCircuitBreaker(new CircuitBreaker(1, 1, 1, 0)),
            b + "circuitBreaker.maxRetries",
            BackendPolicyValidator.LIMIT_RULE),
        new Refused(
            "max-requests-over-a-million",
            BackendPolicy.DEFAULT.withCircuitBreaker(new CircuitBreaker(1, 1, 1_000_001, 1)),
            b + "circuitBreaker.maxRequests",
            BackendPolicyValidator.LIMIT_RULE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void a_backend_policy_is_refused_as_the_table_says(Refused c) {
    assertThat(violations(c.policy()))
        .extracting(Violation::field, Violation::rule)
        .containsExactly(tuple(c.field(), c.rule()));
  }

  @Test
  void a_policy_with_every_field_set_passes_with_its_header_name_lower_cased() {
    BackendPolicy p =
        TestPolicies.everyField()
            .withLoadBalancing(
                TestPolicies.everyField()
                    .loadBalancing()
                    .withAffinity(new CookieAffinity("s", null, null, true, "none", true, false)));
    p =
        p.withLoadBalancing(
            new LoadBalancing(
                LoadBalancing.Algorithm.RING_HASH,
                HashOn.header("X-User"),
                p.loadBalancing().affinity(),
                null,
                50));
    Validated<RouteSpec> v = RouteValidator.validate(route(p));
    assertThat(v.violations()).isEmpty();
    BackendPolicy got = ((BackendSpec) v.value().backends().get(0).ref()).policy();
    assertThat(got.loadBalancing().hashOn()).isEqualTo(HashOn.header("x-user"));
    assertThat(got.loadBalancing().affinity().sameSite()).isEqualTo("None");
    assertThat(violations(TestPolicies.leastRequestGrpc())).isEmpty();
  }

  @Test
  void a_policy_that_spells_out_the_defaults_is_stored_as_none() {
    BackendPolicy spelled =
        new BackendPolicy(
            LoadBalancing.of(LoadBalancing.Algorithm.ROUND_ROBIN),
            null,
            new OutlierDetection(
                5,
                5,
                null,
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                50),
            new CircuitBreaker(1024, 1024, 1024, 3));
    Validated<RouteSpec> v = RouteValidator.validate(route(spelled));
    assertThat(((BackendSpec) v.value().backends().get(0).ref()).policy()).isNull();
    // Outlier detection off is not the default, so it is kept.
    Validated<RouteSpec> off = RouteValidator.validate(route(spelled.withOutlierDetection(null)));
    assertThat(((BackendSpec) off.value().backends().get(0).ref()).policy()).isNotNull();
  }

  @Test
  void a_named_backend_names_its_policy_fields_at_its_top_level() {
    Validated<BackendObject> v =
        RouteValidator.validateBackend(
            new BackendObject(
                new BackendKey(TenantId.of("t"), "web"),
                "api",
                BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 80, 1)))
                    .withPolicy(lb(RR.withPanicThresholdPercent(200)))));
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly("loadBalancing.panicThreshold");
  }
}
