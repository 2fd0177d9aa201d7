package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EndpointChangeIT {

  @Test
  void endpoint_only_change_moves_traffic_without_recompiling_the_route() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestUpstream before = TestUpstream.named(vertx, "before");
        TestUpstream after = TestUpstream.named(vertx, "after")) {
      RouteSpec route = NodeFixture.route("svc", "svc.example", "127.0.0.1:" + before.port());
      try (NodeFixture node = NodeFixture.start(route);
          RawHttp client = new RawHttp(node.port())) {
        client.send("GET / HTTP/1.1\r\nHost: svc.example\r\n\r\n");
        assertThat(client.read().body()).isEqualTo("before");
        CompiledRoute compiled = node.node().snapshots().get().route(route.key());

        node.put(
            route.withBackend(BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", after.port())))));

        // Same keep-alive connection, same event loop: its balancer took the changed index only.
        client.send("GET / HTTP/1.1\r\nHost: svc.example\r\n\r\n");
        assertThat(client.read().body()).isEqualTo("after");
        assertThat(node.node().snapshots().get().route(route.key())).isSameAs(compiled);
        assertThat(after.count()).isEqualTo(1);
      }
    } finally {
      vertx.close().await();
    }
  }
}
