package io.gatehouse.encoding;

/**
 * Encodes one response body as it streams: each chunk is encoded and flushed at once, so what the
 * upstream sent is sent on without waiting for more (a server-sent event is not held back), and the
 * encoder holds no more than its window, whatever the body's length. One per response, on its event
 * loop; {@link #close} frees its native memory, or gives it back to the pool it came from, and must
 * be called however the response ends.
 */
public interface BodyEncoder {
  /** The content coding, as {@code Content-Encoding} names it. */
  String coding();

  /**
   * The encoded bytes of {@code len} bytes of {@code in} from {@code off}, flushed; may be empty.
   */
  byte[] encode(byte[] in, int off, int len);

  /** The last encoded bytes (the stream's end); the encoder takes no more input afterwards. */
  byte[] finish();

  /**
   * The last {@code len} bytes of the body from {@code off} and the stream's end, encoded in one
   * array: a body that arrived in one read is encoded and ended at once, without a flush in
   * between, and sent in one write. The encoder takes no more input afterwards.
   */
  byte[] finish(byte[] in, int off, int len);

  /** Frees the encoder (or gives it back); idempotent, and safe after {@link #finish}. */
  void close();
}
