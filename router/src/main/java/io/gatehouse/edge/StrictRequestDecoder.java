package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1.x request decoder, except that a request with both {@code Transfer-Encoding:
 * chunked} and {@code Content-Length} keeps both headers. Netty's default silently removes the
 * Content-Length (RFC 9112 allows that only if the connection is then closed, which Vert.x does not
 * do), which hides the conflict from {@link RequestGuard}; kept, the guard refuses it with 400.
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
  public static void install(Channel channel, HttpServerOptions options) {
    if (channel.pipeline().get(NAME) instanceof VertxHttpRequestDecoder) {
      channel.pipeline().replace(NAME, NAME, new StrictRequestDecoder(options));
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Keep Content-Length so that RequestGuard sees the conflict and refuses the request.
  }
}
