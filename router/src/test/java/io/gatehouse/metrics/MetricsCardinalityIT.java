package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 requests, each for a host no route serves and a path of its own, add no series: the
 * registry after them holds exactly the series it held after the first ten, and no host or path of
 * a request appears in it (ingress-nginx's host and path labels exhausted Prometheus this way).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class MetricsCardinalityIT {
  static final int HOSTS = 10_000;
  static final int BATCH = 100;

  Vertx vertx;
  TestUpstream upstream;
  NodeFixture node;
  HttpClientAgent client;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.counting(vertx, "ok");
    // h2c with prior knowledge: one connection carries every request
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)),
            NodeFixture.route("ok", "ok.test", upstream.address()));
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
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

  Future<Integer> get(String host, String path) {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI(path))
        .compose(
            req -> {
              req.authority(HostAndPort.create(host, node.port()));
              return req.send().compose(resp -> resp.body().map(b -> resp.statusCode()));
            });
  }

  /** Requests {@code from} to {@code to} (exclusive), {@link #BATCH} at a time; all 404. */
  void unknownHosts(int from, int to) throws Exception {
    for (int start = from; start < to; start += BATCH) {
      List<Future<Integer>> batch = new ArrayList<>();
      for (int i = start; i < Math.min(to, start + BATCH); i++) {
        batch.add(get("host-" + i + ".unknown.test", "/path-" + i));
      }
      Future.all(batch).await(30, TimeUnit.SECONDS);
      for (Future<Integer> f : batch) {
        assertThat(f.result()).isEqualTo(404);
      }
    }
  }

  Scrape scrape() throws Exception {
    return new Scrape(
        client
            .request(HttpMethod.GET, node.statusPort(), "127.0.0.1", "/metrics")
            .compose(req -> req.send().compose(resp -> resp.body()))
            .await(10, TimeUnit.SECONDS)
            .toString());
  }

  Scrape awaitCounted(int requests) {
    return await("requests counted")
        .atMost(Duration.ofSeconds(20))
        .until(
            this::scrape,
            s -> s.sum("gatehouse_requests_total", "route", "", "protocol", "HTTP/2") == requests);
  }

  @Test
  void ten_thousand_unknown_hosts_and_paths_add_no_series() throws Exception {
    unknownHosts(0, 10);
    Scrape first = awaitCounted(10);
    long gatehouseSeries = first.count("gatehouse_");

    unknownHosts(10, HOSTS);
    Scrape after = awaitCounted(HOSTS);

    assertThat(after.count("gatehouse_")).isEqualTo(gatehouseSeries);
    assertThat(after.value("gatehouse_request_duration_seconds_count", "route", ""))
        .isEqualTo((double) HOSTS);
    assertThat(after.text).doesNotContain("unknown.test").doesNotContain("path-");
    // JVM series come and go with the collector's events, never with requests: a loose bound
    assertThat(after.series.size()).isLessThan(1_000);
  }
}
