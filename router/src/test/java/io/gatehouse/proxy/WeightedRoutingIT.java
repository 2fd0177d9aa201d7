package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WeightedRoutingIT {

  @Test
  void weights_three_and_one_split_forty_requests_thirty_ten() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestUpstream heavy = TestUpstream.named(vertx, "heavy");
        TestUpstream light = TestUpstream.named(vertx, "light")) {
      RouteSpec route =
          NodeFixture.valid(
              RouteSpec.simple(
                  RouteKey.of("default", "cli", "weighted"),
                  List.of("w.example"),
                  List.of(PathMatch.prefix("/")),
                  BackendSpec.http1(
                      List.of(
                          new Endpoint("127.0.0.1", heavy.port(), 3),
                          new Endpoint("127.0.0.1", light.port(), 1)))));
      try (NodeFixture node = NodeFixture.start(route);
          RawHttp client = new RawHttp(node.port())) {
        int heavyCount = 0;
        int lightCount = 0;
        String previous = "";
        int run = 0;
        int longestHeavyRun = 0;
        for (int i = 0; i < 40; i++) {
          // One keep-alive connection, one event loop: one balancer sees every request.
          client.send("GET /" + i + " HTTP/1.1\r\nHost: w.example\r\n\r\n");
          RawHttp.Response r = client.read();
          assertThat(r.status()).isEqualTo(200);
          if (r.body().equals("heavy")) {
            heavyCount++;
          } else {
            assertThat(r.body()).isEqualTo("light");
            lightCount++;
          }
          run = r.body().equals(previous) ? run + 1 : 1;
          previous = r.body();
          if (previous.equals("heavy")) {
            longestHeavyRun = Math.max(longestHeavyRun, run);
          }
        }
        assertThat(heavyCount).isEqualTo(30);
        assertThat(lightCount).isEqualTo(10);
        assertThat(heavy.count()).isEqualTo(30);
        assertThat(light.count()).isEqualTo(10);
        // Smooth: never more than 3 in a row for weights 3:1.
        assertThat(longestHeavyRun).isLessThanOrEqualTo(3);
      }
    } finally {
      vertx.close().await();
    }
  }
}
