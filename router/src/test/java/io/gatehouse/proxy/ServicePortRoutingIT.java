package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route whose backend is a Kubernetes Service port, served from the node's endpoint index: 503
 * while nobody fed its key, then wherever the feeder's latest put points, with no recompile. Here
 * the test is the feeder (on a Kubernetes node it is the node's endpoint feed).
 */
@Timeout(60)
class ServicePortRoutingIT {
  private static final EndpointsKey.Service KEY = new EndpointsKey.Service("shop", "web", 80, null);

  @Test
  void a_service_port_route_answers_503_until_fed_then_follows_each_put() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestUpstream first = TestUpstream.named(vertx, "first");
        TestUpstream second = TestUpstream.named(vertx, "second");
        NodeFixture node = NodeFixture.start()) {
      RouteSpec route =
          NodeFixture.valid(
              RouteSpec.simple(
                      RouteKey.of("shop", "k8s", "web"),
                      List.of("svc.example"),
                      List.of(PathMatch.prefix("/")),
                      BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1))))
                  .withBackends(
                      List.of(
                          RouteBackend.of(
                              new BackendRef.ServicePort(
                                  "web", 80, null, UpstreamProtocol.HTTP1, null)))));
      node.put(route);
      CompiledRoute compiled = node.node().snapshots().get().route(route.key());
      assertThat(compiled.target().key()).isEqualTo(KEY);
      assertThat(get(node).status()).isEqualTo(503);

      node.node().endpoints().put(KEY, List.of(Endpoint.of("127.0.0.1", first.port())));
      RawHttp.Response r = get(node);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("first");

      node.node().endpoints().put(KEY, List.of(Endpoint.of("127.0.0.1", second.port())));
      assertThat(get(node).body()).isEqualTo("second");
      assertThat(node.node().snapshots().get().route(route.key())).isSameAs(compiled);
      assertThat(first.count()).isEqualTo(1);

      // The route goes; the feeder's endpoints stay (only the feeder removes a Service key).
      long gone = node.node().table().remove(route.key());
      node.awaitGeneration(gone);
      assertThat(get(node).status()).isEqualTo(404);
      assertThat(node.node().endpoints().get(KEY).endpoints())
          .containsExactly(Endpoint.of("127.0.0.1", second.port()));
    } finally {
      vertx.close().await();
    }
  }

  private static RawHttp.Response get(NodeFixture node) throws Exception {
    return RawHttp.exchange(
        node.port(), "GET / HTTP/1.1\r\nHost: svc.example\r\nConnection: close\r\n\r\n");
  }
}
