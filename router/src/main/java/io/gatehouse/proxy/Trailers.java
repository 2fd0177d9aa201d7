package io.gatehouse.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Trailer fields across the proxy (gRPC carries its status in them).
 *
 * <p>Response trailers are copied from the upstream to the client once the upstream response has
 * ended. Request trailers cannot be forwarded: Vert.x 5 drops the trailers of a request it serves
 * and cannot send trailers on a request it makes (eclipse-vertx/vert.x#5253); gRPC clients do not
 * send any.
 */
final class Trailers {
  private static final CharSequence TE = HttpHeaders.createOptimized("te");
  private static final CharSequence TRAILERS = HttpHeaders.createOptimized("trailers");

  private Trailers() {}

  /**
   * Keeps {@code TE: trailers} for an HTTP/2 upstream when the client sent it: it is the one TE
   * value HTTP/2 allows (RFC 9113 8.2.2), and gRPC servers expect it as the sign that trailers
   * reach the client. An HTTP/1.1 upstream gets no TE, as TE is hop-by-hop there.
   */
  static void forwardTe(HttpServerRequest client, HttpClientRequest upstream) {
    if (upstream.version() != HttpVersion.HTTP_2) {
      return;
    }
    String clientTe = client.getHeader(TE);
    if (clientTe != null && HopByHop.namedIn(clientTe, "trailers")) {
      upstream.putHeader(TE, TRAILERS);
    }
  }

  /**
   * Copies the upstream's trailers to the response, before it is ended. Nothing is touched when
   * there are none: creating the response's trailer map alone makes Vert.x send an empty trailers
   * frame on HTTP/2. Framing and connection fields are never trailers (RFC 9110 6.5.1).
   */
  static void copy(@Nullable MultiMap upstreamTrailers, HttpServerResponse response) {
    if (upstreamTrailers == null || upstreamTrailers.isEmpty()) {
      return;
    }
    MultiMap out = null;
    for (Map.Entry<String, String> t : upstreamTrailers) {
      if (HopByHop.isHopByHop(t.getKey())) {
        continue;
      }
      if (out == null) {
        out = response.trailers();
      }
      out.add(t.getKey(), t.getValue());
    }
  }
}
