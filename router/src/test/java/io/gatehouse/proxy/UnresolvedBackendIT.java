package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #17: a backend that did not resolve ({@link BackendRef.Unresolved}, written by the Gateway
 * API translator) is answered by Gatehouse with its status (500), with no upstream attempt; in a
 * weighted split exactly its share is, and the valid backend keeps its own. The answer is
 * Gatehouse's own, so a route's error pages apply, and observers see the status and no backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class UnresolvedBackendIT {
  private static final BackendRef.Unresolved NOT_FOUND =
      new BackendRef.Unresolved(500, "BackendNotFound: Service team-a/nowhere not found");

  final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  final ExchangeObserver recorder =
      new ExchangeObserver() {
        @Override
        public void attemptSending(ExchangeView x, MultiMap headers) {
          events.add("sending " + x.endpoint());
        }

        @Override
        public void attemptEnded(
            ExchangeView x, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
          events.add("attempt " + outcome);
        }

        @Override
        public void ended(ExchangeView x) {
          events.add("ended " + x.status() + " " + x.routeId() + " " + x.backend());
        }
      };

  Vertx vertx;
  TestUpstream upstream;
  NodeFixture node;

  private static RouteSpec route(String name, String host, List<RouteBackend> backends) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("team-a", "k8s", name),
                List.of(host),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1))))
            .withBackends(backends));
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.counting(vertx, "valid");
    BackendSpec valid = BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", upstream.port())));
    node = NodeFixture.startObserved(List.of(recorder), UnaryOperator.identity());
    // a Kubernetes route, as the Gateway API translator writes it (start routes are the CLI's)
    node.put(route("invalid", "invalid.test", List.of(RouteBackend.of(NOT_FOUND))));
    node.put(
        route(
            "half",
            "half.test",
            List.of(new RouteBackend(valid, 1), new RouteBackend(NOT_FOUND, 1))));
    node.put(
        route("paged", "paged.test", List.of(RouteBackend.of(NOT_FOUND)))
            .withPolicies(List.of(ErrorPages.page(List.of(500), "<p>no backend here</p>", null))));
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void clear() {
    events.clear();
  }

  private RawHttp.Response get(String host) throws Exception {
    return RawHttp.exchange(
        node.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void an_unresolved_backend_answers_500_with_no_upstream_attempt() throws Exception {
    int before = upstream.count();
    RawHttp.Response r = get("invalid.test");
    assertThat(r.status()).isEqualTo(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
    // no "sending", no "attempt": the status is Gatehouse's own, and no backend is reported
    assertThat(events).containsExactly("ended 500 team-a/k8s/invalid null");
    assertThat(upstream.count()).isEqualTo(before);
  }

  @Test
  void in_a_weighted_split_only_the_invalid_share_gets_500() throws Exception {
    int before = upstream.count();
    int ok = 0;
    int failed = 0;
    for (int i = 0; i < 20; i++) {
      int status = get("half.test").status();
      if (status == 200) {
        ok++;
      } else {
        assertThat(status).isEqualTo(500);
        failed++;
      }
    }
    // smooth weighted round robin over 1:1 is exact in every window of two picks
    assertThat(ok).isEqualTo(10);
    assertThat(failed).isEqualTo(10);
    assertThat(upstream.count() - before).isEqualTo(10);
  }

  @Test
  void the_routes_error_pages_apply_to_the_500() throws Exception {
    RawHttp.Response r = get("paged.test");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("<p>no backend here</p>");
  }
}
