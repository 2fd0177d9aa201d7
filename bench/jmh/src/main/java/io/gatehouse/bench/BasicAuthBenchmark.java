package io.gatehouse.bench;

import io.gatehouse.access.AccessServices;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.policy.AdmissionFilter;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyCompiler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Basic auth costs a request on the event loop once its credentials were checked ({@code
 * cachedCheck}: header decode, user look-up, the HMAC of the cache key, the cache read, the
 * upstream header drop), beside a route without access policies ({@code noPolicy}); and what one
 * check costs a pool thread when it is not remembered ({@code bcrypt10}, {@code bcrypt5}, {@code
 * argon2idDefaults}: argon2-cffi's m=64 MiB, t=3, p=4).
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BasicAuthBenchmark {
  static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** A compiled route with Basic auth, its user's check already remembered. */
  @State(Scope.Benchmark)
  public static class Route {
    Vertx vertx;
    AccessServices services;
    PolicyChain chain;
    final Request request = new Request();

    @Setup(Level.Trial)
    public void setUp() {
      vertx = Vertx.vertx();
      services = new AccessServices(vertx);
      String hash = OpenBSDBCrypt.generate("2y", "secret".toCharArray(), SALT, 10);
      RouteSpec spec =
          RouteSpec.simple(
                  RouteKey.of("t", "bench", "basic"),
                  List.of("a.example"),
                  List.of(PathMatch.prefix("/")),
                  BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9))))
              .withPolicies(
                  List.of(new BasicAuth("r", List.of(new BasicAuth.User("alice", hash)), false)));
      chain = PolicyCompiler.compile(spec, null, services);
      request.authorization =
          "Basic "
              + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
      // The first check runs in the pool; wait for it, so every measured one is remembered.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int v = chain.admit(request);
      while (v != AdmissionFilter.PROCEED && request.resumed == Integer.MIN_VALUE) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the first check did not finish");
        }
        Thread.onSpinWait();
      }
      if (chain.admit(request) != AdmissionFilter.PROCEED) {
        throw new IllegalStateException("the check was not remembered");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      services.close();
      vertx.close().await();
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int cachedCheck(Route route) {
    return route.chain.admit(route.request);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int noPolicy(Route route) {
    return PolicyChain.NONE.admit(route.request);
  }

  /** Hashes to check against, made once. */
  @State(Scope.Benchmark)
  public static class Hashes {
    final byte[] password = "secret".getBytes(StandardCharsets.UTF_8);
    final String bcrypt10 = OpenBSDBCrypt.generate("2y", "secret".toCharArray(), SALT, 10);
    final String bcrypt5 = OpenBSDBCrypt.generate("2y", "secret".toCharArray(), SALT, 5);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public boolean bcrypt10(Hashes h) {
    return OpenBSDBCrypt.checkPassword(h.bcrypt10, h.password);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public boolean bcrypt5(Hashes h) {
    return OpenBSDBCrypt.checkPassword(h.bcrypt5, h.password);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public byte[] argon2idDefaults(Hashes h) {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(65536)
            .withIterations(3)
            .withParallelism(4)
            .withSalt(SALT)
            .build());
    byte[] out = new byte[32];
    g.generateBytes(h.password, out);
    return out;
  }

  /** A GET with one Authorization header; what a filter tells it is dropped. */
  static final class Request extends BenchRequest {
    String authorization;
    volatile int resumed = Integer.MIN_VALUE;

    @Override
    public String header(String lowerCaseName) {
      return lowerCaseName.equals("authorization") ? authorization : null;
    }

    @Override
    public void resume(int verdict) {
      resumed = verdict;
    }
  }
}
