package io.gatehouse.encoding;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growing byte array: the output of one encoder call, handed on as one exact-size array. */
final class EncodedBytes {
  static final byte[] EMPTY = {};
  private static final int INITIAL = 256;

  /** A pooled encoder keeps its buffer up to this size; a larger one goes with its response. */
  private static final int KEPT = 64 * 1024;

  private byte[] bytes = new byte[INITIAL];
  private int count;

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, count, len);
    count += len;
  }

  void write(ByteBuffer b) {
    int len = b.remaining();
    ensure(len);
    b.get(bytes, count, len);
    count += len;
  }

  /**
   * The free end of the array, at least {@code min} bytes, for an encoder to write into directly
   * (no scratch copy); {@link #advance} counts what it wrote.
   */
  ByteBuffer room(int min) {
    ensure(min);
    return ByteBuffer.wrap(bytes, count, bytes.length - count);
  }

  /** Counts {@code n} bytes written into the last {@link #room}. */
  void advance(int n) {
    count += n;
  }

  /** The bytes written since the last call, and an empty buffer for the next. */
  byte[] take() {
    if (count == 0) {
      return EMPTY;
    }
    byte[] out = Arrays.copyOf(bytes, count);
    count = 0;
    return out;
  }

  /** Drops what was written, for the next stream: a buffer grown past {@value #KEPT} goes. */
  void clear() {
    count = 0;
    if (bytes.length > KEPT) {
      bytes = new byte[INITIAL];
    }
  }

  private void ensure(int len) {
    if (count + len > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + len));
    }
  }
}
