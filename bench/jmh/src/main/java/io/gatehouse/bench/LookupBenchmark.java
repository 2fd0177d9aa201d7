package io.gatehouse.bench;

import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
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
 * ns per {@link RouteSnapshot#match}: a request for a random existing route (exact or wildcard
 * host, one or two segments below the route's prefix), from a pre-generated array.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LookupBenchmark {
  private static final int REQUESTS = 1 << 14;

  @Param({"10", "1000", "100000"})
  public int routes;

  /**
   * When above 0, requests go only to this many routes of the table: separates the algorithm's cost
   * (hot set in cache) from cache misses over a table larger than the CPU caches.
   */
  @Param({"0"})
  public int hot;

  private RouteSnapshot snapshot;
  private final String[] hosts = new String[REQUESTS];
  private final String[] paths = new String[REQUESTS];
  private int next;

  @Setup
  public void setUp() {
    snapshot = SnapshotCompiler.compile(BenchRoutes.table(routes));
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < REQUESTS; k++) {
      int i = random.nextInt(hot > 0 ? Math.min(hot, routes) : routes);
      hosts[k] = BenchRoutes.requestHost(i, routes);
      paths[k] = BenchRoutes.prefix(i) + (k % 2 == 0 ? "/item" : "/item/" + k);
      CompiledRoute r = snapshot.match(hosts[k], paths[k], BenchRoutes.GET);
      if (r == null || !r.spec().key().name().equals("r" + i)) {
        throw new IllegalStateException(hosts[k] + paths[k] + " matched " + r);
      }
    }
  }

  @Benchmark
  public CompiledRoute match() {
    int k = next++ & (REQUESTS - 1);
    return snapshot.match(hosts[k], paths[k], BenchRoutes.GET);
  }
}
