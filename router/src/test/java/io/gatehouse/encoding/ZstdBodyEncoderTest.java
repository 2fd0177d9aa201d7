package io.gatehouse.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The zstd encoder against zstd-jni's own decoder: whole bodies byte for byte, each chunk decodable
 * as it is sent, and every frame within the 8 MB window RFC 9659 allows an HTTP encoder.
 */
@Timeout(60)
class ZstdBodyEncoderTest {
  private static byte[] body(String kind) {
    return switch (kind) {
      case "empty" -> new byte[0];
      case "one-byte" -> new byte[] {42};
      case "random-1MiB" -> {
        byte[] b = new byte[1 << 20];
        new Random(13).nextBytes(b);
        yield b;
      }
      case "text" -> {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
          s.append("{\"id\":")
              .append(i)
              .append(",\"name\":\"héllo wörld ")
              .append(i % 7)
              .append("\"}\n");
        }
        yield s.toString().getBytes(StandardCharsets.UTF_8);
      }
      case "text-12MiB" -> {
        // Longer than the largest window HTTP allows, with repeats further apart than it.
        byte[] b = new byte[12 << 20];
        byte[] block = new byte[5 << 20];
        new Random(5).nextBytes(block);
        for (int at = 0; at < b.length; at += block.length) {
          System.arraycopy(block, 0, b, at, Math.min(block.length, b.length - at));
        }
        yield b;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  static byte[] decode(byte[] encoded) throws IOException {
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(encoded))) {
      return in.readAllBytes();
    }
  }

  /** Encodes {@code body} in chunks of random sizes up to {@code maxChunk}, as a proxy reads it. */
  private static byte[] encode(BodyEncoder enc, byte[] body, int maxChunk, Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < body.length) {
      int n = Math.min(body.length - at, 1 + r.nextInt(maxChunk));
      out.writeBytes(enc.encode(body, at, n));
      at += n;
    }
    out.writeBytes(enc.finish());
    return out.toByteArray();
  }

  /**
   * The window a frame asks its decoder for (RFC 8878 section 3.1.1.1.2): from the window
   * descriptor, or the content size of a single-segment frame.
   */
  static long windowSize(byte[] frame) {
    assertThat(frame.length).as("a frame header").isGreaterThanOrEqualTo(6);
    int magic =
        (frame[0] & 0xff)
            | (frame[1] & 0xff) << 8
            | (frame[2] & 0xff) << 16
            | (frame[3] & 0xff) << 24;
    assertThat(magic).as("zstd's magic number").isEqualTo(0xFD2FB528);
    int descriptor = frame[4] & 0xff;
    boolean singleSegment = (descriptor & 0x20) != 0;
    if (!singleSegment) {
      int w = frame[5] & 0xff;
      long base = 1L << (10 + (w >>> 3));
      return base + (base / 8) * (w & 7);
    }
    int dictIdBytes = new int[] {0, 1, 2, 4}[descriptor & 3];
    int sizeFlag = descriptor >>> 6;
    int sizeBytes = new int[] {1, 2, 4, 8}[sizeFlag];
    int at = 5 + dictIdBytes;
    long size = 0;
    for (int i = 0; i < sizeBytes; i++) {
      size |= (long) (frame[at + i] & 0xff) << (8 * i);
    }
    return sizeFlag == 1 ? size + 256 : size;
  }

  @ParameterizedTest(name = "level {0}: {1} in chunks up to {2}")
  @CsvSource({
    "3, empty, 1",
    "3, one-byte, 1",
    "1, random-1MiB, 200000",
    "19, text, 8192",
    "3, text, 1",
    "3, text, 100",
    "3, text, 2000000",
    "1, text-12MiB, 300000",
  })
  void decodes_to_the_original_byte_for_byte_within_an_8_mb_window(
      int level, String kind, int maxChunk) throws IOException {
    byte[] body = body(kind);
    BodyEncoder enc = BodyEncoders.open("zstd", level);
    assertThat(enc.coding()).isEqualTo("zstd");
    byte[] encoded = encode(enc, body, maxChunk, new Random(7));
    assertThat(decode(encoded)).isEqualTo(body);
    assertThat(windowSize(encoded)).as("window").isLessThanOrEqualTo(8L << 20);
    if (body.length > 0) {
      assertThat(windowSize(encoded))
          .as("the window set, whatever the level")
          .isEqualTo(1L << ZstdBodyEncoder.WINDOW_LOG);
    }
    if (kind.equals("text") && maxChunk >= 8192) {
      assertThat(encoded.length).as("compressed").isLessThan(body.length / 4);
    }
    enc.close(); // idempotent after finish
  }

  @ParameterizedTest(name = "level {0}: {1}")
  @CsvSource({"3, text", "1, random-1MiB", "3, one-byte", "3, empty", "1, text-12MiB"})
  void a_body_in_one_read_is_encoded_and_ended_in_one_step(int level, String kind)
      throws IOException {
    byte[] body = body(kind);
    BodyEncoder enc = BodyEncoders.open("zstd", level);
    byte[] encoded = enc.finish(body, 0, body.length);
    assertThat(decode(encoded)).isEqualTo(body);
    assertThat(windowSize(encoded)).isLessThanOrEqualTo(1L << ZstdBodyEncoder.WINDOW_LOG);
    assertThatThrownBy(() -> enc.encode(new byte[1], 0, 1))
        .as("ended: no more input")
        .isInstanceOf(IllegalStateException.class);
    enc.close();
    // No flush before the end: never larger than a flushed chunk and then the end.
    BodyEncoder flushed = BodyEncoders.open("zstd", level);
    int twoSteps = flushed.encode(body, 0, body.length).length + flushed.finish().length;
    flushed.close();
    assertThat(encoded.length).isLessThanOrEqualTo(twoSteps);
  }

  @Test
  void an_empty_body_is_one_empty_frame() throws IOException {
    BodyEncoder enc = BodyEncoders.open("zstd", 3);
    assertThat(enc.encode(new byte[8], 3, 0)).as("an empty chunk sends nothing").isEmpty();
    byte[] frame = enc.finish();
    assertThat(decode(frame)).isEmpty();
    assertThat(windowSize(frame)).isLessThanOrEqualTo(1L << ZstdBodyEncoder.WINDOW_LOG);
  }

  @Test
  void each_chunk_is_flushed_so_a_client_can_decode_what_it_has() throws IOException {
    BodyEncoder enc = BodyEncoders.open("zstd", 3);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    String so = "";
    for (String event : new String[] {"data: tick\n\n", "data: tock\n\n"}) {
      byte[] b = event.getBytes(StandardCharsets.US_ASCII);
      sent.writeBytes(enc.encode(b, 0, b.length));
      so += event;
      // What was sent so far, the frame not ended, decodes to every event up to this one.
      assertThat(new String(decodeSoFar(sent.toByteArray()), StandardCharsets.US_ASCII))
          .isEqualTo(so);
    }
    sent.writeBytes(enc.finish());
    assertThat(decode(sent.toByteArray())).isEqualTo(so.getBytes(StandardCharsets.US_ASCII));
  }

  /** What a decoder makes of a frame cut short: everything it could decode. */
  private static byte[] decodeSoFar(byte[] sent) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(sent))) {
      in.setContinuous(true);
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf, 0, buf.length)) > 0) {
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  @Test
  void a_closed_encoder_refuses_more_input_and_closes_once() {
    BodyEncoder enc = BodyEncoders.open("zstd", 1);
    enc.encode(new byte[100], 0, 100); // a response aborted midway: closed without its end
    enc.close();
    enc.close();
    assertThatThrownBy(() -> enc.encode(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(enc::finish).isInstanceOf(IllegalStateException.class);
    BodyEncoder finished = BodyEncoders.open("zstd", 1);
    finished.finish();
    assertThatThrownBy(finished::finish).isInstanceOf(IllegalStateException.class);
    finished.close();
  }

  @Test
  void the_native_library_loads_on_this_platform() {
    assertThat(BodyEncoders.zstdAvailable()).isTrue();
  }
}
