package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A request the route's policies answer locally (here a 413 for a declared body over the route's
 * limit) is answered before the split and the endpoint are picked, so it takes no turn of either:
 * the requests that are proxied still split exactly. Picking first sent every proxied request of a
 * 1:1 split to one backend when every other request was refused. One event loop, so one split state
 * sees every connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class LocalAnswersKeepTheSplitIT {
  private static final int PROXIED = 200;

  Vertx vertx;
  NodeFixture node;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    node = NodeFixture.start(c -> c.withEventLoops(1));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void a_split_whose_every_other_request_is_refused_413_still_splits_the_proxied_ones_exactly()
      throws Exception {
    try (TestUpstream a = TestUpstream.counting(vertx, "A");
        TestUpstream b = TestUpstream.counting(vertx, "B")) {
      String host = "split413.example";
      node.put(
          NodeFixture.valid(
              new RouteSpec(
                  RouteKey.of("default", "cli", host),
                  List.of(host),
                  List.of(PathMatch.prefix("/")),
                  Set.of(),
                  List.of(),
                  List.of(),
                  List.of(
                      new RouteBackend(
                          BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", a.port()))), 1),
                      new RouteBackend(
                          BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", b.port()))), 1)),
                  null,
                  new Limits(16),
                  0,
                  null)));
      try (RawHttp kept = new RawHttp(node.port())) {
        for (int i = 0; i < PROXIED; i++) {
          kept.send(
              "POST /ok/" + i + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 4\r\n\r\ndata");
          assertThat(kept.read().status()).as("proxied request %d", i).isEqualTo(200);
          // Over the limit: answered 413 (and its connection closed) before anything is picked.
          RawHttp.Response refused =
              RawHttp.exchange(
                  node.port(),
                  "POST /big/"
                      + i
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nContent-Length: 1000\r\n\r\n");
          assertThat(refused.status()).as("refused request %d", i).isEqualTo(413);
        }
      }
      assertThat(a.count() + b.count()).as("requests that reached A or B").isEqualTo(PROXIED);
      assertThat(a.count()).as("A's half; B got %d", b.count()).isEqualTo(PROXIED / 2);
    }
  }
}
