package io.gatehouse.bench;

import io.gatehouse.access.RateLimitService;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.policy.AdmissionFilter;
import io.gatehouse.policy.RateLimitFilter;
import io.gatehouse.table.InMemoryLimitCounters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a rate limit adds to a request's admission (issue #15): {@code none} is a request with no
 * limit (the filter not run: what a route without one pays), {@code local} one token from a node's
 * bucket, {@code global} the same from a global limit's bucket on a member of a 3-member cluster
 * (in memory) whose reports run every 20 ms on the service's own thread, as on a node. The
 * request's key is one of {@code keys} client addresses (1: one hot bucket; 10,000: a map of many).
 * Throughput (ops/s per thread count) and SampleTime (p99) with 1 and 2 threads (two event loops on
 * one hot bucket is the contended case). The limit is high enough that every request is admitted,
 * the common case; each admitted request also builds its {@code RateLimit} header.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RateLimitBenchmark {
  @State(Scope.Benchmark)
  public static class Node {
    @Param({"none", "local", "global"})
    public String scope;

    @Param({"1", "10000"})
    public int keys;

    RateLimitService service;
    AdmissionFilter filter;
    String[] addresses;

    @Setup(Level.Trial)
    public void setUp() {
      InMemoryLimitCounters.Hub hub = new InMemoryLimitCounters.Hub();
      service = RateLimitService.start(hub.join("self"), Duration.ofMillis(20));
      // Two silent members, so the cluster is three and this member's reports have listeners.
      RateLimitService.start(hub.join("b"), Duration.ofMillis(20));
      RateLimitService.start(hub.join("c"), Duration.ofMillis(20));
      RateLimit spec =
          new RateLimit(
              "bench",
              LimitKey.CLIENT_ADDRESS,
              1_000_000_000L,
              RateLimit.SECOND,
              1_000_000_000L,
              scope.equals("global") ? RateLimit.Scope.GLOBAL : RateLimit.Scope.LOCAL,
              List.of());
      filter =
          scope.equals("none")
              ? r -> AdmissionFilter.PROCEED
              : new RateLimitFilter(spec, RouteKey.of("default", "bench", "r"), service);
      addresses = new String[keys];
      for (int i = 0; i < keys; i++) {
        addresses[i] = "10.0." + (i >> 8) + "." + (i & 255);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      service.close();
    }
  }

  /** One loop's request, reused: only the address changes. */
  @State(Scope.Thread)
  public static class Request extends BenchRequest {
    int next;
    String address = "10.0.0.0";
    Object lastHeader;

    @Override
    public void answerHeader(String lowerCaseName, String value) {
      lastHeader = value; // kept, so building it is not optimised away
    }

    @Override
    public String clientAddress() {
      return address;
    }
  }

  private static int admit(Node node, Request r) {
    r.address = node.addresses[r.next++ % node.addresses.length];
    return node.filter.admit(r);
  }

  @Benchmark
  @Threads(1)
  public int oneLoop(Node node, Request r) {
    return admit(node, r);
  }

  @Benchmark
  @Threads(2)
  public int twoLoops(Node node, Request r) {
    return admit(node, r);
  }
}
