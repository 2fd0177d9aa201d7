package io.gatehouse.encoding;

import org.jspecify.annotations.Nullable;

/**
 * One response's use of a pooled gzip encoder. The response holds this lease, never the encoder:
 * once the lease is closed (at the body's end, or however the response ends) it lets go of the
 * encoder, so a late call through it fails instead of touching the stream of the next response that
 * took the same encoder from the pool. An encoder that failed while leased is ended, never pooled:
 * its state is unknown.
 */
final class EncoderLease implements BodyEncoder {
  private final EncoderPool pool;
  private @Nullable GzipBodyEncoder encoder;
  private boolean failed;

  EncoderLease(EncoderPool pool, GzipBodyEncoder encoder) {
    this.pool = pool;
    this.encoder = encoder;
  }

  @Override
  public String coding() {
    return BodyEncoders.GZIP;
  }

  @Override
  public byte[] encode(byte[] in, int off, int len) {
    GzipBodyEncoder e = leased();
    try {
      return e.encode(in, off, len);
    } catch (RuntimeException t) {
      failed = true;
      throw t;
    }
  }

  /**
   * The stream's end; the encoder goes back to its pool at once (the bytes returned are a copy).
   */
  @Override
  public byte[] finish() {
    return finish(EncodedBytes.EMPTY, 0, 0);
  }

  @Override
  public byte[] finish(byte[] in, int off, int len) {
    GzipBodyEncoder e = leased();
    byte[] last;
    try {
      last = e.finish(in, off, len);
    } catch (RuntimeException t) {
      failed = true;
      throw t;
    }
    close();
    return last;
  }

  @Override
  public void close() {
    GzipBodyEncoder e = encoder;
    if (e != null) {
      encoder = null;
      pool.giveBack(e, failed);
    }
  }

  private GzipBodyEncoder leased() {
    GzipBodyEncoder e = encoder;
    if (e == null) {
      throw new IllegalStateException("encoder closed");
    }
    return e;
  }
}
