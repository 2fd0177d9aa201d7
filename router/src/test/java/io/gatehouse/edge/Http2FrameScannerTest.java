package io.gatehouse.edge;

import static io.gatehouse.edge.Http2FrameScanner.CONTINUATION;
import static io.gatehouse.edge.Http2FrameScanner.DATA;
import static io.gatehouse.edge.Http2FrameScanner.END_HEADERS;
import static io.gatehouse.edge.Http2FrameScanner.END_STREAM;
import static io.gatehouse.edge.Http2FrameScanner.HEADERS;
import static io.gatehouse.edge.Http2FrameScanner.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scanner on its own: each case is a client's byte stream and the verdict (null: no connection
 * error of the scanner's own), fed whole, split at every byte and in random cuts, since a read can
 * end anywhere. When it refuses, the bytes it let through end inside the bad frame's header at the
 * latest, so Netty never decodes that frame.
 */
class Http2FrameScannerTest {
  private static final int SETTINGS = 0x4;
  private static final int PRIORITY = 0x2;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int PUSH_PROMISE = 0x5;
  private static final int EH = END_HEADERS;
  private static final int ES = END_STREAM;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A client byte stream after its first SETTINGS frame, as the scanner sees it in a node. */
  static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    int badAt = -1;

    Bytes f(int type, int flags, int stream, int payload) {
      out.write(payload >>> 16);
      out.write(payload >>> 8);
      out.write(payload);
      out.write(type);
      out.write(flags);
      out.write(stream >>> 24);
      out.write(stream >>> 16);
      out.write(stream >>> 8);
      out.write(stream);
      for (int i = 0; i < payload; i++) {
        out.write(0);
      }
      return this;
    }

    /** The next frame is the one the scanner must refuse. */
    Bytes bad() {
      badAt = out.size();
      return this;
    }

    Bytes raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Bytes h(int stream, int flags) {
      return f(HEADERS, flags, stream, 12);
    }
  }

  static Bytes s() {
    return new Bytes();
  }

  static Stream<Arguments> cases() {
    Bytes many = s();
    for (int id = 1; id <= 4 * Http2FrameScanner.WINDOW + 1; id += 2) {
      many.h(id, EH | ES);
    }
    Bytes manyThenOld = s();
    manyThenOld.out.writeBytes(many.out.toByteArray());
    manyThenOld.h(1, EH | ES); // out of the window: Netty's behaviour, no verdict here
    Bytes manyThenRecent = s();
    manyThenRecent.out.writeBytes(many.out.toByteArray());
    manyThenRecent.bad().h(4 * Http2FrameScanner.WINDOW + 1 - 2 * 100, EH | ES);
    byte[] framesInPayload = s().h(1, EH | ES).h(1, EH | ES).out.toByteArray();
    return Stream.of(
        Arguments.of("sequential-requests", false, s().h(1, EH | ES).h(3, EH | ES), null),
        Arguments.of(
            "headers-after-end-stream", false, s().h(1, EH | ES).bad().h(1, EH | ES), "STREAM"),
        Arguments.of(
            "data-after-end-stream", false, s().h(1, EH | ES).bad().f(DATA, ES, 1, 4), "STREAM"),
        Arguments.of(
            "data-end-stream-then-data",
            false,
            s().h(1, EH).f(DATA, 0, 1, 10).f(DATA, ES, 1, 0).bad().f(DATA, 0, 1, 3),
            "STREAM"),
        Arguments.of(
            "continuation-outside-block-is-netty's-protocol-error",
            false,
            s().h(1, EH | ES).f(CONTINUATION, EH, 1, 5),
            null),
        Arguments.of(
            "end-stream-takes-effect-after-the-block",
            false,
            s().h(1, ES).f(CONTINUATION, 0, 1, 3).f(CONTINUATION, EH, 1, 3).bad().f(DATA, 0, 1, 1),
            "STREAM"),
        Arguments.of(
            "data-after-client-reset",
            false,
            s().h(1, EH).f(RST_STREAM, 0, 1, 4).bad().f(DATA, 0, 1, 1),
            "STREAM"),
        Arguments.of(
            "smaller-id-never-opened", false, s().h(5, EH | ES).bad().h(3, EH | ES), "PROTOCOL"),
        Arguments.of("first-id-skips", false, s().h(7, EH | ES).bad().h(1, EH | ES), "PROTOCOL"),
        Arguments.of(
            "trailers-on-open-lower-stream",
            false,
            s().h(1, EH).h(3, EH | ES).f(DATA, 0, 1, 100).h(1, EH | ES),
            null),
        Arguments.of(
            "control-frames-on-ended-stream",
            false,
            s().h(1, EH | ES)
                .f(WINDOW_UPDATE, 0, 1, 4)
                .f(PRIORITY, 0, 1, 5)
                .f(RST_STREAM, 0, 1, 4)
                .f(SETTINGS, 0, 0, 6)
                .f(0x42, 0, 1, 3),
            null),
        Arguments.of(
            "frames-on-a-stream-the-server-reset",
            false,
            s().h(1, EH).f(DATA, 0, 1, 8).f(DATA, ES, 1, 8),
            null),
        Arguments.of(
            "payload-bytes-are-not-frames",
            false,
            s().h(1, EH).raw(dataFrame(1, framesInPayload)).h(1, EH | ES),
            null),
        Arguments.of("many-streams-past-the-window", false, many, null),
        Arguments.of("old-stream-outside-the-window", false, manyThenOld, null),
        Arguments.of("recent-stream-inside-the-window", false, manyThenRecent, "STREAM"),
        Arguments.of(
            "jump-then-skipped-id-in-window",
            false,
            s().h(1, EH | ES).h(100_001, EH | ES).bad().h(99_999, EH),
            "PROTOCOL"),
        Arguments.of(
            "jump-then-id-before-the-window",
            false,
            s().h(1, EH | ES).h(100_001, EH | ES).h(1, EH),
            null),
        Arguments.of(
            "interrupted-block-is-netty's", false, s().h(1, 0).f(DATA, 0, 1, 1).h(1, EH), null),
        Arguments.of("even-ids-are-netty's", false, s().h(2, EH | ES).h(2, EH | ES), null),
        Arguments.of(
            "upgrade-stream-1-is-half-closed",
            true,
            s().raw(PREFACE).f(SETTINGS, 0, 0, 0).bad().f(DATA, 0, 1, 2),
            "STREAM"),
        Arguments.of(
            "upgrade-then-new-streams",
            true,
            s().raw(PREFACE).f(SETTINGS, 0, 0, 6).h(3, EH | ES).f(WINDOW_UPDATE, 0, 1, 4),
            null));
  }

  private static byte[] dataFrame(int stream, byte[] payload) {
    Bytes b = s();
    b.out.write(payload.length >>> 16);
    b.out.write(payload.length >>> 8);
    b.out.write(payload.length);
    b.out.write(DATA);
    b.out.write(0);
    b.out.writeBytes(new byte[] {0, 0, 0, (byte) stream});
    b.out.writeBytes(payload);
    return b.out.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void the_whole_input_at_once_gets_the_verdict(
      String name, boolean upgraded, Bytes input, String verdict) {
    check(input, upgraded, verdict, List.of(input.out.size()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void byte_by_byte(String name, boolean upgraded, Bytes input, String verdict) {
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < input.out.size(); i++) {
      cuts.add(1);
    }
    check(input, upgraded, verdict, cuts);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void random_cuts(String name, boolean upgraded, Bytes input, String verdict) {
    Random random = new Random(name.hashCode());
    for (int round = 0; round < 20; round++) {
      List<Integer> cuts = new ArrayList<>();
      for (int left = input.out.size(); left > 0; ) {
        int n = Math.min(left, 1 + random.nextInt(40));
        cuts.add(n);
        left -= n;
      }
      check(input, upgraded, verdict, cuts);
    }
  }

  private static void check(Bytes input, boolean upgraded, String verdict, List<Integer> cuts) {
    byte[] all = input.out.toByteArray();
    Http2FrameScanner scanner = new Http2FrameScanner(upgraded);
    int passed = 0;
    int at = 0;
    boolean refused = false;
    for (int n : cuts) {
      ByteBuf buf = Unpooled.wrappedBuffer(all, at, n);
      int bad = scanner.scan(buf);
      at += n;
      if (bad >= 0) {
        passed += bad;
        refused = true;
        break;
      }
      passed += n;
    }
    if (verdict == null) {
      assertThat(refused).as("refused: %s", scanner.reason()).isFalse();
      assertThat(scanner.error()).isNull();
      return;
    }
    assertThat(refused).as("refused").isTrue();
    Http2Error expected =
        verdict.equals("STREAM") ? Http2Error.STREAM_CLOSED : Http2Error.PROTOCOL_ERROR;
    assertThat(scanner.error()).as(scanner.reason()).isEqualTo(expected);
    // Everything before the bad frame, and never its whole header.
    assertThat(passed).isBetween(input.badAt, input.badAt + 8);
    if (cuts.size() == 1) {
      assertThat(passed).isEqualTo(input.badAt);
    }
  }

  @Test
  void a_header_block_is_open_from_its_headers_to_its_end_headers() {
    Http2FrameScanner scanner = new Http2FrameScanner(false);
    assertThat(scanner.scan(Unpooled.wrappedBuffer(s().h(1, EH | ES).out.toByteArray())))
        .isEqualTo(-1);
    assertThat(scanner.headerBlockSince()).isEqualTo(-1);
    long before = System.nanoTime();
    scanner.scan(Unpooled.wrappedBuffer(s().h(3, ES).f(CONTINUATION, 0, 3, 4).out.toByteArray()));
    assertThat(scanner.headerBlockSince()).isBetween(before, System.nanoTime());
    scanner.scan(Unpooled.wrappedBuffer(s().f(CONTINUATION, EH, 3, 4).out.toByteArray()));
    assertThat(scanner.headerBlockSince()).isEqualTo(-1);
    scanner.scan(Unpooled.wrappedBuffer(s().f(PUSH_PROMISE, 0, 5, 4).out.toByteArray()));
    assertThat(scanner.headerBlockSince()).isNotEqualTo(-1);
  }

  @Test
  void a_split_frame_header_is_read_across_buffers() {
    Http2FrameScanner scanner = new Http2FrameScanner(false);
    byte[] two = s().h(5, EH | ES).h(3, EH | ES).out.toByteArray();
    // The second header arrives 4 + 5 bytes: the first part passed, nothing of the rest.
    int firstFrame = 9 + 12;
    assertThat(scanner.scan(Unpooled.wrappedBuffer(two, 0, firstFrame + 4))).isEqualTo(-1);
    assertThat(
            scanner.scan(Unpooled.wrappedBuffer(two, firstFrame + 4, two.length - firstFrame - 4)))
        .isZero();
    assertThat(scanner.error()).isEqualTo(Http2Error.PROTOCOL_ERROR);
  }
}
