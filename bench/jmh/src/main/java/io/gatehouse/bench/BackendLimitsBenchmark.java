package io.gatehouse.bench;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.upstream.BackendLimits;
import java.util.concurrent.TimeUnit;
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
 * ns per request of what the circuit breaker adds to a request of a backend at the default policy:
 * the loop's look-up of the backend's counters by slot, a place taken among its requests in flight
 * and given back ({@code oneLoop}); {@code twoLoops} the same from two threads on one backend, the
 * contended case of two event loops serving one hot backend.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BackendLimitsBenchmark {
  /** The node's breakers, shared by every thread (loop). */
  @State(Scope.Benchmark)
  public static class Node {
    final BackendLimits limits = new BackendLimits();
    final EndpointsKey key = new EndpointsKey.Inline(RouteKey.of("default", "cli", "r"), 0);
  }

  /** One loop's slot cache. */
  @State(Scope.Thread)
  public static class Loop {
    BackendLimits.Local local;

    @Setup
    public void setUp(Node node) {
      local = node.limits.local();
    }
  }

  private static boolean request(Node node, Loop loop) {
    BackendLimits.Backend b = loop.local.forSlot(7, node.key);
    boolean admitted = b.tryBeginRequest(CircuitBreaker.DEFAULT);
    if (admitted) {
      b.endRequest();
    }
    return admitted;
  }

  @Benchmark
  @Threads(1)
  public boolean oneLoop(Node node, Loop loop) {
    return request(node, loop);
  }

  @Benchmark
  @Threads(2)
  public boolean twoLoops(Node node, Loop loop) {
    return request(node, loop);
  }
}
