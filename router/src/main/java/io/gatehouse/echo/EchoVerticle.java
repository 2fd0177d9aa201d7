package io.gatehouse.echo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Answers every request with JSON describing what it received: method, URI and headers. */
public final class EchoVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private @Nullable HttpServer server;

  public EchoVerticle(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              JsonObject headers = new JsonObject();
                              for (Map.Entry<String, String> h : req.headers()) {
                                headers.put(
                                    h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue());
                              }
                              JsonObject echo =
                                  new JsonObject()
                                      .put("service", "gatehouse-echo")
                                      .put("method", req.method().name())
                                      .put("uri", req.uri())
                                      .put("headers", headers)
                                      .put("bodyBytes", body.length());
                              req.response()
                                  .putHeader("content-type", "application/json")
                                  .end(echo.encodePrettily() + "\n");
                            }));
    return server.listen(port, host);
  }

  public int actualPort() {
    return Objects.requireNonNull(server, "not started").actualPort();
  }
}
