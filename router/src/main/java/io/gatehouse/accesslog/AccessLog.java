package io.gatehouse.accesslog;

import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: an {@link ExchangeObserver} that, when an exchange ends and the route's sampling
 * keeps it, copies the chosen fields into an entry and queues it for the writer's thread. Its
 * options are swapped whole at runtime ({@link #apply}), so a reload changes fields, format,
 * sampling and destination without a restart; the loop reads one volatile reference per request.
 */
public final class AccessLog implements ExchangeObserver {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  /** Opens a destination: stdout for an empty file name. */
  public interface Sinks {
    AccessLogSink open(String file) throws IOException;

    Sinks DEFAULT =
        file -> file.isEmpty() ? AccessLogSink.stdout() : AccessLogSink.file(Path.of(file));
  }

  /** What one request reads: options, their layout and the writer (null when off). */
  private record State(
      AccessLogOptions options, AccessEntry.Layout layout, @Nullable AccessLogWriter writer) {}

  private final Sinks sinks;
  private final DoubleSupplier random;
  private final LongAdder written = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private volatile State state;

  /** The generation {@link #routesServed} last checked the rules against; -1 before any. */
  private long checkedGeneration = -1;

  /** Route ids of the rules that name no served route, sorted; read by the status JSON. */
  private volatile List<String> unknownRouteRules = List.of();

  private AccessLog(Sinks sinks, DoubleSupplier random) {
    this.sinks = sinks;
    this.random = random;
    this.state = new State(AccessLogOptions.OFF, layout(AccessLogOptions.OFF), null);
  }

  /** An access log writing as {@code options} say; fails when its file cannot be opened. */
  public static AccessLog start(AccessLogOptions options) throws IOException {
    return start(options, Sinks.DEFAULT, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** With its own destinations and random source (tests). */
  public static AccessLog start(AccessLogOptions options, Sinks sinks, DoubleSupplier random)
      throws IOException {
    AccessLog log = new AccessLog(sinks, random);
    log.apply(options);
    return log;
  }

  /**
   * Swaps in {@code next}. A new destination or queue size opens a new writer first (so a file that
   * cannot be opened leaves the old settings whole) and lets the old one finish its queue.
   */
  public synchronized void apply(AccessLogOptions next) throws IOException {
    State old = state;
    AccessLogWriter writer = old.writer;
    boolean newWriter =
        next.enabled()
            && (writer == null
                || !next.file().equals(old.options.file())
                || next.queueLines() != old.options.queueLines());
    if (newWriter) {
      writer = new AccessLogWriter(next.queueLines(), sinks.open(next.file()), written, dropped);
    } else if (!next.enabled()) {
      writer = null;
    }
    state = new State(next, layout(next), writer);
    if (old.writer != null && old.writer != writer) {
      old.writer.close();
    }
  }

  /**
   * Opens the file again (after a log rotation moved it): a new writer on a fresh handle; the old
   * one finishes its queue into the old file.
   */
  public synchronized void reopen() throws IOException {
    State s = state;
    if (s.writer != null && !s.options.file().isEmpty()) {
      AccessLogWriter writer =
          new AccessLogWriter(
              s.options.queueLines(), sinks.open(s.options.file()), written, dropped);
      state = new State(s.options, s.layout, writer);
      s.writer.close();
    }
  }

  /** Stops: what is queued is written, then the destination closed. */
  public synchronized void close() throws InterruptedException {
    State s = state;
    state = new State(AccessLogOptions.OFF, s.layout, null);
    if (s.writer != null) {
      s.writer.close();
      s.writer.awaitClosed(5_000);
    }
  }

  public AccessLogOptions options() {
    return state.options;
  }

  /**
   * Checks the per-route rules against the route ids of the served snapshot, at each publish and
   * after a reload (never per request): a rule naming no served route does nothing, so it is listed
   * ({@link #unknownRouteRules}) and warned about once, when it becomes unknown. {@code routeIds}
   * is asked only when there are rules; an older generation than the last checked is ignored (a
   * publish and a reload may race).
   */
  public synchronized void routesServed(long generation, Supplier<Set<String>> routeIds) {
    if (generation < checkedGeneration) {
      return;
    }
    checkedGeneration = generation;
    Set<String> rules = state.options.routes().keySet();
    if (rules.isEmpty()) {
      unknownRouteRules = List.of();
      return;
    }
    Set<String> served = routeIds.get();
    List<String> unknown = new ArrayList<>();
    for (String id : rules) {
      if (!served.contains(id)) {
        unknown.add(id);
      }
    }
    unknown.sort(null);
    Set<String> before = new HashSet<>(unknownRouteRules);
    for (String id : unknown) {
      if (!before.contains(id)) {
        LOG.atWarn()
            .setMessage("access log: a per-route rule names no served route; it does nothing")
            .addKeyValue("key", "log.accessRoutes")
            .addKeyValue("route", id)
            .addKeyValue("generation", generation)
            .log();
      }
    }
    unknownRouteRules = List.copyOf(unknown);
  }

  /** The route ids of per-route rules that named no served route at the last check. */
  public List<String> unknownRouteRules() {
    return unknownRouteRules;
  }

  /** Lines written so far. */
  public long written() {
    return written.sum();
  }

  /** Lines dropped so far: the queue was full, or the destination failed. */
  public long dropped() {
    return dropped.sum();
  }

  private static AccessEntry.Layout layout(AccessLogOptions o) {
    return AccessEntry.Layout.of(o.fields(), o.format());
  }

  @Override
  public void ended(ExchangeView x) {
    State s = state;
    AccessLogWriter writer = s.writer;
    if (writer == null) {
      return;
    }
    int status = x.status();
    if (!sampled(s.options, x.routeId(), status)) {
      return;
    }
    AccessEntry e = new AccessEntry(s.layout);
    e.endMillis = System.currentTimeMillis();
    e.durationNanos = x.endNanos() - x.startNanos();
    e.method = x.method();
    e.host = x.host();
    e.path = x.path();
    e.protocol = x.protocol();
    e.status = status;
    e.bytesIn = x.bytesIn();
    e.bytesOut = x.bytesOut();
    e.upstream = x.endpoint();
    e.upstreamStatus = x.upstreamStatus();
    e.route = x.routeId();
    e.tenant = x.tenant();
    e.requestId = x.requestId();
    e.traceId = x.traceId();
    e.client = x.client();
    e.overflow = x.overflow();
    e.attempts = x.attempts();
    if (s.layout.userAgent()) {
      e.userAgent = x.requestHeaders().get(HttpHeaders.USER_AGENT);
    }
    if (s.layout.referer()) {
      e.referer = x.requestHeaders().get(HttpHeaders.REFERER);
    }
    writer.offer(e);
  }

  /** The route's rule, else the node's ratios; errors (4xx, 5xx) have their own ratio. */
  boolean sampled(AccessLogOptions o, @Nullable String routeId, int status) {
    double ratio;
    Map<String, AccessLogOptions.RouteRule> routes = o.routes();
    AccessLogOptions.RouteRule rule =
        routeId == null || routes.isEmpty() ? null : routes.get(routeId);
    if (rule != null) {
      ratio = status >= 400 ? rule.sampleErrors() : rule.sampleRatio();
    } else {
      ratio = status >= 400 ? o.sampleErrors() : o.sampleRatio();
    }
    return ratio >= 1 || (ratio > 0 && random.getAsDouble() < ratio);
  }
}
