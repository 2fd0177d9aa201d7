package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The control-frame cut on a Netty HTTP/2 server handler, without Vert.x or sockets. */
class Http2StreamGuardTest {
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int SETTINGS = 4;

  @Test
  void a_cut_connection_decodes_nothing_more() {
    EmbeddedChannel ch = connected();
    Http2FrameScanner scanner = ch.pipeline().get(Http2FrameScanner.class);
    ByteBuf after = frames(PING, 8, 10);
    int afterBytes = after.readableBytes();
    // Two reads: the cut comes in the first; the second goes nowhere (Netty would decode it, and
    // answer its PINGs, until its close runs, which a lingering close holds back).
    ch.writeInbound(frames(PING, 8, 1_200), after);
    assertThat(goAwayCode(ch)).as("GOAWAY code").isEqualTo(11); // ENHANCE_YOUR_CALM
    assertThat(scanner.discarded()).as("bytes dropped after the cut").isEqualTo(afterBytes);
  }

  @Test
  void a_connection_that_has_not_asked_for_anything_is_cut_after_its_small_burst() {
    EmbeddedChannel ch = connected();
    ch.writeInbound(frames(PING, 8, Http2StreamGuard.CONTROL_BURST_BEFORE_REQUEST + 50));
    assertThat(goAwayCode(ch)).as("GOAWAY code").isEqualTo(11);
  }

  /** A server handler that has read the preface and the client's SETTINGS, then the guard. */
  private static EmbeddedChannel connected() {
    Http2ConnectionHandler handler =
        new Http2ConnectionHandlerBuilder()
            .server(true)
            .frameListener(new Http2FrameAdapter())
            .build();
    EmbeddedChannel ch = new EmbeddedChannel(handler);
    ByteBuf start = Unpooled.buffer();
    start.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    start.writeBytes(frames(SETTINGS, 0, 1));
    ch.writeInbound(start);
    assertThat(Http2StreamGuard.install(ch)).as("guard").isNotNull();
    releaseOutbound(ch);
    return ch;
  }

  private static ByteBuf frames(int type, int length, int count) {
    ByteBuf b = Unpooled.buffer();
    for (int i = 0; i < count; i++) {
      b.writeMedium(length).writeByte(type).writeByte(0).writeInt(0).writeZero(length);
    }
    return b;
  }

  /** The error code of the GOAWAY the server wrote, or -1. */
  private static long goAwayCode(EmbeddedChannel ch) {
    long code = -1;
    ByteBuf out = Unpooled.buffer();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.writeBytes(b);
      b.release();
    }
    while (out.readableBytes() >= 9) {
      int length = out.readUnsignedMedium();
      int type = out.readUnsignedByte();
      out.skipBytes(5);
      if (type == GOAWAY) {
        code = out.getUnsignedInt(out.readerIndex() + 4);
      }
      out.skipBytes(length);
    }
    out.release();
    return code;
  }

  private static void releaseOutbound(EmbeddedChannel ch) {
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ((ByteBuf) o).release();
    }
  }
}
