package io.gatehouse.metrics;

import io.gatehouse.certificate.CertificateExpiry;
import io.gatehouse.certificate.CertificateIndexHolder;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.Mirror;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.tls.SniKeyManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The node's metrics, scraped at {@code /metrics} on the status listener:
 *
 * <ul>
 *   <li>{@code gatehouse_snapshot_generation}: the table generation the routers serve;
 *   <li>{@code gatehouse_tls_default_certificate_self_signed}: 1 while the generated default is
 *       served;
 *   <li>{@code gatehouse_tls_default_certificate_fallbacks_total{host}}: handshakes that asked for
 *       a host a route serves over HTTPS and got the default certificate (no certificate covers
 *       it); the first {@link #MAX_FALLBACK_HOSTS} hosts get their own series, later ones count
 *       under {@code host="other"}, so clients cannot grow the registry;
 *   <li>{@code gatehouse_tls_certificate_expiry_days{certificate,source}}: whole days each served
 *       certificate has left, and {@code gatehouse_tls_certificates_expiring_soon}: how many expire
 *       within 14 days;
 *   <li>{@code gatehouse_mirror_copies_total{outcome}}: what became of the copies the served
 *       routes' {@code RequestMirror} policies chose ({@code answered}, {@code failed}, {@code
 *       dropped_busy}, {@code dropped_too_large}, {@code abandoned}, {@code dropped_down}), summed
 *       over the routes at each scrape (a route's counts go with it, which Prometheus reads as a
 *       counter reset), and {@code gatehouse_mirror_in_flight}: copies open now;
 *   <li>{@code gatehouse_backend_overflows_total{limit}}: requests the circuit breakers refused
 *       ({@code max-connections}, {@code max-pending}, {@code max-requests}) and retries they did
 *       not make ({@code max-retries}, {@code retry-budget}), added by the node.
 * </ul>
 *
 * <p>With {@code metrics.enabled} ({@link #exchanges}) also the proxy's traffic ({@link
 * ExchangeMetrics}), snapshot compile and propagation times, and the JVM and process series of
 * Micrometer's binders. docs/observability.md lists every series.
 */
public final class GatehouseMetrics {
  public static final int MAX_FALLBACK_HOSTS = 1000;
  public static final String OTHER = "other";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Counter> fallbacks = new ConcurrentHashMap<>();
  private final Counter otherFallbacks;
  private volatile @Nullable CertificateIndexHolder certificates;
  private @Nullable MultiGauge expiryDays;

  private volatile @Nullable Timer compileTime;
  private volatile @Nullable Timer propagation;
  private volatile double lastPublishSeconds;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  /** The suppliers of {@link #functionCounter}, held here: the registry would let them go. */
  private final List<LongSupplier> held = new CopyOnWriteArrayList<>();

  private final List<DoubleSupplier> heldGauges = new CopyOnWriteArrayList<>();

  public GatehouseMetrics(SnapshotHolder snapshots) {
    Gauge.builder(
            "gatehouse.snapshot.generation",
            snapshots,
            s -> {
              RouteSnapshot r = s.get();
              return r == null ? 0 : r.generation();
            })
        .description("The table generation the routers serve")
        .register(registry);
    otherFallbacks = fallbackCounter(OTHER);
    for (Mirror.Outcome outcome : Mirror.Outcome.values()) {
      FunctionCounter.builder(
              "gatehouse.mirror.copies", snapshots, s -> mirrorSum(s, m -> m.count(outcome)))
          .description("Copies of requests that RequestMirror policies chose, by outcome")
          .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("gatehouse.mirror.in.flight", snapshots, s -> mirrorSum(s, Mirror::inFlight))
        .description("Copies sent to mirrors and not ended yet")
        .register(registry);
  }

  /** {@code value} summed over the mirrors of the routes served now; 0 before any snapshot. */
  private static double mirrorSum(SnapshotHolder snapshots, ToDoubleFunction<Mirror> value) {
    RouteSnapshot r = snapshots.get();
    if (r == null) {
      return 0;
    }
    double sum = 0;
    for (CompiledRoute route : r.routes()) {
      for (Mirror m : route.mirrors()) {
        sum += value.applyAsDouble(m);
      }
    }
    return sum;
  }

  /** Adds the TLS gauges, read from {@code holder} at each scrape. */
  public void bindCertificates(CertificateIndexHolder holder) {
    this.certificates = holder;
    Gauge.builder(
            "gatehouse.tls.default.certificate.self.signed",
            holder,
            h ->
                h.get().defaultCertificate().source() == ServedCertificate.Source.GENERATED ? 1 : 0)
        .description("1 while the generated self-signed default certificate is served")
        .register(registry);
    Gauge.builder(
            "gatehouse.tls.certificates.expiring.soon",
            holder,
            h -> h.expiry().stream().filter(CertificateExpiry::expiringSoon).count())
        .description("Served certificates that expire within 14 days")
        .register(registry);
    expiryDays =
        MultiGauge.builder("gatehouse.tls.certificate.expiry.days")
            .description("Whole days until a served certificate expires")
            .register(registry);
  }

  /**
   * Adds a counter read at each scrape from {@code count} (a total the data plane keeps in its own
   * atomics), with one tag: how the node exposes counts of packages this one does not import (the
   * circuit breakers' overflows, {@code gatehouse_backend_overflows_total{limit}}).
   */
  public void functionCounter(
      String name, String description, String tag, String tagValue, LongSupplier count) {
    held.add(count); // Micrometer holds a function counter's state weakly
    FunctionCounter.builder(name, count, c -> (double) c.getAsLong())
        .description(description)
        .tag(tag, tagValue)
        .register(registry);
  }

  /**
   * Adds a gauge read at each scrape from {@code value}: how the node exposes state of packages
   * this one does not import (the Kubernetes watch).
   */
  public void gauge(String name, String description, DoubleSupplier value) {
    heldGauges.add(value); // Micrometer holds a gauge's state weakly
    Gauge.builder(name, value, DoubleSupplier::getAsDouble)
        .description(description)
        .register(registry);
  }

  /** What the key manager calls on a fallback; a map lookup and an increment. */
  public SniKeyManager.Fallbacks fallbacks() {
    return this::countFallback;
  }

  private void countFallback(String host) {
    Counter c = fallbacks.get(host);
    if (c == null) {
      c =
          fallbacks.size() >= MAX_FALLBACK_HOSTS
              ? otherFallbacks
              : fallbacks.computeIfAbsent(host, this::fallbackCounter);
    }
    c.increment();
  }

  private Counter fallbackCounter(String host) {
    return Counter.builder("gatehouse.tls.default.certificate.fallbacks")
        .description(
            "Handshakes for a host served over HTTPS that no certificate covers (got the default)")
        .tag("host", host)
        .register(registry);
  }

  /**
   * Applies reloaded options to {@code x} (made by {@link #exchanges}): new duration buckets also
   * make the snapshot timers again (their old series go away).
   */
  public synchronized void apply(ExchangeMetrics x, MetricsOptions next) {
    boolean sameBuckets = Arrays.equals(x.options().durationBuckets(), next.durationBuckets());
    x.apply(next);
    if (!sameBuckets) {
      Timer c = compileTime;
      Timer p = propagation;
      if (c != null) {
        registry.remove(c);
      }
      if (p != null) {
        registry.remove(p);
      }
      snapshotTimers(next);
    }
  }

  /** The snapshot compile and propagation timers, with the duration buckets as SLOs. */
  private void snapshotTimers(MetricsOptions options) {
    Duration[] slos =
        Arrays.stream(options.durationBuckets())
            .mapToObj(sec -> Duration.ofNanos(Math.round(sec * 1e9)))
            .toArray(Duration[]::new);
    compileTime =
        Timer.builder("gatehouse.snapshot.compile")
            .description("Time to compile the table into a routing snapshot")
            .serviceLevelObjectives(slos)
            .register(registry);
    propagation =
        Timer.builder("gatehouse.snapshot.propagation")
            .description(
                "Time from the table handing this node a change to every event loop serving it")
            .serviceLevelObjectives(slos)
            .register(registry);
  }

  /**
   * The proxy's traffic series ({@link ExchangeMetrics}), the snapshot timings and the JVM and
   * process series: what {@code metrics.enabled} turns on. Call once.
   */
  public synchronized ExchangeMetrics exchanges(MetricsOptions options) {
    ExchangeMetrics x = new ExchangeMetrics(registry, registry.getPrometheusRegistry(), options);
    snapshotTimers(options);
    Gauge.builder("gatehouse.snapshot.last.publish.timestamp", this, m -> m.lastPublishSeconds)
        .description("When this node last published a snapshot (Unix time, seconds)")
        .baseUnit("seconds")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    closeables.add(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return x;
  }

  /** A snapshot was published: how long its compile and its way to every event loop took. */
  public void published(long compileNanos, long lagNanos) {
    Timer c = compileTime;
    Timer p = propagation;
    if (c != null && p != null) {
      c.record(compileNanos, TimeUnit.NANOSECONDS);
      p.record(lagNanos, TimeUnit.NANOSECONDS);
    }
    lastPublishSeconds = System.currentTimeMillis() / 1000.0;
  }

  /** Lets go of what listens to the JVM (the GC notifications). */
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing left to do at stop
      }
    }
    closeables.clear();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    refreshExpiry();
    return registry.scrape();
  }

  /** Prometheus' protobuf format: the one that carries native histograms. */
  public static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  /** The text format, version 0.0.4. */
  public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** One scrape's body and its {@code Content-Type}. */
  public record Exposition(String contentType, byte[] body) {}

  /**
   * The exposition a scraper's {@code Accept} asks for: protobuf (with native histograms) when it
   * names it, as Prometheus does with native histograms on, else text.
   */
  public Exposition scrape(@Nullable String accept) {
    refreshExpiry();
    String type =
        accept != null && accept.contains("application/vnd.google.protobuf") ? PROTOBUF : TEXT;
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      registry.scrape(out, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return new Exposition(type, out.toByteArray());
  }

  private void refreshExpiry() {
    CertificateIndexHolder h = certificates;
    MultiGauge g = expiryDays; // set with certificates, by bindCertificates
    if (h != null && g != null) {
      List<MultiGauge.Row<?>> rows =
          h.expiry().stream()
              .<MultiGauge.Row<?>>map(
                  c ->
                      MultiGauge.Row.of(
                          Tags.of("certificate", c.name(), "source", c.source()), c.daysLeft()))
              .toList();
      synchronized (this) {
        g.register(rows, true);
      }
    }
  }
}
