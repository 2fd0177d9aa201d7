package io.gatehouse.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class BodyEncoderTest {
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
      default -> throw new IllegalArgumentException(kind);
    };
  }

  static byte[] decode(String coding, byte[] encoded) throws IOException {
    try (InputStream in =
        coding.equals("gzip")
            ? new GZIPInputStream(new ByteArrayInputStream(encoded))
            : new BrotliInputStream(new ByteArrayInputStream(encoded))) {
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

  @ParameterizedTest(name = "{0} level {1}: {2} in chunks up to {3}")
  @CsvSource({
    "gzip, 6, empty, 1",
    "gzip, 6, one-byte, 1",
    "gzip, 1, random-1MiB, 70000",
    "gzip, 9, text, 8192",
    "gzip, 6, text, 1",
    "br, 4, empty, 1",
    "br, 4, one-byte, 1",
    "br, 0, random-1MiB, 200000",
    "br, 11, text, 8192",
    "br, 4, text, 100",
  })
  void decodes_to_the_original_byte_for_byte(String coding, int level, String kind, int maxChunk)
      throws IOException {
    byte[] body = body(kind);
    BodyEncoder enc = BodyEncoders.open(coding, level);
    assertThat(enc.coding()).isEqualTo(coding);
    byte[] encoded = encode(enc, body, maxChunk, new Random(7));
    assertThat(decode(coding, encoded)).isEqualTo(body);
    if (kind.equals("text") && maxChunk >= 8192) {
      assertThat(encoded.length).as("compressed").isLessThan(body.length / 4);
    }
    enc.close(); // idempotent after finish
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"gzip", "br"})
  void each_chunk_is_flushed_so_a_client_can_decode_what_it_has(String coding) throws IOException {
    BodyEncoder enc = BodyEncoders.open(coding, 4);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] event = "data: tick\n\n".getBytes(StandardCharsets.US_ASCII);
    sent.writeBytes(enc.encode(event, 0, event.length));
    // Decoding what was sent so far (no end yet) yields the whole first event.
    byte[] partial = new byte[event.length];
    try (InputStream in = partialDecoder(coding, sent.toByteArray())) {
      int got = 0;
      while (got < partial.length) {
        int n = in.read(partial, got, partial.length - got);
        if (n < 0) {
          break;
        }
        got += n;
      }
      assertThat(got).isEqualTo(event.length);
    } catch (IOException truncatedAfterTheEvent) {
      // Some decoders throw at the truncated end; what matters is what they read before it.
    }
    assertThat(partial).isEqualTo(event);
    enc.close();
  }

  /** A decoder that hands out what it has decoded at once (brotli4j waits for more by default). */
  private static InputStream partialDecoder(String coding, byte[] sent) throws IOException {
    if (coding.equals("gzip")) {
      return new GZIPInputStream(new ByteArrayInputStream(sent));
    }
    BrotliInputStream in = new BrotliInputStream(new ByteArrayInputStream(sent));
    in.enableEagerOutput();
    return in;
  }

  @ParameterizedTest(name = "{0} level {1}: {2}")
  @CsvSource({
    "gzip, 6, text",
    "gzip, 1, random-1MiB",
    "gzip, 6, one-byte",
    "gzip, 6, empty",
    "br, 4, text",
    "br, 0, random-1MiB",
    "br, 4, one-byte",
    "br, 4, empty",
  })
  void a_body_in_one_read_is_encoded_and_ended_in_one_step(String coding, int level, String kind)
      throws IOException {
    byte[] body = body(kind);
    BodyEncoder enc = BodyEncoders.open(coding, level);
    byte[] encoded = enc.finish(body, 0, body.length);
    assertThat(decode(coding, encoded)).isEqualTo(body);
    assertThatThrownBy(() -> enc.encode(new byte[1], 0, 1))
        .as("ended: no more input")
        .isInstanceOf(IllegalStateException.class);
    enc.close();
    // No flush before the end: never larger than a flushed chunk and then the end.
    BodyEncoder flushed = BodyEncoders.open(coding, level);
    int twoSteps = flushed.encode(body, 0, body.length).length + flushed.finish().length;
    flushed.close();
    assertThat(encoded.length).isLessThanOrEqualTo(twoSteps);
  }

  @Test
  void a_closed_encoder_refuses_more_input() {
    for (String coding : new String[] {"gzip", "br"}) {
      BodyEncoder enc = BodyEncoders.open(coding, 1);
      enc.close();
      enc.close();
      assertThatThrownBy(() -> enc.encode(new byte[1], 0, 1))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(enc::finish).isInstanceOf(IllegalStateException.class);
    }
  }
}
