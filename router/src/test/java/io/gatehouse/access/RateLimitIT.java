package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.testing.HoldingUpstream;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rate and connection limits through a real node, over HTTP/1.1 and h2c: a burst is admitted with
 * the IETF headers, the next request is answered 429 with Retry-After and never reaches the
 * upstream; requests in flight past a connection limit are refused, and a finished one gives its
 * place back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RateLimitIT {
  Vertx vertx;
  NodeFixture node;
  TestUpstream upstream;
  HoldingUpstream holding;
  HttpClientAgent h1;
  HttpClientAgent h2;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "up");
    holding = HoldingUpstream.start(vertx, 1);
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(
                    new io.gatehouse.node.NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
    h1 = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(8));
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  void stop() {
    node.close();
    upstream.close();
    holding.close();
    vertx.close().await();
  }

  private void put(String host, String endpoint, Object policy) {
    RouteSpec r =
        NodeFixture.route(host.replace(".", "-"), host, endpoint)
            .withPolicies(List.of((io.gatehouse.model.policy.PolicySpec) policy));
    node.put(r);
  }

  record Answer(int status, Map<String, String> headers) {}

  private Future<Answer> send(HttpClientAgent client, String host) {
    return send(client, host, null);
  }

  private Future<Answer> send(HttpClientAgent client, String host, String forwardedFor) {
    RequestOptions o =
        new RequestOptions()
            .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(node.port(), "127.0.0.1"))
            .setHost(host)
            .setPort(80)
            .setMethod(HttpMethod.GET)
            .setURI("/")
            .setTimeout(10_000);
    if (forwardedFor != null) {
      o.putHeader("x-forwarded-for", forwardedFor);
    }
    return client
        .request(o)
        .compose(
            r ->
                r.send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b -> {
                                      Map<String, String> h = new java.util.HashMap<>();
                                      for (String n :
                                          List.of("retry-after", "ratelimit", "ratelimit-policy")) {
                                        String v = resp.getHeader(n);
                                        if (v != null) {
                                          h.put(n, v);
                                        }
                                      }
                                      return new Answer(resp.statusCode(), h);
                                    })));
  }

  private Answer get(HttpClientAgent client, String host) throws Exception {
    return send(client, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h1", "h2c"})
  void a_burst_is_admitted_with_the_headers_and_the_next_request_is_429_and_never_upstream(
      String protocol) throws Exception {
    String host = "burst-" + protocol + ".example";
    put(
        host,
        upstream.address(),
        new RateLimit(
            "api",
            LimitKey.CLIENT_ADDRESS,
            1,
            RateLimit.MINUTE,
            3,
            RateLimit.Scope.LOCAL,
            List.of()));
    HttpClientAgent client = protocol.equals("h1") ? h1 : h2;
    int before = upstream.count();
    for (int i = 2; i >= 0; i--) {
      Answer a = get(client, host);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.headers())
          .containsEntry("ratelimit-policy", "\"api\";q=1;w=60")
          .containsEntry("ratelimit", "\"api\";r=" + i + ";t=" + (3 - i) * 60);
    }
    Answer refused = get(client, host);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(Integer.parseInt(refused.headers().get("retry-after"))).isBetween(59, 60);
    assertThat(refused.headers()).containsEntry("ratelimit-policy", "\"api\";q=1;w=60");
    assertThat(refused.headers().get("ratelimit")).startsWith("\"api\";r=0;t=");
    assertThat(upstream.count() - before)
        .as("the refused request never went upstream")
        .isEqualTo(3);
  }

  @Test
  void
      requests_in_flight_past_the_connection_limit_are_refused_and_an_ended_one_gives_its_place_back()
          throws Exception {
    String host = "conn.example";
    put(host, holding.address(0), new ConnectionLimit(LimitKey.CLIENT_ADDRESS, 2, List.of()));
    List<Future<Answer>> held = new ArrayList<>();
    held.add(send(h1, host));
    held.add(send(h1, host));
    await().atMost(Duration.ofSeconds(10)).until(() -> holding.received() == 2);
    Answer third = get(h1, host);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.headers()).containsEntry("retry-after", "1");
    assertThat(holding.received()).isEqualTo(2);
    holding.release(200);
    for (Future<Answer> f : held) {
      assertThat(f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).status())
          .isEqualTo(200);
    }
    Future<Answer> again = send(h1, host);
    await().atMost(Duration.ofSeconds(10)).until(() -> holding.received() == 3);
    holding.release(200);
    assertThat(again.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).status())
        .as("the places came back")
        .isEqualTo(200);
  }

  @Test
  void a_spoofed_x_forwarded_for_from_an_untrusted_peer_gets_no_bucket_of_its_own()
      throws Exception {
    String host = "spoof.example";
    put(
        host,
        upstream.address(),
        new RateLimit(
            null,
            LimitKey.CLIENT_ADDRESS,
            1,
            RateLimit.MINUTE,
            2,
            RateLimit.Scope.LOCAL,
            List.of()));
    int[] statuses = new int[4];
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] =
          send(h1, host, "198.51.100." + (i + 1))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .status();
    }
    assertThat(statuses).as("one bucket: the peer's address").containsExactly(200, 200, 429, 429);
  }
}
