package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link CleartextPreface} behind Vert.x's own h2c detector, in the pipeline order Vert.x builds
 * (the HTTP/1 decoder goes in behind the gate once the detector has decided), with the bytes split
 * over several reads as TCP may deliver them.
 */
class CleartextPrefaceTest {
  static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  static final long DEADLINE = TimeUnit.SECONDS.toNanos(10);

  final List<Object> seen = new ArrayList<>();

  EmbeddedChannel channel(boolean h2cOnly) {
    HttpServerOptions options = new HttpServerOptions();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            new Http1xOrH2CHandler() {
              @Override
              protected void configure(ChannelHandlerContext ctx, boolean h2c) {
                if (!h2c) {
                  ctx.pipeline()
                      .addBefore("handler", "httpDecoder", new VertxHttpRequestDecoder(options));
                }
              }
            });
    ch.pipeline()
        .addLast(
            "handler",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf b) {
                  seen.add(b.toString(StandardCharsets.ISO_8859_1));
                } else {
                  seen.add(msg);
                }
                ReferenceCountUtil.release(msg);
              }
            });
    CleartextPreface.install(
        ch, new CleartextPreface.Policy(h2cOnly, DEADLINE, "gatehouse"), options);
    return ch;
  }

  static void write(EmbeddedChannel ch, String... parts) {
    for (String p : parts) {
      if (ch.isOpen()) {
        ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
      }
    }
  }

  static String written(EmbeddedChannel ch) {
    StringBuilder b = new StringBuilder();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      b.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
      ReferenceCountUtil.release(o);
    }
    return b.toString();
  }

  @Test
  void h2c_only_passes_a_preface_that_arrives_byte_by_byte() {
    EmbeddedChannel ch = channel(true);
    write(ch, PREFACE.split(""));
    write(ch, "\0\0\0\4\0\0\0\0\0");
    assertThat(ch.isOpen()).isTrue();
    assertThat(String.join("", seen.stream().map(String::valueOf).toList()))
        .isEqualTo(PREFACE + "\0\0\0\4\0\0\0\0\0");
    assertThat(ch.pipeline().get("httpDecoder")).isNull();
  }

  @Test
  void h2c_only_closes_a_preface_that_goes_wrong_at_its_last_byte_without_a_byte() {
    EmbeddedChannel ch = channel(true);
    write(ch, PREFACE.substring(0, 20), "\r\n\rX");
    assertThat(ch.isOpen()).isFalse();
    assertThat(written(ch)).isEmpty();
    assertThat(seen).isEmpty();
  }

  @Test
  void h2c_only_closes_an_http1_request_without_a_byte() {
    EmbeddedChannel ch = channel(true);
    write(ch, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(ch.isOpen()).isFalse();
    assertThat(written(ch)).isEmpty();
    assertThat(seen).isEmpty();
  }

  @Test
  void h2c_only_closes_silently_at_the_deadline() {
    EmbeddedChannel ch = channel(true);
    write(ch, "PRI * HTTP/2.0\r\n");
    ch.advanceTimeBy(DEADLINE, TimeUnit.NANOSECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(written(ch)).isEmpty();
  }

  @Test
  void mixed_closes_a_broken_preface_split_after_its_first_line() {
    EmbeddedChannel ch = channel(false);
    write(ch, "PRI * HTTP/2.0\r\n", "\r\nXY\r\n\r\n");
    assertThat(ch.isOpen()).isFalse();
    assertThat(written(ch)).isEmpty();
    assertThat(seen).isEmpty();
  }

  @Test
  void mixed_reads_the_first_http1_request_with_the_strict_decoder() {
    EmbeddedChannel ch = channel(false);
    write(ch, "GET / HT", "TP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n");
    assertThat(ch.pipeline().get("httpDecoder")).isInstanceOf(StrictRequestDecoder.class);
    HttpRequest head = (HttpRequest) seen.get(0);
    assertThat(head.decoderResult().isFailure()).as("obs-fold in the first head").isTrue();
    assertThat(CleartextPreface.connected(ch)).isSameAs(ch.pipeline().get("httpDecoder"));
    assertThat(ch.pipeline().get(CleartextPreface.class)).isNull();
  }

  @Test
  void mixed_answers_408_at_the_deadline_then_nothing_once_connected() {
    EmbeddedChannel late = channel(false);
    write(late, "GET / HTTP/1.1\r\nHost: a\r\n");
    late.advanceTimeBy(DEADLINE, TimeUnit.NANOSECONDS);
    late.runScheduledPendingTasks();
    assertThat(written(late)).startsWith("HTTP/1.1 408 ").contains("server: gatehouse\r\n");
    assertThat(late.isOpen()).isFalse();

    EmbeddedChannel served = channel(false);
    write(served, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    CleartextPreface.connected(served);
    served.advanceTimeBy(DEADLINE, TimeUnit.NANOSECONDS);
    served.runScheduledPendingTasks();
    assertThat(written(served)).isEmpty();
    assertThat(served.isOpen()).isTrue();
  }
}
