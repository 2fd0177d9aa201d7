package io.gatehouse.dashboard;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard under {@link #PREFIX}: the page and its two assets from the jar, and the
 * read-only JSON it polls ({@code api/v1/overview}, or one section: {@code api/v1/routes}...). GET
 * and HEAD only. The JSON is built on a worker thread: a large snapshot never holds the event loop
 * the status listener shares with the routers.
 */
public final class DashboardHandler implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);

  public static final String PREFIX = "/dashboard";
  private static final String API = PREFIX + "/api/v1/";

  /**
   * Nothing from elsewhere: no inline script or style (the page builds its DOM with text nodes, so
   * a hostile host or route name stays text), no frames of the page.
   */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Vertx vertx;
  private final DashboardJson json;
  private final Map<String, Asset> assets;

  private record Asset(Buffer body, String type) {}

  public DashboardHandler(Vertx vertx, DashboardJson json) {
    this.vertx = vertx;
    this.json = json;
    this.assets =
        Map.of(
            PREFIX + "/", asset("index.html", "text/html; charset=utf-8"),
            PREFIX + "/dashboard.js", asset("dashboard.js", "text/javascript; charset=utf-8"),
            PREFIX + "/dashboard.css", asset("dashboard.css", "text/css; charset=utf-8"));
  }

  /** Whether {@code path} is the dashboard's: the status listener hands those here. */
  public static boolean owns(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  private static Asset asset(String name, String type) {
    String resource = "dashboard/" + name;
    try (InputStream in = DashboardHandler.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), type);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  @Override
  public void handle(HttpServerRequest req) {
    HttpServerResponse resp =
        req.response()
            .putHeader("cache-control", "no-store")
            .putHeader("x-content-type-options", "nosniff")
            .putHeader("referrer-policy", "no-referrer")
            .putHeader("content-security-policy", CSP);
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      resp.setStatusCode(405).putHeader("allow", "GET, HEAD").end();
      return;
    }
    String path = req.path();
    if (path.equals(PREFIX)) {
      resp.setStatusCode(308).putHeader("location", PREFIX + "/").end();
      return;
    }
    Asset asset = assets.get(path);
    if (asset != null) {
      resp.putHeader("content-type", asset.type()).end(asset.body());
      return;
    }
    if (path.startsWith(API)) {
      api(req, resp, path.substring(API.length()));
      return;
    }
    notFound(resp, "no such page: " + path);
  }

  private void api(HttpServerRequest req, HttpServerResponse resp, String name) {
    String query = req.getParam("q", "");
    int limit;
    try {
      limit = DashboardJson.limit(Integer.parseInt(req.getParam("limit", "0")));
    } catch (NumberFormatException e) {
      resp.setStatusCode(400)
          .putHeader("content-type", "application/problem+json")
          .end(problem(400, "limit: \"" + req.getParam("limit") + "\" (expected: a whole number)"));
      return;
    }
    if (!name.equals("overview") && !DashboardJson.SECTIONS.contains(name)) {
      notFound(
          resp,
          "no such section: "
              + name
              + " (expected: overview or one of "
              + DashboardJson.SECTIONS
              + ")");
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              Object body =
                  name.equals("overview")
                      ? json.overview(query, limit)
                      : Objects.requireNonNull(json.section(name, query, limit), name);
              return Json.encode(body);
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                resp.putHeader("content-type", "application/json").end(ar.result());
              } else {
                LOG.atWarn()
                    .setMessage("dashboard answer failed")
                    .addKeyValue("section", name)
                    .setCause(ar.cause())
                    .log();
                resp.setStatusCode(500)
                    .putHeader("content-type", "application/problem+json")
                    .end(problem(500, "the dashboard could not read the node's state"));
              }
            });
  }

  private static void notFound(HttpServerResponse resp, String detail) {
    resp.setStatusCode(404)
        .putHeader("content-type", "application/problem+json")
        .end(problem(404, detail));
  }

  private static String problem(int status, String detail) {
    return new JsonObject()
        .put("type", "about:blank")
        .put(
            "title",
            status == 404 ? "Not Found" : status == 400 ? "Bad Request" : "Internal Server Error")
        .put("status", status)
        .put("detail", detail)
        .encode();
  }
}
