package io.gatehouse.encoding;

/** Opens the encoder of a content coding; the codings this node can serve. */
public final class BodyEncoders {
  public static final String GZIP = "gzip";
  public static final String BROTLI = "br";
  public static final String ZSTD = "zstd";

  private BodyEncoders() {}

  /**
   * A fresh encoder of {@code coding} ({@value #GZIP}, {@value #BROTLI} or {@value #ZSTD}) at
   * {@code level}, never pooled (a response on an event loop takes one from its loop's {@link
   * EncoderPool}).
   *
   * @throws IllegalArgumentException for any other coding
   */
  public static BodyEncoder open(String coding, int level) {
    return switch (coding) {
      case GZIP -> new GzipBodyEncoder(level);
      case BROTLI -> new BrotliBodyEncoder(level);
      case ZSTD -> new ZstdBodyEncoder(level);
      default -> throw new IllegalArgumentException("no encoder for " + coding);
    };
  }

  /** Whether brotli's native library loaded on this platform, so {@code br} can be served. */
  public static boolean brotliAvailable() {
    return BrotliBodyEncoder.available();
  }

  /** Whether zstd-jni's native library loaded on this platform, so {@code zstd} can be served. */
  public static boolean zstdAvailable() {
    return ZstdBodyEncoder.available();
  }
}
