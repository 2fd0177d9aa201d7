package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.snapshot.RouteSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Labels, the backend cap and the pruning of routes that left, without a node. */
class ExchangeMetricsTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ExchangeMetrics metrics(boolean routeLabels, int maxBackends) {
    return new ExchangeMetrics(
        registry,
        registry.getPrometheusRegistry(),
        new MetricsOptions(true, routeLabels, MetricsOptions.DEFAULT_BUCKETS, maxBackends));
  }

  Scrape scrape() {
    return new Scrape(registry.scrape());
  }

  @Test
  void backend_labels_name_the_service_port_the_named_backend_or_the_route_and_position() {
    assertThat(BackendLabels.of(new EndpointsKey.Service("shop", "web", 8080, null)))
        .isEqualTo("shop/web:8080");
    assertThat(BackendLabels.of(new EndpointsKey.Service("shop", "web", 0, "http")))
        .isEqualTo("shop/web:http");
    assertThat(BackendLabels.of(new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "api"), 3)))
        .isEqualTo("t/api");
    assertThat(BackendLabels.of(new EndpointsKey.Inline(RouteKey.of("t", "api", "r"), 1, 2)))
        .isEqualTo("t/api/r#1");
  }

  @Test
  void an_unknown_method_counts_as_other_and_a_missing_status_as_other() {
    ExchangeMetrics m = metrics(true, 10);
    m.ended(new View("BREW", 418, "t/api/r", null));
    m.ended(new View("PROPFIND", 0, "t/api/r", null));
    Scrape s = scrape();
    assertThat(
            s.value(
                "gatehouse_requests_total",
                "route",
                "t/api/r",
                "code",
                "4xx",
                "method",
                "OTHER",
                "protocol",
                "HTTP/1.1"))
        .isEqualTo(1.0);
    assertThat(
            s.value(
                "gatehouse_requests_total",
                "route",
                "t/api/r",
                "code",
                "other",
                "method",
                "OTHER",
                "protocol",
                "HTTP/1.1"))
        .isEqualTo(1.0);
    assertThat(s.text).doesNotContain("BREW").doesNotContain("PROPFIND");
  }

  /**
   * Each thread counts into cells of its own (past ThreadSlot.MAX threads, into one shared under a
   * lock): 70 threads' counts add up exactly, in every exposition format.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void counts_from_many_threads_add_up_in_every_format() throws Exception {
    ExchangeMetrics m = metrics(true, 10);
    EndpointsKey k = new EndpointsKey.Service("ns", "a", 80, null);
    int threads = ThreadSlot.MAX + 6;
    int each = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < each; i++) {
                    View v = new View("GET", 200, "t/api/r", k);
                    m.attemptEnded(v, AttemptOutcome.RESPONDED, 200, System.nanoTime(), false);
                    m.ended(v);
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double total = (double) threads * each;
    Scrape s = scrape();
    assertThat(
            s.value(
                "gatehouse_requests_total",
                "route",
                "t/api/r",
                "code",
                "2xx",
                "method",
                "GET",
                "protocol",
                "HTTP/1.1"))
        .isEqualTo(total);
    assertThat(s.value("gatehouse_request_duration_seconds_count", "route", "t/api/r"))
        .isEqualTo(total);
    assertThat(
            s.value(
                "gatehouse_upstream_attempts_total", "backend", "ns/a:80", "outcome", "responded"))
        .isEqualTo(total);
    assertThat(registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8"))
        .contains("gatehouse_requests_total{")
        .contains("gatehouse_request_duration_seconds_count{route=\"t/api/r\"} " + (long) total);
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    registry.scrape(
        proto,
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
            + " encoding=delimited");
    ProtobufExposition.Histogram h =
        ProtobufExposition.histogram(
                proto.toByteArray(), "gatehouse_request_duration_seconds", "route", "t/api/r")
            .orElseThrow();
    assertThat(h.sampleCount()).isEqualTo((long) total);
    assertThat(h.hasSchema()).isTrue();
  }

  @Test
  void backends_past_the_cap_count_as_other_and_variants_share_a_label() {
    ExchangeMetrics m = metrics(true, 2);
    EndpointsKey a = new EndpointsKey.Service("ns", "a", 80, null);
    EndpointsKey b = new EndpointsKey.Service("ns", "b", 80, null);
    EndpointsKey c = new EndpointsKey.Service("ns", "c", 80, null);
    EndpointsKey a2 = new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "x"), 0);
    EndpointsKey a2variant = new EndpointsKey.Named(new BackendKey(TenantId.of("t"), "x"), 1);
    for (EndpointsKey k : new EndpointsKey[] {a, b, c, a2, a2variant}) {
      m.attemptEnded(
          new View("GET", 0, null, k), AttemptOutcome.RESET, 0, System.nanoTime(), false);
    }
    Scrape s = scrape();
    assertThat(
            s.value("gatehouse_upstream_attempts_total", "backend", "ns/a:80", "outcome", "reset"))
        .isEqualTo(1.0);
    assertThat(
            s.value("gatehouse_upstream_attempts_total", "backend", "ns/b:80", "outcome", "reset"))
        .isEqualTo(1.0);
    assertThat(s.value("gatehouse_upstream_attempts_total", "backend", "other", "outcome", "reset"))
        .isEqualTo(3.0);
    assertThat(s.text).doesNotContain("ns/c:80").doesNotContain("t/x");
  }

  @Test
  void series_of_routes_and_backends_that_left_are_dropped() {
    ExchangeMetrics m = metrics(true, 10);
    EndpointsKey k = new EndpointsKey.Service("ns", "a", 80, null);
    m.attemptEnded(new View("GET", 0, "t/api/r", k), AttemptOutcome.RESPONDED, 200, 0, false);
    m.ended(new View("GET", 200, "t/api/r", k));
    m.ended(new View("GET", 404, null, null));
    assertThat(scrape().text).contains("t/api/r").contains("ns/a:80");
    m.retain(RouteSnapshot.empty(), Set.of());
    Scrape s = scrape();
    assertThat(s.text).doesNotContain("t/api/r").doesNotContain("ns/a:80");
    assertThat(
            s.value(
                "gatehouse_requests_total",
                "route",
                "",
                "code",
                "4xx",
                "method",
                "GET",
                "protocol",
                "HTTP/1.1"))
        .isEqualTo(1.0);
  }

  @Test
  void without_route_labels_every_route_counts_under_the_empty_route() {
    ExchangeMetrics m = metrics(false, 10);
    m.ended(new View("GET", 200, "t/api/r1", null));
    m.ended(new View("GET", 200, "t/api/r2", null));
    Scrape s = scrape();
    assertThat(s.value("gatehouse_request_duration_seconds_count", "route", "")).isEqualTo(2.0);
    assertThat(s.text).doesNotContain("t/api/r1");
  }

  @Test
  void reloaded_options_keep_counters_that_stay_and_remake_histograms_with_new_buckets() {
    ExchangeMetrics m = metrics(true, 1);
    EndpointsKey a = new EndpointsKey.Service("ns", "a", 80, null);
    EndpointsKey b = new EndpointsKey.Service("ns", "b", 80, null);
    m.attemptEnded(new View("GET", 0, "t/api/r", a), AttemptOutcome.RESET, 0, 0, false);
    m.ended(new View("GET", 200, "t/api/r", a));

    // Same labels, new buckets: the counter goes on, the histogram starts again.
    m.apply(new MetricsOptions(true, true, new double[] {0.5, 7}, 2));
    m.attemptEnded(new View("GET", 0, "t/api/r", a), AttemptOutcome.RESET, 0, 0, false);
    m.attemptEnded(new View("GET", 0, "t/api/r", b), AttemptOutcome.RESET, 0, 0, false);
    m.ended(new View("GET", 200, "t/api/r", a));
    Scrape s = scrape();
    assertThat(
            s.value(
                "gatehouse_requests_total",
                "route",
                "t/api/r",
                "code",
                "2xx",
                "method",
                "GET",
                "protocol",
                "HTTP/1.1"))
        .isEqualTo(2.0);
    assertThat(s.value("gatehouse_request_duration_seconds_count", "route", "t/api/r"))
        .isEqualTo(1.0);
    assertThat(
            s.value("gatehouse_request_duration_seconds_bucket", "route", "t/api/r", "le", "7.0"))
        .isEqualTo(1.0);
    assertThat(s.text).doesNotContain("le=\"0.001\"");
    assertThat(
            s.value("gatehouse_upstream_attempts_total", "backend", "ns/a:80", "outcome", "reset"))
        .isEqualTo(2.0);
    // The raised cap gives the next backend a label of its own.
    assertThat(
            s.value("gatehouse_upstream_attempts_total", "backend", "ns/b:80", "outcome", "reset"))
        .isEqualTo(1.0);

    // Route labels off: the route's series go, the empty route counts from now on.
    m.apply(new MetricsOptions(true, false, new double[] {0.5, 7}, 2));
    m.ended(new View("GET", 200, "t/api/r", a));
    s = scrape();
    assertThat(s.text).doesNotContain("t/api/r");
    assertThat(s.value("gatehouse_request_duration_seconds_count", "route", "")).isEqualTo(1.0);
    // The same options again change nothing.
    m.apply(new MetricsOptions(true, false, new double[] {0.5, 7}, 2));
    assertThat(scrape().value("gatehouse_request_duration_seconds_count", "route", ""))
        .isEqualTo(1.0);
  }

  /** What the proxy would show: only the fields metrics read. */
  record View(String method, int status, @Nullable String routeId, @Nullable EndpointsKey backend)
      implements ExchangeView {
    @Override
    public @Nullable String host() {
      return "h.test";
    }

    @Override
    public String path() {
      return "/";
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public boolean tls() {
      return false;
    }

    @Override
    public long bytesIn() {
      return 0;
    }

    @Override
    public long bytesOut() {
      return 10;
    }

    @Override
    public long startNanos() {
      return System.nanoTime();
    }

    @Override
    public @Nullable String tenant() {
      return null;
    }

    @Override
    public @Nullable String endpoint() {
      return null;
    }

    @Override
    public String requestId() {
      return "id";
    }

    @Override
    public @Nullable String client() {
      return null;
    }

    @Override
    public @Nullable String overflow() {
      return null;
    }

    @Override
    public MultiMap requestHeaders() {
      return MultiMap.caseInsensitiveMultiMap();
    }

    @Override
    public int attempts() {
      return 1;
    }

    @Override
    public @Nullable String traceId() {
      return null;
    }

    @Override
    public void traceId(@Nullable String value) {}

    @Override
    public @Nullable Object observation() {
      return null;
    }

    @Override
    public void observation(@Nullable Object value) {}
  }
}
