package io.gatehouse.encoding;

/**
 * The encoders of one event loop: gzip encoders are kept between responses, a few per level, and
 * reset for the next one, so a compressed response no longer pays for a new zlib state (about 256
 * KiB of native memory allocated, zeroed and freed, plus a {@code Cleaner} registration) each time.
 * A response gets an {@link EncoderLease}: closing it (at the body's end, or however the response
 * ends) gives the encoder back once, and a late call through it fails rather than reach another
 * response's stream. At most {@code idlePerLevel} encoders are kept per level; one given back
 * beyond that, one that failed, and any given back after {@link #close} is ended. One that is never
 * given back (a response that leaked) is simply collected: the JDK's {@code Deflater} ends itself
 * then.
 *
 * <p>Brotli is not pooled: brotli4j's {@code EncoderJNI.Wrapper} has no reset (the C library's
 * {@code BrotliEncoderState} has none either; forks that reuse it patch the library), so every
 * {@code br} response gets a fresh encoder, ended at its end, as before. Making and ending one
 * costs about 0.9 µs of the 11-12 µs a 4 KiB body takes at quality 4 (JMH below), so pooling would
 * be worth little even if it could be done.
 *
 * <p>Measured ({@code bench/jmh} {@code EncoderBenchmark}, 4 KiB of {@code bench/conf/body4k.txt}'s
 * kind in one read, gzip level 6, {@code -prof gc}, 2026-12-06 on the shared 2-core machine, load
 * 4-6 so times are rough): a new encoder per body, flushed chunk then end, 12.3 ± 1.5 µs and 8,832
 * bytes allocated per body (quietest run; 20 ± 6 µs under more load); pooled and ended in one step
 * 10.5 ± 0.9 µs and 128 bytes. Making and ending a {@code Deflater} alone: 2.0 µs and 8,696 bytes
 * (its object, {@code Cleaner} and the encoder's 8 KiB scratch). JSON text: 22 → 20 µs, 10,048 →
 * 704 bytes. The encoder is thus a small part of what a compressed 4 KiB response costs the proxy
 * (gzip 0.56x of the plain route's req/s, about 45 µs more per response on one core,
 * docs/benchmarks.md): the lead's proxy bench says what this change moves.
 *
 * <p>Not thread-safe: one per event loop ({@code RouterVerticle}), touched only on that loop.
 */
public final class EncoderPool {
  /** Idle gzip encoders kept per level: about 330 KiB each (native state, scratch, output). */
  public static final int DEFAULT_IDLE_PER_LEVEL = 8;

  /** zlib's levels, 0 to 9: the index of {@link #idle}. */
  private static final int LEVELS = 10;

  private final int idlePerLevel;
  private final GzipBodyEncoder[][] idle = new GzipBodyEncoder[LEVELS][];
  private final int[] idleCount = new int[LEVELS];
  private long created;
  private long reused;
  private boolean closed;

  public EncoderPool() {
    this(DEFAULT_IDLE_PER_LEVEL);
  }

  public EncoderPool(int idlePerLevel) {
    if (idlePerLevel < 0) {
      throw new IllegalArgumentException("idlePerLevel " + idlePerLevel + " (expected: >= 0)");
    }
    this.idlePerLevel = idlePerLevel;
  }

  /**
   * An encoder of {@code coding} ({@value BodyEncoders#GZIP}, {@value BodyEncoders#BROTLI} or
   * {@value BodyEncoders#ZSTD}) at {@code level} for one response: a pooled gzip encoder when one
   * is idle, else a new one.
   *
   * @throws IllegalArgumentException for any other coding
   */
  public BodyEncoder open(String coding, int level) {
    if (!coding.equals(BodyEncoders.GZIP) || level < 0 || level >= LEVELS || closed) {
      return BodyEncoders.open(coding, level);
    }
    int n = idleCount[level];
    GzipBodyEncoder e;
    if (n > 0) {
      GzipBodyEncoder[] kept = idle[level];
      e = kept[n - 1];
      kept[n - 1] = null;
      idleCount[level] = n - 1;
      reused++;
    } else {
      e = new GzipBodyEncoder(level);
      created++;
    }
    return new EncoderLease(this, e);
  }

  /** From a lease being closed: keeps {@code e}, reset, unless it failed or there are enough. */
  void giveBack(GzipBodyEncoder e, boolean failed) {
    int level = e.level();
    if (failed || closed || idleCount[level] >= idlePerLevel) {
      e.close();
      return;
    }
    e.reset();
    GzipBodyEncoder[] kept = idle[level];
    if (kept == null) {
      kept = idle[level] = new GzipBodyEncoder[idlePerLevel];
    }
    kept[idleCount[level]++] = e;
  }

  /** Ends every idle encoder; encoders given back afterwards are ended too (the loop stopped). */
  public void close() {
    closed = true;
    for (int level = 0; level < LEVELS; level++) {
      GzipBodyEncoder[] kept = idle[level];
      for (int i = 0; i < idleCount[level]; i++) {
        kept[i].close();
        kept[i] = null;
      }
      idleCount[level] = 0;
    }
  }

  /** The gzip encoders at {@code level} kept idle now. */
  int idle(int level) {
    return idleCount[level];
  }

  /** How many gzip encoders this pool has made. */
  long created() {
    return created;
  }

  /** How many responses got a kept gzip encoder instead of a new one. */
  long reused() {
    return reused;
  }
}
