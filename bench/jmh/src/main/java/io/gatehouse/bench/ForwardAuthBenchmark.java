package io.gatehouse.bench;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.policy.AdmissionFilter;
import io.gatehouse.policy.ForwardAuthAnswer;
import io.gatehouse.policy.ForwardAuthCache;
import io.gatehouse.policy.ForwardAuthFilter;
import io.gatehouse.policy.ForwardAuthService;
import io.gatehouse.policy.ForwardAuthTarget;
import io.gatehouse.policy.PolicyServices;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ns per request of a forward-auth policy answered from the node's cache (no subrequest): the
 * SHA-256 of a 60-byte {@code Authorization}, the locked look-up, and one identity header set
 * upstream; {@code twoLoops} the same from two threads on one cache (two event loops).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForwardAuthBenchmark {
  /** The node's cache, holding the answer; a subrequest would be a failure of the benchmark. */
  @State(Scope.Benchmark)
  public static class Node {
    ForwardAuthFilter filter;

    @Setup
    public void setUp() {
      ForwardAuthCache cache =
          new ForwardAuthCache(ForwardAuthCache.DEFAULT_MAX_ENTRIES, System::nanoTime);
      ForwardAuthService service =
          new ForwardAuthService() {
            @Override
            public void check(
                ForwardAuthTarget target,
                String method,
                List<String> headers,
                long timeoutMillis,
                List<String> keep,
                ForwardAuthCache.Key shared,
                Consumer<ForwardAuthAnswer> done) {
              done.accept(new ForwardAuthAnswer(200, List.of("x-user", "alice")));
            }

            @Override
            public ForwardAuthCache cache() {
              return cache;
            }
          };
      filter =
          new ForwardAuthFilter(
              new ForwardAuth(
                  "http://auth.internal/check",
                  "GET",
                  List.of(),
                  List.of("x-user"),
                  null,
                  Duration.ofSeconds(5),
                  List.of("authorization"),
                  Duration.ofHours(1)),
              RouteKey.of("default", "cli", "r"),
              new PolicyServices() {
                @Override
                public ForwardAuthService forwardAuth() {
                  return service;
                }
              });
      filter.admit(new Request()); // fills the cache
    }
  }

  @State(Scope.Thread)
  public static class Loop {
    final Request request = new Request();
  }

  @Benchmark
  @Threads(1)
  public int oneLoop(Node node, Loop loop) {
    return admit(node, loop);
  }

  @Benchmark
  @Threads(2)
  public int twoLoops(Node node, Loop loop) {
    return admit(node, loop);
  }

  private static int admit(Node node, Loop loop) {
    int v = node.filter.admit(loop.request);
    if (v != AdmissionFilter.PROCEED) {
      throw new IllegalStateException("not a cache hit: " + v);
    }
    return loop.request.set;
  }

  /** A request with a bearer token; counts the upstream headers the filter sets. */
  static final class Request extends BenchRequest {
    static final String TOKEN = "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    int set;

    @Override
    public String header(String lowerCaseName) {
      return lowerCaseName.equals("authorization") ? TOKEN : null;
    }

    @Override
    public void upstreamHeader(String lowerCaseName, String value) {
      set++;
    }

    @Override
    public void dropUpstreamHeader(String lowerCaseName) {
      set++;
    }
  }
}
