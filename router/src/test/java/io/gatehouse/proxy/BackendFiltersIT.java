package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #17: a backend's own filters (Gateway API filters on a backendRef, {@link
 * RouteBackend#filters}) apply to the requests sent to that backend only, after the route's: in a
 * weighted split each answer carries the edits of the backend that served it and never the other's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class BackendFiltersIT {
  Vertx vertx;
  TestUpstream a;
  TestUpstream b;
  NodeFixture node;

  /** An upstream that answers with its name, the path it got and the headers the test reads. */
  private TestUpstream echo(String name) throws Exception {
    return TestUpstream.custom(
        vertx,
        req ->
            req.response()
                .putHeader("x-upstream", name)
                .end(
                    new JsonObject()
                        .put("upstream", name)
                        .put("uri", req.uri())
                        .put("backend", req.getHeader("backend"))
                        .put("x-rule", req.getHeader("x-rule"))
                        .put("x-debug", req.getHeader("x-debug"))
                        .encode()));
  }

  private static BackendSpec at(TestUpstream u) {
    return BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", u.port())));
  }

  private static RequestHeaders set(String name, String value) {
    return new RequestHeaders(Map.of(name, value), Map.of(), List.of());
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    a = echo("a");
    b = echo("b");
    node = NodeFixture.start();
    RouteSpec split =
        RouteSpec.simple(
                RouteKey.of("team-a", "k8s", "split"),
                List.of("split.test"),
                List.of(PathMatch.prefix("/app")),
                at(a))
            .withBackends(
                List.of(
                    new RouteBackend(
                        at(a),
                        1,
                        null,
                        List.of(
                            set("backend", "a"),
                            new RequestHeaders(Map.of(), Map.of(), List.of("x-debug")),
                            new ResponseHeaders(Map.of(), Map.of("x-from", "a"), List.of()))),
                    new RouteBackend(
                        at(b),
                        1,
                        null,
                        List.of(
                            set("backend", "b"),
                            URLRewrite.of(null, PathModifier.prefixMatch("/rewritten"))))))
            // the rule's filters run first: the backend's own set overrides this one
            .withPolicies(List.of(set("backend", "rule"), set("x-rule", "1")));
    node.put(NodeFixture.valid(split));
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    for (TestUpstream u : new TestUpstream[] {a, b}) {
      if (u != null) {
        u.close();
      }
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void each_backend_gets_its_own_edits_after_the_routes_and_never_the_others() throws Exception {
    int fromA = 0;
    int fromB = 0;
    for (int i = 0; i < 40; i++) {
      RawHttp.Response r =
          RawHttp.exchange(
              node.port(),
              "GET /app/x?q=1 HTTP/1.1\r\nHost: split.test\r\nx-debug: on\r\n"
                  + "Connection: close\r\n\r\n");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonObject seen = new JsonObject(r.body());
      String upstream = seen.getString("upstream");
      assertThat(seen.getString("backend"))
          .as("the backend's own set, after the rule's")
          .isEqualTo(upstream);
      assertThat(seen.getString("x-rule")).as("the rule's edits reach both").isEqualTo("1");
      if (upstream.equals("a")) {
        fromA++;
        assertThat(seen.getString("uri")).as("b's rewrite is not a's").isEqualTo("/app/x?q=1");
        assertThat(seen.getString("x-debug")).as("a's own remove").isNull();
        assertThat(r.header("x-from")).isEqualTo("a");
      } else {
        fromB++;
        assertThat(seen.getString("uri")).isEqualTo("/rewritten/x?q=1");
        assertThat(seen.getString("x-debug")).as("a's remove is not b's").isEqualTo("on");
        assertThat(r.header("x-from")).as("a's response edit is not b's").isNull();
      }
    }
    // weights 1:1 in a smooth round: both are picked
    assertThat(fromA).isPositive();
    assertThat(fromB).isPositive();
  }
}
