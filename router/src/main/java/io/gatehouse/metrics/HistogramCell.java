package io.gatehouse.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One thread's share of one duration histogram: classic buckets, native (exponential, schema
 * {@value #SCHEMA}) buckets, the zero bucket and the sum, written by that thread alone with plain
 * stores inside a sequence lock, so that a scrape reads the classic and the native counts of one
 * consistent moment (the Prometheus model refuses a histogram whose classic and native counts
 * differ).
 *
 * <p>Why not the Prometheus client's {@code Histogram}: each observation there costs five atomic
 * read-modify-writes (a buffer counter, the classic bucket, the native bucket found through a
 * {@code ConcurrentHashMap} of boxed indexes, the sum and the count); on the proxy's event loop,
 * with two histograms per exchange, the node with metrics on measured 4-5 % below one without
 * (docs/benchmarks.md, "Fourth run") while the same code cost 144 ns in isolation. Here an
 * observation is a few comparisons and four plain stores.
 *
 * <p>Native buckets follow the Prometheus convention: bucket {@code i} holds values in {@code
 * (2^((i-1)/8), 2^(i/8)]}; schema 3 is client_golang's recommended resolution (factor 1.09). Values
 * at or below 2^-128 go to the zero bucket; the buckets kept run from {@link #LOW} to {@link #HIGH}
 * (2^-31 s to about 44 days), and a value past either end counts in the end bucket.
 */
final class HistogramCell {
  static final int SCHEMA = 3;
  static final double ZERO_THRESHOLD = Math.scalb(1.0, -128);
  static final int MIN_EXP = -30;
  static final int MAX_EXP = 22;
  static final int OCTAVES = MAX_EXP - MIN_EXP + 1;

  /** The lowest and highest native index kept. */
  static final int LOW = (MIN_EXP - 1) * 8;

  static final int HIGH = LOW + OCTAVES * 8 - 1;

  /** 2^(j/8 - 1) for j = 0..7: the fractions that split an octave into schema 3's buckets. */
  private static final double[] BOUNDS = {
    0.5,
    0.5452538663326288,
    0.5946035575013605,
    0.6484197773255048,
    0.7071067811865475,
    0.7711054127039704,
    0.8408964152537144,
    0.9170040432046711
  };

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(long[][].class);
  private static final VarHandle SEQ;
  private static final VarHandle ZERO;
  private static final VarHandle SUM;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SEQ = l.findVarHandle(HistogramCell.class, "seq", long.class);
      ZERO = l.findVarHandle(HistogramCell.class, "zero", long.class);
      SUM = l.findVarHandle(HistogramCell.class, "sum", double.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The classic upper bounds, +Inf excluded. */
  private final double[] upper;

  /** One count per classic bucket, the last for +Inf. */
  private final long[] classic;

  /** Native counts by octave, each made on its first observation. */
  private final long[] @Nullable [] octaves = new long[OCTAVES][];

  private long zero;
  private double sum;

  /** Odd while the writer is between its stores. */
  private long seq;

  HistogramCell(double[] upper) {
    this.upper = upper;
    this.classic = new long[upper.length + 1];
  }

  /** Adds {@code v}; only the owning thread (or a holder of this cell's lock) calls this. */
  void observe(double v) {
    long s = seq;
    SEQ.setOpaque(this, s + 1);
    VarHandle.storeStoreFence();
    double[] u = upper;
    int i = 0;
    while (i < u.length && v > u[i]) {
      i++;
    }
    LONGS.setOpaque(classic, i, classic[i] + 1);
    if (v <= ZERO_THRESHOLD) {
      ZERO.setOpaque(this, zero + 1);
    } else {
      int exp = Math.getExponent(v) + 1;
      int index =
          exp < MIN_EXP
              ? LOW
              : exp > MAX_EXP ? HIGH : Math.min(HIGH, key(Math.scalb(v, -exp)) + (exp - 1) * 8);
      int slot = index - LOW;
      int octave = slot >> 3;
      long[] chunk = octaves[octave];
      if (chunk == null) {
        chunk = new long[8];
        CHUNKS.setRelease(octaves, octave, chunk);
      }
      LONGS.setOpaque(chunk, slot & 7, chunk[slot & 7] + 1);
    }
    SUM.setOpaque(this, sum + v);
    SEQ.setRelease(this, s + 2);
  }

  /**
   * The bucket within an octave for {@code frac} in [0.5, 1): the first {@code k} with {@code
   * BOUNDS[k] >= frac}, 8 (the next octave's first) above the last bound.
   */
  static int key(double frac) {
    if (frac > BOUNDS[7]) {
      return 8;
    }
    int k = frac <= BOUNDS[3] ? 0 : 4;
    if (frac > BOUNDS[k + 1]) {
      k += 2;
    }
    if (frac > BOUNDS[k]) {
      k++;
    }
    return k;
  }

  /** The native index of position {@code slot} of the cells' native counts. */
  static int nativeIndex(int slot) {
    return slot + LOW;
  }

  /** Adds this cell's counts to {@code into}, as of one moment between two observations. */
  void addTo(Sum into) {
    long[] c = new long[classic.length];
    long[] n = new long[OCTAVES * 8];
    while (true) {
      long before = (long) SEQ.getAcquire(this);
      if ((before & 1) != 0) {
        Thread.onSpinWait();
        continue;
      }
      for (int i = 0; i < c.length; i++) {
        c[i] = (long) LONGS.getOpaque(classic, i);
      }
      for (int o = 0; o < OCTAVES; o++) {
        long[] chunk = (long[]) CHUNKS.getAcquire(octaves, o);
        if (chunk == null) {
          Arrays.fill(n, o * 8, (o + 1) * 8, 0L);
        } else {
          for (int k = 0; k < 8; k++) {
            n[o * 8 + k] = (long) LONGS.getOpaque(chunk, k);
          }
        }
      }
      long z = (long) ZERO.getOpaque(this);
      double s = (double) SUM.getOpaque(this);
      VarHandle.loadLoadFence();
      if ((long) SEQ.getOpaque(this) == before) {
        into.add(c, n, z, s);
        return;
      }
    }
  }

  /** Counts added up over cells (a scrape's, single-threaded). */
  static final class Sum {
    final long[] classic;
    final long[] natives = new long[OCTAVES * 8];
    long zero;
    double sum;

    Sum(int classicBuckets) {
      this.classic = new long[classicBuckets];
    }

    void add(long[] c, long[] n, long z, double s) {
      for (int i = 0; i < c.length; i++) {
        classic[i] += c[i];
      }
      for (int i = 0; i < n.length; i++) {
        natives[i] += n[i];
      }
      zero += z;
      sum += s;
    }
  }
}
