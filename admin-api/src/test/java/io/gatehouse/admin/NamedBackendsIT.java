package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/tenants/{tenant}/backends}: the named backend resource behaves as the routes resource
 * does (ETag and If-Match, idempotent PUT, paging, {@code wait=all}, problem+json), and keeps what
 * routes rely on: a backend a route names is not deleted, one the routes file owns is not touched,
 * a tenant with backends is in use.
 */
@Timeout(120)
class NamedBackendsIT {
  private static final String POOL = "{\"endpoints\":[\"10.0.0.1:80\"]}";
  private static final String ROUTE_TO_POOL =
      "{\"hosts\":[\"www.acme.example\"],\"backendRefs\":[{\"backend\":\"pool\"}]}";

  private AdminApiFixture f;
  private String t;

  @BeforeEach
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    assertThat(f.put("/v1/tenants/acme/host-claims/www.acme.example", t, null).status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static void problem(AdminApiFixture.Resp r, int status, String slug) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("type")).isEqualTo(Problem.TYPE_BASE + slug);
  }

  @Test
  void put_get_and_an_equal_put_answer_the_stored_backend_with_one_etag() {
    AdminApiFixture.Resp created =
        f.put(
            "/v1/tenants/acme/backends/pool",
            t,
            "{\"protocol\":\"h2c\",\"endpoints\":[\"10.0.0.1:80\",{\"address\":\"10.0.0.2:80\",\"weight\":3}]}");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonObject body = created.json();
    assertThat(body.getString("name")).isEqualTo("pool");
    assertThat(body.getString("tenant")).isEqualTo("acme");
    assertThat(body.getString("source")).isEqualTo("api");
    assertThat(body.getString("protocol")).isEqualTo("h2c");
    assertThat(body.getJsonArray("endpoints"))
        .containsExactly(
            new JsonObject().put("address", "10.0.0.1:80").put("weight", 1),
            new JsonObject().put("address", "10.0.0.2:80").put("weight", 3));
    String etag = created.header("ETag");
    assertThat(etag).isEqualTo("\"" + body.getLong("revision") + "\"");
    assertThat(created.header("Gatehouse-Generation")).isNotNull();

    AdminApiFixture.Resp read = f.get("/v1/tenants/acme/backends/pool", t);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.header("ETag")).isEqualTo(etag);
    assertThat(read.json()).isEqualTo(body);

    // What GET answered can be sent back (without revision and source): nothing changes.
    long generation = f.table.view().generation();
    JsonObject back = read.json().copy();
    back.remove("revision");
    back.remove("source");
    AdminApiFixture.Resp again = f.put("/v1/tenants/acme/backends/pool", t, back.encode());
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.header("ETag")).isEqualTo(etag);
    assertThat(f.table.view().generation()).isEqualTo(generation);

    problem(f.get("/v1/tenants/acme/backends/nope", t), 404, "not-found");
  }

  @Test
  void if_match_guards_put_and_delete_and_zero_means_must_not_exist() {
    AdminApiFixture.Resp created = f.put("/v1/tenants/acme/backends/pool", t, POOL);
    String etag = created.header("ETag");
    long rev = created.json().getLong("revision");

    AdminApiFixture.Resp stale =
        f.put("/v1/tenants/acme/backends/pool", t, POOL, "If-Match", "\"" + (rev + 100) + "\"");
    problem(stale, 412, "precondition-failed");
    assertThat(stale.json().getLong("currentRevision")).isEqualTo(rev);
    problem(
        f.put("/v1/tenants/acme/backends/pool", t, POOL, "If-Match", "\"0\""),
        412,
        "precondition-failed");
    assertThat(f.put("/v1/tenants/acme/backends/fresh", t, POOL, "If-Match", "\"0\"").status())
        .isEqualTo(201);

    AdminApiFixture.Resp moved =
        f.put(
            "/v1/tenants/acme/backends/pool",
            t,
            "{\"endpoints\":[\"10.0.0.9:80\"]}",
            "If-Match",
            etag);
    assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
    assertThat(moved.json().getLong("revision")).isGreaterThan(rev);

    problem(
        f.send("DELETE", "/v1/tenants/acme/backends/pool", t, null, "If-Match", etag),
        412,
        "precondition-failed");
    assertThat(
            f.send(
                    "DELETE",
                    "/v1/tenants/acme/backends/pool",
                    t,
                    null,
                    "If-Match",
                    moved.header("ETag"))
                .status())
        .isEqualTo(204);
    problem(f.send("DELETE", "/v1/tenants/acme/backends/pool", t, null), 404, "not-found");
  }

  @Test
  void the_list_pages_by_name_and_shows_every_source_of_the_tenant_only() {
    for (String name : List.of("c", "a", "b")) {
      assertThat(f.put("/v1/tenants/acme/backends/" + name, t, POOL).status()).isEqualTo(201);
    }
    f.tenantWithToken("beta");
    assertThat(f.put("/v1/tenants/beta/backends/z", AdminApiFixture.ADMIN, POOL).status())
        .isEqualTo(201);
    fileBackend("d");

    AdminApiFixture.Resp first = f.get("/v1/tenants/acme/backends?limit=2", t);
    assertThat(first.status()).isEqualTo(200);
    assertThat(names(first.json())).containsExactly("a", "b");
    String cursor = first.json().getString("nextCursor");
    assertThat(cursor).isNotNull();
    AdminApiFixture.Resp second = f.get("/v1/tenants/acme/backends?limit=2&cursor=" + cursor, t);
    assertThat(names(second.json())).containsExactly("c", "d");
    assertThat(second.json().getJsonArray("items").getJsonObject(1).getString("source"))
        .isEqualTo("file");
    assertThat(second.json().getValue("nextCursor")).isNull();

    problem(f.get("/v1/tenants/nope/backends", AdminApiFixture.ADMIN), 404, "not-found");
  }

  @Test
  void wait_all_answers_once_served_and_202_with_the_lagging_members_when_not() throws Exception {
    AdminApiFixture.Resp lagging =
        f.put("/v1/tenants/acme/backends/pool?wait=all&waitTimeout=50ms", t, POOL);
    assertThat(lagging.status()).as(lagging.toString()).isEqualTo(202);
    assertThat(lagging.json().getBoolean("served")).isFalse();
    assertThat(lagging.json().getJsonArray("lagging")).isNotEmpty();
    assertThat(lagging.header("ETag")).isNotNull();
    // The write stands all the same.
    assertThat(f.get("/v1/tenants/acme/backends/pool", t).status()).isEqualTo(200);

    try (AutoCloseable served = f.table.subscribe(v -> f.table.served(v.generation()))) {
      AdminApiFixture.Resp all =
          f.put(
              "/v1/tenants/acme/backends/pool?wait=all&waitTimeout=10s",
              t,
              "{\"endpoints\":[\"10.0.0.2:80\"]}");
      assertThat(all.status()).as(all.toString()).isEqualTo(200);
      assertThat(all.header("Gatehouse-Served")).isEqualTo("all");
      AdminApiFixture.Resp gone =
          f.send("DELETE", "/v1/tenants/acme/backends/pool?wait=all&waitTimeout=10s", t, null);
      assertThat(gone.status()).isEqualTo(204);
      assertThat(gone.header("Gatehouse-Served")).isEqualTo("all");
    }
    problem(
        f.put("/v1/tenants/acme/backends/pool?wait=all&waitTimeout=61s", t, POOL),
        400,
        "validation");
  }

  @Test
  void a_backend_a_route_names_is_kept_until_the_route_lets_go() {
    assertThat(f.put("/v1/tenants/acme/backends/pool", t, POOL).status()).isEqualTo(201);
    AdminApiFixture.Resp route = f.put("/v1/tenants/acme/routes/web", t, ROUTE_TO_POOL);
    assertThat(route.status()).as(route.toString()).isEqualTo(201);
    long generation = f.table.view().generation();

    AdminApiFixture.Resp refused = f.send("DELETE", "/v1/tenants/acme/backends/pool", t, null);
    problem(refused, 409, "backend-in-use");
    assertThat(refused.json().getString("route")).isEqualTo("api/web");
    assertThat(refused.json().getString("detail")).contains("route 'web'", "backend 'pool'");
    assertThat(f.table.view().generation()).isEqualTo(generation);

    assertThat(f.send("DELETE", "/v1/tenants/acme/routes/web", t, null).status()).isEqualTo(204);
    assertThat(f.send("DELETE", "/v1/tenants/acme/backends/pool", t, null).status()).isEqualTo(204);
  }

  @Test
  void a_batch_puts_a_backend_with_the_route_naming_it_and_deletes_both_together() {
    String put =
        "{\"items\":["
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"web\",\"route\":"
            + ROUTE_TO_POOL
            + "},{\"op\":\"put\",\"kind\":\"backend\",\"name\":\"pool\",\"backend\":"
            + POOL
            + "}]}";
    AdminApiFixture.Resp r = f.send("POST", "/v1/tenants/acme/batch", t, put);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonArray items = r.json().getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("kind")).isEqualTo("backend");
    assertThat(items.getJsonObject(1).getString("kind")).isEqualTo("route");
    assertThat(f.get("/v1/tenants/acme/backends/pool", t).status()).isEqualTo(200);

    AdminApiFixture.Resp missing =
        f.send(
            "POST",
            "/v1/tenants/acme/batch",
            t,
            "{\"items\":[{\"op\":\"put\",\"kind\":\"backend\",\"name\":\"b2\"}]}");
    problem(missing, 400, "validation");
    assertThat(missing.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("/items/0/backend");
    AdminApiFixture.Resp bad =
        f.send(
            "POST",
            "/v1/tenants/acme/batch",
            t,
            "{\"items\":[{\"op\":\"put\",\"kind\":\"backend\",\"name\":\"b2\",\"backend\":"
                + "{\"endpoints\":[\"169.254.169.254:80\"]}}]}");
    problem(bad, 400, "validation");
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("/items/0/backend/endpoints/0");

    String delete =
        "{\"items\":[{\"op\":\"delete\",\"kind\":\"backend\",\"name\":\"pool\"},"
            + "{\"op\":\"delete\",\"kind\":\"route\",\"name\":\"web\"}]}";
    assertThat(f.send("POST", "/v1/tenants/acme/batch", t, delete).status()).isEqualTo(200);
    assertThat(f.table.view().backends()).isEmpty();
  }

  @Test
  void a_backend_of_the_routes_file_is_read_but_not_written_here() {
    fileBackend("shared");

    AdminApiFixture.Resp read = f.get("/v1/tenants/acme/backends/shared", t);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().getString("source")).isEqualTo("file");

    AdminApiFixture.Resp put = f.put("/v1/tenants/acme/backends/shared", t, POOL);
    problem(put, 409, "backend-owned-elsewhere");
    assertThat(put.json().getString("source")).isEqualTo("file");
    problem(
        f.send("DELETE", "/v1/tenants/acme/backends/shared", t, null),
        409,
        "backend-owned-elsewhere");
    assertThat(
            f.table.view().backends().get(new BackendKey(TenantId.of("acme"), "shared")).source())
        .isEqualTo("file");
  }

  @Test
  void a_tenant_with_a_backend_is_in_use() {
    assertThat(f.put("/v1/tenants/acme/backends/pool", t, POOL).status()).isEqualTo(201);
    // Its token and claim go first, so that only the backend holds the tenant.
    assertThat(f.send("DELETE", "/v1/tenants/acme/host-claims/www.acme.example", t, null).status())
        .isEqualTo(204);
    f.table
        .view()
        .tokens()
        .values()
        .forEach(
            tok ->
                assertThat(
                        f.send("DELETE", "/v1/tokens/" + tok.id(), AdminApiFixture.ADMIN, null)
                            .status())
                    .isIn(204, 409));

    AdminApiFixture.Resp r = f.send("DELETE", "/v1/tenants/acme", AdminApiFixture.ADMIN, null);
    problem(r, 409, "tenant-in-use");
    assertThat(r.json().getString("detail")).contains("backends");

    assertThat(
            f.send("DELETE", "/v1/tenants/acme/backends/pool", AdminApiFixture.ADMIN, null)
                .status())
        .isEqualTo(204);
    assertThat(f.send("DELETE", "/v1/tenants/acme", AdminApiFixture.ADMIN, null).status())
        .isEqualTo(204);
  }

  private void fileBackend(String name) {
    f.table.apply(
        Batch.of(
            Write.put(
                new BackendObject(
                    new BackendKey(TenantId.of("acme"), name),
                    "file",
                    BackendSpec.http1(List.of(Endpoint.of("10.0.0.7", 80)))))));
  }

  private static List<String> names(JsonObject page) {
    return page.getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("name"))
        .toList();
  }
}
