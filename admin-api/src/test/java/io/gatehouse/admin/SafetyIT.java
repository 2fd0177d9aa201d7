package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.table.InMemoryRouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Body limit, rate limit, media type, pagination, audit log, bootstrap token, token rotation. */
@Timeout(60)
class SafetyIT {
  @Test
  void a_body_over_64_kib_gets_413_problem() throws Exception {
    try (AdminApiFixture f = new AdminApiFixture()) {
      AdminApiFixture.Resp r =
          f.put(
              "/v1/tenants/acme",
              AdminApiFixture.ADMIN,
              "{\"displayName\":\"" + "x".repeat(70_000) + "\"}");
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(r.json().getString("type")).endsWith("/too-large");
    }
  }

  @Test
  void a_token_over_its_rate_gets_429_with_retry_after() throws Exception {
    try (AdminApiFixture f =
        new AdminApiFixture(
            AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0).withRate(0.01, 3))) {
      for (int i = 0; i < 3; i++) {
        assertThat(f.get("/v1/tenants", AdminApiFixture.ADMIN).status()).isEqualTo(200);
      }
      AdminApiFixture.Resp r = f.get("/v1/tenants", AdminApiFixture.ADMIN);
      assertThat(r.status()).isEqualTo(429);
      assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
      assertThat(r.json().getString("type")).endsWith("/rate-limited");
    }
  }

  @Test
  void a_body_that_is_not_json_gets_415_and_unknown_paths_404_problems() throws Exception {
    try (AdminApiFixture f = new AdminApiFixture()) {
      AdminApiFixture.Resp r =
          f.put(
              "/v1/tenants/acme",
              AdminApiFixture.ADMIN,
              "displayName=x",
              "Content-Type",
              "text/plain");
      assertThat(r.status()).isEqualTo(415);
      AdminApiFixture.Resp nf = f.get("/v2/nothing", AdminApiFixture.ADMIN);
      assertThat(nf.status()).isEqualTo(404);
      assertThat(nf.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(f.get("/v1/tenants", "not-a-token").status()).isEqualTo(401);
      assertThat(f.get("/v1/tenants", "admin.wrongsecretwrongsecretwrongsecret0123456789").status())
          .isEqualTo(401);
    }
  }

  @Test
  void lists_page_with_an_opaque_cursor() throws Exception {
    try (AdminApiFixture f = new AdminApiFixture()) {
      for (int i = 0; i < 5; i++) {
        f.put("/v1/tenants/t" + i, AdminApiFixture.ADMIN, "{}");
      }
      List<String> names = new ArrayList<>();
      String cursor = null;
      do {
        AdminApiFixture.Resp r =
            f.get(
                "/v1/tenants?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                AdminApiFixture.ADMIN);
        assertThat(r.json().getJsonArray("items").size()).isLessThanOrEqualTo(2);
        r.json().getJsonArray("items").forEach(o -> names.add(((JsonObject) o).getString("name")));
        cursor = r.json().getString("nextCursor");
      } while (cursor != null);
      assertThat(names).containsExactly("t0", "t1", "t2", "t3", "t4");
    }
  }

  @Test
  void writes_leave_an_audit_line_naming_the_token_id_and_never_a_secret() throws Exception {
    CapturingAppender.LINES.clear();
    try (AdminApiFixture f = new AdminApiFixture()) {
      AdminApiFixture.Resp created = f.send("POST", "/v1/tokens", AdminApiFixture.ADMIN, "{}");
      String secret = created.json().getString("token");
      f.put("/v1/tenants/acme", secret, "{}");
      List<String> audit =
          CapturingAppender.LINES.stream().filter(l -> l.startsWith("gatehouse.audit ")).toList();
      assertThat(audit).hasSizeGreaterThanOrEqualTo(2);
      JsonObject line =
          new JsonObject(audit.get(audit.size() - 1).substring("gatehouse.audit ".length()));
      assertThat(line.getString("tokenId")).isEqualTo(created.json().getString("id"));
      assertThat(line.getString("operation")).isEqualTo("putTenant");
      assertThat(line.getInteger("status")).isEqualTo(201);
      assertThat(line.getString("etag")).isNotBlank();
      String secretPart = secret.substring(secret.indexOf('.') + 1);
      String adminSecret = AdminApiFixture.ADMIN.substring(AdminApiFixture.ADMIN.indexOf('.') + 1);
      assertThat(CapturingAppender.LINES)
          .noneMatch(l -> l.contains(secretPart) || l.contains(adminSecret));
    }
  }

  @Test
  void rotation_replaces_the_secret_and_revocation_ends_it() throws Exception {
    try (AdminApiFixture f = new AdminApiFixture()) {
      f.put("/v1/tenants/acme", AdminApiFixture.ADMIN, "{}");
      JsonObject issued =
          f.send("POST", "/v1/tokens", AdminApiFixture.ADMIN, "{\"tenant\":\"acme\"}").json();
      String id = issued.getString("id");
      String old = issued.getString("token");
      assertThat(f.get("/v1/tenants/acme", old).status()).isEqualTo(200);
      String fresh =
          f.send("POST", "/v1/tokens/" + id + "/rotate", AdminApiFixture.ADMIN, null)
              .json()
              .getString("token");
      assertThat(f.get("/v1/tenants/acme", old).status()).isEqualTo(401);
      assertThat(f.get("/v1/tenants/acme", fresh).status()).isEqualTo(200);
      assertThat(f.send("DELETE", "/v1/tokens/" + id, AdminApiFixture.ADMIN, null).status())
          .isEqualTo(204);
      assertThat(f.get("/v1/tenants/acme", fresh).status()).isEqualTo(401);
      assertThat(f.send("DELETE", "/v1/tokens/admin", AdminApiFixture.ADMIN, null).status())
          .isEqualTo(409);
    }
  }

  @Test
  void without_a_given_token_a_node_creates_one_logs_it_once_and_stores_only_its_hash()
      throws Exception {
    CapturingAppender.LINES.clear();
    InMemoryRouteTable table = new InMemoryRouteTable();
    Vertx vertx = Vertx.vertx();
    try {
      AdminApiVerticle first =
          new AdminApiVerticle(table, AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0));
      vertx
          .deployVerticle(first)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      List<String> shown =
          CapturingAppender.LINES.stream()
              .filter(l -> l.contains("BOOTSTRAP ADMIN TOKEN"))
              .toList();
      assertThat(shown).hasSize(1);
      String bearer = shown.get(0).substring(shown.get(0).lastIndexOf(' ') + 1);
      String secret = bearer.substring(bearer.indexOf('.') + 1);
      assertThat(table.view().tokens().values()).allMatch(s -> !s.secretHash().contains(secret));
      AdminApiVerticle second =
          new AdminApiVerticle(table, AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0));
      vertx
          .deployVerticle(second)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(CapturingAppender.LINES.stream().filter(l -> l.contains("BOOTSTRAP ADMIN TOKEN")))
          .hasSize(1);
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + second.port() + "/v1/tenants"))
                      .header("Authorization", "Bearer " + bearer)
                      .timeout(java.time.Duration.ofSeconds(10))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
