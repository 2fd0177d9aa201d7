package io.gatehouse.bench;

import io.gatehouse.encoding.BodyEncoder;
import io.gatehouse.encoding.BodyEncoders;
import io.gatehouse.encoding.EncoderPool;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * µs per compressed response body as the proxy encodes a body that arrives in one upstream read:
 * {@code fresh} is what every response paid before (an encoder made for it, a flushed {@code
 * encode}, then {@code finish}, then ended); {@code pooled} what it pays now (an encoder leased
 * from the event loop's {@link EncoderPool}, {@code finish(body)} in one step, given back); {@code
 * pooledFlushed} and {@code freshOneStep} separate the two changes; {@code openOnly} is making and
 * ending an encoder alone. The body is {@code bench/conf/body4k.txt}'s kind (4 KiB of {@code
 * 0-9a-f} repeated, what {@code bench/policy-cost.sh} serves) or 4 KiB of JSON lines ({@code
 * json}). Run with {@code -prof gc} for the bytes allocated per body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EncoderBenchmark {
  @Param({"gzip:6", "br:4", "zstd:3"})
  public String coding;

  @Param({"hex", "json"})
  public String body;

  private String name;
  private int level;
  private byte[] bytes;
  private EncoderPool pool;

  @Setup(Level.Trial)
  public void setUp() {
    int colon = coding.indexOf(':');
    name = coding.substring(0, colon);
    level = Integer.parseInt(coding.substring(colon + 1));
    bytes = body(body);
    pool = new EncoderPool();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  static byte[] body(String kind) {
    StringBuilder s = new StringBuilder();
    if (kind.equals("hex")) {
      while (s.length() < 4096) {
        s.append("0123456789abcdef");
      }
    } else {
      for (int i = 0; s.length() < 4096; i++) {
        s.append("{\"id\":").append(i).append(",\"name\":\"item ").append(i * 7919 % 1000);
        s.append("\",\"ok\":").append(i % 3 == 0).append("}\n");
      }
    }
    return s.substring(0, 4096).getBytes(StandardCharsets.US_ASCII);
  }

  /** A flushed chunk, then the end: the pump's steps for a body of several reads. */
  private int flushedThenEnded(BodyEncoder enc) {
    try {
      return enc.encode(bytes, 0, bytes.length).length + enc.finish().length;
    } finally {
      enc.close();
    }
  }

  /** The body and the end in one step: the pump's step for a body in one read. */
  private int oneStep(BodyEncoder enc) {
    try {
      return enc.finish(bytes, 0, bytes.length).length;
    } finally {
      enc.close();
    }
  }

  @Benchmark
  public int fresh() {
    return flushedThenEnded(BodyEncoders.open(name, level));
  }

  @Benchmark
  public int freshOneStep() {
    return oneStep(BodyEncoders.open(name, level));
  }

  @Benchmark
  public int pooledFlushed() {
    return flushedThenEnded(pool.open(name, level));
  }

  @Benchmark
  public int pooled() {
    return oneStep(pool.open(name, level));
  }

  @Benchmark
  public String openOnly() {
    BodyEncoder enc = BodyEncoders.open(name, level);
    enc.close();
    return enc.coding();
  }
}
