package io.gatehouse.proxy;

import io.gatehouse.fallback.ErrorPages;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Gatehouse's own answers to gRPC clients. A gRPC client reads the outcome of a call from {@code
 * grpc-status}, not from the HTTP status, so instead of an HTML or JSON error page it gets HTTP 200
 * with a Trailers-Only response (PROTOCOL-HTTP2.md): {@code grpc-status} and a percent-encoded
 * {@code grpc-message} in the one HEADERS frame that ends the stream.
 *
 * <p>Hand-written on purpose: the status codes, the {@code grpc-timeout} grammar and the message
 * encoding are a few lines of the gRPC spec, and grpc-java's own helpers would bring the whole gRPC
 * runtime (and a second Netty) into the data plane.
 */
final class GrpcReplies {
  static final int CANCELLED = 1;
  static final int UNKNOWN = 2;
  static final int DEADLINE_EXCEEDED = 4;
  static final int PERMISSION_DENIED = 7;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNIMPLEMENTED = 12;
  static final int INTERNAL = 13;
  static final int UNAVAILABLE = 14;
  static final int UNAUTHENTICATED = 16;

  private static final String GRPC = "application/grpc";
  private static final CharSequence GRPC_CONTENT_TYPE = HttpHeaders.createOptimized(GRPC);
  private static final CharSequence GRPC_STATUS = HttpHeaders.createOptimized("grpc-status");
  private static final CharSequence GRPC_MESSAGE = HttpHeaders.createOptimized("grpc-message");
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized(ErrorPages.REQUEST_ID);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** The largest grpc-timeout value: at most 8 digits (PROTOCOL-HTTP2.md). */
  private static final int MAX_TIMEOUT_DIGITS = 8;

  private GrpcReplies() {}

  /**
   * Whether a request with this content-type is a gRPC call: {@code application/grpc}, alone or
   * followed by {@code +format}, {@code ;params} or {@code -web}/{@code -web-text}.
   */
  static boolean isGrpc(@Nullable String contentType) {
    if (contentType == null
        || contentType.length() < GRPC.length()
        || !contentType.regionMatches(true, 0, GRPC, 0, GRPC.length())) {
      return false;
    }
    if (contentType.length() == GRPC.length()) {
      return true;
    }
    char next = contentType.charAt(GRPC.length());
    return next == '+' || next == ';' || next == '-' || next == ' ';
  }

  /**
   * The gRPC status for one of Gatehouse's own HTTP answers. It follows the gRPC project's
   * HTTP-to-gRPC table (http-grpc-status-mapping.md) except where Gatehouse knows more than the
   * HTTP code says: 504 is only sent when a deadline of the call passed, so it is DEADLINE_EXCEEDED
   * (a client must not assume a timed-out call was not executed, which UNAVAILABLE would let it
   * retry); 408 is the client's own body idling out; 413 and 431 are limits. A connect timeout is
   * mapped by the caller to UNAVAILABLE.
   */
  static int statusFor(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> INTERNAL;
      case 401 -> UNAUTHENTICATED;
      case 403 -> PERMISSION_DENIED;
      case 404, 501 -> UNIMPLEMENTED;
      case 408, 504 -> DEADLINE_EXCEEDED;
      case 413, 414, 431 -> RESOURCE_EXHAUSTED;
      case 421, 429, 502, 503 -> UNAVAILABLE;
      default -> UNKNOWN;
    };
  }

  /**
   * Ends {@code response} as a Trailers-Only gRPC answer. {@code httpStatus} names what went wrong
   * in the message (the same words as the HTML page, nothing internal); the HTTP status is 200.
   */
  static void send(
      HttpServerResponse response,
      int grpcStatus,
      int httpStatus,
      @Nullable String requestId,
      boolean http2) {
    response
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, GRPC_CONTENT_TYPE)
        .putHeader(GRPC_STATUS, Integer.toString(grpcStatus))
        .putHeader(
            GRPC_MESSAGE,
            percentEncode("gatehouse: " + httpStatus + " " + ErrorPages.phrase(httpStatus)));
    if (requestId != null) {
      response.putHeader(REQUEST_ID, requestId);
    }
    if (!http2) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
    }
    // No body and no trailers: Vert.x ends the stream on the HEADERS frame.
    response.end();
  }

  /**
   * Percent-encodes a grpc-message (PROTOCOL-HTTP2.md): the UTF-8 bytes outside printable ASCII
   * (0x20-0x7E), and '%' itself, become %XX.
   */
  static String percentEncode(String message) {
    boolean plain = true;
    for (int i = 0; i < message.length() && plain; i++) {
      char c = message.charAt(i);
      plain = c >= 0x20 && c <= 0x7E && c != '%';
    }
    if (plain) {
      return message;
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int v = b & 0xFF;
      if (v >= 0x20 && v <= 0x7E && v != '%') {
        out.append((char) v);
      } else {
        out.append('%').append(HEX[v >> 4]).append(HEX[v & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * The call's deadline from a {@code grpc-timeout} value ({@code 1*8DIGIT} and a unit of H, M, S,
   * m, u or n), in nanoseconds; -1 when absent or malformed (a malformed value is the upstream's to
   * refuse, and the route's own timeouts still hold).
   */
  static long timeoutNanos(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    int n = value.length();
    if (n < 2 || n > MAX_TIMEOUT_DIGITS + 1) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    // Eight digits of minutes still fit in a long; hours past about 292 years saturate.
    return switch (value.charAt(n - 1)) {
      case 'H' -> amount > 2_562_047L ? Long.MAX_VALUE : amount * 3_600_000_000_000L;
      case 'M' -> amount * 60_000_000_000L;
      case 'S' -> amount * 1_000_000_000L;
      case 'm' -> amount * 1_000_000L;
      case 'u' -> amount * 1_000L;
      case 'n' -> amount;
      default -> -1;
    };
  }
}
