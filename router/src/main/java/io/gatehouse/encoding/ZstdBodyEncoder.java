package io.gatehouse.encoding;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.util.Native;
import java.nio.ByteBuffer;

/**
 * Zstandard (RFC 8878) with zstd-jni, the binding of the reference C library, through its streaming
 * context: each chunk is compressed and flushed ({@code ZSTD_e_flush}), so a client can decode
 * everything sent so far; {@link #finish} ends the frame ({@code ZSTD_e_end}) with its XXH64
 * checksum, as gzip ends with its CRC-32.
 *
 * <p>The window is set explicitly: RFC 9659 (zstd in HTTP) lets a decoder refuse a frame whose
 * window exceeds 8 MB, so an encoder for HTTP must keep its window log at 23 or below, whatever the
 * level (zstd's own levels 20-22 use 32 to 128 MiB). It is {@value #WINDOW_LOG} (2 MiB): zstd's own
 * window at the default level 3 for a body of unknown length. A streamed context keeps a copy of
 * its window in native memory, so 23 would hold 8 MiB per compressed response for a few per cent on
 * bodies over 2 MiB. The frame never states the content size (the stream's length is unknown).
 *
 * <p>The context lives in native memory that nothing frees but {@link #close} (zstd-jni registers
 * no cleaner): {@link #finish} closes it, and the proxy closes the encoder however the response
 * ends (client gone, upstream cut, an encoding failure).
 */
final class ZstdBodyEncoder implements BodyEncoder {
  /** RFC 9659: at most 23 for HTTP; 21 is zstd's window for level 3 (see the class comment). */
  static final int WINDOW_LOG = 21;

  private static final boolean AVAILABLE = load();

  /** Room asked of the output before each call beyond the input's own size: headers, a block. */
  private static final int ROOM = 1024;

  private final ZstdCompressCtx ctx;
  private final EncodedBytes out = new EncodedBytes();
  private boolean closed;

  ZstdBodyEncoder(int level) {
    if (!AVAILABLE) {
      throw new IllegalStateException("zstd's native library did not load on this platform");
    }
    ctx = new ZstdCompressCtx();
    try {
      ctx.setLevel(level);
      ctx.setWindowLog(WINDOW_LOG);
      ctx.setChecksum(true);
      ctx.setContentSize(false);
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  /** Whether the native library loaded on this platform: zstd can be offered at all. */
  static boolean available() {
    return AVAILABLE;
  }

  private static boolean load() {
    try {
      Native.load();
      return Native.isLoaded();
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  @Override
  public String coding() {
    return BodyEncoders.ZSTD;
  }

  @Override
  public byte[] encode(byte[] in, int off, int len) {
    if (closed) {
      throw new IllegalStateException("encoder closed");
    }
    if (len == 0) {
      return EncodedBytes.EMPTY; // nothing to flush: the frame header goes out with the first bytes
    }
    run(ByteBuffer.wrap(in, off, len), EndDirective.FLUSH);
    return out.take();
  }

  @Override
  public byte[] finish() {
    return finish(EncodedBytes.EMPTY, 0, 0);
  }

  /**
   * The last input compressed with {@code ZSTD_e_end}: no flush before the frame's end. A body that
   * arrives whole in one read is one frame whose window zstd fits to the body (never above {@value
   * #WINDOW_LOG}).
   */
  @Override
  public byte[] finish(byte[] in, int off, int len) {
    if (closed) {
      throw new IllegalStateException("encoder closed");
    }
    run(ByteBuffer.wrap(in, off, len), EndDirective.END);
    close();
    return out.take();
  }

  /**
   * Compresses all of {@code src} with {@code op} straight into the output array (room for the
   * input as it is, so incompressible input needs one call) until it is flushed.
   */
  private void run(ByteBuffer src, EndDirective op) {
    boolean done;
    do {
      ByteBuffer dst = out.room(Math.min(src.remaining(), 128 * 1024) + ROOM);
      int from = dst.position();
      done = ctx.compressByteBufferStream(dst, src, op);
      out.advance(dst.position() - from);
    } while (!done || src.hasRemaining());
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      ctx.close();
    }
  }
}
