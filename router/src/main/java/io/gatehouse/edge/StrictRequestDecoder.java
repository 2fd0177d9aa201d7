package io.gatehouse.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1.x request decoder, except that a request with both {@code Transfer-Encoding:
 * chunked} and {@code Content-Length} keeps both headers. Netty's default silently removes the
 * Content-Length (RFC 9112 allows that only if the connection is then closed, which Vert.x does not
 * do), which hides the conflict from {@link RequestGuard}; kept, the guard refuses it with 400.
 *
 * <p>It also notes when the first byte of each request head arrives, which Vert.x does not report,
 * so the header-read deadline runs from that byte on keep-alive connections too (slowloris after a
 * first, honest request).
 */
public final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  /** The name Vert.x gives its decoder in the connection's pipeline. */
  private static final String NAME = "httpDecoder";

  public StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Replaces Vert.x's decoder on a fresh connection; a no-op when the pipeline has none (HTTP/2).
   * Must run before the first byte is decoded, i.e. in the server's connection handler.
   */
  public static StrictRequestDecoder install(Channel channel, HttpServerOptions options) {
    if (channel.pipeline().get(NAME) instanceof VertxHttpRequestDecoder) {
      StrictRequestDecoder decoder = new StrictRequestDecoder(options);
      channel.pipeline().replace(NAME, NAME, decoder);
      return decoder;
    }
    return null;
  }

  private boolean awaitingHead = true;
  private long headStartedNanos;

  /**
   * When the first byte of the request head being read arrived (System.nanoTime), or 0 when no head
   * is being read. Read on the connection's event loop only.
   */
  public long headStartedNanos() {
    return headStartedNanos;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (awaitingHead && headStartedNanos == 0 && buffer.isReadable()) {
      headStartedNanos = System.nanoTime();
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      Object m = out.get(i);
      if (m instanceof HttpMessage) {
        awaitingHead = false;
        headStartedNanos = 0;
      }
      if (m instanceof LastHttpContent) {
        awaitingHead = true;
      }
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Keep Content-Length so that RequestGuard sees the conflict and refuses the request.
  }
}
