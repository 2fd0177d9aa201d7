package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;

/**
 * Resets an HTTP/2 stream whose header block breaks the field rules of RFC 9113 §8.2.1 with
 * PROTOCOL_ERROR, before Vert.x turns it into a request: so nothing is routed, no upstream
 * connection is opened and nothing is logged for it. Netty checks pseudo-header order and
 * connection-specific fields, but lets CR, LF and NUL in values, and colons, spaces and control
 * characters in names, through to Vert.x, which then throws only when the proxy copies the header.
 *
 * <p>Hand-written: Netty has no switch for these checks on the server decoder that Vert.x builds.
 * Sits in the decoder's frame listener chain (public Netty API), so it sees each header block once,
 * after HPACK decoding; one pass over the bytes, no allocation.
 */
public final class Http2StreamGuard extends Http2FrameListenerDecorator {

  private Http2StreamGuard(Http2FrameListener listener) {
    super(listener);
  }

  /**
   * Wraps the frame listener of the channel's HTTP/2 handler; a no-op for an HTTP/1 channel. Vert.x
   * sets its listener when the client's first SETTINGS frame is read and reports the connection
   * right after, so wrapping it in the server's connection handler covers every header block.
   */
  public static void install(Channel channel) {
    Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
    if (handler == null) {
      return;
    }
    Http2ConnectionDecoder decoder = handler.decoder();
    Http2FrameListener current = decoder.frameListener();
    if (current != null && !(current instanceof Http2StreamGuard)) {
      decoder.frameListener(new Http2StreamGuard(current));
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    check(streamId, headers);
    super.onHeadersRead(ctx, streamId, headers, padding, end);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean end)
      throws Http2Exception {
    check(streamId, headers);
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, end);
  }

  private static void check(int streamId, Http2Headers headers) throws Http2Exception {
    String problem = malformed(headers);
    if (problem != null) {
      // A stream error: Netty answers RST_STREAM(PROTOCOL_ERROR) and Vert.x never sees the stream.
      throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "%s", problem);
    }
  }

  /** Why the header block is malformed under RFC 9113 §8.2.1, or null when it is not. */
  static String malformed(Http2Headers headers) {
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      int n = name.length();
      if (n == 0) {
        return "empty field name";
      }
      // A pseudo-header starts with one colon; Netty has checked which ones exist.
      for (int i = name.charAt(0) == ':' ? 1 : 0; i < n; i++) {
        char c = name.charAt(i);
        if (c <= 0x20 || c >= 0x7f || c == ':' || (c >= 'A' && c <= 'Z')) {
          return "field name with a character RFC 9113 forbids";
        }
      }
      CharSequence value = field.getValue();
      int m = value.length();
      if (m > 0 && (isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(m - 1)))) {
        return "field value with leading or trailing whitespace";
      }
      for (int i = 0; i < m; i++) {
        char c = value.charAt(i);
        if (c == 0 || c == '\r' || c == '\n') {
          return "field value with CR, LF or NUL";
        }
      }
    }
    return null;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
