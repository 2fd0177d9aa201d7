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
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
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
 * on a reload), one map read by route id (its hash is cached in the string) and one by backend, the
 * thread's cells of each ({@link ThreadSlot}), and plain stores: each event loop counts into cells
 * of its own, which a scrape adds up ({@link Collector}). Why not Micrometer counters and the
 * Prometheus client's histograms: their adders and atomic buckets cost about 14 atomic
 * read-modify-writes per exchange, and the node with them measured 4-5 % below one without on one
 * pinned core (docs/benchmarks.md, "Fourth run"), ten times what the same calls cost in isolation.
 * The rare series (retries, ejections, circuit-breaker overflows, connections, handshakes) stay
 * Micrometer meters. Meters are made once per label and dropped when their route or backend leaves
 * the snapshot ({@link #retain}).
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

  static final String REQUESTS = "gatehouse_requests";
  static final String REQUEST_BYTES = "gatehouse_request_bytes";
  static final String RESPONSE_BYTES = "gatehouse_response_bytes";
  static final String REQUEST_DURATION = "gatehouse_request_duration_seconds";
  static final String ATTEMPTS = "gatehouse_upstream_attempts";
  static final String ATTEMPT_DURATION = "gatehouse_upstream_attempt_duration_seconds";

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final MeterRegistry registry;

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
    this.series = new Series(options, null);
    prometheus.register(new Collector());
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

  /** The options in force. */
  public MetricsOptions options() {
    return series.options;
  }

  /**
   * Applies reloaded options ({@code enabled} excepted: the reload refuses a change of it). The
   * labels of routes and backends already counted carry over with their counts; new buckets start
   * new histograms (the old counts go). Turning route labels off drops the per-route series; a
   * backend already labelled keeps its label under a lowered {@code maxBackends} until it leaves
   * the snapshot. An observation racing the swap may land in the old series.
   */
  public synchronized void apply(MetricsOptions next) {
    Series old = series;
    if (old.options.equals(next)) {
      return;
    }
    Series s = new Series(next, old);
    if (next.routeLabels()) {
      for (RouteMeters r : old.routes.values()) {
        s.routes.put(r.route, s.carry(r));
      }
    }
    BackendMeters oldOther = old.otherBackends;
    if (oldOther != null) {
      s.otherBackends = s.carry(oldOther);
    }
    for (BackendMeters b : old.backendsByLabel.values()) {
      s.backendsByLabel.put(b.label, s.carry(b));
    }
    old.backendsByKey.forEach(
        (key, b) ->
            s.backendsByKey.put(
                key,
                b == oldOther
                    ? Objects.requireNonNull(s.otherBackends)
                    : s.backendsByLabel.computeIfAbsent(b.label, s::newBackend)));
    series = s;
  }

  /** The options and what is made from them: the meters of each label. */
  private final class Series {
    final MetricsOptions options;
    final double[] upper;
    final boolean sameBuckets;
    final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
    final @Nullable RouteMeters allRoutes;
    final ConcurrentHashMap<EndpointsKey, BackendMeters> backendsByKey = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, BackendMeters> backendsByLabel = new ConcurrentHashMap<>();
    final BackendMeters defaultBackend;

    /** The backends past the cap, made when the first one comes. */
    volatile @Nullable BackendMeters otherBackends;

    Series(MetricsOptions options, @Nullable Series old) {
      this.options = options;
      this.upper = options.durationBuckets();
      this.sameBuckets = old != null && Arrays.equals(old.upper, upper);
      RouteMeters oldAll = old == null ? null : old.allRoutes;
      this.allRoutes =
          options.routeLabels() ? null : oldAll != null ? carry(oldAll) : newRoute(NO_ROUTE);
      this.defaultBackend =
          old == null ? newBackend(BackendLabels.DEFAULT) : carry(old.defaultBackend);
    }

    RouteMeters newRoute(String route) {
      return new RouteMeters(route, new AtomicReferenceArray<>(ThreadSlot.MAX), upper);
    }

    RouteMeters carry(RouteMeters r) {
      return sameBuckets ? r : new RouteMeters(r.route, r.counts, upper);
    }

    BackendMeters newBackend(String label) {
      return new BackendMeters(label, new AtomicReferenceArray<>(ThreadSlot.MAX), upper);
    }

    BackendMeters carry(BackendMeters b) {
      return sameBuckets ? b : new BackendMeters(b.label, b.attempts, upper);
    }
  }

  // ---------------------------------------------------------------- exchanges

  @Override
  public void attemptEnded(
      ExchangeView exchange, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
    BackendMeters b = backend(series, exchange.backend());
    double seconds = (exchange.attemptEndNanos() - startNanos) / 1e9;
    int slot = ThreadSlot.current();
    long[] attempts = b.cell(slot);
    HistogramCell duration = b.duration(slot);
    if (slot == ThreadSlot.SHARED) {
      synchronized (attempts) {
        attempted(attempts, duration, outcome.ordinal(), seconds);
      }
    } else {
      attempted(attempts, duration, outcome.ordinal(), seconds);
    }
    if (retry) {
      b.retries.increment();
    }
  }

  private static void attempted(
      long[] attempts, HistogramCell duration, int outcome, double seconds) {
    LONGS.setOpaque(attempts, outcome, attempts[outcome] + 1);
    duration.observe(seconds);
  }

  @Override
  public void ended(ExchangeView exchange) {
    Series now = series;
    RouteMeters r = route(now, exchange.routeId());
    int chunk = statusClass(exchange.status()) * METHODS.length + method(exchange.method());
    int protocol = protocol(exchange.protocol());
    double seconds = (exchange.endNanos() - exchange.startNanos()) / 1e9;
    long in = exchange.bytesIn();
    long out = exchange.bytesOut();
    int slot = ThreadSlot.current();
    RouteCell cell = r.cell(slot);
    HistogramCell duration = r.duration(slot);
    if (slot == ThreadSlot.SHARED) {
      synchronized (cell) {
        cell.count(chunk, protocol, in, out);
        duration.observe(seconds);
      }
    } else {
      cell.count(chunk, protocol, in, out);
      duration.observe(seconds);
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
    Set<String> liveLabels = new HashSet<>();
    for (EndpointsKey k : liveBackends) {
      liveLabels.add(BackendLabels.of(k));
    }
    s.backendsByKey.keySet().removeIf(k -> !liveBackends.contains(k));
    List<BackendMeters> gone = new ArrayList<>();
    s.backendsByLabel
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
    Set<String> live = new HashSet<>();
    for (CompiledRoute r : snapshot.routes()) {
      live.add(r.id());
    }
    live.add(NO_ROUTE);
    s.routes.keySet().removeIf(route -> !live.contains(route));
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

  // ---------------------------------------------------------------- cells

  /**
   * One thread's counts of one route: requests by (status class, method) chunk, each chunk a count
   * per protocol made on first use (a route answering GETs with 2xx on HTTP/1.1 holds one), and the
   * body bytes in and out.
   */
  static final class RouteCell {
    final long[] @Nullable [] requests = new long[CLASSES.length * METHODS.length][];
    final long[] bytes = new long[2];

    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(long[][].class);

    void count(int chunk, int protocol, long in, long out) {
      long[] c = requests[chunk];
      if (c == null) {
        c = new long[PROTOCOLS.length];
        CHUNKS.setRelease(requests, chunk, c);
      }
      LONGS.setOpaque(c, protocol, c[protocol] + 1);
      if (in > 0) {
        LONGS.setOpaque(bytes, 0, bytes[0] + in);
      }
      if (out > 0) {
        LONGS.setOpaque(bytes, 1, bytes[1] + out);
      }
    }

    long requests(int chunk, int protocol) {
      long[] c = (long[]) CHUNKS.getAcquire(requests, chunk);
      return c == null ? 0 : (long) LONGS.getOpaque(c, protocol);
    }

    long bytes(int i) {
      return (long) LONGS.getOpaque(bytes, i);
    }
  }

  /** One route's cells: the counts (kept across a reload) and the duration histogram. */
  private static final class RouteMeters {
    final String route;
    final AtomicReferenceArray<@Nullable RouteCell> counts;
    final double[] upper;
    final AtomicReferenceArray<@Nullable HistogramCell> durations =
        new AtomicReferenceArray<>(ThreadSlot.MAX);

    RouteMeters(String route, AtomicReferenceArray<@Nullable RouteCell> counts, double[] upper) {
      this.route = route;
      this.counts = counts;
      this.upper = upper;
    }

    RouteCell cell(int slot) {
      RouteCell c = counts.get(slot);
      if (c == null) {
        RouteCell made = new RouteCell();
        c = counts.compareAndSet(slot, null, made) ? made : counts.get(slot);
      }
      return Objects.requireNonNull(c);
    }

    HistogramCell duration(int slot) {
      return histogramCell(durations, slot, upper);
    }
  }

  private static HistogramCell histogramCell(
      AtomicReferenceArray<@Nullable HistogramCell> cells, int slot, double[] upper) {
    HistogramCell h = cells.get(slot);
    if (h == null) {
      HistogramCell made = new HistogramCell(upper);
      h = cells.compareAndSet(slot, null, made) ? made : cells.get(slot);
    }
    return Objects.requireNonNull(h);
  }

  /**
   * One backend label's meters: attempts by outcome and their durations in per-thread cells,
   * retries, ejections and overflows (rare) as Micrometer counters.
   */
  private final class BackendMeters {
    final String label;
    final AtomicReferenceArray<long @Nullable []> attempts;
    final double[] upper;
    final AtomicReferenceArray<@Nullable HistogramCell> durations =
        new AtomicReferenceArray<>(ThreadSlot.MAX);
    final Counter retries;
    final ConcurrentHashMap<String, Counter> ejections = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Counter> overflows = new ConcurrentHashMap<>();

    BackendMeters(String label, AtomicReferenceArray<long @Nullable []> attempts, double[] upper) {
      this.label = label;
      this.attempts = attempts;
      this.upper = upper;
      this.retries =
          Counter.builder("gatehouse.upstream.retries")
              .description("Upstream attempts after a request's first (retries), by backend")
              .tag("backend", label)
              .register(registry);
    }

    long[] cell(int slot) {
      long[] c = attempts.get(slot);
      if (c == null) {
        long[] made = new long[OUTCOMES.length];
        c = attempts.compareAndSet(slot, null, made) ? made : attempts.get(slot);
      }
      return Objects.requireNonNull(c);
    }

    HistogramCell duration(int slot) {
      return histogramCell(durations, slot, upper);
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
      removeMeter(retries);
      ejections.values().forEach(ExchangeMetrics.this::removeMeter);
      overflows.values().forEach(ExchangeMetrics.this::removeMeter);
    }
  }

  private void removeMeter(@Nullable Meter m) {
    if (m != null) {
      registry.remove(m);
    }
  }

  // ---------------------------------------------------------------- scrape

  /** Adds up the cells of the series in force at each scrape. */
  private final class Collector implements MultiCollector {
    @Override
    public MetricSnapshots collect() {
      Series s = series;
      double[] bounds = Arrays.copyOf(s.upper, s.upper.length + 1);
      bounds[s.upper.length] = Double.POSITIVE_INFINITY;
      List<CounterDataPointSnapshot> requests = new ArrayList<>();
      List<CounterDataPointSnapshot> bytesIn = new ArrayList<>();
      List<CounterDataPointSnapshot> bytesOut = new ArrayList<>();
      List<HistogramDataPointSnapshot> requestDurations = new ArrayList<>();
      List<RouteMeters> routes =
          s.allRoutes != null ? List.of(s.allRoutes) : List.copyOf(s.routes.values());
      for (RouteMeters r : routes) {
        long[] counts = new long[CLASSES.length * METHODS.length * PROTOCOLS.length];
        long in = 0;
        long out = 0;
        for (int slot = 0; slot < ThreadSlot.MAX; slot++) {
          RouteCell c = r.counts.get(slot);
          if (c == null) {
            continue;
          }
          for (int i = 0; i < counts.length; i++) {
            counts[i] += c.requests(i / PROTOCOLS.length, i % PROTOCOLS.length);
          }
          in += c.bytes(0);
          out += c.bytes(1);
        }
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] > 0) {
            int chunk = i / PROTOCOLS.length;
            requests.add(
                counter(
                    counts[i],
                    Labels.of(
                        "route",
                        r.route,
                        "code",
                        CLASSES[chunk / METHODS.length],
                        "method",
                        METHODS[chunk % METHODS.length],
                        "protocol",
                        PROTOCOLS[i % PROTOCOLS.length])));
          }
        }
        Labels route = Labels.of("route", r.route);
        bytesIn.add(counter(in, route));
        bytesOut.add(counter(out, route));
        HistogramDataPointSnapshot h = histogram(r.durations, bounds, route);
        if (h != null) {
          requestDurations.add(h);
        }
      }
      List<CounterDataPointSnapshot> attempts = new ArrayList<>();
      List<HistogramDataPointSnapshot> attemptDurations = new ArrayList<>();
      IdentityHashMap<BackendMeters, Boolean> seen = new IdentityHashMap<>();
      List<BackendMeters> backends = new ArrayList<>(s.backendsByLabel.values());
      backends.add(s.defaultBackend);
      BackendMeters other = s.otherBackends;
      if (other != null) {
        backends.add(other);
      }
      for (BackendMeters b : backends) {
        if (seen.put(b, Boolean.TRUE) != null) {
          continue;
        }
        long[] counts = new long[OUTCOMES.length];
        for (int slot = 0; slot < ThreadSlot.MAX; slot++) {
          long[] c = b.attempts.get(slot);
          if (c != null) {
            for (int i = 0; i < counts.length; i++) {
              counts[i] += (long) LONGS.getOpaque(c, i);
            }
          }
        }
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] > 0) {
            attempts.add(counter(counts[i], Labels.of("backend", b.label, "outcome", OUTCOMES[i])));
          }
        }
        HistogramDataPointSnapshot h =
            histogram(b.durations, bounds, Labels.of("backend", b.label));
        if (h != null) {
          attemptDurations.add(h);
        }
      }
      return new MetricSnapshots(
          new CounterSnapshot(
              new MetricMetadata(
                  REQUESTS, "Requests answered, by route, status class, method and protocol"),
              requests),
          new CounterSnapshot(
              new MetricMetadata(REQUEST_BYTES, "Request body bytes read from clients, by route"),
              bytesIn),
          new CounterSnapshot(
              new MetricMetadata(
                  RESPONSE_BYTES, "Response body bytes written to clients, by route"),
              bytesOut),
          new HistogramSnapshot(
              new MetricMetadata(
                  REQUEST_DURATION,
                  "Time from a request's head to the end of its answer, by route"),
              requestDurations),
          new CounterSnapshot(
              new MetricMetadata(
                  ATTEMPTS,
                  "Upstream attempts by backend and outcome (responded, connect_failed, reset,"
                      + " timed_out)"),
              attempts),
          new HistogramSnapshot(
              new MetricMetadata(
                  ATTEMPT_DURATION,
                  "Time from an upstream attempt's connect to its response head or failure"),
              attemptDurations));
    }

    @Override
    public List<String> getPrometheusNames() {
      return List.of(
          REQUESTS, REQUEST_BYTES, RESPONSE_BYTES, REQUEST_DURATION, ATTEMPTS, ATTEMPT_DURATION);
    }
  }

  private static CounterDataPointSnapshot counter(long value, Labels labels) {
    return new CounterDataPointSnapshot(value, labels, null, 0L);
  }

  /** The histogram of {@code cells} added up, or null when no thread observed anything. */
  private static @Nullable HistogramDataPointSnapshot histogram(
      AtomicReferenceArray<@Nullable HistogramCell> cells, double[] bounds, Labels labels) {
    HistogramCell.Sum sum = null;
    for (int slot = 0; slot < ThreadSlot.MAX; slot++) {
      HistogramCell c = cells.get(slot);
      if (c != null) {
        if (sum == null) {
          sum = new HistogramCell.Sum(bounds.length);
        }
        c.addTo(sum);
      }
    }
    if (sum == null) {
      return null;
    }
    NativeHistogramBuckets.Builder natives = NativeHistogramBuckets.builder();
    for (int i = 0; i < sum.natives.length; i++) {
      if (sum.natives[i] > 0) {
        natives.bucket(HistogramCell.nativeIndex(i), sum.natives[i]);
      }
    }
    return new HistogramDataPointSnapshot(
        ClassicHistogramBuckets.of(bounds, sum.classic),
        HistogramCell.SCHEMA,
        sum.zero,
        HistogramCell.ZERO_THRESHOLD,
        natives.build(),
        NativeHistogramBuckets.EMPTY,
        sum.sum,
        labels,
        Exemplars.EMPTY,
        0L);
  }
}
