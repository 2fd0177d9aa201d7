package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validator on its own: each case is fed whole and split at every byte, since a TCP read can
 * end anywhere. Framing is given as the decoder would (chunked when the head says so, else the
 * Content-Length), which is all these cases need.
 */
class Http1FramingValidatorTest {
  private static final String CHUNKED =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Arguments.of("empty-lines-before", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Arguments.of("http-1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n"),
        Arguments.of("empty-value", "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n"),
        Arguments.of("ows-around-value", "GET / HTTP/1.1\r\nHost: a\r\nX: \t b \t\r\n\r\n"),
        Arguments.of("obs-text-value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\u00e9\r\n\r\n"),
        Arguments.of("fixed-body", "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
        Arguments.of("pipelined", "GET / HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        Arguments.of("chunked", CHUNKED + "5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunked-max", CHUNKED + "7fffffff\r\n"),
        Arguments.of("chunk-ext-token", CHUNKED + "5;a=b\r\nhello\r\n0;c=d\r\n\r\n"),
        Arguments.of("chunk-ext-name", CHUNKED + "5;a;b\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk-ext-quoted", CHUNKED + "5;a=\"b \\\" c\"\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk-ext-bws", CHUNKED + "5 \t; a = \"b\" ;c\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("trailers", CHUNKED + "0\r\nX-A: 1\r\nX-B: 2\r\n\r\n"),
        Arguments.of("chunked-then-next", CHUNKED + "0\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("size-2^32+5", CHUNKED + "100000005\r\nhello\r\n"),
        Arguments.of("size-2^31", CHUNKED + "80000000\r\n"),
        Arguments.of("size-leading-space", CHUNKED + " 5\r\nhello\r\n"),
        Arguments.of("size-trailing-space", CHUNKED + "5 \r\nhello\r\n"),
        Arguments.of("size-empty", CHUNKED + "\r\nhello\r\n"),
        Arguments.of("size-bare-lf", CHUNKED + "5\nhello\r\n"),
        Arguments.of("data-too-long", CHUNKED + "5\r\nhelloX\r\n"),
        Arguments.of("ext-open-quote", CHUNKED + "5;a=\"b\r\n"),
        Arguments.of("ext-obs-text", CHUNKED + "5;a=\"\u00e9\"\r\n"),
        Arguments.of("ext-value-space-then-cr", CHUNKED + "5;a=b \r\n"),
        Arguments.of("trailer-fold", CHUNKED + "0\r\nX: a\r\n b\r\n\r\n"),
        Arguments.of("fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"),
        Arguments.of("fold-tab", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n"),
        Arguments.of("space-before-colon", "GET / HTTP/1.1\r\nX : a\r\n\r\n"),
        Arguments.of("empty-name", "GET / HTTP/1.1\r\n: a\r\n\r\n"),
        Arguments.of("bare-cr-value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"),
        Arguments.of("bare-lf-value", "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n"),
        Arguments.of("nul-value", "GET / HTTP/1.1\r\nX: a\0\r\n\r\n"),
        Arguments.of("del-value", "GET / HTTP/1.1\r\nX: a\u007f\r\n\r\n"),
        Arguments.of("line-tab", "GET\t/ HTTP/1.1\r\n\r\n"),
        Arguments.of("line-two-spaces", "GET /  HTTP/1.1\r\n\r\n"),
        Arguments.of("line-bare-lf", "GET / HTTP/1.1\n\r\n"),
        Arguments.of("version-lowercase", "GET / http/1.1\r\n\r\n"),
        Arguments.of("version-long", "GET / HTTP/1.11\r\n\r\n"),
        Arguments.of("bad-next-request", "GET / HTTP/1.1\r\n\r\nGET  / HTTP/1.1\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted_whole_and_split_at_every_byte(String name, String stream) {
    for (int split = 0; split <= stream.length(); split++) {
      Http1FramingValidator v = run(stream, split);
      assertThat(v.failed()).as("%s split at %d: %s", name, split, v.error()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused_whole_and_split_at_every_byte(String name, String stream) {
    for (int split = 0; split <= stream.length(); split++) {
      Http1FramingValidator v = run(stream, split);
      assertThat(v.failed()).as("%s split at %d", name, split).isTrue();
      assertThat(v.error()).isNotBlank();
    }
  }

  /** Feeds {@code stream} in two reads split at {@code split}, giving framing at each head. */
  private static Http1FramingValidator run(String stream, int split) {
    byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    Http1FramingValidator v = new Http1FramingValidator();
    int pos = 0;
    for (int end : new int[] {split, bytes.length}) {
      while (pos < end && !v.failed()) {
        int next = v.check(buf, pos, end);
        if (v.awaitingFraming()) {
          String head = stream.substring(0, next).toLowerCase();
          int cl = head.lastIndexOf("content-length: ");
          boolean chunked = head.endsWith("transfer-encoding: chunked\r\n\r\n");
          long length =
              cl < 0 || head.lastIndexOf("\r\n\r\n", next - 5) > cl
                  ? 0
                  : Long.parseLong(head.substring(cl + 16, head.indexOf('\r', cl)));
          v.framing(chunked, length);
        } else if (v.betweenMessages()) {
          v.nextMessage();
        } else if (next == pos) {
          break;
        }
        pos = next;
      }
    }
    return v;
  }
}
