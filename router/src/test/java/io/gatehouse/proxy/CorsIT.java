package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CORS policy end to end: a node serving a routes file and the admin API, a real upstream on
 * loopback that counts what reaches it and sends CORS headers of its own, and clients over HTTP/1.1
 * and HTTP/2 (h2c, prior knowledge). A preflight is answered by the node and never reaches the
 * upstream; an actual request is proxied and gets the policy's headers, not the upstream's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class CorsIT {
  static final String ADMIN = AdminNode.ADMIN;
  static final String APP = "https://app.example";

  /** The policy of every route here, in the document's JSON form (YAML reads it as is). */
  static final String POLICIES =
      """
      [{"type": "CORS", "allowOrigins": ["https://app.example", "https://*.shop.example"],
        "allowOriginPatterns": ["https://pr-[0-9]+\\\\.preview\\\\.example"],
        "allowMethods": ["GET", "PUT"], "allowHeaders": ["Content-Type", "X-Token"],
        "exposeHeaders": ["X-Request-Id"], "allowCredentials": true, "maxAge": 600}]""";

  Path dir;
  Path file;
  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  TestUpstream up;
  final AtomicInteger preflightsUpstream = new AtomicInteger();
  final AtomicInteger requestsUpstream = new AtomicInteger();
  String acme;
  HttpClientAgent h1;
  HttpClientAgent h2;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              requestsUpstream.incrementAndGet();
              if (req.getHeader("access-control-request-method") != null) {
                preflightsUpstream.incrementAndGet();
              }
              req.response()
                  .putHeader("Access-Control-Allow-Origin", "*")
                  .putHeader("Access-Control-Expose-Headers", "x-secret")
                  .putHeader("Vary", "Accept-Encoding")
                  .end("upstream " + req.method());
            });
    an = AdminNode.start(dir, c -> c);
    node = an.node();
    acme = an.token();
    h1 = AdminNode.http1(vertx);
    h2 = AdminNode.h2c(vertx);
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, up, vertx);
  }

  @Test
  void from_the_routes_file_over_http1_and_http2() throws Exception {
    String host = "file.cors.example";
    String yaml =
        """
        routes:
          - name: cors
            hosts: [%s]
            maxRequestBodyBytes: 16
            backend: {endpoints: ["%s"]}
            policies: %s
          - name: cors-none
            hosts: [none.%s]
            backend: {endpoints: []}
            policies: %s
          - name: cors-moved
            hosts: [moved.%s]
            backend: {endpoints: ["%s"]}
            policies:
              - {type: CORS, allowOrigins: ["https://app.example"]}
              - {type: RequestRedirect, url: "https://new.example/", statusCode: 308}
        """
            .formatted(
                host,
                up.address(),
                POLICIES.replace("\n", " "),
                host,
                POLICIES.replace("\n", " "),
                host,
                up.address());
    an.writeRoutes(yaml);
    await("file route served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> call(h1, host, "GET", null).status == 200);
    assertCors(h1, host, "HTTP/1.1");
    assertCors(h2, host, "HTTP/2");
    assertCorsOnLocalAnswers(h1, host, "HTTP/1.1");
    assertCorsOnLocalAnswers(h2, host, "HTTP/2");
    // A redirect Gatehouse answers itself: a browser following it in CORS mode checks it too.
    for (HttpClientAgent client : List.of(h1, h2)) {
      Answer moved = send(client, "moved." + host, "GET", APP, 0);
      assertThat(moved.status).isEqualTo(308);
      assertThat(moved.headers.get("location")).isEqualTo("https://new.example/");
      assertThat(moved.headers.getAll("access-control-allow-origin")).containsExactly(APP);
      assertThat(moved.headers.getAll("vary")).containsExactly("Origin");
    }
  }

  @Test
  void from_rest_over_http1_and_http2_and_read_back() throws Exception {
    String host = "rest.cors.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "maxRequestBodyBytes": 16, "backend": {"endpoints": ["%s"]},
         "policies": %s}"""
            .formatted(host, up.address(), POLICIES);
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/cors?wait=all", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    assertThat(
            an.admin("PUT", "/v1/tenants/acme/host-claims/none." + host, acme, null).statusCode())
        .isEqualTo(201);
    HttpResponse<String> none =
        an.admin(
            "PUT",
            "/v1/tenants/acme/routes/cors-none?wait=all",
            acme,
            """
            {"hosts": ["none.%s"], "backend": {"endpoints": []}, "policies": %s}"""
                .formatted(host, POLICIES));
    assertThat(none.statusCode()).as(none.body()).isEqualTo(201);
    assertCors(h1, host, "HTTP/1.1");
    assertCors(h2, host, "HTTP/2");
    assertCorsOnLocalAnswers(h1, host, "HTTP/1.1");
    assertCorsOnLocalAnswers(h2, host, "HTTP/2");

    JsonObject read =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/cors", acme, null).body());
    JsonArray policies = read.getJsonArray("policies");
    assertThat(policies).hasSize(1);
    JsonObject cors = policies.getJsonObject(0);
    assertThat(cors.getString("type")).isEqualTo("CORS");
    assertThat(cors.getJsonArray("allowHeaders").getList())
        .containsExactly("content-type", "x-token");
    assertThat(cors.getJsonArray("allowOriginPatterns").getList())
        .containsExactly("https://pr-[0-9]+\\.preview\\.example");
    assertThat(cors.getInteger("maxAge")).isEqualTo(600);
    // The answer sent back is the same route: 200, nothing changes.
    read.remove("revision");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/routes/cors?wait=all", acme, read.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertCors(h1, host, "HTTP/1.1 after a round trip");
  }

  @Test
  void rest_refuses_credentials_with_every_origin_with_a_pointer() throws Exception {
    String host = "bad.cors.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "CORS", "allowOrigins": ["*"], "allowCredentials": true}]}"""
            .formatted(host, up.address());
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/bad", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    assertThat(put.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(put.body()).contains("/policies/0/allowCredentials", "never with every origin");
  }

  private void assertCors(HttpClientAgent client, String host, String as) throws Exception {
    int preflightsBefore = preflightsUpstream.get();
    int before = requestsUpstream.get();

    // An allowed preflight: answered by the node with every header, never proxied.
    Answer p =
        call(
            client,
            host,
            "OPTIONS",
            APP,
            "access-control-request-method",
            "PUT",
            "access-control-request-headers",
            "content-type,X-Token");
    assertThat(p.status).as(as).isEqualTo(204);
    assertThat(p.headers.get("access-control-allow-origin")).as(as).isEqualTo(APP);
    assertThat(p.headers.get("access-control-allow-credentials")).as(as).isEqualTo("true");
    assertThat(p.headers.get("access-control-allow-methods")).as(as).isEqualTo("GET, PUT");
    assertThat(p.headers.get("access-control-allow-headers"))
        .as(as)
        .isEqualTo("content-type, x-token");
    assertThat(p.headers.get("access-control-max-age")).as(as).isEqualTo("600");
    assertThat(p.headers.get("vary")).as(as).isEqualTo("Origin");
    assertThat(p.headers.get("x-request-id")).as(as).isNotBlank();
    assertThat(p.headers.contains("content-length")).as(as + ": no length on a 204").isFalse();
    assertThat(p.body).isEmpty();

    // Wildcard-host and RE2 origins.
    for (String origin : List.of("https://a.b.shop.example", "https://pr-17.preview.example")) {
      Answer w = call(client, host, "OPTIONS", origin, "access-control-request-method", "GET");
      assertThat(w.status).as(as).isEqualTo(204);
      assertThat(w.headers.get("access-control-allow-origin")).as(as).isEqualTo(origin);
    }

    // Denied preflights (origin, method, header): 204 without any CORS header.
    for (String[] denied :
        List.of(
            new String[] {"https://evil.example", "PUT", "content-type"},
            new String[] {APP, "DELETE", "content-type"},
            new String[] {APP, "PUT", "authorization"})) {
      Answer d =
          call(
              client,
              host,
              "OPTIONS",
              denied[0],
              "access-control-request-method",
              denied[1],
              "access-control-request-headers",
              denied[2]);
      assertThat(d.status).as(as + " " + String.join(" ", denied)).isEqualTo(204);
      assertThat(d.headers.names())
          .as(as + " " + String.join(" ", denied))
          .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("access-control-"));
      assertThat(d.headers.get("vary")).as(as).isEqualTo("Origin");
    }
    assertThat(preflightsUpstream.get())
        .as(as + ": no preflight reached the upstream")
        .isEqualTo(preflightsBefore);
    assertThat(requestsUpstream.get()).as(as).isEqualTo(before);

    // An actual request from an allowed origin: proxied, with the policy's headers only.
    Answer a = call(client, host, "GET", APP);
    assertThat(a.status).as(as).isEqualTo(200);
    assertThat(a.body).as(as).isEqualTo("upstream GET");
    assertThat(a.headers.getAll("access-control-allow-origin")).as(as).containsExactly(APP);
    assertThat(a.headers.get("access-control-allow-credentials")).as(as).isEqualTo("true");
    assertThat(a.headers.getAll("access-control-expose-headers"))
        .as(as)
        .containsExactly("x-request-id");
    assertThat(a.headers.getAll("vary")).as(as).containsExactly("Accept-Encoding, Origin");

    // From a disallowed origin: proxied, without any CORS header (the upstream's are removed).
    Answer d = call(client, host, "GET", "https://evil.example");
    assertThat(d.status).as(as).isEqualTo(200);
    assertThat(d.headers.names())
        .as(as)
        .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("access-control-"));
    assertThat(d.headers.getAll("vary")).as(as).containsExactly("Accept-Encoding, Origin");

    // An OPTIONS request that is no preflight is the upstream's to answer.
    Answer o = call(client, host, "OPTIONS", APP);
    assertThat(o.status).as(as).isEqualTo(200);
    assertThat(o.body).as(as).isEqualTo("upstream OPTIONS");
    assertThat(requestsUpstream.get()).as(as).isEqualTo(before + 3);
    assertThat(preflightsUpstream.get()).as(as).isEqualTo(preflightsBefore);
  }

  /**
   * Gatehouse's own answers on a CORS route carry the same headers as a proxied response, so a
   * browser lets the page read the error: a 413 (body over the route's limit) and a 503 (the route
   * {@code none.HOST} has no endpoint); a disallowed origin gets none of them.
   */
  private void assertCorsOnLocalAnswers(HttpClientAgent client, String host, String as)
      throws Exception {
    int before = requestsUpstream.get();
    Answer tooLarge = send(client, host, "POST", APP, 64);
    Answer unavailable = send(client, "none." + host, "GET", APP, 0);
    assertThat(tooLarge.status).as(as).isEqualTo(413);
    assertThat(unavailable.status).as(as).isEqualTo(503);
    for (Answer a : List.of(tooLarge, unavailable)) {
      String at = as + " " + a.status;
      assertThat(a.headers.getAll("access-control-allow-origin")).as(at).containsExactly(APP);
      assertThat(a.headers.get("access-control-allow-credentials")).as(at).isEqualTo("true");
      assertThat(a.headers.getAll("access-control-expose-headers"))
          .as(at)
          .containsExactly("x-request-id");
      assertThat(a.headers.getAll("vary")).as(at).containsExactly("Origin");
      assertThat(a.headers.get("x-request-id")).as(at).isNotBlank();
      assertThat(a.body).as(at).contains(Integer.toString(a.status));
    }
    for (Answer a :
        List.of(
            send(client, host, "POST", "https://evil.example", 64),
            send(client, "none." + host, "GET", "https://evil.example", 0))) {
      assertThat(a.headers.names())
          .as(as + " " + a.status + " from a disallowed origin")
          .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("access-control-"));
      assertThat(a.headers.getAll("vary")).as(as).containsExactly("Origin");
    }
    assertThat(requestsUpstream.get()).as(as + ": answered by the node").isEqualTo(before);
  }

  record Answer(int status, MultiMap headers, String body) {}

  /** One request from {@code origin} with a body of {@code bodyBytes} (0: none). */
  private Answer send(
      HttpClientAgent client, String host, String method, String origin, int bodyBytes)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/api/items")
            .putHeader("Origin", origin);
    return client
        .request(o)
        .compose(
            r ->
                (bodyBytes > 0
                        ? r.authority(HostAndPort.create(host, node.port()))
                            .putHeader("content-length", Integer.toString(bodyBytes))
                            .send(Buffer.buffer(new byte[bodyBytes]))
                        : r.authority(HostAndPort.create(host, node.port())).send())
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(), resp.headers(), b.toString()))))
        .await(30, TimeUnit.SECONDS);
  }

  private Answer call(
      HttpClientAgent client, String host, String method, String origin, String... headers)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/api/items");
    if (origin != null) {
      o.putHeader("Origin", origin);
    }
    for (int i = 0; i < headers.length; i += 2) {
      o.putHeader(headers[i], headers[i + 1]);
    }
    // The body is asked for in the same callback as the head: a bodyless answer (a 204) can end in
    // the same read, and a body() asked for one hop later then waits for an end already gone.
    return client
        .request(o)
        .compose(
            r ->
                r.authority(HostAndPort.create(host, node.port()))
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
