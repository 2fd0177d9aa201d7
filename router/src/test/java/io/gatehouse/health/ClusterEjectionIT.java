package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #14's cluster acceptance: three members in one JVM (TCP-IP join on loopback). An endpoint
 * ejected by member 1 is avoided by members 2 and 3 within 100 ms, without any route recompile, and
 * comes back on them after its ejection time; active checks of an endpoint run on one member at a
 * time, and move when that member leaves.
 */
@Timeout(240)
class ClusterEjectionIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration EJECTION = Duration.ofSeconds(2);

  private final Vertx vertx = Vertx.vertx();
  private final List<GatehouseNode> nodes = new ArrayList<>();
  private final List<HttpServer> upstreams = new ArrayList<>();
  private final List<AtomicInteger> probes = new ArrayList<>();
  private final List<Endpoint> endpoints = new ArrayList<>();

  @BeforeEach
  void setUp() {
    for (int i = 0; i < 4; i++) {
      String name = "u" + i;
      boolean bad = i == 3;
      AtomicInteger probed = new AtomicInteger();
      probes.add(probed);
      HttpServer s =
          vertx
              .createHttpServer()
              .requestHandler(
                  req -> {
                    if (req.path().equals("/healthz")) {
                      probed.incrementAndGet();
                      req.response().end();
                    } else {
                      req.response()
                          .setStatusCode(bad ? 503 : 200)
                          .putHeader("x-upstream", name)
                          .end();
                    }
                  })
              .listen(0, "127.0.0.1")
              .await();
      upstreams.add(s);
      endpoints.add(Endpoint.of("127.0.0.1", s.actualPort()));
    }
  }

  @AfterEach
  void tearDown() {
    for (GatehouseNode n : nodes) {
      n.stop().await();
    }
    vertx.close().await();
  }

  private void startCluster(BackendPolicy policy) throws Exception {
    String cluster = "health-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < 3) {
      int p = ClusterProcesses.freePort();
      if (!ports.contains(p)) {
        ports.add(p);
      }
    }
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    for (int port : ports) {
      NodeConfig c =
          NodeFixture.testConfig()
              .withCluster(
                  new NodeConfig.Cluster(
                      true,
                      cluster,
                      "127.0.0.1",
                      port,
                      members,
                      "",
                      Duration.ofSeconds(1),
                      Duration.ofSeconds(5),
                      1,
                      1));
      nodes.add(GatehouseNode.start(c, List.of()).await(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    await("three members")
        .atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.table().members().size() == 3));
    RouteSpec route =
        NodeFixture.valid(
            RouteSpec.simple(
                RouteKey.of("default", "cli", "shared"),
                List.of("shared.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(endpoints).withPolicy(policy)));
    long generation = nodes.get(0).table().put(route);
    await("every member serves the route")
        .atMost(WAIT)
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            n.snapshots().get() != null
                                && n.snapshots().get().generation() >= generation));
  }

  private static String get(HttpClientAgent client, GatehouseNode node) throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setServer(SocketAddress.inetSocketAddress(node.httpPort(), "127.0.0.1"))
            .setHost("shared.example")
            .setPort(80)
            .setMethod(HttpMethod.GET)
            .setURI("/");
    return client
        .request(o)
        .compose(
            r ->
                r.send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(b -> resp.statusCode() + " " + resp.getHeader("x-upstream"))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void an_endpoint_ejected_on_one_member_is_avoided_by_the_others_within_100_ms_and_comes_back()
      throws Exception {
    startCluster(
        BackendPolicy.DEFAULT.withOutlierDetection(
            new OutlierDetection(
                5, 5, null, Duration.ofSeconds(10), EJECTION, Duration.ofSeconds(30), 50)));
    Endpoint bad = endpoints.get(3);
    long generation = nodes.get(1).snapshots().get().generation();
    long[] seen = new long[3];
    Thread watcher =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
              while ((seen[0] == 0 || seen[1] == 0 || seen[2] == 0)
                  && System.nanoTime() < deadline) {
                for (int i = 0; i < 3; i++) {
                  if (seen[i] == 0 && !nodes.get(i).health().available(bad)) {
                    seen[i] = System.nanoTime();
                  }
                }
                Thread.onSpinWait();
              }
            });
    watcher.start();
    HttpClientAgent client = vertx.createHttpClient();
    // Only member 1 sees the 503s: five in a row eject it there.
    for (int i = 0; i < 40 && nodes.get(0).health().available(bad); i++) {
      get(client, nodes.get(0));
    }
    watcher.join(TimeUnit.SECONDS.toMillis(70));
    assertThat(seen[0]).as("ejected on member 1").isPositive();
    long toSecond = TimeUnit.NANOSECONDS.toMillis(seen[1] - seen[0]);
    long toThird = TimeUnit.NANOSECONDS.toMillis(seen[2] - seen[0]);
    System.out.printf(
        "cluster ejection: member 2 avoids it after %d ms, member 3 after %d ms%n",
        toSecond, toThird);
    assertThat(seen[1]).isPositive();
    assertThat(seen[2]).isPositive();
    assertThat(toSecond).isLessThan(100);
    assertThat(toThird).isLessThan(100);
    assertThat(nodes.get(2).health().ejected())
        .singleElement()
        .satisfies(e -> assertThat(e.port()).isEqualTo(bad.port()));
    JsonObject status =
        client
            .request(HttpMethod.GET, nodes.get(2).statusPort(), "127.0.0.1", "/status")
            .compose(r -> r.send().compose(resp -> resp.body().map(b -> b.toJsonObject())))
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    JsonObject shown = status.getJsonObject("health").getJsonArray("ejected").getJsonObject(0);
    assertThat(shown.getString("endpoint")).isEqualTo(bad.authority());
    assertThat(shown.getString("reason")).isEqualTo("consecutive-5xx");
    assertThat(shown.getString("by")).isNotEqualTo("this node");

    // Members 2 and 3 never send it a request while the ejection holds, and nothing recompiled.
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      answers.add(get(client, nodes.get(1 + i % 2)));
    }
    assertThat(answers).allSatisfy(a -> assertThat(a).startsWith("200 "));
    assertThat(nodes.get(1).snapshots().get().generation()).isEqualTo(generation);

    long[] back = new long[3];
    await("back on every member")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              for (int i = 0; i < 3; i++) {
                if (back[i] == 0 && nodes.get(i).health().available(bad)) {
                  back[i] = System.nanoTime();
                }
              }
              return back[0] > 0 && back[1] > 0 && back[2] > 0;
            });
    for (int i = 0; i < 3; i++) {
      long ms = TimeUnit.NANOSECONDS.toMillis(back[i] - seen[0]);
      System.out.printf("cluster ejection: member %d has it back after %d ms%n", i + 1, ms);
      assertThat(ms).isBetween(EJECTION.toMillis() - 100, EJECTION.toMillis() + 1_000);
    }
  }

  @Test
  void one_member_at_a_time_probes_each_endpoint_and_the_probing_moves_when_it_leaves()
      throws Exception {
    startCluster(
        BackendPolicy.DEFAULT.withHealthCheck(
            HealthCheck.http("/healthz")
                .withTiming(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ZERO)));
    await("probing started on every endpoint: " + probes)
        .atMost(Duration.ofSeconds(10))
        .until(() -> probes.stream().allMatch(p -> p.get() > 3));
    int[] before = probes.stream().mapToInt(AtomicInteger::get).toArray();
    long start = System.nanoTime();
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    double seconds = (System.nanoTime() - start) / 1e9;
    for (int i = 0; i < 4; i++) {
      double rate = (probes.get(i).get() - before[i]) / seconds;
      System.out.printf("endpoint u%d probed %.1f times a second (interval 100 ms)%n", i, rate);
      // One prober: about 10 a second; three would be about 30.
      assertThat(rate).isBetween(5.0, 14.0);
    }

    GatehouseNode leaving = nodes.remove(2);
    leaving.stop().await();
    await("two members")
        .atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.table().members().size() == 2));
    int[] after = probes.stream().mapToInt(AtomicInteger::get).toArray();
    await("every endpoint still probed")
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              for (int i = 0; i < 4; i++) {
                if (probes.get(i).get() < after[i] + 5) {
                  return false;
                }
              }
              return true;
            });
  }
}
