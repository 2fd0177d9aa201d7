package io.gatehouse.bench;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.trace.OtlpTracing;
import io.gatehouse.trace.TracingOptions;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ns per request of tracing: the four observer callbacks of one proxied exchange (start, one
 * attempt's headers and end, the end) at a sampling ratio, for a request without a {@code
 * traceparent} ({@code newTrace}) and one with an unsampled one ({@code continuedUnsampled}); the
 * ratio {@code off} is {@code ExchangeObserver.NONE}, what the proxy calls with tracing off. The
 * sampled 1 % are exported to a port nobody listens on: the batch processor's thread fails and
 * drops them, off the measured thread, as a collector that is down would.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TracingBenchmark {
  @State(Scope.Benchmark)
  public static class Tracer {
    @Param({"off", "0.01", "1"})
    public String ratio;

    @Nullable OtlpTracing tracing;
    ExchangeObserver observer = ExchangeObserver.NONE;

    @Setup(Level.Trial)
    public void start() {
      if (!ratio.equals("off")) {
        tracing =
            OtlpTracing.start(
                new TracingOptions(
                    "http://127.0.0.1:9/v1/traces",
                    Double.parseDouble(ratio),
                    true,
                    "bench",
                    "bench",
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    2048,
                    Map.of()));
        observer = tracing.observer();
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      if (tracing != null) {
        tracing.shutdown();
      }
    }
  }

  @State(Scope.Thread)
  public static class Exchange {
    final View fresh = new View(MultiMap.caseInsensitiveMultiMap().add("host", "a.example"));
    final View unsampled =
        new View(
            MultiMap.caseInsensitiveMultiMap()
                .add("host", "a.example")
                .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  }

  @Benchmark
  public Object newTrace(Tracer t, Exchange e) {
    return exchange(t.observer, e.fresh);
  }

  @Benchmark
  public Object continuedUnsampled(Tracer t, Exchange e) {
    return exchange(t.observer, e.unsampled);
  }

  private static Object exchange(ExchangeObserver o, View x) {
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap();
    o.started(x);
    o.attemptSending(x, upstream);
    o.attemptEnded(x, AttemptOutcome.RESPONDED, 200, x.startNanos, false);
    o.ended(x);
    return upstream;
  }

  /** A proxied GET answered 200, as the proxy's view shows it. */
  static final class View implements ExchangeView {
    final MultiMap headers;
    final long startNanos = System.nanoTime();
    @Nullable String traceId;
    @Nullable Object observation;

    View(MultiMap headers) {
      this.headers = headers;
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String host() {
      return "a.example";
    }

    @Override
    public String path() {
      return "/api/items";
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
    public int status() {
      return 200;
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
      return startNanos;
    }

    /** The proxy hands its own clock reading to the observers; so does this view. */
    @Override
    public long endNanos() {
      return startNanos + 250_000;
    }

    @Override
    public long attemptEndNanos() {
      return startNanos + 200_000;
    }

    @Override
    public String routeId() {
      return "default/cli/a";
    }

    @Override
    public String tenant() {
      return "default";
    }

    @Override
    public @Nullable EndpointsKey backend() {
      return null;
    }

    @Override
    public String endpoint() {
      return "127.0.0.1:18081";
    }

    @Override
    public String requestId() {
      return "0af7651916cd43dd8448eb211c80319c";
    }

    @Override
    public String client() {
      return "127.0.0.1";
    }

    @Override
    public @Nullable String overflow() {
      return null;
    }

    @Override
    public MultiMap requestHeaders() {
      return headers;
    }

    @Override
    public int attempts() {
      return 1;
    }

    @Override
    public @Nullable String traceId() {
      return traceId;
    }

    @Override
    public void traceId(@Nullable String value) {
      traceId = value;
    }

    @Override
    public @Nullable Object observation() {
      return observation;
    }

    @Override
    public void observation(@Nullable Object value) {
      observation = value;
    }
  }
}
