package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * Error pages end to end: a node serving a routes file and the admin API, an application upstream
 * that answers the status its path names ({@code /status/503}) with a body of its own, and a
 * recording upstream as the error backend, which answers with the {@code X-Code} it is asked for
 * (as ingress-nginx's error backends do), or with 500 when the original URI holds {@code /loop}.
 * Clients over HTTP/1.1 and HTTP/2 (h2c). A listed status keeps its code and gets the static page
 * or the fetched one, never the application's body; the error backend sees ingress-nginx's headers;
 * an error backend that fails or is down gives Gatehouse's own page after one fetch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ErrorPagesIT {
  static final String PAGE = "<h1>not here</h1>";

  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  TestUpstream app;
  TestUpstream errors;
  String acme;
  HttpClientAgent h1;
  HttpClientAgent h2;
  int deadPort;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    app =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          String path = req.path();
                          int code =
                              path.contains("/status/")
                                  ? Integer.parseInt(path.substring(path.lastIndexOf('/') + 1))
                                  : 200;
                          req.response()
                              .setStatusCode(code)
                              .putHeader("content-type", "text/plain")
                              .putHeader("x-app", "1")
                              .end("app body " + code);
                        }));
    TestUpstream[] self = new TestUpstream[1];
    self[0] =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          self[0].record(req, b);
                          String code = req.getHeader("x-code");
                          String uri = req.getHeader("x-original-uri");
                          int status =
                              uri != null && uri.contains("/loop") ? 500 : Integer.parseInt(code);
                          req.response()
                              .setStatusCode(status)
                              .putHeader("content-type", "text/html")
                              .putHeader("x-error-backend", "1")
                              .end("error page " + code + " for " + req.getHeader("x-format"));
                        }));
    errors = self[0];
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // closed again at once: connections to it are refused
    }
    an = AdminNode.start(dir, c -> c);
    node = an.node();
    acme = an.token();
    h1 = AdminNode.http1(vertx);
    h2 = AdminNode.h2c(vertx);
  }

  @AfterAll
  void stop() {
    if (errors != null) {
      errors.close();
    }
    AdminNode.stop(an, app, vertx);
  }

  /** The policies of the main route: a static 404 and fetched 500, 502 and 503. */
  String mainPolicies() {
    return """
        [{"type": "ErrorPages", "codes": [404], "page": "%s", "contentType": "text/html; charset=utf-8"},
         {"type": "ErrorPages", "codes": [500, 502, 503], "backend": {"endpoints": ["%s"]}}]"""
        .formatted(PAGE, errors.address());
  }

  /** An error backend that is down. */
  String downPolicies() {
    return """
        [{"type": "ErrorPages", "codes": [503], "backend": {"endpoints": ["127.0.0.1:%d"]}}]"""
        .formatted(deadPort);
  }

  @Test
  void from_the_routes_file_over_http1_and_http2() throws Exception {
    String main = "file.errors.example";
    String down = "down.file.errors.example";
    String own = "own.file.errors.example";
    an.writeRoutes(
        """
        routes:
          - name: main
            hosts: [%s]
            backend: {endpoints: ["%s"]}
            policies: %s
          - name: down
            hosts: [%s]
            backend: {endpoints: ["%s"]}
            policies: %s
          - name: own
            hosts: [%s]
            backend: {endpoints: ["127.0.0.1:%d"]}
            policies: %s
        """
            .formatted(
                main,
                app.address(),
                mainPolicies().replace("\n", " "),
                down,
                app.address(),
                downPolicies().replace("\n", " "),
                own,
                deadPort,
                mainPolicies().replace("\n", " ")));
    await("file routes served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> call(h1, main, "GET", "/status/200").status == 200);
    for (HttpClientAgent client : List.of(h1, h2)) {
      String as = client == h1 ? "HTTP/1.1" : "HTTP/2";
      assertErrorPages(client, main, "default", "main", as);
      assertDownErrorBackend(client, down, as);
      assertOwnAnswer(client, own, as);
    }
  }

  @Test
  void from_rest_over_http1_and_http2_and_read_back() throws Exception {
    String main = "rest.errors.example";
    String down = "down.rest.errors.example";
    String own = "own.rest.errors.example";
    for (String h : List.of(main, down, own)) {
      assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + h, acme, null).statusCode())
          .isEqualTo(201);
    }
    put("main", main, app.address(), mainPolicies());
    put("down", down, app.address(), downPolicies());
    put("own", own, "127.0.0.1:" + deadPort, mainPolicies());
    for (HttpClientAgent client : List.of(h1, h2)) {
      String as = client == h1 ? "HTTP/1.1" : "HTTP/2";
      assertErrorPages(client, main, "acme", "main", as);
      assertDownErrorBackend(client, down, as);
      assertOwnAnswer(client, own, as);
    }

    JsonObject read =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/main", acme, null).body());
    JsonArray policies = read.getJsonArray("policies");
    assertThat(policies).hasSize(2);
    assertThat(policies.getJsonObject(0).getString("type")).isEqualTo("ErrorPages");
    assertThat(policies.getJsonObject(0).getString("page")).isEqualTo(PAGE);
    assertThat(policies.getJsonObject(1).getJsonArray("codes").getList())
        .containsExactly(500, 502, 503);
    read.remove("revision");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/routes/main?wait=all", acme, read.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertErrorPages(h1, main, "acme", "main", "HTTP/1.1 after a round trip");
  }

  @Test
  void rest_refuses_a_service_error_backend_and_a_status_outside_4xx_5xx() throws Exception {
    String host = "bad.errors.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String service =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "ErrorPages", "codes": [503],
                       "backend": {"service": {"name": "errors", "port": 80}}}]}"""
            .formatted(host, app.address());
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/bad", acme, service);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    assertThat(put.body()).contains("/policies/0/backend/service");
    String ok =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "ErrorPages", "codes": [302], "page": "x"}]}"""
            .formatted(host, app.address());
    HttpResponse<String> code = an.admin("PUT", "/v1/tenants/acme/routes/bad", acme, ok);
    assertThat(code.statusCode()).as(code.body()).isEqualTo(400);
    assertThat(code.body()).contains("/policies/0/codes/0");
  }

  @Test
  void the_nodes_error_pages_replace_its_own_answers_from_a_file_or_an_upstream(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("404.html");
    Files.writeString(file, "<h1>no such site</h1>");
    try (NodeFixture n =
        NodeFixture.start(
            c ->
                c.withErrorPages(
                    new NodeConfig.ErrorPages(
                        List.of("404"), file.toString(), "text/html; charset=utf-8", "")))) {
      Answer a = call(h1, n.port(), "nowhere.example", "GET", "/x", "accept", "text/html");
      assertThat(a.status).isEqualTo(404);
      assertThat(a.body).isEqualTo("<h1>no such site</h1>");
      assertThat(a.headers.get("content-type")).isEqualTo("text/html; charset=utf-8");
      assertThat(a.headers.get("x-request-id")).isNotBlank();
      Answer head = call(h1, n.port(), "nowhere.example", "HEAD", "/x");
      assertThat(head.status).isEqualTo(404);
      assertThat(head.body).isEmpty();
      assertThat(head.headers.get("content-length"))
          .isEqualTo(Integer.toString("<h1>no such site</h1>".length()));
    }
    try (NodeFixture n =
        NodeFixture.start(
            c ->
                c.withErrorPages(
                    new NodeConfig.ErrorPages(
                        List.of("404", "503"), "", "text/html", errors.address())))) {
      drain();
      Answer a =
          call(h1, n.port(), "nowhere.example", "GET", "/x?y=1", "accept", "application/json");
      assertThat(a.status).isEqualTo(404);
      assertThat(a.body).isEqualTo("error page 404 for application/json");
      TestUpstream.Recorded r = errors.take();
      assertThat(r.method()).isEqualTo("GET");
      assertThat(r.header("x-code")).isEqualTo("404");
      assertThat(r.header("x-original-uri")).isEqualTo("/x?y=1");
      assertThat(r.header("x-namespace")).as("no route, no namespace").isNull();
      assertThat(r.header("x-request-id")).isEqualTo(a.headers.get("x-request-id"));
    }
  }

  private void put(String name, String host, String backend, String policies) throws Exception {
    String body =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]}, "policies": %s}"""
            .formatted(host, backend, policies);
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/" + name + "?wait=all", acme, body);
    assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
  }

  /** Forgets what the error backend recorded so far. */
  private void drain() {
    while (!errors.receivedNothing()) {
      try {
        errors.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void assertErrorPages(
      HttpClientAgent client, String host, String namespace, String route, String as)
      throws Exception {
    drain();
    int fetches = errors.count();

    // A listed status with a static page: the status kept, the page as it is, the app's body and
    // headers gone, the request id in its header; nothing fetched.
    Answer notFound = call(client, host, "GET", "/status/404");
    assertThat(notFound.status).as(as).isEqualTo(404);
    assertThat(notFound.body).as(as).isEqualTo(PAGE);
    assertThat(notFound.headers.get("content-type")).as(as).isEqualTo("text/html; charset=utf-8");
    assertThat(notFound.headers.get("x-app")).as(as).isNull();
    assertThat(notFound.headers.get("x-request-id")).as(as).isNotBlank();
    assertThat(errors.count()).as(as + ": a static page fetches nothing").isEqualTo(fetches);

    // A listed status with a fetched page: the error backend gets ingress-nginx's headers.
    Answer unavailable =
        call(
            client,
            host,
            "GET",
            "/status/503?q=1",
            "accept",
            "application/json",
            "x-request-id",
            "test-id-503");
    assertThat(unavailable.status).as(as).isEqualTo(503);
    assertThat(unavailable.body).as(as).isEqualTo("error page 503 for application/json");
    assertThat(unavailable.headers.get("content-type")).as(as).isEqualTo("text/html");
    assertThat(unavailable.headers.get("x-app")).as(as).isNull();
    assertThat(unavailable.headers.get("x-error-backend"))
        .as(as + ": only the page and its type are taken")
        .isNull();
    assertThat(unavailable.headers.get("x-request-id")).as(as).isEqualTo("test-id-503");
    TestUpstream.Recorded r = errors.take();
    assertThat(r.method()).as(as).isEqualTo("GET");
    assertThat(r.uri()).as(as).isEqualTo("/");
    assertThat(r.header("x-code")).as(as).isEqualTo("503");
    assertThat(r.header("x-format")).as(as).isEqualTo("application/json");
    assertThat(r.header("x-original-uri")).as(as).isEqualTo("/status/503?q=1");
    assertThat(r.header("x-namespace")).as(as).isEqualTo(namespace);
    assertThat(r.header("x-ingress-name")).as(as).isEqualTo(route);
    assertThat(r.header("x-request-id")).as(as).isEqualTo("test-id-503");

    // Statuses not listed, and successes, are the app's.
    Answer ok = call(client, host, "GET", "/status/200");
    assertThat(ok.status).as(as).isEqualTo(200);
    assertThat(ok.body).as(as).isEqualTo("app body 200");
    Answer teapot = call(client, host, "GET", "/status/418");
    assertThat(teapot.status).as(as).isEqualTo(418);
    assertThat(teapot.body).as(as).isEqualTo("app body 418");

    // HEAD: the headers of the page, no body.
    Answer head = call(client, host, "HEAD", "/status/404");
    assertThat(head.status).as(as).isEqualTo(404);
    assertThat(head.body).as(as).isEmpty();
    assertThat(head.headers.get("content-length"))
        .as(as)
        .isEqualTo(Integer.toString(PAGE.length()));
    Answer headFetched = call(client, host, "HEAD", "/status/502");
    assertThat(headFetched.status).as(as).isEqualTo(502);
    assertThat(headFetched.body).as(as).isEmpty();
    errors.take();

    // No loop: the error backend answers another listed status (500 when asked for 502): one
    // fetch, then Gatehouse's own 502 page.
    int before = errors.count();
    Answer loop = call(client, host, "GET", "/loop/status/502");
    assertThat(loop.status).as(as).isEqualTo(502);
    assertThat(loop.body).as(as).contains("502 Bad Gateway").doesNotContain("error page");
    assertThat(errors.take().header("x-code")).as(as).isEqualTo("502");
    assertThat(errors.count()).as(as + ": exactly one fetch").isEqualTo(before);
    assertThat(errors.receivedNothing()).as(as).isTrue();
  }

  /** The error backend is down: Gatehouse's own page, with the original status. */
  private void assertDownErrorBackend(HttpClientAgent client, String host, String as)
      throws Exception {
    Answer a = call(client, host, "GET", "/status/503", "accept", "application/json");
    assertThat(a.status).as(as).isEqualTo(503);
    assertThat(a.body).as(as).contains("\"status\":503").doesNotContain("app body");
    assertThat(a.headers.get("x-app")).as(as).isNull();
    Answer passed = call(client, host, "GET", "/status/404");
    assertThat(passed.body).as(as + ": 404 is not listed here").isEqualTo("app body 404");
  }

  /** Gatehouse's own 502 (the route's backend is down) gets the route's fetched page. */
  private void assertOwnAnswer(HttpClientAgent client, String host, String as) throws Exception {
    drain();
    Answer a = call(client, host, "GET", "/anything", "accept", "text/html");
    assertThat(a.status).as(as).isEqualTo(502);
    assertThat(a.body).as(as).isEqualTo("error page 502 for text/html");
    assertThat(errors.take().header("x-code")).as(as).isEqualTo("502");
  }

  record Answer(int status, MultiMap headers, String body) {}

  private Answer call(HttpClientAgent client, String host, String method, String uri, String... h)
      throws Exception {
    return call(client, node.port(), host, method, uri, h);
  }

  private Answer call(
      HttpClientAgent client, int port, String host, String method, String uri, String... h)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(uri);
    for (int i = 0; i < h.length; i += 2) {
      o.putHeader(h[i], h[i + 1]);
    }
    // The body is asked for in the same callback as the head (vert.x#6038).
    return client
        .request(o)
        .compose(
            r ->
                r.authority(HostAndPort.create(host, port))
                    .send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(), resp.headers(), b.toString()))))
        .await(30, TimeUnit.SECONDS);
  }
}
