package io.gatehouse.proxy;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One fetch of an error page from an error backend, as ingress-nginx's {@code custom-http-errors}
 * asks its default backend: a {@code GET /} carrying {@code X-Code} (the status the client gets),
 * {@code X-Format} (the client's {@code Accept}), {@code X-Original-URI}, {@code X-Namespace},
 * {@code X-Ingress-Name}, {@code X-Service-Name}, {@code X-Service-Port} and {@code X-Request-ID}.
 *
 * <p>Bounded: the whole fetch within {@link #TIMEOUT_MILLIS} (one timer, made only for a fetch),
 * the page within {@link #MAX_BODY_BYTES}. It ends exactly once, with the page or with a failure:
 * the backend unreachable or reset, too slow, too large, or answering a status that is neither 2xx
 * nor the one asked for (ingress-nginx's error backends answer with {@code X-Code} itself). Its
 * caller then sends Gatehouse's own page and never fetches again, so an error backend that fails
 * can never loop. Made only when an answer is replaced by a fetched page; a request without one
 * makes none.
 */
final class ErrorPageFetch {
  /** The largest page taken from an error backend; a longer one is a failed fetch. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** The longest a fetch may take, connect included. */
  static final long TIMEOUT_MILLIS = 5_000;

  /** The route-name suffix the Ingress translator adds to an Ingress's name. */
  private static final Pattern INGRESS_ROUTE_SUFFIX =
      Pattern.compile("\\.(?:r[0-9]+\\.(?:p[0-9]+|www|default)|default)$");

  /**
   * What {@code X-Ingress-Name} says of {@code route}: for a route the Ingress translator made
   * ({@code NAME.r0.p1}, {@code NAME.r0.www}, {@code NAME.r0.default}, {@code NAME.default}), the
   * Ingress's name; for any other, the route's own name.
   */
  static String ingressName(RouteKey route) {
    String name = route.name();
    return "k8s".equals(route.source())
        ? INGRESS_ROUTE_SUFFIX.matcher(name).replaceFirst("")
        : name;
  }

  /** What the fetch ends with, once. */
  interface Done {
    /** The page and its content type (null when the backend named none). */
    void fetched(Buffer page, @Nullable String contentType);

    void failed();
  }

  private final LoopServices loop;
  private final int code;
  private final Done done;
  private final Buffer body = Buffer.buffer();
  private @Nullable HttpClientRequest request;
  private long timer = -1;
  private boolean ended;

  private ErrorPageFetch(LoopServices loop, int code, Done done) {
    this.loop = loop;
    this.code = code;
    this.done = done;
  }

  /**
   * Starts the fetch of the page for {@code code} from {@code endpoint}, with {@code headers} (the
   * X-* set above) as its request headers.
   */
  static void start(
      LoopServices loop,
      Endpoint endpoint,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      int code,
      MultiMap headers,
      Done done) {
    ErrorPageFetch f = new ErrorPageFetch(loop, code, done);
    f.send(endpoint, protocol, tls, headers);
  }

  private void send(
      Endpoint endpoint, UpstreamProtocol protocol, @Nullable UpstreamTls tls, MultiMap headers) {
    RequestOptions options =
        new RequestOptions()
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setMethod(HttpMethod.GET)
            .setURI("/")
            .setConnectTimeout(TIMEOUT_MILLIS)
            .setIdleTimeout(TIMEOUT_MILLIS)
            .setHeaders(headers);
    if (tls != null && tls.serverName() != null) {
      options
          .setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
          .setHost(tls.serverName());
    }
    HttpClientAgent client;
    try {
      client = loop.clients().client(protocol, tls);
    } catch (RuntimeException e) {
      end(false, null);
      return;
    }
    timer = loop.vertx().setTimer(TIMEOUT_MILLIS, id -> end(false, null));
    client
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                end(false, null);
                return;
              }
              request = ar.result();
              if (ended) {
                request.reset();
                return;
              }
              request.send().onComplete(rr -> onResponse(rr.succeeded() ? rr.result() : null));
            });
  }

  private void onResponse(@Nullable HttpClientResponse r) {
    if (r == null || ended) {
      end(false, null);
      return;
    }
    int s = r.statusCode();
    String length = r.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (!((s >= 200 && s < 300) || s == code) || declaredTooLong(length)) {
      end(false, null);
      return;
    }
    String contentType = r.getHeader(HttpHeaders.CONTENT_TYPE);
    r.exceptionHandler(t -> end(false, null));
    r.handler(
        buf -> {
          if (ended) {
            return;
          }
          if (body.length() + buf.length() > MAX_BODY_BYTES) {
            end(false, null);
            return;
          }
          body.appendBuffer(buf);
        });
    r.endHandler(v -> end(true, contentType));
  }

  private static boolean declaredTooLong(@Nullable String length) {
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) > MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** Ends the fetch once: a failure resets what is still open. */
  private void end(boolean ok, @Nullable String contentType) {
    if (ended) {
      return;
    }
    ended = true;
    if (timer >= 0) {
      loop.vertx().cancelTimer(timer);
    }
    if (ok) {
      done.fetched(body, contentType);
      return;
    }
    if (request != null) {
      request.reset();
    }
    done.failed();
  }
}
