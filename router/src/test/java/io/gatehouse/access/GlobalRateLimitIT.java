package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.table.hazelcast.ClusterSettings;
import io.gatehouse.table.hazelcast.HazelcastTableConfig;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Issue #15's global rate limit acceptance: three members in one JVM (TCP-IP join on loopback), a
 * limit of 300 requests per second for one key (the client address, 127.0.0.1), clients spread
 * evenly over the three at 1,000 req/s for 30 s: the cluster admits 300/s within ±10 %, and a local
 * limit of the same value admits about three times that. A member cut off from the others (the
 * others' processes gone without a goodbye) keeps limiting, on its share of the limit, and logs it.
 */
@Timeout(300)
class GlobalRateLimitIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int LIMIT = 300;
  private static final int OFFERED = 1_000;

  private final Vertx vertx = Vertx.vertx();
  private final List<GatehouseNode> nodes = new ArrayList<>();
  private final List<HazelcastInstance> bare = new ArrayList<>();
  private HttpServer upstream;
  private HttpClientAgent client;

  @BeforeEach
  void setUp() {
    upstream =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().end("ok"))
            .listen(0, "127.0.0.1")
            .await();
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
  }

  @AfterEach
  void tearDown() {
    for (GatehouseNode n : nodes) {
      n.stop().await();
    }
    for (HazelcastInstance h : bare) {
      h.getLifecycleService().terminate();
    }
    vertx.close().await();
  }

  private static List<String> addresses(List<Integer> ports) {
    return ports.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  private static List<Integer> ports(int n) {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < n) {
      int p = ClusterProcesses.freePort();
      if (!ports.contains(p)) {
        ports.add(p);
      }
    }
    return ports;
  }

  private static NodeConfig.Cluster cluster(String name, int port, List<Integer> all) {
    return new NodeConfig.Cluster(
        true,
        name,
        "127.0.0.1",
        port,
        addresses(all),
        "",
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        1,
        1);
  }

  private GatehouseNode startNode(String name, int port, List<Integer> all) throws Exception {
    NodeConfig c = NodeFixture.testConfig().withCluster(cluster(name, port, all));
    GatehouseNode n = GatehouseNode.start(c, List.of()).await(WAIT.toSeconds(), TimeUnit.SECONDS);
    nodes.add(n);
    return n;
  }

  private void put(String host, RateLimit.Scope scope) {
    RouteSpec route =
        NodeFixture.valid(
                RouteSpec.simple(
                    RouteKey.of("default", "cli", host),
                    List.of(host),
                    List.of(PathMatch.prefix("/")),
                    BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", upstream.actualPort())))))
            .withPolicies(
                List.of(
                    new RateLimit(
                        "per-client",
                        LimitKey.CLIENT_ADDRESS,
                        LIMIT,
                        RateLimit.SECOND,
                        LIMIT / 10,
                        scope,
                        List.of())));
    long generation = nodes.get(0).table().put(route);
    await("every member serves " + host)
        .atMost(WAIT)
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            n.snapshots().get() != null
                                && n.snapshots().get().generation() >= generation));
  }

  /**
   * What a paced run got: admitted, refused, other answers; and the steady rate, the admitted
   * answers received from its second second to its end over that time (the first second holds the
   * burst; a busy machine's late answers after the end are left out on both sides).
   */
  record Run(long admitted, long refused, long other, long steadyAdmitted, double steadySeconds) {
    double admittedPerSecond() {
      return steadyAdmitted / steadySeconds;
    }
  }

  /**
   * Sends {@code perSecond} requests for {@code host}, spread evenly over {@code targets} in turn,
   * for {@code length}: a 5 ms timer sends what is due by then, so a late tick catches up and the
   * offered rate holds; requests in flight are bounded.
   */
  private Run load(List<GatehouseNode> targets, String host, int perSecond, Duration length)
      throws Exception {
    AtomicLong admitted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    AtomicLong steady = new AtomicLong();
    CompletableFuture<Double> done = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicBoolean finished =
        new java.util.concurrent.atomic.AtomicBoolean();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long warm = start + TimeUnit.SECONDS.toNanos(1);
    vertx.setPeriodic(
        5,
        id -> {
          long now = System.nanoTime();
          long due = Math.min(now, end) - start;
          long target = due * perSecond / 1_000_000_000L;
          while (sent.get() < target && inFlight.get() < 2_000) {
            GatehouseNode n = targets.get((int) (sent.getAndIncrement() % targets.size()));
            inFlight.incrementAndGet();
            RequestOptions o =
                new RequestOptions()
                    .setServer(SocketAddress.inetSocketAddress(n.httpPort(), "127.0.0.1"))
                    .setHost(host)
                    .setPort(80)
                    .setMethod(HttpMethod.GET)
                    .setURI("/")
                    .setTimeout(10_000);
            client
                .request(o)
                .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
                .onComplete(
                    ar -> {
                      if (ar.succeeded() && ar.result() == 200) {
                        admitted.incrementAndGet();
                        long at = System.nanoTime();
                        if (at >= warm && at < end) {
                          steady.incrementAndGet();
                        }
                      } else if (ar.succeeded() && ar.result() == 429) {
                        refused.incrementAndGet();
                      } else {
                        other.incrementAndGet();
                      }
                      if (inFlight.decrementAndGet() == 0 && finished.get()) {
                        done.complete((System.nanoTime() - start) / 1e9);
                      }
                    });
          }
          if (now >= end) {
            vertx.cancelTimer(id);
            finished.set(true);
            if (inFlight.get() == 0) {
              done.complete((now - start) / 1e9);
            }
          }
        });
    done.get(length.toSeconds() + 60, TimeUnit.SECONDS);
    Run run = new Run(admitted.get(), refused.get(), other.get(), steady.get(), (end - warm) / 1e9);
    assertThat(run.admitted + run.refused + run.other).as("requests sent").isEqualTo(sent.get());
    return run;
  }

  @Test
  void three_members_admit_the_global_limit_within_ten_percent_and_a_local_limit_about_three_times()
      throws Exception {
    String name = "limits-" + UUID.randomUUID();
    List<Integer> ports = ports(3);
    for (int p : ports) {
      startNode(name, p, ports);
    }
    await("three members")
        .atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.table().members().size() == 3));
    put("global.example", RateLimit.Scope.GLOBAL);
    put("local.example", RateLimit.Scope.LOCAL);

    Run global = load(nodes, "global.example", OFFERED, Duration.ofSeconds(30));
    Run local = load(nodes, "local.example", OFFERED, Duration.ofSeconds(10));
    System.out.printf(
        "global rate limit, 3 members, %d/s offered: admitted %.1f/s steady (%d admitted, %d"
            + " refused, %d other; steady over %.0f s); local limit of the same value: %.1f/s (%.2fx)%n",
        OFFERED,
        global.admittedPerSecond(),
        global.admitted,
        global.refused,
        global.other,
        global.steadySeconds,
        local.admittedPerSecond(),
        local.admittedPerSecond() / global.admittedPerSecond());
    assertThat(global.other).as("only 200 and 429").isZero();
    assertThat(global.refused).as("the client offered more than the limit").isGreaterThan(10_000);
    assertThat(global.admittedPerSecond()).isBetween(LIMIT * 0.9, LIMIT * 1.1);
    assertThat(local.admittedPerSecond() / global.admittedPerSecond())
        .as("each member limits on its own")
        .isBetween(2.5, 3.3);
  }

  @Test
  void a_member_cut_off_from_the_others_limits_on_its_share_and_logs_it() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(RateLimitService.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    log.addAppender(logged);
    try {
      String name = "limits-" + UUID.randomUUID();
      List<Integer> ports = ports(3);
      GatehouseNode node = startNode(name, ports.get(0), ports);
      for (int i = 1; i < 3; i++) {
        bare.add(
            Hazelcast.newHazelcastInstance(
                HazelcastTableConfig.build(
                    new ClusterSettings(
                        name,
                        "127.0.0.1",
                        ports.get(i),
                        addresses(ports),
                        "",
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1))));
      }
      await("three members").atMost(WAIT).until(() -> node.table().members().size() == 3);
      put("global.example", RateLimit.Scope.GLOBAL); // compiles the limit: the service starts
      Run whole = load(List.of(node), "global.example", 600, Duration.ofSeconds(10));
      // The other two vanish without a goodbye: a crash and a partition look the same from here.
      for (HazelcastInstance h : bare) {
        h.getLifecycleService().terminate();
      }
      bare.clear();
      await("the member sees itself alone")
          .atMost(WAIT)
          .until(() -> node.table().members().size() == 1);
      await("logged")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  logged.list.stream()
                      .anyMatch(e -> e.getFormattedMessage().contains("sees 1 of the 3")));
      Run cut = load(List.of(node), "global.example", 600, Duration.ofSeconds(10));
      System.out.printf(
          "global rate limit %d/s on one member: %.1f/s with 3 members seen, %.1f/s cut off"
              + " alone%n",
          LIMIT, whole.admittedPerSecond(), cut.admittedPerSecond());
      System.out.println("with three: " + whole + "; cut off: " + cut);
      assertThat(whole.admittedPerSecond()).isBetween(LIMIT * 0.9, LIMIT * 1.1);
      assertThat(cut.admittedPerSecond())
          .as("a third of the limit")
          .isBetween(LIMIT / 3 * 0.85, LIMIT / 3 * 1.15);
      assertThat(logged.list)
          .filteredOn(e -> e.getFormattedMessage().contains("sees 1 of the 3"))
          .as("once per change")
          .hasSize(1);
    } finally {
      log.detachAppender(logged);
    }
  }
}
