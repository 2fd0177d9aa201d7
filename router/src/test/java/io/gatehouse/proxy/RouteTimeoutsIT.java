package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-route timeouts from the routes file and from REST, through a real node to a real upstream,
 * over HTTP/1.1 and h2c: a route's {@code response} timeout cuts an upstream that answers later
 * (504) while a route with a longer one gets the answer, its {@code bodyIdle} cuts a body that
 * stalls, and its {@code request} limit cuts a body that keeps trickling. (The Kubernetes
 * annotations map onto the same fields: the golden case {@code
 * annotations-set-timeouts-body-size-and-protocol}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class RouteTimeoutsIT {
  /** Short limits (the routes under test) and long ones (their controls). */
  static final String SHORT = "{connect: 2s, response: 300ms, bodyIdle: 300ms, request: 1500ms}";

  static final String LONG = "{connect: 2s, response: 5s, bodyIdle: 5s, request: 20s}";

  static final String SHORT_JSON =
      "{\"connect\": \"2s\", \"response\": \"300ms\", \"bodyIdle\": \"300ms\", \"request\": \"1500ms\"}";

  static final String LONG_JSON =
      "{\"connect\": \"2s\", \"response\": \"5s\", \"bodyIdle\": \"5s\", \"request\": \"20s\"}";

  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  TestUpstream up;
  HttpClientAgent h1;
  HttpClientAgent h2;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              HttpServerResponse r = req.response();
              switch (req.path()) {
                case "/late" -> vertx.setTimer(1000, t -> r.end("late"));
                case "/stall" -> {
                  // The head and a first chunk now, the rest after a second of silence.
                  r.setChunked(true).write("first;");
                  vertx.setTimer(1000, t -> r.end("rest"));
                }
                case "/trickle" -> {
                  // A chunk every 100 ms for 4 s: never idle, but long.
                  r.setChunked(true);
                  long id = vertx.setPeriodic(100, t -> r.write("x"));
                  vertx.setTimer(
                      4000,
                      t -> {
                        vertx.cancelTimer(id);
                        r.end("end");
                      });
                  r.closeHandler(v -> vertx.cancelTimer(id));
                }
                default -> r.end("ok");
              }
            });
    an = AdminNode.start(dir, c -> c);
    node = an.node();
    h1 = AdminNode.http1(vertx);
    h2 = AdminNode.h2c(vertx);
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, up, vertx);
  }

  @Test
  void routes_file_timeouts_cut_what_outlasts_them_and_spare_a_longer_route() throws Exception {
    an.writeRoutes(
        """
        routes:
          - {name: short, hosts: [short.file.example], backend: {endpoints: ["%s"]}, timeouts: %s}
          - {name: long, hosts: [long.file.example], backend: {endpoints: ["%s"]}, timeouts: %s}
        """
            .formatted(up.address(), SHORT, up.address(), LONG));
    await("file routes served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(h1, "long.file.example", "/").status() == 200);
    assertTimeouts("short.file.example", "long.file.example");
  }

  @Test
  void rest_timeouts_cut_what_outlasts_them_and_spare_a_longer_route() throws Exception {
    String acme = an.token();
    for (String name : List.of("short", "long")) {
      String host = name + ".rest.example";
      assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
          .isEqualTo(201);
      String json =
          "{\"hosts\": [\"%s\"], \"backend\": {\"endpoints\": [\"%s\"]}, \"timeouts\": %s}"
              .formatted(host, up.address(), name.equals("short") ? SHORT_JSON : LONG_JSON);
      HttpResponse<String> put =
          an.admin("PUT", "/v1/tenants/acme/routes/" + name + "?wait=all", acme, json);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    }
    assertThat(an.admin("GET", "/v1/tenants/acme/routes/short", acme, null).body())
        .contains("\"timeouts\"");
    assertTimeouts("short.rest.example", "long.rest.example");
  }

  private void assertTimeouts(String shortHost, String longHost) throws Exception {
    for (HttpClientAgent client : List.of(h1, h2)) {
      String as = client == h1 ? "HTTP/1.1" : "h2c";
      // response: the upstream answers after 1 s; the short route gives up at 300 ms.
      Outcome late = get(client, shortHost, "/late");
      assertThat(late.status()).as(as).isEqualTo(504);
      assertThat(late.millis()).as(as).isBetween(250L, 950L);
      Outcome spared = get(client, longHost, "/late");
      assertThat(spared.status()).as(as).isEqualTo(200);
      assertThat(spared.body()).as(as).isEqualTo("late");

      // bodyIdle: the head and a chunk arrive, then a second of silence: cut, never completed.
      Outcome stalled = get(client, shortHost, "/stall");
      assertThat(stalled.status()).as(as).isEqualTo(200);
      assertThat(stalled.complete()).as(as).isFalse();
      assertThat(stalled.millis()).as(as).isLessThan(950L);
      assertThat(get(client, longHost, "/stall").body()).as(as).isEqualTo("first;rest");

      // request: a body that never idles but lasts 4 s is cut at the route's 1.5 s.
      Outcome trickled = get(client, shortHost, "/trickle");
      assertThat(trickled.complete()).as(as).isFalse();
      assertThat(trickled.millis()).as(as).isBetween(1300L, 3900L);
    }
  }

  /** What a client saw: the status, the body read, whether it ended normally, and when. */
  record Outcome(int status, String body, boolean complete, long millis) {}

  private Outcome get(HttpClientAgent client, String host, String path) throws Exception {
    long start = System.nanoTime();
    StringBuilder body = new StringBuilder();
    int[] status = {0};
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(path);
    // Chunks are collected as they come, in the send callback (a cut body has no end to wait
    // for); the outcome is decided by the response's end or its failure.
    Future<Boolean> ended =
        client
            .request(o)
            .compose(
                r ->
                    r.authority(HostAndPort.create(host, node.port()))
                        .send()
                        .compose(
                            resp -> {
                              status[0] = resp.statusCode();
                              resp.handler(b -> body.append(b.toString()));
                              return resp.end().map(true);
                            }))
            .recover(e -> Future.succeededFuture(false));
    boolean complete = ended.await(30, TimeUnit.SECONDS);
    return new Outcome(
        status[0], body.toString(), complete, (System.nanoTime() - start) / 1_000_000);
  }
}
