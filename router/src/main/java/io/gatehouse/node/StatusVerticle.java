package io.gatehouse.node;

import io.gatehouse.dashboard.DashboardHandler;
import io.gatehouse.metrics.GatehouseMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The internal status listener: {@code /healthz} (the process serves), {@code /readyz} (the first
 * snapshot is published and the node is not draining), {@code /status} (JSON for operators) and
 * {@code /metrics} (Prometheus text), and the dashboard under {@code /dashboard/} when enabled.
 * Kept off the router's ports so probes never compete with traffic or leak to the internet.
 */
final class StatusVerticle extends VerticleBase {
  private final NodeConfig.Listener listener;
  private final BooleanSupplier ready;
  private final Supplier<JsonObject> status;
  private final Function<@Nullable String, GatehouseMetrics.Exposition> metrics;

  /** The dashboard's pages and JSON under {@code /dashboard}, or null when it is off. */
  private final @Nullable Handler<HttpServerRequest> dashboard;

  private @Nullable HttpServer server;

  StatusVerticle(
      NodeConfig.Listener listener,
      BooleanSupplier ready,
      Supplier<JsonObject> status,
      Function<@Nullable String, GatehouseMetrics.Exposition> metrics,
      @Nullable Handler<HttpServerRequest> dashboard) {
    this.listener = listener;
    this.dashboard = dashboard;
    this.ready = ready;
    this.status = status;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions().setHost(listener.host()).setPort(listener.port()))
            .requestHandler(
                req -> {
                  if (dashboard != null && DashboardHandler.owns(req.path())) {
                    dashboard.handle(req);
                    return;
                  }
                  var resp = req.response().putHeader("cache-control", "no-store");
                  switch (req.path()) {
                    case "/healthz" -> resp.putHeader("content-type", "text/plain").end("ok\n");
                    case "/readyz" -> {
                      boolean ok = ready.getAsBoolean();
                      resp.setStatusCode(ok ? 200 : 503)
                          .putHeader("content-type", "text/plain")
                          .end(ok ? "ready\n" : "not ready\n");
                    }
                    case "/status" ->
                        resp.putHeader("content-type", "application/json")
                            .end(status.get().encodePrettily());
                    case "/metrics" -> {
                      // protobuf when the scraper asks for it: native histograms travel only so
                      GatehouseMetrics.Exposition e = metrics.apply(req.getHeader("accept"));
                      resp.putHeader("content-type", e.contentType()).end(Buffer.buffer(e.body()));
                    }
                    default -> resp.setStatusCode(404).end();
                  }
                });
    return server.listen();
  }

  int actualPort() {
    return Objects.requireNonNull(server, "status listener not started").actualPort();
  }
}
