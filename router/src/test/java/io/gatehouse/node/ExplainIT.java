package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /v1/explain} on a running node: the answer names the route the data plane then really
 * uses, and a tenant token sees another tenant's host as unmatched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class ExplainIT {
  static final String ADMIN = AdminNode.ADMIN;

  Vertx vertx;
  TestUpstream upstream;
  NodeFixture node;
  String acme;
  String beta;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "acme-web");
    node = NodeFixture.start(c -> c.withAdmin(AdminNode.admin()));
    for (String t : List.of("acme", "beta")) {
      assertThat(call("PUT", "/v1/tenants/" + t, ADMIN, "{}").statusCode()).isEqualTo(201);
    }
    acme = token("acme");
    beta = token("beta");
    assertThat(
            call("PUT", "/v1/tenants/acme/host-claims/www.acme.example", acme, null).statusCode())
        .isEqualTo(201);
    String route =
        "{\"hosts\":[\"www.acme.example\"],\"paths\":[{\"type\":\"Prefix\",\"value\":\"/shop\"}],"
            + "\"backend\":{\"endpoints\":[{\"address\":\""
            + upstream.address()
            + "\"}]}}";
    // wait=all: the node serves the route when the write answers.
    assertThat(call("PUT", "/v1/tenants/acme/routes/web?wait=all", acme, route).statusCode())
        .isEqualTo(201);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private String token(String tenant) throws Exception {
    HttpResponse<String> r = call("POST", "/v1/tokens", ADMIN, "{\"tenant\":\"" + tenant + "\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    return new JsonObject(r.body()).getString("token");
  }

  private HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    return AdminNode.call(node, method, path, token, body);
  }

  private JsonObject explain(String token, String url) throws Exception {
    HttpResponse<String> r =
        call("POST", "/v1/explain", token, new JsonObject().put("url", url).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private int get(String host, String path) throws Exception {
    return RawHttp.exchange(
            node.port(),
            "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
        .status();
  }

  @Test
  void the_explained_route_is_the_one_the_data_plane_uses() throws Exception {
    JsonObject e = explain(acme, "http://www.acme.example/shop/cart");
    assertThat(e.getBoolean("matched")).isTrue();
    assertThat(e.getString("outcome")).isEqualTo("proxy");
    assertThat(e.getJsonObject("route").getString("name")).isEqualTo("web");
    assertThat(e.getJsonObject("route").getLong("revision")).isPositive();
    assertThat(e.getJsonObject("reason").getString("pathValue")).isEqualTo("/shop");
    assertThat(
            e.getJsonObject("backend")
                .getJsonArray("endpoints")
                .getJsonObject(0)
                .getString("address"))
        .isEqualTo(upstream.address());
    // The endpoint-index set the routers read for this route, with its revision on this node.
    assertThat(e.getJsonObject("backend").getString("endpointsKey"))
        .startsWith("inline:acme/")
        .endsWith("/web#0");
    assertThat(e.getJsonObject("backend").getLong("endpointsRevision")).isPositive();
    // One backend, no split: no split choice and no canary rule (StickyIT explains a split).
    assertThat(e.containsKey("split")).isFalse();
    assertThat(e.getJsonArray("backends").getJsonObject(0).containsKey("canary")).isFalse();
    assertThat(get("www.acme.example", "/shop/cart")).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/shop/cart");

    JsonObject miss = explain(ADMIN, "http://www.acme.example/other");
    assertThat(miss.getBoolean("matched")).isFalse();
    assertThat(miss.getJsonObject("fallback").getInteger("status")).isEqualTo(404);
    assertThat(get("www.acme.example", "/other")).isEqualTo(404);
  }

  @Test
  void another_tenant_sees_the_host_as_unmatched() throws Exception {
    JsonObject e = explain(beta, "http://www.acme.example/shop");
    assertThat(e.getBoolean("matched")).isFalse();
    assertThat(e.getValue("route")).isNull();
    assertThat(e.getValue("backend")).isNull();
    assertThat(e.encode()).doesNotContain("\"web\"", upstream.address(), "acme/");
  }

  @Test
  void a_url_the_router_would_refuse_is_a_400() throws Exception {
    HttpResponse<String> r =
        call("POST", "/v1/explain", acme, "{\"url\":\"http://www.acme.example/%zz\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("/url");
  }
}
