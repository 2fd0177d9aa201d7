package io.gatehouse.bench;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.LoadBalancing.Algorithm;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.BalancerOptions;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.EndpointLoad;
import io.gatehouse.upstream.PickRequest;
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
 * ns per endpoint pick as the exchange makes it: the slot and policy look-up ({@link
 * Balancers#forSlot}), the pick, and the in-flight accounting ({@code started}, {@code responded},
 * {@code finished}). {@code roundRobin} is the default policy through the pre-#14 call ({@code
 * forSlot} and {@code next()}), the figure to compare with the balancer before the policies; {@code
 * defaultPolicy} is the same policy through the exchange's new call; the others one policy each.
 * Keys of the hashing policies come from a pre-generated array.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BalancerBenchmark {
  private static final int KEYS = 1 << 10;

  @Param({"10"})
  public int endpoints;

  private Balancers balancers;
  private EndpointSet set;
  private EndpointsKey key;
  private final Request[] requests = new Request[KEYS];
  private int next;

  private static final LoadBalancing LEAST = LoadBalancing.of(Algorithm.LEAST_REQUEST);
  private static final LoadBalancing TWO = LoadBalancing.of(Algorithm.POWER_OF_TWO);
  private static final LoadBalancing EWMA = LoadBalancing.of(Algorithm.PEAK_EWMA);
  private static final LoadBalancing RING =
      LoadBalancing.hash(Algorithm.RING_HASH, HashOn.header("x-user"));
  private static final LoadBalancing MAGLEV =
      LoadBalancing.hash(Algorithm.MAGLEV, HashOn.header("x-user"));
  private static final LoadBalancing AFFINITY =
      LoadBalancing.DEFAULT.withAffinity(CookieAffinity.named("gh"));

  /** A request with one header and one cookie. */
  record Request(String user, List<String> cookies) implements PickRequest {
    @Override
    public String header(String lowerCaseName) {
      return user;
    }

    @Override
    public String queryParam(String name) {
      return null;
    }

    @Override
    public List<String> cookieFields() {
      return cookies;
    }

    @Override
    public String clientAddress() {
      return "192.0.2.1";
    }
  }

  @Setup
  public void setUp() {
    key = new EndpointsKey.Service("bench", "svc", 80, null);
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      list.add(new Endpoint("10.0." + (i / 256) + "." + (i % 256), 8080, 1));
    }
    set = new EndpointSet(key, list, 1);
    balancers =
        new Balancers(
            BalancerOptions.defaults(), new SplittableRandom(42)::nextLong, System::nanoTime);
    Balancer affinity = balancers.forSlot(6, key, AFFINITY, set);
    SplittableRandom r = new SplittableRandom(7);
    for (int k = 0; k < KEYS; k++) {
      // Half the clients carry a valid affinity cookie.
      EndpointLoad l = affinity.pick(new Request("u", List.of()));
      String c = affinity.setCookie(null, l, false, null);
      String cookie = r.nextBoolean() ? c.substring(0, c.indexOf(';')) : "theme=dark";
      requests[k] = new Request("user-" + r.nextInt(1_000_000), List.of(cookie));
    }
  }

  @Benchmark
  public Endpoint roundRobin() {
    return balancers.forSlot(0, key, set).next();
  }

  /** One attempt on {@code slot} (one per policy, as the node gives each backend its own). */
  private EndpointLoad attempt(int slot, LoadBalancing policy) {
    Request r = requests[next++ & (KEYS - 1)];
    Balancer b = balancers.forSlot(slot, key, policy, set);
    EndpointLoad l = b.pick(r);
    long since = b.started(l);
    b.responded(l, since);
    b.finished(l);
    return l;
  }

  @Benchmark
  public EndpointLoad defaultPolicy() {
    return attempt(0, LoadBalancing.DEFAULT);
  }

  @Benchmark
  public EndpointLoad leastRequest() {
    return attempt(1, LEAST);
  }

  @Benchmark
  public EndpointLoad powerOfTwo() {
    return attempt(2, TWO);
  }

  @Benchmark
  public EndpointLoad peakEwma() {
    return attempt(3, EWMA);
  }

  @Benchmark
  public EndpointLoad ringHash() {
    return attempt(4, RING);
  }

  @Benchmark
  public EndpointLoad maglev() {
    return attempt(5, MAGLEV);
  }

  @Benchmark
  public EndpointLoad roundRobinWithAffinity() {
    return attempt(6, AFFINITY);
  }
}
