package io.gatehouse.encoding;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Brotli (RFC 7932) with brotli4j, the library Netty's {@code BrotliEncoder} uses, through its
 * streaming JNI wrapper. The window is 512 KiB ({@code lgwin} 19, ngx_brotli's default), so a
 * stream holds about a megabyte of native memory at the default quality, whatever its length. Each
 * chunk ends with a flush, as gzip's does.
 */
final class BrotliBodyEncoder implements BodyEncoder {
  static final int WINDOW_BITS = 19;
  private static final int INPUT_BYTES = 64 * 1024;

  private final EncoderJNI.Wrapper encoder;
  private final EncodedBytes out = new EncodedBytes();
  private boolean closed;

  BrotliBodyEncoder(int quality) {
    Brotli4jLoader.ensureAvailability();
    try {
      encoder = new EncoderJNI.Wrapper(INPUT_BYTES, quality, WINDOW_BITS, Encoder.Mode.GENERIC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the native library loaded on this platform: brotli can be offered at all. */
  static boolean available() {
    return Brotli4jLoader.isAvailable();
  }

  @Override
  public String coding() {
    return "br";
  }

  @Override
  public byte[] encode(byte[] in, int off, int len) {
    if (closed) {
      throw new IllegalStateException("encoder closed");
    }
    int at = off;
    int end = off + len;
    do {
      ByteBuffer input = encoder.getInputBuffer();
      input.clear();
      int n = Math.min(input.capacity(), end - at);
      input.put(in, at, n);
      at += n;
      run(at == end ? EncoderJNI.Operation.FLUSH : EncoderJNI.Operation.PROCESS, n);
    } while (at < end);
    return out.take();
  }

  @Override
  public byte[] finish() {
    return finish(EncodedBytes.EMPTY, 0, 0);
  }

  /** The last input pushed with FINISH: no flush before the stream's end. */
  @Override
  public byte[] finish(byte[] in, int off, int len) {
    if (closed) {
      throw new IllegalStateException("encoder closed");
    }
    int at = off;
    int end = off + len;
    while (end - at > 0) {
      ByteBuffer input = encoder.getInputBuffer();
      input.clear();
      int n = Math.min(input.capacity(), end - at);
      input.put(in, at, n);
      at += n;
      run(at == end ? EncoderJNI.Operation.FINISH : EncoderJNI.Operation.PROCESS, n);
    }
    if (len == 0) {
      run(EncoderJNI.Operation.FINISH, 0);
    }
    close();
    return out.take();
  }

  /** Pushes {@code n} input bytes with {@code op} and collects its output until it is done. */
  private void run(EncoderJNI.Operation op, int n) {
    encoder.push(op, n);
    while (true) {
      if (!encoder.isSuccess()) {
        throw new IllegalStateException("brotli encoding failed");
      }
      if (encoder.hasMoreOutput()) {
        out.write(encoder.pull());
      } else if (encoder.hasRemainingInput()) {
        encoder.push(op, 0);
      } else if (op == EncoderJNI.Operation.FINISH && !encoder.isFinished()) {
        encoder.push(op, 0);
      } else {
        return;
      }
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      encoder.destroy();
    }
  }
}
