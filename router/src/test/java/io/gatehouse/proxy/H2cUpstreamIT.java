package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A route with protocol H2C speaks HTTP/2 with prior knowledge to its upstream. */
@Timeout(60)
class H2cUpstreamIT {
  static Vertx vertx;
  static TestUpstream h2;
  static NodeFixture node;
  static final List<HttpVersion> versions = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    h2 =
        TestUpstream.custom(
            vertx,
            new HttpServerOptions().setHttp2ClearTextEnabled(true),
            req -> {
              versions.add(req.version());
              // Echo: the response streams while the request body still arrives.
              req.response().putHeader("x-upstream-version", req.version().name());
              req.pipeTo(req.response());
            });
    RouteSpec route =
        NodeFixture.valid(
            RouteSpec.simple(
                RouteKey.of("default", "cli", "h2c"),
                List.of("h2c.example"),
                List.of(PathMatch.prefix("/")),
                new BackendSpec(
                    UpstreamProtocol.H2C, List.of(Endpoint.of("127.0.0.1", h2.port())))));
    node = NodeFixture.start(route);
  }

  @AfterAll
  static void stop() {
    node.close();
    h2.close();
    vertx.close().await();
  }

  @Test
  void upstream_sees_http2_and_bodies_stream_both_ways() {
    versions.clear();
    HttpClientAgent client = vertx.createHttpClient();
    Buffer first = Buffer.buffer("first-chunk-" + "x".repeat(4096));
    Buffer second = Buffer.buffer("second-chunk-" + "y".repeat(100_000));
    AtomicLong received = new AtomicLong();
    Buffer echoed = Buffer.buffer();
    HttpClientRequest req =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(node.port())
                    .setURI("/echo")
                    .putHeader("host", "h2c.example"))
            .await();
    req.setChunked(true);
    // The body handler is set on the event loop as the response arrives, so no chunk is missed.
    var response =
        req.response()
            .onSuccess(
                r ->
                    r.handler(
                        b -> {
                          synchronized (echoed) {
                            echoed.appendBuffer(b);
                          }
                          received.addAndGet(b.length());
                        }));
    req.write(first).await();

    // The first chunk comes back before the request is finished: streamed, not buffered.
    HttpClientResponse resp = response.await();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.getHeader("x-upstream-version")).isEqualTo("HTTP_2");
    await("first chunk echoed")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> received.get() >= first.length());

    req.end(second).await();
    await("whole body echoed")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> received.get() >= first.length() + second.length());
    synchronized (echoed) {
      assertThat(echoed.toString()).isEqualTo(first.toString() + second);
    }
    assertThat(versions).containsExactly(HttpVersion.HTTP_2);
    client.close().await();
  }

  @Test
  void many_requests_share_http2_connections() throws Exception {
    versions.clear();
    HttpClientAgent client = vertx.createHttpClient();
    for (int i = 0; i < 20; i++) {
      int n = i;
      Buffer body =
          client
              .request(
                  new RequestOptions()
                      .setMethod(HttpMethod.PUT)
                      .setHost("127.0.0.1")
                      .setPort(node.port())
                      .setURI("/n/" + i)
                      .putHeader("host", "h2c.example"))
              // Nested: body() asked for as the head arrives (LateResponseBodyIT).
              .compose(r -> r.send("payload-" + n).compose(HttpClientResponse::body))
              .await(20, TimeUnit.SECONDS);
      assertThat(body.toString()).isEqualTo("payload-" + i);
    }
    assertThat(versions).hasSize(20).containsOnly(HttpVersion.HTTP_2);
    client.close().await();
  }
}
