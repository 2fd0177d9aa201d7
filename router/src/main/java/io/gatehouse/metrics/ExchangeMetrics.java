package io.gatehouse.metrics;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's traffic as Prometheus series: the node's metrics observer. Every label value comes
 * from a fixed set or from configuration (route ids of the served snapshot, backends capped at
 * {@link MetricsOptions#maxBackends}), never from a request's host or path, so no client can grow
 * the registry.
 *
 * <p>Hot path: a request costs one volatile read of the options' series ({@link #apply} swaps them
 * on a reload), one map read by route id (its hash is cached in the string), one array read for its
 * (status class, method, protocol) counter, adder increments and one histogram observation; meters
 * are made once per combination and dropped when their route leaves the snapshot ({@link
 * #retainRoutes}).
 */
public final class ExchangeMetrics implements ExchangeObserver {
  static final String NO_ROUTE = "";
  static final String OTHER = "other";

  static final String[] CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "OTHER"
  };
  static final String[] PROTOCOLS = {"HTTP/1.0", "HTTP/1.1", "HTTP/2", "other"};
  static final String[] OUTCOMES = {"responded", "connect_failed", "reset", "timed_out"};
  static final String[] TLS_VERSIONS = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "other"};
  static final String[] RESUMED = {"false", "true", "unknown"};
  static final String[] LISTENERS = {"http", "https"};

  private final MeterRegistry registry;
  private final PrometheusRegistry prometheus;

  /**
   * What depends on the options: swapped whole by {@link #apply}, read once per observation (one
   * volatile read).
   */
  private volatile Series series;

  private final LongAdder[] opened = {new LongAdder(), new LongAdder()};
  private final LongAdder[] closed = {new LongAdder(), new LongAdder()};
  private final AtomicReferenceArray<@Nullable Counter> handshakes =
      new AtomicReferenceArray<>(TLS_VERSIONS.length * RESUMED.length);

  ExchangeMetrics(MeterRegistry registry, PrometheusRegistry prometheus, MetricsOptions options) {
    this.registry = registry;
    this.prometheus = prometheus;
    Histogram request = requestHistogram(options.durationBuckets());
    Histogram attempt = attemptHistogram(options.durationBuckets());
    this.series = new Series(options, request, attempt);
    for (int i = 0; i < LISTENERS.length; i++) {
      LongAdder o = opened[i];
      LongAdder c = closed[i];
      FunctionCounter.builder("gatehouse.connections.opened", o, LongAdder::doubleValue)
          .description("Client connections accepted, by listener")
          .tag("listener", LISTENERS[i])
          .register(registry);
      Gauge.builder("gatehouse.connections.open", o, a -> a.sum() - c.sum())
          .description("Client connections open now, by listener")
          .tag("listener", LISTENERS[i])
          .register(registry);
    }
  }

  // Classic buckets in the text format; native ones too for a scraper that asks for protobuf.
  private Histogram requestHistogram(double[] buckets) {
    return Histogram.builder()
        .name("gatehouse_request_duration_seconds")
        .help("Time from a request's head to the end of its answer, by route")
        .labelNames("route")
        .classicUpperBounds(buckets)
        .withoutExemplars()
        .register(prometheus);
  }

  private Histogram attemptHistogram(double[] buckets) {
    return Histogram.builder()
        .name("gatehouse_upstream_attempt_duration_seconds")
        .help("Time from an upstream attempt's connect to its response head or failure")
        .labelNames("backend")
        .classicUpperBounds(buckets)
        .withoutExemplars()
        .register(prometheus);
  }

  /** The options in force. */
  public MetricsOptions options() {
    return series.options;
  }

  /**
   * Applies reloaded options ({@code enabled} excepted: the reload refuses a change of it). The
   * labels of routes and backends already counted carry over, so a counter whose series stays the
   * same keeps counting (Micrometer hands back the registered meter); new buckets are new
   * histograms, and the old ones' series go away. Turning route labels off drops the per-route
   * series; a backend already labelled keeps its label under a lowered {@code maxBackends} until it
   * leaves the snapshot. An observation racing the swap may land in the old series.
   */
  public synchronized void apply(MetricsOptions next) {
    Series old = series;
    if (old.options.equals(next)) {
      return;
    }
    boolean sameBuckets = Arrays.equals(old.options.durationBuckets(), next.durationBuckets());
    Histogram request = old.requestDuration;
    Histogram attempt = old.attemptDuration;
    if (!sameBuckets) {
      prometheus.unregister(old.requestDuration);
      prometheus.unregister(old.attemptDuration);
      request = requestHistogram(next.durationBuckets());
      attempt = attemptHistogram(next.durationBuckets());
    }
    Series s = new Series(next, request, attempt);
    if (next.routeLabels()) {
      for (String route : old.routes.keySet()) {
        s.routes.computeIfAbsent(route, s::newRoute);
      }
    } else {
      // The per-route series go; route="" (unmatched requests) goes on as the sum of all.
      old.routes.values().stream()
          .filter(r -> !r.route.equals(NO_ROUTE))
          .forEach(RouteMeters::remove);
    }
    BackendMeters oldOther = old.otherBackends;
    BackendMeters other = oldOther == null ? null : other(s);
    old.backendsByKey.forEach(
        (key, b) ->
            s.backendsByKey.put(
                key,
                b == oldOther && other != null
                    ? other
                    : s.backendsByLabel.computeIfAbsent(b.label, s::newBackend)));
    series = s;
  }

  /** The options and what is made from them: histograms and the meters of each label. */
  private final class Series {
    final MetricsOptions options;
    final Histogram requestDuration;
    final Histogram attemptDuration;
    final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
    final @Nullable RouteMeters allRoutes;
    final ConcurrentHashMap<EndpointsKey, BackendMeters> backendsByKey = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, BackendMeters> backendsByLabel = new ConcurrentHashMap<>();
    final BackendMeters defaultBackend;

    /** The backends past the cap, made when the first one comes. */
    volatile @Nullable BackendMeters otherBackends;

    Series(MetricsOptions options, Histogram requestDuration, Histogram attemptDuration) {
      this.options = options;
      this.requestDuration = requestDuration;
      this.attemptDuration = attemptDuration;
      this.allRoutes = options.routeLabels() ? null : newRoute(NO_ROUTE);
      this.defaultBackend = newBackend(BackendLabels.DEFAULT);
    }

    RouteMeters newRoute(String route) {
      return new RouteMeters(route, requestDuration);
    }

    BackendMeters newBackend(String label) {
      return new BackendMeters(label, attemptDuration);
    }
  }

  // ---------------------------------------------------------------- exchanges

  @Override
  public void attemptEnded(
      ExchangeView exchange, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
    BackendMeters b = backend(series, exchange.backend());
    b.attempts(outcome.ordinal()).increment();
    b.duration.observe((System.nanoTime() - startNanos) / 1e9);
    if (retry) {
      b.retries.increment();
    }
  }

  @Override
  public void ended(ExchangeView exchange) {
    Series now = series;
    RouteMeters r = route(now, exchange.routeId());
    int index =
        (statusClass(exchange.status()) * METHODS.length + method(exchange.method()))
                * PROTOCOLS.length
            + protocol(exchange.protocol());
    r.requests(index).increment();
    r.duration.observe((System.nanoTime() - exchange.startNanos()) / 1e9);
    long in = exchange.bytesIn();
    if (in > 0) {
      r.bytesIn.increment(in);
    }
    long out = exchange.bytesOut();
    if (out > 0) {
      r.bytesOut.increment(out);
    }
    String overflow = exchange.overflow();
    if (overflow != null) {
      backend(now, exchange.backend()).overflow(overflow).increment();
    }
  }

  // ---------------------------------------------------------------- connections

  @Override
  public void connectionOpened(boolean tls) {
    opened[tls ? 1 : 0].increment();
  }

  @Override
  public void connectionClosed(boolean tls) {
    closed[tls ? 1 : 0].increment();
  }

  @Override
  public void tlsHandshake(String version, int resumed) {
    int v = TLS_VERSIONS.length - 1;
    for (int i = 0; i < TLS_VERSIONS.length - 1; i++) {
      if (TLS_VERSIONS[i].equals(version)) {
        v = i;
        break;
      }
    }
    int r = resumed > 0 ? 1 : resumed == 0 ? 0 : 2;
    int index = v * RESUMED.length + r;
    Counter c = handshakes.get(index);
    if (c == null) {
      c =
          Counter.builder("gatehouse.tls.handshakes")
              .description(
                  "Completed TLS handshakes of clients, by protocol version and resumption")
              .tags("listener", "https", "version", TLS_VERSIONS[v], "resumed", RESUMED[r])
              .register(registry);
      handshakes.set(index, c);
    }
    c.increment();
  }

  // ---------------------------------------------------------------- outlier detection

  /** An endpoint of {@code backend} was ejected ({@code health.OutlierDetector}). */
  public void ejected(EndpointsKey backend, String reason) {
    backend(series, backend).ejection(reason).increment();
  }

  // ---------------------------------------------------------------- labels

  private static RouteMeters route(Series s, @Nullable String id) {
    RouteMeters all = s.allRoutes;
    if (all != null) {
      return all;
    }
    String key = id == null ? NO_ROUTE : id;
    RouteMeters r = s.routes.get(key);
    return r != null ? r : s.routes.computeIfAbsent(key, s::newRoute);
  }

  private static BackendMeters backend(Series s, @Nullable EndpointsKey key) {
    if (key == null) {
      return s.defaultBackend;
    }
    BackendMeters b = s.backendsByKey.get(key);
    if (b != null) {
      return b;
    }
    return s.backendsByKey.computeIfAbsent(
        key,
        k -> {
          String label = BackendLabels.of(k);
          BackendMeters known = s.backendsByLabel.get(label);
          if (known != null) {
            return known;
          }
          if (s.backendsByLabel.size() >= s.options.maxBackends()) {
            return other(s);
          }
          return s.backendsByLabel.computeIfAbsent(label, s::newBackend);
        });
  }

  private static BackendMeters other(Series s) {
    synchronized (s) {
      BackendMeters o = s.otherBackends;
      if (o == null) {
        o = s.newBackend(OTHER);
        s.otherBackends = o;
      }
      return o;
    }
  }

  /**
   * Drops the series of routes {@code snapshot} no longer serves, and of backends outside {@code
   * liveBackends}: a removed route's series go with it (Prometheus reads a reset when it returns).
   * Called on the compile thread after each publish.
   */
  public synchronized void retain(RouteSnapshot snapshot, Set<EndpointsKey> liveBackends) {
    Series s = series;
    retainRoutes(snapshot);
    ConcurrentHashMap<EndpointsKey, BackendMeters> backendsByKey = s.backendsByKey;
    ConcurrentHashMap<String, BackendMeters> backendsByLabel = s.backendsByLabel;
    Set<String> liveLabels = new HashSet<>();
    for (EndpointsKey k : liveBackends) {
      liveLabels.add(BackendLabels.of(k));
    }
    backendsByKey.keySet().removeIf(k -> !liveBackends.contains(k));
    List<BackendMeters> gone = new ArrayList<>();
    backendsByLabel
        .values()
        .removeIf(
            b -> {
              boolean drop = !liveLabels.contains(b.label);
              if (drop) {
                gone.add(b);
              }
              return drop;
            });
    gone.forEach(BackendMeters::remove);
  }

  synchronized void retainRoutes(RouteSnapshot snapshot) {
    Series s = series;
    if (s.allRoutes != null) {
      return;
    }
    ConcurrentHashMap<String, RouteMeters> routes = s.routes;
    Set<String> live = new HashSet<>();
    for (CompiledRoute r : snapshot.routes()) {
      live.add(r.id());
    }
    live.add(NO_ROUTE);
    List<RouteMeters> gone = new ArrayList<>();
    routes
        .values()
        .removeIf(
            r -> {
              boolean drop = !live.contains(r.route);
              if (drop) {
                gone.add(r);
              }
              return drop;
            });
    gone.forEach(RouteMeters::remove);
  }

  static int statusClass(int status) {
    return status >= 100 && status < 600 ? status / 100 : 0;
  }

  static int method(String method) {
    return switch (method) {
      case "GET" -> 0;
      case "HEAD" -> 1;
      case "POST" -> 2;
      case "PUT" -> 3;
      case "DELETE" -> 4;
      case "CONNECT" -> 5;
      case "OPTIONS" -> 6;
      case "TRACE" -> 7;
      case "PATCH" -> 8;
      default -> 9;
    };
  }

  static int protocol(String protocol) {
    return switch (protocol) {
      case "HTTP/1.0" -> 0;
      case "HTTP/1.1" -> 1;
      case "HTTP/2" -> 2;
      default -> 3;
    };
  }

  /** One route's meters; the request counters are made on first use. */
  private final class RouteMeters {
    final String route;
    final AtomicReferenceArray<@Nullable Counter> requests =
        new AtomicReferenceArray<>(CLASSES.length * METHODS.length * PROTOCOLS.length);
    final DistributionDataPoint duration;
    final Counter bytesIn;
    final Counter bytesOut;

    final Histogram histogram;

    RouteMeters(String route, Histogram histogram) {
      this.route = route;
      this.histogram = histogram;
      this.duration = histogram.labelValues(route);
      this.bytesIn =
          Counter.builder("gatehouse.request.bytes")
              .description("Request body bytes read from clients, by route")
              .tag("route", route)
              .register(registry);
      this.bytesOut =
          Counter.builder("gatehouse.response.bytes")
              .description("Response body bytes written to clients, by route")
              .tag("route", route)
              .register(registry);
    }

    Counter requests(int index) {
      Counter c = requests.get(index);
      if (c == null) {
        int protocol = index % PROTOCOLS.length;
        int method = (index / PROTOCOLS.length) % METHODS.length;
        int code = index / PROTOCOLS.length / METHODS.length;
        // Registering twice from two loops gives the same counter.
        c =
            Counter.builder("gatehouse.requests")
                .description("Requests answered, by route, status class, method and protocol")
                .tags(
                    "route",
                    route,
                    "code",
                    CLASSES[code],
                    "method",
                    METHODS[method],
                    "protocol",
                    PROTOCOLS[protocol])
                .register(registry);
        requests.set(index, c);
      }
      return c;
    }

    void remove() {
      for (int i = 0; i < requests.length(); i++) {
        removeMeter(requests.get(i));
      }
      removeMeter(bytesIn);
      removeMeter(bytesOut);
      histogram.remove(route);
    }
  }

  /** One backend label's meters. */
  private final class BackendMeters {
    final String label;
    final AtomicReferenceArray<@Nullable Counter> attempts =
        new AtomicReferenceArray<>(OUTCOMES.length);
    final DistributionDataPoint duration;
    final Counter retries;
    final ConcurrentHashMap<String, Counter> ejections = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Counter> overflows = new ConcurrentHashMap<>();

    final Histogram histogram;

    BackendMeters(String label, Histogram histogram) {
      this.label = label;
      this.histogram = histogram;
      this.duration = histogram.labelValues(label);
      this.retries =
          Counter.builder("gatehouse.upstream.retries")
              .description("Upstream attempts after a request's first (retries), by backend")
              .tag("backend", label)
              .register(registry);
    }

    Counter attempts(int outcome) {
      Counter c = attempts.get(outcome);
      if (c == null) {
        c =
            Counter.builder("gatehouse.upstream.attempts")
                .description(
                    "Upstream attempts by backend and outcome (responded, connect_failed, reset,"
                        + " timed_out)")
                .tags("backend", label, "outcome", OUTCOMES[outcome])
                .register(registry);
        attempts.set(outcome, c);
      }
      return c;
    }

    /** {@code reason} is one of the detector's three fixed names. */
    Counter ejection(String reason) {
      return ejections.computeIfAbsent(
          reason,
          r ->
              Counter.builder("gatehouse.upstream.ejections")
                  .description("Endpoints outlier detection ejected, by backend and reason")
                  .tags("backend", label, "reason", r)
                  .register(registry));
    }

    /** {@code limit} is one of the circuit breakers' fixed names. */
    Counter overflow(String limit) {
      Counter c = overflows.get(limit);
      return c != null
          ? c
          : overflows.computeIfAbsent(
              limit,
              l ->
                  Counter.builder("gatehouse.upstream.overflows")
                      .description(
                          "Requests the circuit breakers refused (503), by backend and limit")
                      .tags("backend", label, "limit", l)
                      .register(registry));
    }

    void remove() {
      for (int i = 0; i < attempts.length(); i++) {
        removeMeter(attempts.get(i));
      }
      removeMeter(retries);
      ejections.values().forEach(ExchangeMetrics.this::removeMeter);
      overflows.values().forEach(ExchangeMetrics.this::removeMeter);
      histogram.remove(label);
    }
  }

  private void removeMeter(@Nullable Meter m) {
    if (m != null) {
      registry.remove(m);
    }
  }
}
