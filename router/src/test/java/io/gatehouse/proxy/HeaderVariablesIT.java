package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header policies' variables end to end: a node serving a routes file and the admin API, an
 * upstream on loopback that answers with the request headers it received, clients over HTTP/1.1 and
 * h2c. The backend sees the client's address, the request id it also receives as X-Request-Id, and
 * the route; the client sees the request id in a response header. The client certificate's
 * variables are covered over HTTPS by {@code ClientCertificatesITBase}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class HeaderVariablesIT {
  /** The policies of every route here, in the document's JSON form (YAML reads it as is). */
  static final String POLICIES =
      """
      [{"type": "RequestHeaders",
        "set": {"X-Client": "${client.address}", "X-Rid": "rid=${request.id}",
                "X-Route": "${route.tenant}/${route.name}", "X-Price": "$$5"},
        "add": {"X-Via": "gatehouse ${route.name}"}},
       {"type": "ResponseHeaders", "set": {"X-Trace": "${request.id}"}}]""";

  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  TestUpstream up;
  String acme;
  HttpClientAgent h1;
  HttpClientAgent h2;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              JsonObject seen = new JsonObject();
              for (String name : req.headers().names()) {
                seen.put(name.toLowerCase(), new JsonArray(req.headers().getAll(name)));
              }
              req.response()
                  .putHeader("X-Trace", "upstream")
                  .putHeader("Content-Type", "application/json")
                  .end(seen.encode());
            });
    an = AdminNode.start(tmp, c -> c);
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
    String host = "file.vars.example";
    an.writeRoutes(
        """
        routes:
          - name: vars
            hosts: [%s]
            backend: {endpoints: ["%s"]}
            policies: %s
        """
            .formatted(host, up.address(), POLICIES.replace("\n", " ")));
    await("file route served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> call(h1, host, null).status == 200);
    for (HttpClientAgent client : new HttpClientAgent[] {h1, h2}) {
      assertVariables(call(client, host, null), null, "default/vars");
      assertVariables(call(client, host, "it-file.42"), "it-file.42", "default/vars");
    }
  }

  @Test
  void from_rest_over_http1_and_http2_and_read_back_as_written() throws Exception {
    String host = "rest.vars.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]}, "policies": %s}"""
            .formatted(host, up.address(), POLICIES);
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/vars-api?wait=all", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    for (HttpClientAgent client : new HttpClientAgent[] {h1, h2}) {
      assertVariables(call(client, host, null), null, "acme/vars-api");
      assertVariables(call(client, host, "it-rest.7"), "it-rest.7", "acme/vars-api");
    }
    JsonObject read =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/vars-api", acme, null).body());
    assertThat(read.getJsonArray("policies").getJsonObject(0).getJsonObject("set").getMap())
        .containsEntry("x-client", "${client.address}")
        .containsEntry("x-price", "$$5");
    read.remove("revision");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/routes/vars-api?wait=all", acme, read.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
  }

  @Test
  void rest_refuses_an_unknown_variable_and_a_certificate_variable_without_client_auth()
      throws Exception {
    String host = "bad.vars.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "RequestHeaders",
                       "set": {"X-Who": "${remote_addr}", "X-Subject": "${tls.client.subject}"},
                       "add": {"X-Cost": "$5"}}]}"""
            .formatted(host, up.address());
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/bad", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    assertThat(put.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(put.body())
        .contains(
            "/policies/0/set/X-Who",
            "${remote_addr} is not a variable",
            "/policies/0/set/X-Subject",
            "tls.clientAuth",
            "/policies/0/add/X-Cost",
            "write $$ for a '$'");
  }

  /**
   * What the backend and the client saw. {@code sentId} is the client's X-Request-Id, or null: the
   * node generated one, which the backend gets as X-Request-Id and in the policy's headers alike.
   */
  private static void assertVariables(Answer a, String sentId, String route) {
    String as = a.version + " " + route + " id " + sentId;
    assertThat(a.status).as(as).isEqualTo(200);
    JsonObject seen = new JsonObject(a.body);
    String id = seen.getJsonArray("x-request-id").getString(0);
    if (sentId != null) {
      assertThat(id).as(as).isEqualTo(sentId);
    } else {
      assertThat(id).as(as).matches("[0-9a-f]{32}");
    }
    assertThat(seen.getJsonArray("x-client").getList()).as(as).containsExactly("127.0.0.1");
    assertThat(seen.getJsonArray("x-rid").getList()).as(as).containsExactly("rid=" + id);
    assertThat(seen.getJsonArray("x-route").getList()).as(as).containsExactly(route);
    assertThat(seen.getJsonArray("x-price").getList()).as(as).containsExactly("$5");
    assertThat(seen.getJsonArray("x-via").getList())
        .as(as)
        .containsExactly("client", "gatehouse " + route.substring(route.indexOf('/') + 1));
    assertThat(a.headers.getAll("x-trace")).as(as).containsExactly(id);
  }

  record Answer(String version, int status, MultiMap headers, String body) {}

  /** A GET with a forged X-Client, the client's own X-Via and, unless null, its X-Request-Id. */
  private Answer call(HttpClientAgent client, String host, String requestId) throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/v")
            .putHeader("X-Client", "203.0.113.66")
            .putHeader("X-Via", "client");
    if (requestId != null) {
      o.putHeader("X-Request-Id", requestId);
    }
    // Nested: body() asked for as the head arrives (LateResponseBodyIT, vert.x#6038).
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
                                            resp.version().name(),
                                            resp.statusCode(),
                                            resp.headers(),
                                            b.toString()))))
        .await(30, TimeUnit.SECONDS);
  }
}
