package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.snapshot.Target;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutlierDetectorTest {
  private static final EndpointsKey KEY = new EndpointsKey.Inline(RouteKey.of("t", "s", "r"), 0);

  private final FakeClock clock = new FakeClock();
  private final HealthRegistry registry = new HealthRegistry(clock, clock);
  private final OutlierDetector detector = new OutlierDetector(registry);

  private static List<Endpoint> endpoints(int n) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Endpoint.of("10.0.0." + (i + 1), 8080));
    }
    return out;
  }

  private static Target target(OutlierDetection od) {
    return new Target(
        KEY, 3, UpstreamProtocol.HTTP1, null, 1, BackendPolicy.DEFAULT.withOutlierDetection(od));
  }

  private static OutlierDetection od(int fives, int gateway, Duration base, Duration max, int pct) {
    return new OutlierDetection(fives, gateway, null, Duration.ofSeconds(10), base, max, pct);
  }

  private void report(Target t, EndpointSet set, int endpoint, int outcome, int times) {
    for (int i = 0; i < times; i++) {
      detector.report(t, set, set.endpoints().get(endpoint), outcome);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "four 5xx do not eject at a threshold of five, 503, 4, true",
    "five 5xx eject at a threshold of five, 503, 5, false",
    "five 500s eject too, 500, 5, false",
    "five gateway errors eject, 0, 5, false",
    "five 4xx never eject, 404, 5, true",
  })
  void consecutive_failures_eject_at_their_threshold_exactly(
      String name, int outcome, int times, boolean available) {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(OutlierDetection.DEFAULT);
    report(t, set, 0, outcome, times);
    assertThat(registry.available(set.endpoints().get(0))).isEqualTo(available);
    assertThat(registry.available(set.endpoints().get(1))).isTrue();
  }

  @Test
  void a_success_between_failures_restarts_the_count() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(OutlierDetection.DEFAULT);
    report(t, set, 0, 502, 4);
    report(t, set, 0, 200, 1);
    report(t, set, 0, 502, 4);
    assertThat(registry.available(set.endpoints().get(0))).isTrue();
    report(t, set, 0, 502, 1);
    assertThat(registry.available(set.endpoints().get(0))).isFalse();
  }

  @Test
  void gateway_errors_give_their_own_reason_and_an_answer_restarts_their_count() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(od(0, 3, Duration.ofSeconds(10), Duration.ofSeconds(300), 50));
    report(t, set, 1, OutlierDetector.GATEWAY_ERROR, 2);
    report(t, set, 1, 503, 1); // answered: not a gateway error
    report(t, set, 1, OutlierDetector.GATEWAY_ERROR, 2);
    assertThat(registry.ejected()).isEmpty();
    report(t, set, 1, OutlierDetector.GATEWAY_ERROR, 1);
    assertThat(registry.ejected())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.host()).isEqualTo("10.0.0.2");
              assertThat(e.reason()).isEqualTo("consecutive-gateway-errors");
              assertThat(e.by()).isEmpty();
              assertThat(e.expiresEpochMillis()).isEqualTo(clock.epochMillis() + 10_000);
            });
  }

  @Test
  void an_ejection_ends_on_its_own_after_its_time_and_the_version_moves_both_ways() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(OutlierDetection.DEFAULT);
    long v0 = registry.version();
    report(t, set, 0, 503, 5);
    long v1 = registry.version();
    assertThat(v1).isGreaterThan(v0);
    clock.advance(Duration.ofMillis(9_999));
    assertThat(registry.available(set.endpoints().get(0))).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(registry.available(set.endpoints().get(0))).isTrue();
    assertThat(registry.version()).isGreaterThan(v1);
    assertThat(registry.ejected()).isEmpty();
  }

  @Test
  void each_ejection_lasts_one_base_time_longer_up_to_the_maximum() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(od(1, 0, Duration.ofSeconds(10), Duration.ofSeconds(25), 50));
    List<Long> lengths = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      report(t, set, 0, 500, 1);
      lengths.add(registry.ejected().get(0).expiresEpochMillis() - clock.epochMillis());
      clock.advance(Duration.ofSeconds(30)); // ends it, but less than an interval clean after
    }
    assertThat(lengths).containsExactly(10_000L, 20_000L, 25_000L, 25_000L);
  }

  @Test
  void the_ejection_count_decays_by_one_per_clean_interval() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(od(1, 0, Duration.ofSeconds(10), Duration.ofSeconds(300), 50));
    report(t, set, 0, 500, 1);
    clock.advance(Duration.ofSeconds(10)); // returns
    report(t, set, 0, 500, 1); // second: 20 s
    assertThat(registry.ejected().get(0).ejections()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(20)); // returns
    clock.advance(Duration.ofSeconds(10));
    detector.sweep(); // one clean interval: 2 -> 1
    clock.advance(Duration.ofSeconds(10));
    detector.sweep(); // another: 1 -> 0
    report(t, set, 0, 500, 1);
    assertThat(registry.ejected().get(0).ejections()).isEqualTo(1);
    assertThat(registry.ejected().get(0).expiresEpochMillis() - clock.epochMillis())
        .isEqualTo(10_000L);
  }

  @ParameterizedTest(name = "{0} endpoints at {1}% eject at most {2}")
  @CsvSource({"4, 50, 2", "4, 10, 1", "1, 50, 1", "10, 30, 3", "10, 100, 10", "40, 100, 40"})
  void at_most_the_maximum_share_is_ejected_but_always_one(int n, int pct, int most) {
    EndpointSet set = new EndpointSet(KEY, endpoints(n), 1);
    Target t = target(od(1, 0, Duration.ofSeconds(10), Duration.ofSeconds(300), pct));
    for (int i = 0; i < n; i++) {
      report(t, set, i, 500, 1);
    }
    assertThat(registry.ejected()).hasSize(most);
  }

  @Test
  void success_rate_ejects_the_endpoint_far_below_the_mean() {
    EndpointSet set = new EndpointSet(KEY, endpoints(6), 1);
    OutlierDetection od =
        new OutlierDetection(
            0,
            0,
            OutlierDetection.SuccessRate.DEFAULT,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(300),
            50);
    Target t = target(od);
    for (int i = 0; i < 6; i++) {
      report(t, set, i, 200, i == 2 ? 50 : 100);
      report(t, set, i, 500, i == 2 ? 50 : 0);
    }
    clock.advance(Duration.ofSeconds(10));
    detector.sweep();
    assertThat(registry.ejected())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.host()).isEqualTo("10.0.0.3");
              assertThat(e.reason()).isEqualTo("success-rate");
            });
  }

  @Test
  void success_rate_judges_nothing_with_fewer_endpoints_than_the_minimum_or_too_few_requests() {
    OutlierDetection od =
        new OutlierDetection(
            0,
            0,
            OutlierDetection.SuccessRate.DEFAULT,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(300),
            50);
    Target t = target(od);
    EndpointSet four = new EndpointSet(KEY, endpoints(4), 1);
    for (int i = 0; i < 4; i++) {
      report(t, four, i, i == 0 ? 500 : 200, 100);
    }
    clock.advance(Duration.ofSeconds(10));
    detector.sweep();
    assertThat(registry.ejected()).as("4 endpoints, minimum 5").isEmpty();
    EndpointSet six = new EndpointSet(KEY, endpoints(6), 2);
    for (int i = 0; i < 6; i++) {
      report(t, six, i, i == 0 ? 500 : 200, 99);
    }
    clock.advance(Duration.ofSeconds(10));
    detector.sweep();
    clock.advance(Duration.ofSeconds(10));
    detector.sweep();
    assertThat(registry.ejected()).as("99 requests each, volume 100").isEmpty();
  }

  @Test
  void a_backend_without_outlier_detection_is_never_judged() {
    EndpointSet set = new EndpointSet(KEY, endpoints(2), 1);
    Target t =
        new Target(
            KEY,
            3,
            UpstreamProtocol.HTTP1,
            null,
            1,
            BackendPolicy.DEFAULT.withOutlierDetection(null));
    report(t, set, 0, 503, 100);
    assertThat(registry.ejected()).isEmpty();
    assertThat(registry.version()).isZero();
  }

  @Test
  void another_members_ejection_holds_until_its_expiry_but_never_longer_than_its_length() {
    Endpoint e = Endpoint.of("10.0.0.9", 80);
    // The sender's clock runs 60 s ahead: its expiry read here would hold 70 s.
    registry.ejectShared(
        "10.0.0.9", 80, clock.epochMillis() + 70_000, 10_000, "consecutive-5xx", "m2");
    assertThat(registry.available(e)).isFalse();
    assertThat(registry.ejected().get(0).by()).isEqualTo("m2");
    clock.advance(Duration.ofSeconds(10));
    assertThat(registry.available(e)).isTrue();
    // Behind: the expiry comes first.
    registry.ejectShared("10.0.0.9", 80, clock.epochMillis() + 3_000, 10_000, "x", "m2");
    clock.advance(Duration.ofSeconds(3));
    assertThat(registry.available(e)).isTrue();
    // Already past on this clock: nothing.
    long v = registry.version();
    registry.ejectShared("10.0.0.9", 80, clock.epochMillis() - 1, 10_000, "x", "m2");
    assertThat(registry.available(e)).isTrue();
    assertThat(registry.version()).isEqualTo(v);
  }

  @Test
  void an_unhealthy_verdict_makes_an_endpoint_unavailable_whatever_its_weight() {
    registry.verdict("10.0.0.1", 8080, false, true, "");
    assertThat(registry.available(new Endpoint("10.0.0.1", 8080, 7))).isFalse();
    assertThat(registry.available(Endpoint.of("10.0.0.1", 8081))).isTrue();
    assertThat(registry.unhealthy()).containsExactly("10.0.0.1:8080");
    registry.verdict("10.0.0.1", 8080, true, true, "");
    assertThat(registry.available(Endpoint.of("10.0.0.1", 8080))).isTrue();
  }

  @Test
  void reports_for_an_endpoint_outside_the_set_are_ignored() {
    EndpointSet set = new EndpointSet(KEY, endpoints(20), 1); // binary searched
    Target t = target(od(1, 0, Duration.ofSeconds(10), Duration.ofSeconds(300), 50));
    detector.report(t, set, Endpoint.of("10.9.9.9", 1), 500);
    assertThat(registry.ejected()).isEmpty();
    detector.report(t, set, Endpoint.of("10.0.0.17", 8080), 500);
    assertThat(registry.ejected())
        .extracting(HealthRegistry.Ejection::host)
        .containsExactly("10.0.0.17");
  }

  @Test
  void reporting_at_the_default_policy_allocates_nothing() {
    EndpointSet set = new EndpointSet(KEY, endpoints(4), 1);
    Target t = target(OutlierDetection.DEFAULT);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int round = 0; round < 3; round++) { // warm: the backend is built once
      report(t, set, round % 4, 200, 20_000);
      report(t, set, (round + 1) % 4, 503, 2);
      report(t, set, (round + 2) % 4, OutlierDetector.GATEWAY_ERROR, 2);
    }
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      detector.report(t, set, set.endpoints().get(i & 3), (i % 7 == 0) ? 502 : 200);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertThat(allocated).as("bytes for 100,000 reports").isLessThan(4_096);
    assertThat(registry.ejected()).isEmpty();
  }
}
