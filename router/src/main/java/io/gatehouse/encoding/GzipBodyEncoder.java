package io.gatehouse.encoding;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) with the JDK's zlib: a raw deflate stream between a fixed 10-byte header and the
 * CRC-32 and length trailer. Each chunk ends with a sync flush, so a client can decode everything
 * sent so far.
 *
 * <p>Reusable: {@link #reset} starts a new stream on the same native zlib state ({@code
 * deflateReset}, which clears the hash chains, so the next stream is byte for byte what a fresh
 * encoder makes). An {@link EncoderPool} keeps reset encoders for the next response on its loop;
 * {@link #close} frees the native state.
 */
final class GzipBodyEncoder implements BodyEncoder {
  private static final byte[] HEADER = {
    0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff
  };

  private final int level;
  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private final byte[] scratch = new byte[8192];
  private final EncodedBytes out = new EncodedBytes();
  private boolean headerSent;
  private boolean finished;
  private boolean closed;

  GzipBodyEncoder(int level) {
    this.level = level;
    deflater = new Deflater(level, true);
  }

  /** The zlib level this encoder was made with (a pool keeps encoders by level). */
  int level() {
    return level;
  }

  @Override
  public String coding() {
    return "gzip";
  }

  @Override
  public byte[] encode(byte[] in, int off, int len) {
    checkOpen();
    header();
    if (len == 0) {
      return out.take();
    }
    crc.update(in, off, len);
    deflater.setInput(in, off, len);
    int n;
    do {
      n = deflater.deflate(scratch, 0, scratch.length, Deflater.SYNC_FLUSH);
      out.write(scratch, 0, n);
    } while (n == scratch.length || !deflater.needsInput());
    return out.take();
  }

  /** The stream's end; the encoder takes no more input until {@link #reset}. */
  @Override
  public byte[] finish() {
    return finish(EncodedBytes.EMPTY, 0, 0);
  }

  /** The last input and the stream's end: no sync flush before it (zlib ends the block itself). */
  @Override
  public byte[] finish(byte[] in, int off, int len) {
    checkOpen();
    header();
    if (len > 0) {
      crc.update(in, off, len);
      deflater.setInput(in, off, len);
    }
    deflater.finish();
    while (!deflater.finished()) {
      int n = deflater.deflate(scratch, 0, scratch.length);
      out.write(scratch, 0, n);
    }
    long value = crc.getValue();
    long size = deflater.getBytesRead();
    byte[] trailer = new byte[8];
    for (int i = 0; i < 4; i++) {
      trailer[i] = (byte) (value >>> (8 * i));
      trailer[4 + i] = (byte) (size >>> (8 * i));
    }
    out.write(trailer, 0, 8);
    finished = true;
    return out.take();
  }

  /**
   * Readies this encoder for a new stream, whether the last one finished or was cut off midway: the
   * deflate state, checksum, header and output are as new, and the last body's bytes are no longer
   * referenced ({@link Deflater#reset} drops its input).
   */
  void reset() {
    if (closed) {
      throw new IllegalStateException("encoder closed");
    }
    deflater.reset();
    crc.reset();
    out.clear();
    headerSent = false;
    finished = false;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      deflater.end();
    }
  }

  private void checkOpen() {
    if (closed || finished) {
      throw new IllegalStateException(closed ? "encoder closed" : "stream finished");
    }
  }

  private void header() {
    if (!headerSent) {
      headerSent = true;
      out.write(HEADER, 0, HEADER.length);
    }
  }
}
