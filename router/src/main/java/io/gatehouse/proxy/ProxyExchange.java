package io.gatehouse.proxy;

import io.gatehouse.edge.Refusal;
import io.gatehouse.edge.RequestGuard;
import io.gatehouse.edge.RequestHead;
import io.gatehouse.fallback.ErrorPages;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RequestView;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.upstream.Balancer;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * One request through the proxy: check, route, pick an endpoint, stream the request up and the
 * response down with back-pressure, and map failures to 502/503/504. Lives on one event loop.
 */
final class ProxyExchange implements RequestView {
  private static final String SCHEME = "http";

  private final RouterVerticle router;
  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final RouterVerticle.ConnectionState connState;
  private final HttpConnection conn;
  private final long startNanos = System.nanoTime();

  private RequestHead head;
  private CompiledRoute route;
  private Balancer balancer;
  private Endpoint endpoint;
  private String requestId;
  private Timeouts timeouts = Timeouts.DEFAULTS;
  private long maxBody;
  private boolean retried;
  private boolean websocket;
  private HttpClientRequest upstream;
  private HttpClientResponse upstreamResponse;
  private long bytesIn;
  private long bytesOut;
  private long lastBodyActivity;
  private long bodyTimer = -1;
  private long requestTimer = -1;
  private boolean finished;
  private int status;
  private boolean closeAfterEnd;

  ProxyExchange(
      RouterVerticle router, HttpServerRequest req, RouterVerticle.ConnectionState connState) {
    this.router = router;
    this.req = req;
    this.resp = req.response();
    this.connState = connState;
    this.conn = req.connection();
  }

  void start(RouteSnapshot snapshot, RequestGuard guard) {
    RouterSettings s = router.settings();
    s.inFlight().begin();
    req.pause();
    resp.endHandler(v -> finish());
    resp.closeHandler(v -> onDownstreamClosed());
    requestId = RequestIds.acceptOrGenerate(req.getHeader(ErrorPages.REQUEST_ID));

    Object checked = guard.check(req);
    if (checked instanceof Refusal r) {
      respondLocally(r.status(), true);
      return;
    }
    head = (RequestHead) checked;
    if (s.overload().shedding()) {
      respondLocally(503, false);
      return;
    }
    if (snapshot == null) {
      respondLocally(503, false);
      return;
    }
    route = snapshot.match(head.host(), head.path(), this);
    if (route == null) {
      balancer = router.defaultBalancer();
      maxBody = Limits.DEFAULT_MAX_REQUEST_BODY;
    } else {
      balancer = router.balancers().get(route.backendIndex());
      timeouts = route.spec().timeouts();
      maxBody = route.spec().limits().maxRequestBodyBytes();
    }
    long contentLength = contentLength();
    if (maxBody > 0 && contentLength > maxBody) {
      respondLocally(413, true);
      return;
    }
    endpoint = balancer.next();
    if (endpoint == null) {
      respondLocally(503, false);
      return;
    }
    websocket = isWebSocketUpgrade();
    long whole = timeouts.request().toMillis();
    if (whole > 0 && !websocket) {
      requestTimer = router.vertxInstance().setTimer(whole, id -> onRequestTimeout());
    }
    connect();
  }

  // ---------------------------------------------------------------- upstream

  private void connect() {
    UpstreamProtocol protocol = websocket ? UpstreamProtocol.HTTP1 : balancer.backend().protocol();
    HttpClientAgent client = router.clients().client(protocol);
    RequestOptions options =
        new RequestOptions()
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setMethod(req.method())
            .setURI(head.target())
            .setConnectTimeout(timeouts.connect().toMillis())
            .setIdleTimeout(websocket ? 0 : timeouts.response().toMillis());
    client
        .request(options)
        .onComplete(
            ar -> {
              if (finished) {
                if (ar.succeeded()) {
                  ar.result().reset();
                }
                return;
              }
              if (ar.failed()) {
                onConnectFailure(ar.cause());
              } else {
                onConnected(ar.result());
              }
            });
  }

  private void onConnectFailure(Throwable cause) {
    if (!retried && router.settings().retryConnectFailures() && isIdempotent()) {
      Endpoint other = balancer.next(endpoint);
      if (other != null && other != endpoint) {
        retried = true;
        endpoint = other;
        connect();
        return;
      }
    }
    respondLocally(isTimeout(cause) ? 504 : 502, false);
  }

  private void onConnected(HttpClientRequest up) {
    upstream = up;
    copyRequestHeaders(up.headers());
    if (head.authority() != null) {
      up.authority(authority());
    }
    up.exceptionHandler(this::onUpstreamFailure);
    if (websocket) {
      tunnel(up);
      return;
    }
    up.response()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                onUpstreamResponse(ar.result());
              } else {
                onUpstreamFailure(ar.cause());
              }
            });
    boolean chunked = req.version() != HttpVersion.HTTP_1_0 && isChunkedRequest();
    long contentLength = contentLength();
    if (!chunked && contentLength <= 0 && req.version() != HttpVersion.HTTP_2) {
      // No body: end without one, so the client does not add Transfer-Encoding.
      req.resume();
      up.end();
      return;
    }
    if (contentLength > 0) {
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(contentLength));
    } else {
      up.setChunked(true);
    }
    if (HopByHop.namedIn(req.getHeader(HttpHeaders.EXPECT), "100-continue")) {
      // Our checks passed: invite the body now rather than make the upstream decide.
      resp.writeContinue();
    }
    pumpRequestBody(up);
  }

  private void pumpRequestBody(HttpClientRequest up) {
    lastBodyActivity = System.nanoTime();
    armBodyTimer(timeouts.bodyIdle().toMillis());
    req.handler(
        buf -> {
          bytesIn += buf.length();
          lastBodyActivity = System.nanoTime();
          if (maxBody > 0 && bytesIn > maxBody) {
            up.reset();
            respondLocally(413, true);
            return;
          }
          up.write(buf);
          if (up.writeQueueFull()) {
            req.pause();
            up.drainHandler(v -> req.resume());
          }
        });
    req.endHandler(
        v -> {
          cancelBodyTimer();
          up.end();
        });
    req.exceptionHandler(
        t -> {
          // A body found malformed mid-stream (or a client reset): never let a partial body look
          // complete upstream.
          cancelBodyTimer();
          up.reset();
          respondLocally(400, true);
        });
    req.resume();
  }

  private void armBodyTimer(long idleMs) {
    bodyTimer =
        router
            .vertxInstance()
            .setTimer(
                idleMs,
                id -> {
                  bodyTimer = -1;
                  long idleNanos = System.nanoTime() - lastBodyActivity;
                  long limit = timeouts.bodyIdle().toNanos();
                  if (idleNanos >= limit) {
                    if (upstream != null) {
                      upstream.reset();
                    }
                    respondLocally(408, true);
                  } else {
                    armBodyTimer(Math.max(1, (limit - idleNanos) / 1_000_000));
                  }
                });
  }

  private void cancelBodyTimer() {
    if (bodyTimer >= 0) {
      router.vertxInstance().cancelTimer(bodyTimer);
      bodyTimer = -1;
    }
  }

  private void onUpstreamResponse(HttpClientResponse ur) {
    if (finished) {
      return;
    }
    upstreamResponse = ur;
    status = ur.statusCode();
    resp.setStatusCode(status);
    MultiMap out = resp.headers();
    String connection = ur.getHeader(HttpHeaders.CONNECTION);
    for (Map.Entry<String, String> h : ur.headers()) {
      String name = h.getKey();
      if (HopByHop.isHopByHop(name) || (connection != null && HopByHop.namedIn(connection, name))) {
        continue;
      }
      out.add(name, h.getValue());
    }
    String cl = ur.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean bodyless =
        req.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (cl != null) {
      out.set(HttpHeaders.CONTENT_LENGTH, cl);
    } else if (!bodyless) {
      if (req.version() == HttpVersion.HTTP_1_0) {
        out.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
      resp.setChunked(true);
    }
    ur.exceptionHandler(this::onUpstreamFailure);
    ur.handler(
        buf -> {
          bytesOut += buf.length();
          resp.write(buf);
          if (resp.writeQueueFull()) {
            ur.pause();
            resp.drainHandler(v -> ur.resume());
          }
        });
    ur.endHandler(
        v -> {
          if (!finished) {
            resp.end();
          }
        });
  }

  private void onUpstreamFailure(Throwable cause) {
    if (finished) {
      return;
    }
    if (!resp.headWritten()) {
      if (canRetryAfterClose(cause)) {
        retried = true;
        Endpoint other = balancer.next(endpoint);
        endpoint = other != null ? other : endpoint;
        upstream = null;
        connect();
        return;
      }
      respondLocally(isTimeout(cause) ? 504 : 502, false);
    } else {
      // Headers are out: the only honest signal left is to break the downstream response.
      abort();
    }
  }

  /**
   * A pooled keep-alive connection that the upstream closed just as we reused it: an idempotent
   * request without a body is retried once, as nginx's proxy_next_upstream does.
   */
  private boolean canRetryAfterClose(Throwable cause) {
    return !retried
        && cause instanceof HttpClosedException
        && isIdempotent()
        && bytesIn == 0
        && contentLength() <= 0
        && !isChunkedRequest();
  }

  // ---------------------------------------------------------------- WebSocket

  private void tunnel(HttpClientRequest up) {
    up.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    up.putHeader(HttpHeaders.UPGRADE, req.getHeader(HttpHeaders.UPGRADE));
    Future<HttpClientResponse> upgraded = up.connect();
    req.resume();
    upgraded.onComplete(
        ar -> {
          if (finished) {
            return;
          }
          if (ar.failed()) {
            onUpstreamFailure(ar.cause());
            return;
          }
          HttpClientResponse ur = ar.result();
          if (ur.statusCode() != 101) {
            onUpstreamResponse(ur);
            return;
          }
          status = 101;
          resp.setStatusCode(101);
          for (Map.Entry<String, String> h : ur.headers()) {
            resp.headers().add(h.getKey(), h.getValue());
          }
          NetSocket upstreamSocket = ur.netSocket();
          req.toNetSocket()
              .onComplete(
                  ds -> {
                    if (ds.failed()) {
                      upstreamSocket.close();
                      abort();
                      return;
                    }
                    NetSocket downstream = ds.result();
                    downstream.pipeTo(upstreamSocket);
                    upstreamSocket.pipeTo(downstream);
                    downstream.closeHandler(v -> finish());
                  });
        });
  }

  // ---------------------------------------------------------------- local answers and endings

  private void respondLocally(int code, boolean closeConnection) {
    if (finished) {
      return;
    }
    if (resp.headWritten()) {
      abort();
      return;
    }
    status = code;
    cancelBodyTimer();
    if (upstream != null && upstreamResponse == null) {
      upstream.reset();
    }
    if (closeConnection) {
      resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    ErrorPages.send(
        resp, code, requestId, req.getHeader(HttpHeaders.ACCEPT), req.method() == HttpMethod.HEAD);
    if (closeConnection) {
      // An unread body may still follow: closing is the only safe way to resynchronise.
      resp.endHandler(
          v -> {
            finish();
            conn.close();
          });
    }
    req.resume();
  }

  private void onRequestTimeout() {
    requestTimer = -1;
    if (finished) {
      return;
    }
    if (upstream != null) {
      upstream.reset();
    }
    respondLocally(504, true);
  }

  private void onDownstreamClosed() {
    if (finished) {
      return;
    }
    if (upstream != null) {
      upstream.reset();
    }
    if (status == 0) {
      status = 499;
    }
    finish();
  }

  private void abort() {
    if (upstream != null) {
      upstream.reset();
    }
    resp.reset();
    finish();
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    cancelBodyTimer();
    if (requestTimer >= 0) {
      router.vertxInstance().cancelTimer(requestTimer);
      requestTimer = -1;
    }
    router.settings().inFlight().end();
    router.exchangeDone(connState, conn);
    if (closeAfterEnd) {
      conn.close();
    }
    if (router.settings().accessLog()) {
      AccessLog.write(
          req.method().name(),
          head == null ? null : head.host(),
          head == null ? req.path() : head.path(),
          status == 0 ? resp.getStatusCode() : status,
          bytesIn,
          bytesOut,
          (System.nanoTime() - startNanos) / 1000,
          endpoint == null ? null : endpoint.authority(),
          route == null ? null : route.id(),
          requestId,
          connState == null ? null : connState.client);
    }
  }

  // ---------------------------------------------------------------- headers

  private void copyRequestHeaders(MultiMap out) {
    MultiMap in = req.headers();
    String connection = in.get(HttpHeaders.CONNECTION);
    boolean dropUnderscore = head.dropUnderscoreHeaders();
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (HopByHop.isHopByHop(name)
          || ForwardedHeaders.isForwardingHeader(name)
          || (name.length() == 4 && name.equalsIgnoreCase("host"))
          || (name.length() == 6 && name.equalsIgnoreCase("expect"))
          || (name.length() == 12 && name.equalsIgnoreCase(ErrorPages.REQUEST_ID))
          || (dropUnderscore && name.indexOf('_') >= 0)
          || (connection != null && HopByHop.namedIn(connection, name))) {
        continue;
      }
      out.add(name, h.getValue());
    }
    RouterSettings s = router.settings();
    String peer = connState != null ? connState.client : req.remoteAddress().hostAddress();
    boolean trusted = !s.trustedProxies().isEmpty() && s.trustedProxies().contains(peer);
    ForwardedHeaders.write(in, out, trusted, peer, SCHEME, head.authority(), localPort());
    out.set(ErrorPages.REQUEST_ID, requestId);
  }

  private int localPort() {
    return req.localAddress() == null ? router.settings().port() : req.localAddress().port();
  }

  private HostAndPort authority() {
    HostAndPort parsed = HostAndPort.parseAuthority(head.authority(), -1);
    return parsed != null ? parsed : HostAndPort.create(head.host(), -1);
  }

  private long contentLength() {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl == null) {
      return -1;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private boolean isChunkedRequest() {
    return req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private boolean isWebSocketUpgrade() {
    return req.method() == HttpMethod.GET
        && req.version() == HttpVersion.HTTP_1_1
        && "websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))
        && HopByHop.namedIn(req.getHeader(HttpHeaders.CONNECTION), "upgrade");
  }

  private boolean isIdempotent() {
    HttpMethod m = req.method();
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.TRACE
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE;
  }

  private static boolean isTimeout(Throwable t) {
    return t instanceof TimeoutException
        || t instanceof ConnectTimeoutException
        || (t != null && t.getCause() instanceof ConnectTimeoutException);
  }

  // ---------------------------------------------------------------- RequestView

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public String header(String lowerCaseName) {
    return req.getHeader(lowerCaseName);
  }

  @Override
  public String queryParam(String name) {
    String q = head.query();
    if (q == null) {
      return null;
    }
    int i = 0;
    while (i <= q.length()) {
      int amp = q.indexOf('&', i);
      int end = amp < 0 ? q.length() : amp;
      int eq = q.indexOf('=', i);
      int nameEnd = eq < 0 || eq > end ? end : eq;
      String n = decode(q.substring(i, nameEnd));
      if (name.equals(n)) {
        return nameEnd == end ? "" : decode(q.substring(nameEnd + 1, end));
      }
      if (amp < 0) {
        break;
      }
      i = amp + 1;
    }
    return null;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
