package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's acceptance: a route splitting 90/10 across two backends serves that split within ±2 %
 * (9,000 ± 200 of 10,000 keep-alive requests from 8 clients) from every source. One node with two
 * event loops reads a routes file and serves the admin API; each source installs the same split
 * through {@link #ninetyTen}, which a further source (Kubernetes) can call with its own installer
 * and node, from this class or another package (it is public for that).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
public class WeightedSplitIT {
  static final int REQUESTS = 10_000;
  static final int CLIENTS = 8;
  static final String ADMIN = AdminNode.ADMIN;

  /** Puts a route for {@code host} that sends 90 % to {@code a} and 10 % to {@code b}. */
  @FunctionalInterface
  public interface Installer {
    void install(String host, TestUpstream a, TestUpstream b) throws Exception;
  }

  Path dir;
  Path file;
  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  String acme;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    vertx = Vertx.vertx();
    an = AdminNode.start(dir, c -> c.withEventLoops(2));
    node = an.node();
    acme = an.token();
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, null, vertx);
  }

  @Test
  void a_routes_file_with_backend_refs_splits_ninety_ten() throws Exception {
    ninetyTen(vertx, node.port(), "file.split.example", this::installFromFile);
  }

  @Test
  void a_rest_put_with_backend_refs_splits_ninety_ten() throws Exception {
    ninetyTen(vertx, node.port(), "rest.split.example", this::installFromRest);
  }

  @Test
  void a_rest_split_over_two_rest_named_backends_splits_ninety_ten() throws Exception {
    ninetyTen(vertx, node.port(), "named.split.example", this::installNamedFromRest);
  }

  /**
   * A route of the admin API names a backend of the admin API: PUT with {@code wait=all} is served
   * on answer, a new endpoint list moves the traffic (no route write), and the backend cannot be
   * deleted while the route names it, so the route keeps being served.
   */
  @Test
  void a_rest_named_backend_carries_traffic_and_moves_it_when_its_endpoints_change()
      throws Exception {
    String host = "named.move.example";
    try (TestUpstream a = TestUpstream.counting(vertx, "A");
        TestUpstream b = TestUpstream.counting(vertx, "B")) {
      assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
          .isEqualTo(201);
      HttpResponse<String> pool =
          an.admin(
              "PUT",
              "/v1/tenants/acme/backends/mover?wait=all",
              acme,
              "{\"endpoints\": [\"" + a.address() + "\"]}");
      assertThat(pool.statusCode()).as(pool.body()).isEqualTo(201);
      HttpResponse<String> route =
          an.admin(
              "PUT",
              "/v1/tenants/acme/routes/mover?wait=all",
              acme,
              "{\"hosts\": [\"" + host + "\"], \"backendRefs\": [{\"backend\": \"mover\"}]}");
      assertThat(route.statusCode()).as(route.body()).isEqualTo(201);
      long routeRevision = new JsonObject(route.body()).getLong("revision");

      // wait=all answered: the node serves both, no polling needed.
      for (int i = 0; i < 20; i++) {
        assertThat(get(node.port(), host)).isEqualTo(200);
      }
      assertThat(a.count()).isEqualTo(20);

      HttpResponse<String> moved =
          an.admin(
              "PUT",
              "/v1/tenants/acme/backends/mover?wait=all",
              acme,
              "{\"endpoints\": [\"" + b.address() + "\"]}");
      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
      for (int i = 0; i < 20; i++) {
        assertThat(get(node.port(), host)).isEqualTo(200);
      }
      assertThat(b.count()).isEqualTo(20);
      assertThat(a.count()).isEqualTo(20);

      HttpResponse<String> refused =
          an.admin("DELETE", "/v1/tenants/acme/backends/mover", acme, null);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
      assertThat(refused.body()).contains("backend-in-use", "route 'mover'");
      assertThat(get(node.port(), host)).isEqualTo(200);
      HttpResponse<String> read = an.admin("GET", "/v1/tenants/acme/routes/mover", acme, null);
      assertThat(new JsonObject(read.body()).getLong("revision")).isEqualTo(routeRevision);
    }
  }

  @Test
  void a_backend_without_endpoints_is_skipped_and_a_split_with_none_answers_503() throws Exception {
    try (TestUpstream a = TestUpstream.counting(vertx, "A")) {
      BackendSpec toA = BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", a.port())));
      BackendSpec empty = BackendSpec.http1(List.of());
      node.put(split("skip.split.example", new RouteBackend(toA, 90), new RouteBackend(empty, 10)));
      for (int i = 0; i < 50; i++) {
        assertThat(get(node.port(), "skip.split.example")).isEqualTo(200);
      }
      assertThat(a.count()).isEqualTo(50);

      // A's endpoints on a backend at weight 0, the weighted one empty: nothing can take it.
      node.put(split("skip.split.example", new RouteBackend(toA, 0), new RouteBackend(empty, 10)));
      for (int i = 0; i < 10; i++) {
        assertThat(get(node.port(), "skip.split.example")).isEqualTo(503);
      }
      assertThat(a.count()).isEqualTo(50);
    }
  }

  @Test
  void a_retry_after_a_connect_failure_stays_within_the_backend_picked() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort(); // closed below: a connect there is refused
    }
    try (TestUpstream a = TestUpstream.counting(vertx, "A");
        TestUpstream b = TestUpstream.counting(vertx, "B")) {
      BackendSpec halfDead =
          BackendSpec.http1(
              List.of(Endpoint.of("127.0.0.1", dead), Endpoint.of("127.0.0.1", a.port())));
      BackendSpec toB = BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", b.port())));
      node.put(
          split("retry.split.example", new RouteBackend(halfDead, 90), new RouteBackend(toB, 10)));
      // One keep-alive connection, so one event loop's split sees every request: exact per 10.
      assertThat(keepAlive(node.port(), "retry.split.example", 1_000)).isEqualTo(1_000);
      assertThat(b.count()).as("B's share, not more: no retry went to B").isEqualTo(100);
      assertThat(a.count()).isEqualTo(900);
    }
  }

  private static RouteSpec split(String host, RouteBackend... backends) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("default", "cli", host),
                List.of(host),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of()))
            .withBackends(List.of(backends)));
  }

  private void installFromFile(String host, TestUpstream a, TestUpstream b) throws IOException {
    String yaml =
        """
        routes:
          - name: split
            hosts: [%s]
            backendRefs:
              - weight: 90
                endpoints: ["%s"]
              - weight: 10
                endpoints: ["%s"]
        """
            .formatted(host, a.address(), b.address());
    an.writeRoutes(yaml);
  }

  private void installFromRest(String host, TestUpstream a, TestUpstream b) throws Exception {
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    JsonObject route =
        new JsonObject(
            """
            {"hosts": ["%s"],
             "backendRefs": [{"weight": 90, "endpoints": ["%s"]},
                             {"weight": 10, "endpoints": ["%s"]}]}"""
                .formatted(host, a.address(), b.address()));
    // wait=all: the node serves the route when the write answers.
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/split?wait=all", acme, route.encode());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  private void installNamedFromRest(String host, TestUpstream a, TestUpstream b) throws Exception {
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    for (String[] backend :
        List.of(new String[] {"ninety", a.address()}, new String[] {"ten", b.address()})) {
      HttpResponse<String> put =
          an.admin(
              "PUT",
              "/v1/tenants/acme/backends/" + backend[0] + "?wait=all",
              acme,
              "{\"endpoints\": [\"" + backend[1] + "\"]}");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    }
    JsonObject route =
        new JsonObject(
            """
            {"hosts": ["%s"],
             "backendRefs": [{"weight": 90, "backend": "ninety"},
                             {"weight": 10, "backend": "ten"}]}"""
                .formatted(host));
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/named-split?wait=all", acme, route.encode());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  /**
   * Starts upstreams A and B, has {@code install} route {@code host} 90/10 to them, waits until the
   * node at {@code proxyPort} serves it, then sends {@value #REQUESTS} requests over {@value
   * #CLIENTS} keep-alive connections and asserts A got 9,000 ± 200 and B the rest.
   */
  public static void ninetyTen(Vertx vertx, int proxyPort, String host, Installer install)
      throws Exception {
    try (TestUpstream a = TestUpstream.counting(vertx, "A");
        TestUpstream b = TestUpstream.counting(vertx, "B")) {
      install.install(host, a, b);
      await("split served for " + host)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> get(proxyPort, host) == 200 && a.count() > 0 && b.count() > 0);
      int a0 = a.count();
      int b0 = b.count();

      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          done.add(clients.submit(() -> keepAlive(proxyPort, host, REQUESTS / CLIENTS)));
        }
        int ok = 0;
        for (Future<Integer> f : done) {
          ok += f.get(240, TimeUnit.SECONDS);
        }
        assertThat(ok).as("200 answers").isEqualTo(REQUESTS);
      } finally {
        clients.shutdownNow();
      }
      int toA = a.count() - a0;
      int toB = b.count() - b0;
      System.out.printf("WeightedSplitIT %s: A=%d B=%d of %d%n", host, toA, toB, REQUESTS);
      assertThat(toA + toB).as("requests that reached A or B").isEqualTo(REQUESTS);
      assertThat(toA)
          .as("requests to A (90 %%) of %d; B got %d", REQUESTS, toB)
          .isBetween(8_800, 9_200);
    }
  }

  /** {@code n} requests on one keep-alive connection; returns how many were answered 200. */
  private static int keepAlive(int port, String host, int n) throws IOException {
    int ok = 0;
    try (RawHttp client = new RawHttp(port)) {
      for (int i = 0; i < n; i++) {
        client.send("GET /" + i + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        if (client.read().status() == 200) {
          ok++;
        }
      }
    }
    return ok;
  }

  private static int get(int port, String host) throws IOException {
    return RawHttp.exchange(
            port, "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
        .status();
  }
}
