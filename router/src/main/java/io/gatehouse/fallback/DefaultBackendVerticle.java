package io.gatehouse.fallback;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The default backend: answers every request with 404 in HTML or JSON. It listens on loopback on an
 * ephemeral port and the router proxies unmatched requests to it, the way ingress-nginx's default
 * backend Service works; an operator may point the default backend at an upstream instead.
 */
public final class DefaultBackendVerticle extends VerticleBase {
  private @Nullable HttpServer server;

  @Override
  public Future<?> start() {
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(
                req -> {
                  // Drain any body so the connection can be reused.
                  req.end()
                      .onComplete(
                          ar ->
                              ErrorPages.send(
                                  req.response(),
                                  404,
                                  req.getHeader(ErrorPages.REQUEST_ID),
                                  req.getHeader("accept"),
                                  req.method() == HttpMethod.HEAD));
                });
    return server.listen();
  }

  /** The port it listens on, once started. */
  public int port() {
    return Objects.requireNonNull(server, "not started").actualPort();
  }

  @Override
  public Future<?> stop() {
    return Objects.requireNonNull(server, "not started").close();
  }
}
