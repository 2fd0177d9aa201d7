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
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #14's acceptance on one node: a backend of four endpoints under steady sequential load
 * (POSTs, which are never retried, so every request to the dead endpoint before detection shows),
 * one endpoint killed (its server closed) and later started again on the same port. Passive outlier
 * detection and an active HTTP check together: after detection no request fails, through the end of
 * the ejection (the check keeps it out), and the endpoint takes requests again once its check
 * passes.
 */
@Timeout(120)
class EndpointKillIT {
  private final Vertx vertx = Vertx.vertx();
  private final List<TestUpstream> upstreams = new ArrayList<>();
  private NodeFixture node;

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
    upstreams.forEach(TestUpstream::close);
    vertx.close().await();
  }

  private record Sent(long startNanos, int status, String upstream) {}

  @Test
  void after_detection_no_request_fails_and_the_restarted_endpoint_comes_back() throws Exception {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      TestUpstream u = TestUpstream.counting(vertx, "u" + i);
      upstreams.add(u);
      endpoints.add(Endpoint.of("127.0.0.1", u.port()));
    }
    BackendPolicy policy =
        BackendPolicy.DEFAULT
            .withHealthCheck(
                HealthCheck.http("/healthz")
                    .withTiming(
                        Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(50))
                    .withThresholds(2, 2))
            .withOutlierDetection(
                new OutlierDetection(
                    5,
                    5,
                    null,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(10),
                    50));
    node =
        NodeFixture.start(
            NodeFixture.valid(
                RouteSpec.simple(
                    RouteKey.of("default", "cli", "kill"),
                    List.of("kill.example"),
                    List.of(PathMatch.prefix("/")),
                    BackendSpec.http1(endpoints).withPolicy(policy))));
    HealthRegistry health = node.node().health();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    RequestOptions post =
        new RequestOptions()
            .setServer(SocketAddress.inetSocketAddress(node.port(), "127.0.0.1"))
            .setHost("kill.example")
            .setPort(80)
            .setMethod(HttpMethod.POST)
            .setURI("/work");

    List<Sent> sent = new ArrayList<>();
    long warmUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    while (System.nanoTime() < warmUntil) {
      sent.add(send(client, post));
    }
    assertThat(sent).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));

    TestUpstream dead = upstreams.get(1);
    Endpoint deadEndpoint = endpoints.get(1);
    int deadPort = dead.port();
    long killedAt = System.nanoTime();
    dead.close();
    long detectedAt = -1;
    long until = killedAt + TimeUnit.SECONDS.toNanos(3); // past the 1 s ejection
    sent.clear();
    while (System.nanoTime() < until) {
      sent.add(send(client, post));
      if (detectedAt < 0 && !health.available(deadEndpoint)) {
        detectedAt = System.nanoTime();
      }
    }
    assertThat(detectedAt).as("the dead endpoint was detected").isPositive();
    long detection = detectedAt;
    long failedBefore =
        sent.stream().filter(s -> s.startNanos() < detection && s.status() != 200).count();
    List<Sent> after = sent.stream().filter(s -> s.startNanos() >= detection).toList();
    System.out.printf(
        "endpoint kill: detected after %d ms; %d of %d requests failed before detection, %d of %d"
            + " after; ejections %s; unhealthy %s%n",
        TimeUnit.NANOSECONDS.toMillis(detection - killedAt),
        failedBefore,
        sent.size() - after.size(),
        after.stream().filter(s -> s.status() != 200).count(),
        after.size(),
        health.ejected(),
        health.unhealthy());
    assertThat(after).isNotEmpty();
    assertThat(after).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
    assertThat(after).noneMatch(s -> s.upstream().equals("u1"));
    assertThat(health.unhealthy())
        .as("the check holds it out after the ejection")
        .contains("127.0.0.1:" + deadPort);

    // Started again on the same port: its check passes twice and it takes requests again.
    HttpServer back =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> req.end().onSuccess(v -> req.response().putHeader("x-upstream", "u1").end()))
            .listen(deadPort, "127.0.0.1")
            .await();
    long restartedAt = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> health.available(deadEndpoint));
    System.out.printf(
        "endpoint restart: available again after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
    List<Sent> later = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      later.add(send(client, post));
    }
    assertThat(later).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
    assertThat(later).anyMatch(s -> s.upstream().equals("u1"));
  }

  private static Sent send(HttpClientAgent client, RequestOptions post) throws Exception {
    long start = System.nanoTime();
    return client
        .request(post)
        .compose(
            r ->
                r.send("x")
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Sent(
                                            start,
                                            resp.statusCode(),
                                            String.valueOf(resp.getHeader("x-upstream"))))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }
}
