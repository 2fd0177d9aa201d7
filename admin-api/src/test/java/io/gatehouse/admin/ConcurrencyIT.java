package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** If-Match, idempotent PUT, atomic batches and read-your-writes. */
@Timeout(60)
class ConcurrencyIT {
  AdminApiFixture f;
  String t;

  @BeforeEach
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    f.put("/v1/tenants/acme/host-claims/www.acme.example", t, null);
    f.put("/v1/tenants/acme/host-claims/api.acme.example", t, null);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  static String route(int priority) {
    return "{\"hosts\":[\"www.acme.example\"],\"priority\":"
        + priority
        + ",\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";
  }

  @Test
  void two_writers_with_the_same_if_match_one_wins_and_the_other_gets_412() throws Exception {
    AdminApiFixture.Resp created = f.put("/v1/tenants/acme/routes/web", t, route(0));
    String etag = created.header("ETag");
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<AdminApiFixture.Resp>> writers =
        List.of(1, 2).stream()
            .map(
                p ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          try {
                            go.await(10, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return f.put(
                              "/v1/tenants/acme/routes/web", t, route(p), "If-Match", etag);
                        }))
            .toList();
    go.countDown();
    AdminApiFixture.Resp one = writers.get(0).get(20, TimeUnit.SECONDS);
    AdminApiFixture.Resp two = writers.get(1).get(20, TimeUnit.SECONDS);
    assertThat(List.of(one.status(), two.status())).containsExactlyInAnyOrder(200, 412);
    AdminApiFixture.Resp winner = one.status() == 200 ? one : two;
    AdminApiFixture.Resp loser = one.status() == 200 ? two : one;
    assertThat(loser.json().getString("type")).endsWith("/precondition-failed");
    assertThat(loser.header("Content-Type")).isEqualTo("application/problem+json");
    int winnerPriority = winner.json().getInteger("priority");
    assertThat(f.table.view().routes().get(RouteKey.of("acme", "api", "web")).priority())
        .isEqualTo(winnerPriority);
    assertThat(f.get("/v1/tenants/acme/routes/web", t).header("ETag"))
        .isEqualTo(winner.header("ETag"));
  }

  @Test
  void put_is_idempotent() {
    AdminApiFixture.Resp first = f.put("/v1/tenants/acme/routes/web", t, route(1));
    long gen = f.table.view().generation();
    AdminApiFixture.Resp again = f.put("/v1/tenants/acme/routes/web", t, route(1));
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(f.table.view().generation()).isEqualTo(gen);
  }

  @Test
  void if_match_zero_means_create_only_and_delete_honours_if_match() {
    assertThat(f.put("/v1/tenants/acme/routes/web", t, route(1), "If-Match", "\"0\"").status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/acme/routes/web", t, route(2), "If-Match", "\"0\"").status())
        .isEqualTo(412);
    assertThat(
            f.send("DELETE", "/v1/tenants/acme/routes/web", t, null, "If-Match", "\"999\"")
                .status())
        .isEqualTo(412);
    String etag = f.get("/v1/tenants/acme/routes/web", t).header("ETag");
    assertThat(f.send("DELETE", "/v1/tenants/acme/routes/web", t, null, "If-Match", etag).status())
        .isEqualTo(204);
  }

  @Test
  void a_batch_with_one_invalid_item_changes_nothing_and_reports_every_bad_item() {
    long before = f.table.view().generation();
    String body =
        "{\"items\":["
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"ok\",\"route\":"
            + route(1)
            + "},"
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"bad\",\"route\":{\"hosts\":[\"www.acme.example\"],\"paths\":[{\"value\":\"nope\"}],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}},"
            + "{\"op\":\"put\",\"kind\":\"hostClaim\",\"name\":\"bad host\"}]}";
    AdminApiFixture.Resp r = f.send("POST", "/v1/tenants/acme/batch", t, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(
            r.json().getJsonArray("errors").stream()
                .map(e -> ((io.vertx.core.json.JsonObject) e).getString("pointer"))
                .toList())
        .contains("/items/1/route/paths/0/value", "/items/2/name");
    assertThat(f.table.view().generation()).isEqualTo(before);
  }

  @Test
  void a_valid_batch_lands_in_one_generation() {
    long before = f.table.view().generation();
    String body =
        "{\"items\":["
            + "{\"op\":\"put\",\"kind\":\"hostClaim\",\"name\":\"new.acme.example\"},"
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"one\",\"route\":"
            + route(1)
            + "},"
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"two\",\"route\":{\"hosts\":[\"new.acme.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.2:80\"}]}}}]}";
    AdminApiFixture.Resp r = f.send("POST", "/v1/tenants/acme/batch", t, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(f.table.view().generation()).isEqualTo(before + 1);
    assertThat(r.json().getLong("generation")).isEqualTo(before + 1);
    assertThat(r.json().getJsonArray("items")).hasSize(3);
  }

  @Test
  void wait_all_answers_once_served_or_202_with_the_lagging_nodes() throws Exception {
    AdminApiFixture.Resp lag =
        f.put("/v1/tenants/acme/routes/web?wait=all&waitTimeout=50ms", t, route(1));
    assertThat(lag.status()).isEqualTo(202);
    assertThat(lag.json().getBoolean("served")).isFalse();
    assertThat(lag.json().getJsonArray("lagging")).hasSize(1);
    assertThat(f.table.view().routes()).containsKey(RouteKey.of("acme", "api", "web"));
    // A router that serves every generation it sees.
    try (AutoCloseable sub = f.table.subscribe(v -> f.table.served(v.generation()))) {
      AdminApiFixture.Resp ok =
          f.put("/v1/tenants/acme/routes/web?wait=all&waitTimeout=10s", t, route(2));
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.header("Gatehouse-Served")).isEqualTo("all");
    }
  }
}
