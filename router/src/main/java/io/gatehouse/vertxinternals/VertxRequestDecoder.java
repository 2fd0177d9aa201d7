package io.gatehouse.vertxinternals;

import io.netty.channel.ChannelHandler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1.x request decoder, open for extension: {@code edge.StrictRequestDecoder} replaces
 * it on each connection to keep conflicting framing headers and to time request heads, which needs
 * a subclass of the decoder Vert.x's connection expects (no public API exposes it).
 */
public class VertxRequestDecoder extends VertxHttpRequestDecoder {
  public VertxRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** Whether {@code handler} is Vert.x's own decoder (or one of ours derived from it). */
  public static boolean isVertxDecoder(ChannelHandler handler) {
    return handler instanceof VertxHttpRequestDecoder;
  }
}
