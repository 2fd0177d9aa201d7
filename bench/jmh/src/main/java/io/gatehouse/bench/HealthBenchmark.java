package io.gatehouse.bench;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.health.HealthClock;
import io.gatehouse.health.HealthRegistry;
import io.gatehouse.health.OutlierDetector;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.snapshot.Target;
import io.gatehouse.upstream.Balancer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * ns per pick and per outcome report at the default backend policy (issue #14): the balancer's pick
 * alone, the pick with the availability check the data plane adds (nothing unavailable: one
 * volatile read), and the outcome report of outlier detection (2xx; and one 5xx in eight).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HealthBenchmark {
  @Param({"4", "64"})
  public int endpoints;

  private Balancer balancer;
  private HealthRegistry registry;
  private OutlierDetector detector;
  private Target target;
  private EndpointSet set;
  private int i;

  @Setup
  public void setUp() {
    EndpointsKey key = new EndpointsKey.Inline(RouteKey.of("t", "s", "r"), 0);
    List<Endpoint> list = new ArrayList<>();
    for (int n = 0; n < endpoints; n++) {
      list.add(Endpoint.of("10.0." + (n / 250) + "." + (n % 250), 8080));
    }
    set = new EndpointSet(key, list, 1);
    balancer = new Balancer(set, new SplittableRandom(1));
    registry = new HealthRegistry(HealthClock.SYSTEM, (delay, task) -> {});
    detector = new OutlierDetector(registry);
    target = new Target(key, 0, UpstreamProtocol.HTTP1, null, 1);
  }

  @Benchmark
  public Endpoint pick() {
    return balancer.next();
  }

  @Benchmark
  public Endpoint pick_checked() {
    Endpoint e = balancer.next();
    return registry.available(e) ? e : balancer.next();
  }

  @Benchmark
  public Endpoint pick_and_report_ok() {
    Endpoint e = balancer.next();
    detector.report(target, set, e, 200);
    return e;
  }

  @Benchmark
  public Endpoint pick_and_report_some_5xx() {
    Endpoint e = balancer.next();
    detector.report(target, set, e, (++i & 7) == 0 ? 503 : 200);
    return e;
  }
}
