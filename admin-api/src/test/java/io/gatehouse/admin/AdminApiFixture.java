package io.gatehouse.admin;

import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An admin API on 127.0.0.1 and a free port over an in-memory table, with a known admin token, and
 * a blocking client with timeouts.
 */
public final class AdminApiFixture implements AutoCloseable {
  public static final String ADMIN = "admin.adminsecretadminsecretadminsecret0123456789";

  public final Vertx vertx = Vertx.vertx();
  public final RouteTable table;
  public final AdminApiVerticle verticle;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public AdminApiFixture() throws Exception {
    this(AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0).withRate(10_000, 10_000));
  }

  public AdminApiFixture(AdminApiOptions options) throws Exception {
    this(options, UNMATCHED);
  }

  /** Explains every request as unmatched: the admin API alone has no routing state. */
  public static final Explainer UNMATCHED =
      (q, viewer) ->
          new Explainer.Explanation(
              0,
              "defaultBackend",
              null,
              null,
              null,
              null,
              null,
              new Explainer.Fallback(404, null, "default backend"));

  public AdminApiFixture(AdminApiOptions options, Explainer explainer) throws Exception {
    this(new InMemoryRouteTable(), options, explainer);
  }

  /** Over {@code table} instead of a fresh in-memory one. */
  public AdminApiFixture(RouteTable table) throws Exception {
    this(
        table,
        AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0).withRate(10_000, 10_000),
        UNMATCHED);
  }

  private AdminApiFixture(RouteTable table, AdminApiOptions options, Explainer explainer)
      throws Exception {
    this.table = table;
    verticle =
        new AdminApiVerticle(
            table, options.withBootstrapToken(ADMIN), Clock.systemUTC(), explainer);
    vertx
        .deployVerticle(verticle)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  public int port() {
    return verticle.port();
  }

  public String base() {
    return "http://127.0.0.1:" + verticle.port();
  }

  public record Resp(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Resp send(String method, String path, String token, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    boolean hasType = false;
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      hasType |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body != null && !hasType) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.headers(), r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Resp get(String path, String token) {
    return send("GET", path, token, null);
  }

  public Resp put(String path, String token, String body, String... headers) {
    return send("PUT", path, token, body, headers);
  }

  /** Creates a tenant and a token for it; returns the bearer. */
  public String tenantWithToken(String tenant) {
    Resp t = put("/v1/tenants/" + tenant, ADMIN, "{\"displayName\":\"" + tenant + "\"}");
    if (t.status() != 201 && t.status() != 200) {
      throw new IllegalStateException(t.toString());
    }
    Resp tok = send("POST", "/v1/tokens", ADMIN, "{\"tenant\":\"" + tenant + "\"}");
    if (tok.status() != 201) {
      throw new IllegalStateException(tok.toString());
    }
    return tok.json().getString("token");
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
