package io.gatehouse.proxy;

import io.gatehouse.upstream.AbortiveClose;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.util.Map;

/**
 * A WebSocket upgrade through the proxy: the upstream's 101 is passed on, then both connections are
 * piped into each other as raw sockets until either side closes. Any other answer to the upgrade is
 * proxied as a normal response by the exchange.
 */
final class WebSocketTunnel {
  private WebSocketTunnel() {}

  /** Sends the upgrade on {@code up}; {@code upgrade} is the client's Upgrade header. */
  static void open(
      ProxyExchange exchange,
      HttpServerRequest req,
      HttpServerResponse resp,
      HttpClientRequest up,
      String upgrade) {
    up.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    up.putHeader(HttpHeaders.UPGRADE, upgrade);
    Future<HttpClientResponse> upgraded = up.connect();
    req.resume();
    upgraded.onComplete(
        ar -> {
          if (exchange.isFinished()) {
            return;
          }
          if (ar.failed()) {
            exchange.onUpstreamFailure(ar.cause());
            return;
          }
          HttpClientResponse ur = ar.result();
          if (ur.statusCode() != 101) {
            exchange.onUpstreamResponse(ur);
            return;
          }
          exchange.switchedProtocols();
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
                      exchange.abort();
                      return;
                    }
                    NetSocket downstream = ds.result();
                    downstream.pipeTo(upstreamSocket);
                    upstreamSocket.pipeTo(downstream);
                    downstream.closeHandler(
                        v -> {
                          exchange.finish();
                          // The client is gone: what it sent and the upstream has not taken is
                          // not waited for (a graceful close would wait on that upstream forever).
                          if (!AbortiveClose.ifStuck(up.connection())) {
                            upstreamSocket.close();
                          }
                        });
                    // The upstream is gone: the client gets the rest within the send limit.
                    upstreamSocket.closeHandler(v -> exchange.closeConnection());
                  });
        });
  }
}
