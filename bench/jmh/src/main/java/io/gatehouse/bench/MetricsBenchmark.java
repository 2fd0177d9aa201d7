package io.gatehouse.bench;

import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.metrics.MetricsOptions;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.snapshot.SnapshotHolder;
import io.vertx.core.MultiMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ns (and bytes, with {@code -prof gc}) per request of the metrics observer: the four callbacks of
 * one proxied exchange answered 200 after one attempt; {@code off} is {@code
 * ExchangeObserver.NONE}, what the proxy calls with {@code metrics.enabled=false}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MetricsBenchmark {
  @State(Scope.Benchmark)
  public static class Metrics {
    @Param({"off", "on"})
    public String metrics;

    ExchangeObserver observer = ExchangeObserver.NONE;

    @Setup
    public void start() {
      if (metrics.equals("on")) {
        observer = new GatehouseMetrics(new SnapshotHolder()).exchanges(MetricsOptions.DEFAULTS);
      }
    }
  }

  @State(Scope.Thread)
  public static class Exchange {
    final TracingBenchmark.View view =
        new TracingBenchmark.View(MultiMap.caseInsensitiveMultiMap().add("host", "a.example"));
    final MultiMap upstream = MultiMap.caseInsensitiveMultiMap();
  }

  @Benchmark
  public Object exchange(Metrics m, Exchange e) {
    ExchangeObserver o = m.observer;
    TracingBenchmark.View x = e.view;
    o.started(x);
    o.attemptSending(x, e.upstream);
    o.attemptEnded(x, AttemptOutcome.RESPONDED, 200, x.startNanos, false);
    o.ended(x);
    return x;
  }
}
