package io.gatehouse.health;

import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.upstream.Http1Connections;
import io.gatehouse.upstream.ProxyHeader;
import io.gatehouse.upstream.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;

/**
 * One probe of one endpoint, on the prober's event loop: true when it passed. Every probe ends
 * within the check's {@code timeout} (a timer fails it and resets its request), and every failure
 * (refused, reset, timeout, unexpected answer) is just false: the streak decides.
 */
final class Probes {
  private final Vertx vertx;
  private final UpstreamClients clients;
  private final NetClient tcp;

  Probes(Vertx vertx, UpstreamClients clients, NetClient tcp) {
    this.vertx = vertx;
    this.clients = clients;
    this.tcp = tcp;
  }

  Future<Boolean> probe(ProbeTarget t) {
    Promise<Boolean> result = Promise.promise();
    long timeoutMillis = Math.max(1, t.check().timeout().toMillis());
    long timer = vertx.setTimer(timeoutMillis, id -> result.tryComplete(false));
    Future<Boolean> attempt =
        switch (t.check().protocol()) {
          case HTTP -> http(t, timeoutMillis, result);
          case GRPC -> grpc(t, timeoutMillis, result);
          case TCP -> tcp(t, timeoutMillis);
        };
    attempt.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          result.tryComplete(ar.succeeded() && Boolean.TRUE.equals(ar.result()));
        });
    return result.future();
  }

  private RequestOptions options(ProbeTarget t, HttpMethod method, String uri, long timeoutMillis) {
    String name = t.tls() != null && t.tls().serverName() != null ? t.tls().serverName() : t.host();
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(t.port(), t.host()))
        .setHost(name)
        .setPort(t.port())
        .setMethod(method)
        .setURI(uri)
        .setConnectTimeout(timeoutMillis)
        .setIdleTimeout(timeoutMillis);
  }

  private Future<Boolean> http(ProbeTarget t, long timeoutMillis, Promise<Boolean> deadline) {
    HealthCheck c = t.check();
    String path = c.path() == null || c.path().isEmpty() ? "/" : c.path();
    HttpClientAgent client = clients.client(t.protocol(), t.tls());
    RequestOptions options = options(t, HttpMethod.GET, path, timeoutMillis);
    ProxyProtocolVersion header = t.proxyProtocol();
    if (header != null) {
      // A connection of its own that starts with the header of a check, closed after the answer:
      // the shared pool's connections carry no PROXY header.
      return client
          .connect(
              new HttpConnectOptions()
                  .setHost(t.host())
                  .setPort(t.port())
                  .setConnectTimeout(timeoutMillis))
          .compose(
              conn -> {
                if (!Http1Connections.writeFirst(conn, ProxyHeader.local(header))) {
                  conn.close();
                  return Future.succeededFuture(false);
                }
                return conn.request(options)
                    .compose(req -> ask(req, c, deadline))
                    .eventually(conn::close);
              });
    }
    return client.request(options).compose(req -> ask(req, c, deadline));
  }

  /** Sends the HTTP check's request and judges its answer's status. */
  private static Future<Boolean> ask(
      HttpClientRequest req, HealthCheck c, Promise<Boolean> deadline) {
    resetOnDeadline(req, deadline);
    if (c.host() != null) {
      req.authority(HostAndPort.create(c.host(), -1));
    }
    req.putHeader(HttpHeaders.USER_AGENT, "gatehouse-health-check");
    return req.send()
        .compose(
            resp -> {
              int status = resp.statusCode();
              // Drained (not read into memory whole) so the connection can be reused.
              return resp.end().map(v -> passes(c, status));
            });
  }

  private static boolean passes(HealthCheck c, int status) {
    for (HealthCheck.StatusRange r : c.expectedStatuses()) {
      if (r.contains(status)) {
        return true;
      }
    }
    return false;
  }

  private Future<Boolean> grpc(ProbeTarget t, long timeoutMillis, Promise<Boolean> deadline) {
    // gRPC is HTTP/2: h2 with the backend's TLS, else h2c with prior knowledge.
    UpstreamProtocol protocol = t.tls() != null ? UpstreamProtocol.H2 : UpstreamProtocol.H2C;
    HttpClientAgent client = clients.client(protocol, t.tls());
    Buffer body = Buffer.buffer(GrpcHealthMessages.request(t.check().grpcService()));
    return client
        .request(options(t, HttpMethod.POST, GrpcHealthMessages.PATH, timeoutMillis))
        .compose(
            req -> {
              resetOnDeadline(req, deadline);
              req.putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                  .putHeader("te", "trailers")
                  .putHeader(HttpHeaders.USER_AGENT, "gatehouse-health-check");
              return req.send(body).compose(resp -> resp.body().map(b -> grpcServing(resp, b)));
            });
  }

  /** HTTP 200, grpc-status 0 (trailers, or headers of a Trailers-Only answer) and SERVING. */
  private static boolean grpcServing(HttpClientResponse resp, Buffer body) {
    if (resp.statusCode() != 200) {
      return false;
    }
    String grpcStatus = resp.getTrailer("grpc-status");
    if (grpcStatus == null) {
      grpcStatus = resp.getHeader("grpc-status");
    }
    return "0".equals(grpcStatus)
        && GrpcHealthMessages.status(body.getBytes()) == GrpcHealthMessages.SERVING;
  }

  private Future<Boolean> tcp(ProbeTarget t, long timeoutMillis) {
    if (t.tls() != null) {
      // Over TLS the handshake too, verified as the backend's requests verify it: a connection
      // of the backend's own client, closed at once.
      String name = t.tls().serverName() != null ? t.tls().serverName() : t.host();
      return clients
          .client(UpstreamProtocol.HTTP1, t.tls())
          .connect(
              new HttpConnectOptions()
                  .setServer(SocketAddress.inetSocketAddress(t.port(), t.host()))
                  .setHost(name)
                  .setPort(t.port())
                  .setConnectTimeout(timeoutMillis))
          .compose(c -> c.close().map(true));
    }
    // The connect alone; closed at once (the check's timeout bounds it through the caller).
    ProxyProtocolVersion header = t.proxyProtocol();
    return tcp.connect(t.port(), t.host())
        .compose(
            socket -> {
              if (header == null) {
                socket.close();
                return Future.succeededFuture(true);
              }
              // An endpoint that reads a PROXY header first gets the one of a check, then the end.
              return socket.end(Buffer.buffer(ProxyHeader.local(header))).map(true);
            });
  }

  private static void resetOnDeadline(HttpClientRequest req, Promise<Boolean> deadline) {
    deadline.future().onComplete(ar -> req.reset());
  }
}
