package io.gatehouse.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EncoderPoolTest {
  /** Bodies of every shape, one after another through the same pooled encoder. */
  private static List<byte[]> bodies() {
    List<byte[]> all = new ArrayList<>();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 3_000; i++) {
      s.append("{\"id\":").append(i).append(",\"name\":\"item ").append(i % 13).append("\"}\n");
    }
    byte[] text = s.toString().getBytes(StandardCharsets.UTF_8);
    byte[] random = new byte[70_000];
    new Random(13).nextBytes(random);
    all.add(text);
    all.add(random);
    all.add(new byte[0]);
    all.add(new byte[] {42});
    all.add(text); // the same body again: nothing of the first stream may be referred back to
    all.add("4 KiB?".repeat(700).getBytes(StandardCharsets.US_ASCII));
    return all;
  }

  /** Encodes {@code body} in chunks of random sizes up to {@code maxChunk}, as a proxy reads it. */
  private static byte[] encode(BodyEncoder enc, byte[] body, int maxChunk, long seed) {
    Random r = new Random(seed);
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

  /** What a new, never pooled encoder makes of the same body in the same chunks. */
  private static byte[] fresh(int level, byte[] body, int maxChunk, long seed) {
    BodyEncoder enc = BodyEncoders.open("gzip", level);
    try {
      return encode(enc, body, maxChunk, seed);
    } finally {
      enc.close();
    }
  }

  @Test
  void a_reused_gzip_encoder_makes_the_same_bytes_as_a_new_one_for_consecutive_bodies()
      throws IOException {
    EncoderPool pool = new EncoderPool(2);
    List<byte[]> bodies = bodies();
    for (int i = 0; i < bodies.size(); i++) {
      byte[] body = bodies.get(i);
      BodyEncoder enc = pool.open("gzip", 6);
      assertThat(enc.coding()).isEqualTo("gzip");
      byte[] encoded = encode(enc, body, 9_000, i);
      enc.close(); // idempotent after finish, which gave it back already
      assertThat(BodyEncoderTest.decode("gzip", encoded)).as("body %d", i).isEqualTo(body);
      assertThat(encoded).as("body %d, byte for byte", i).isEqualTo(fresh(6, body, 9_000, i));
      assertThat(pool.idle(6)).as("given back at the body's end").isEqualTo(1);
    }
    for (int i = 0; i < bodies.size(); i++) {
      byte[] body = bodies.get(i);
      BodyEncoder enc = pool.open("gzip", 6);
      byte[] oneStep = enc.finish(body, 0, body.length);
      BodyEncoder fresh = BodyEncoders.open("gzip", 6);
      assertThat(oneStep)
          .as("body %d in one step", i)
          .isEqualTo(fresh.finish(body, 0, body.length));
      fresh.close();
      assertThat(BodyEncoderTest.decode("gzip", oneStep)).isEqualTo(body);
    }
    assertThat(pool.created()).isEqualTo(1);
    assertThat(pool.reused()).isEqualTo(2L * bodies.size() - 1);
    pool.close();
  }

  @Test
  void an_encoder_given_back_midway_starts_the_next_body_afresh() throws IOException {
    EncoderPool pool = new EncoderPool(1);
    byte[] body = bodies().get(0);
    for (String ending : List.of("client gone", "upstream reset", "nothing encoded yet")) {
      BodyEncoder cut = pool.open("gzip", 1);
      if (!ending.equals("nothing encoded yet")) {
        cut.encode(body, 0, body.length / 2);
      }
      cut.close();
      assertThat(pool.idle(1)).as(ending).isEqualTo(1);
      BodyEncoder next = pool.open("gzip", 1);
      byte[] encoded = encode(next, body, 5_000, 3);
      assertThat(BodyEncoderTest.decode("gzip", encoded)).as(ending).isEqualTo(body);
      assertThat(encoded).as(ending).isEqualTo(fresh(1, body, 5_000, 3));
    }
    assertThat(pool.created()).isEqualTo(1);
  }

  @Test
  void a_closed_lease_is_given_back_once_and_never_reaches_the_next_response() throws IOException {
    EncoderPool pool = new EncoderPool(4);
    BodyEncoder first = pool.open("gzip", 6);
    first.close();
    first.close();
    assertThat(pool.idle(6)).as("given back once").isEqualTo(1);
    BodyEncoder second = pool.open("gzip", 6);
    assertThat(pool.reused()).isEqualTo(1);
    // The first response's late calls fail and leave the second's stream alone.
    assertThatThrownBy(() -> first.encode(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(first::finish).isInstanceOf(IllegalStateException.class);
    first.close();
    assertThat(pool.idle(6)).as("a late close gives nothing back").isZero();
    byte[] body = bodies().get(5);
    assertThat(BodyEncoderTest.decode("gzip", encode(second, body, 100, 1))).isEqualTo(body);
    // A finished lease is closed: it refuses more input.
    assertThatThrownBy(() -> second.encode(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThat(pool.idle(6)).isEqualTo(1);
  }

  @Test
  void the_pool_keeps_at_most_its_bound_per_level_and_levels_apart() {
    EncoderPool pool = new EncoderPool(2);
    List<BodyEncoder> busy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      busy.add(pool.open("gzip", 6));
    }
    busy.add(pool.open("gzip", 1));
    busy.forEach(BodyEncoder::close);
    assertThat(pool.created()).isEqualTo(6);
    assertThat(pool.idle(6)).as("three of five ended").isEqualTo(2);
    assertThat(pool.idle(1)).isEqualTo(1);
    assertThat(pool.idle(9)).isZero();
    busy.clear();
    for (int i = 0; i < 3; i++) {
      busy.add(pool.open("gzip", 6));
    }
    assertThat(pool.reused()).isEqualTo(2);
    assertThat(pool.created()).isEqualTo(7);
    assertThat(pool.idle(6)).isZero();
    assertThat(pool.idle(1)).as("another level's encoder is not taken").isEqualTo(1);
    busy.forEach(BodyEncoder::close);
    EncoderPool none = new EncoderPool(0);
    BodyEncoder unpooled = none.open("gzip", 6);
    assertThat(unpooled.finish()).as("a pool bound to none still serves").isNotEmpty();
    unpooled.close();
    assertThat(none.idle(6)).isZero();
  }

  @Test
  void an_encoder_that_failed_is_ended_not_kept() {
    EncoderPool pool = new EncoderPool(4);
    BodyEncoder enc = pool.open("gzip", 6);
    assertThatThrownBy(() -> enc.encode(new byte[4], 2, 10))
        .isInstanceOf(IndexOutOfBoundsException.class);
    enc.close();
    assertThat(pool.idle(6)).isZero();
    pool.open("gzip", 6).close();
    assertThat(pool.created()).as("the failed one was not reused").isEqualTo(2);
  }

  @Test
  void a_closed_pool_ends_what_it_kept_and_what_comes_back_later() throws IOException {
    EncoderPool pool = new EncoderPool(4);
    BodyEncoder late = pool.open("gzip", 6);
    pool.open("gzip", 6).close();
    assertThat(pool.idle(6)).isEqualTo(1);
    pool.close();
    assertThat(pool.idle(6)).isZero();
    late.close();
    assertThat(pool.idle(6)).as("given back after the loop stopped: ended").isZero();
    BodyEncoder after = pool.open("gzip", 6);
    byte[] body = bodies().get(0);
    assertThat(BodyEncoderTest.decode("gzip", encode(after, body, 4_000, 9))).isEqualTo(body);
    after.close();
    assertThat(pool.idle(6)).isZero();
  }

  @Test
  void brotli_is_served_fresh_each_time_since_brotli4j_cannot_reset_an_encoder()
      throws IOException {
    EncoderPool pool = new EncoderPool(4);
    byte[] body = bodies().get(0);
    for (int i = 0; i < 3; i++) {
      BodyEncoder enc = pool.open("br", 4);
      assertThat(enc.coding()).isEqualTo("br");
      assertThat(BodyEncoderTest.decode("br", encode(enc, body, 7_000, i))).isEqualTo(body);
      enc.close();
    }
    assertThat(pool.created()).isZero();
    assertThatThrownBy(() -> pool.open("deflate", 6)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zstd_is_served_fresh_each_time_and_decodes() throws IOException {
    EncoderPool pool = new EncoderPool(4);
    byte[] body = bodies().get(0);
    for (int i = 0; i < 3; i++) {
      BodyEncoder enc = pool.open("zstd", 3);
      assertThat(enc.coding()).isEqualTo("zstd");
      assertThat(ZstdBodyEncoderTest.decode(encode(enc, body, 7_000, i))).isEqualTo(body);
      enc.close();
    }
    assertThat(pool.created()).as("zstd encoders are not pooled (yet)").isZero();
  }
}
