package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * REST takes the routes file's route document (issue #12): HTTP/2 over TLS, upstream TLS and client
 * certificates on both sides go in with PUT, come back complete with GET, and the GET answer PUT
 * again changes nothing (same revision). The file's shorthands and error texts hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RestRouteParityIT {
  private static final String HOST = "www.acme.example";
  private static final String ROUTES = "/v1/tenants/acme/routes/";

  AdminApiFixture f;
  String t;
  TestCerts.Pem ca;
  TestCerts.Pem client;

  @BeforeAll
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    assertThat(f.put("/v1/tenants/acme/host-claims/" + HOST, t, null).status()).isEqualTo(201);
    TestCerts.Pem served = TestCerts.selfSigned(HOST);
    assertThat(f.put("/v1/tenants/acme/certificates/www", t, TestCerts.body(served)).status())
        .isEqualTo(201);
    ca = TestCerts.selfSigned("upstream-ca.example");
    client = TestCerts.selfSigned("gatehouse-client.example");
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private JsonObject route(JsonObject backend) {
    return new JsonObject().put("hosts", new JsonArray().add(HOST)).put("backend", backend);
  }

  /** PUT, GET, then the GET answer (without its revision) PUT again: nothing changes. */
  private JsonObject roundTrip(String name, JsonObject body) {
    AdminApiFixture.Resp put = f.put(ROUTES + name, t, body.encode());
    assertThat(put.status()).as(put.toString()).isEqualTo(201);
    AdminApiFixture.Resp got = f.get(ROUTES + name, t);
    assertThat(got.status()).isEqualTo(200);
    JsonObject answer = got.json();
    assertThat(answer).isEqualTo(put.json());
    JsonObject again = answer.copy();
    again.remove("revision");
    long generation = f.table.view().generation();
    AdminApiFixture.Resp put2 = f.put(ROUTES + name, t, again.encode());
    assertThat(put2.status()).as(put2.toString()).isEqualTo(200);
    assertThat(put2.json()).isEqualTo(answer);
    assertThat(put2.header("ETag")).isEqualTo(got.header("ETag"));
    assertThat(f.table.view().generation()).isEqualTo(generation);
    return answer;
  }

  @Test
  void http2_over_tls_with_a_ca_and_a_server_name_round_trips() {
    JsonObject answer =
        roundTrip(
            "h2",
            route(
                new JsonObject()
                    .put("protocol", "h2")
                    .put("endpoints", new JsonArray().add("10.0.0.1:8443"))
                    .put(
                        "tls",
                        new JsonObject()
                            .put("caBundle", ca.chain())
                            .put("serverName", "api.internal"))));
    JsonObject backend = answer.getJsonObject("backend");
    assertThat(backend.getString("protocol")).isEqualTo("h2");
    assertThat(backend.getJsonObject("tls"))
        .isEqualTo(
            new JsonObject()
                .put("caBundle", ca.chain())
                .put("serverName", "api.internal")
                .put("verifyHostname", true)
                .put("insecureSkipVerify", false));
  }

  @Test
  void a_tls_passthrough_route_round_trips_and_its_refusals_are_problems() {
    JsonObject body =
        route(new JsonObject().put("endpoints", new JsonArray().add("10.0.0.9:8443")))
            .put("tls", new JsonObject().put("passthrough", true));
    JsonObject answer = roundTrip("pt", body);
    assertThat(answer.getJsonObject("tls").getBoolean("passthrough")).isTrue();
    assertThat(answer.getJsonObject("tls").containsKey("certificate")).isFalse();
    RouteSpec stored = f.table.view().routes().get(RouteKey.of("acme", "api", "pt"));
    assertThat(stored.tls()).isEqualTo(TlsSpec.passthrough(List.of(HOST)));

    // The schema refuses what passthrough cannot use (the client's TLS is never terminated) and a
    // passthrough: false; the validator what needs the request. Nothing is stored.
    long generation = f.table.view().generation();
    for (JsonObject tls :
        List.of(
            new JsonObject().put("passthrough", true).put("certificate", "www"),
            new JsonObject().put("passthrough", true).put("hsts", new JsonObject()),
            new JsonObject().put("passthrough", true).put("redirect", "off"),
            new JsonObject().put("passthrough", false))) {
      AdminApiFixture.Resp r =
          f.put(ROUTES + "pt-bad", t, route(endpoints()).put("tls", tls).encode());
      assertThat(r.status()).as("%s: %s", tls, r).isEqualTo(400);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    AdminApiFixture.Resp withPath =
        f.put(
            ROUTES + "pt-bad",
            t,
            route(endpoints())
                .put("paths", new JsonArray().add("/api"))
                .put("tls", new JsonObject().put("passthrough", true))
                .encode());
    assertThat(withPath.status()).as(withPath.toString()).isEqualTo(400);
    assertThat(withPath.body()).contains("paths").contains("passthrough");
    assertThat(f.get(ROUTES + "pt-bad", t).status()).isEqualTo(404);
    assertThat(f.table.view().generation()).isEqualTo(generation);
  }

  private static JsonObject endpoints() {
    return new JsonObject().put("endpoints", new JsonArray().add("10.0.0.9:8443"));
  }

  @Test
  void downstream_client_certificates_round_trip() {
    JsonObject body =
        route(new JsonObject().put("endpoints", new JsonArray().add("10.0.0.1:8080")))
            .put(
                "tls",
                new JsonObject()
                    .put("certificate", "www")
                    .put(
                        "clientAuth",
                        new JsonObject().put("mode", "required").put("caBundle", ca.chain())));
    JsonObject answer = roundTrip("mtls", body);
    assertThat(answer.getJsonObject("tls").getJsonObject("clientAuth"))
        .isEqualTo(
            new JsonObject()
                .put("mode", "required")
                .put("caBundle", ca.chain())
                .put("verifyDepth", 0)
                .put("passCertificate", false));
    RouteSpec stored = f.table.view().routes().get(RouteKey.of("acme", "api", "mtls"));
    assertThat(stored.tls().clientAuth()).isEqualTo(ClientAuth.required(ca.chain()));
  }

  @Test
  void an_upstream_client_certificate_is_stored_and_its_key_never_answered() {
    JsonObject body =
        route(
            new JsonObject()
                .put("endpoints", new JsonArray().add("10.0.0.1:8443"))
                .put(
                    "tls",
                    new JsonObject()
                        .put("insecureSkipVerify", true)
                        .put(
                            "clientCertificate",
                            new JsonObject()
                                .put("certificateChain", client.chain())
                                .put("privateKey", client.key()))));
    AdminApiFixture.Resp put = f.put(ROUTES + "client-cert", t, body.encode());
    assertThat(put.status()).as(put.toString()).isEqualTo(201);
    RouteSpec stored = f.table.view().routes().get(RouteKey.of("acme", "api", "client-cert"));
    UpstreamTls tls = stored.backend().tls();
    assertThat(tls.insecureSkipVerify()).isTrue();
    assertThat(tls.clientCertificate().privateKey().pem()).isEqualTo(client.key());
    JsonObject got = f.get(ROUTES + "client-cert", t).json();
    assertThat(got.getJsonObject("backend").getJsonObject("tls").getJsonObject("clientCertificate"))
        .isEqualTo(new JsonObject().put("certificateChain", client.chain()));
    assertThat(got.encode()).doesNotContain("PRIVATE KEY");
    // The answer sent back as is lacks the key: refused, and the stored route keeps it.
    got.remove("revision");
    AdminApiFixture.Resp again = f.put(ROUTES + "client-cert", t, got.encode());
    assertThat(again.status()).isEqualTo(400);
    assertThat(messages(again))
        .containsExactly(
            "/backend/tls/clientCertificate/privateKey: missing (expected: a PEM private key)");
    assertThat(f.table.view().routes().get(RouteKey.of("acme", "api", "client-cert")))
        .isEqualTo(stored);
  }

  @Test
  void get_answers_a_stored_route_as_it_is_h2_and_every_tls_field() {
    // Written to the table by another writer: GET once answered h2 as http1 without its tls.
    RouteSpec spec =
        new RouteSpec(
            RouteKey.of("acme", "api", "stored"),
            List.of(HOST),
            List.of(),
            Set.of(),
            List.of(),
            List.of(),
            new BackendSpec(
                UpstreamProtocol.H2,
                List.of(Endpoint.of("10.0.0.2", 8443)),
                new UpstreamTls(
                    ca.chain(),
                    true,
                    "api.internal",
                    false,
                    new KeyCertPem(client.chain(), new PrivateKeyPem(client.key())))),
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            0,
            new TlsSpec(
                List.of(HOST),
                "www",
                HttpsRedirect.DEFAULT,
                Hsts.OFF,
                ClientAuth.optional(ca.chain())));
    f.table.apply(Batch.of(Write.put(spec, Write.ANY)));
    JsonObject got = f.get(ROUTES + "stored", t).json();
    assertThat(got.getJsonObject("backend").getString("protocol")).isEqualTo("h2");
    assertThat(got.getJsonObject("backend").getJsonObject("tls").getString("serverName"))
        .isEqualTo("api.internal");
    assertThat(got.getJsonObject("tls").getJsonObject("clientAuth").getString("mode"))
        .isEqualTo("optional");
    assertThat(got.encode()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void the_routes_file_shorthands_are_accepted_and_answered_in_the_long_form() {
    JsonObject body =
        new JsonObject(
            """
            {"hosts": ["www.acme.example"], "paths": ["/api"],
             "backend": {"endpoints": ["10.0.0.1:8080", {"address": "10.0.0.2:8080", "weight": 3}]},
             "timeouts": {"connect": "1m30s", "response": "PT10S"},
             "maxRequestBodyBytes": "10MiB",
             "tls": {"certificate": "www", "redirect": 301}}""");
    JsonObject answer = roundTrip("shorthands", body);
    assertThat(answer.getJsonArray("paths"))
        .isEqualTo(
            new JsonArray().add(new JsonObject().put("type", "Prefix").put("value", "/api")));
    assertThat(answer.getJsonObject("backend").getJsonArray("endpoints").getJsonObject(0))
        .isEqualTo(new JsonObject().put("address", "10.0.0.1:8080").put("weight", 1));
    assertThat(answer.getJsonObject("timeouts").getString("connect")).isEqualTo("90s");
    assertThat(answer.getJsonObject("timeouts").getString("response")).isEqualTo("10s");
    assertThat(answer.getLong("maxRequestBodyBytes")).isEqualTo(10L << 20);
    assertThat(answer.getJsonObject("tls").getString("redirect")).isEqualTo("301");
  }

  @Test
  void a_bad_route_is_refused_in_the_routes_file_words() {
    JsonObject body =
        new JsonObject(
            """
            {"hosts": ["www.acme.example"], "colour": "blue",
             "backend": {"protocol": "h3", "endpoints": [{"address": "nohost"}]},
             "timeouts": {"connect": "soon"}}""");
    AdminApiFixture.Resp r = f.put(ROUTES + "bad", t, body.encode());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(messages(r))
        .containsExactlyInAnyOrder(
            "unknown key \"/colour\" (expected one of: name, tenant, hosts, paths, methods,"
                + " headers, queries, backend, backendRefs, timeouts, maxRequestBodyBytes,"
                + " maxResponseHeaderBytes, priority, tls, policies)",
            "/backend/protocol: \"h3\" (expected: http1, h2c or h2)",
            "/backend/endpoints/0/address: \"nohost\" (expected: HOST:PORT, as in"
                + " 127.0.0.1:8080 or [::1]:8080)",
            "/timeouts/connect: \"soon\" (expected: a duration such as 10s, 250ms, 5m, 1h or"
                + " PT10S)");
    // In a batch, the same texts under the item's route.
    AdminApiFixture.Resp batch =
        f.send(
            "POST",
            "/v1/tenants/acme/batch",
            t,
            new JsonObject()
                .put(
                    "items",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("op", "put")
                                .put("kind", "route")
                                .put("name", "bad")
                                .put("route", body)))
                .encode());
    assertThat(batch.status()).isEqualTo(400);
    assertThat(messages(batch))
        .contains("/items/0/route/backend/protocol: \"h3\" (expected: http1, h2c or h2)");
  }

  @Test
  void rest_keeps_its_own_rules_after_the_document() {
    // A route for every host is a file route only.
    AdminApiFixture.Resp noHosts =
        f.put(ROUTES + "everywhere", t, "{\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"]}}");
    assertThat(noHosts.status()).isEqualTo(400);
    assertThat(messages(noHosts))
        .containsExactly("/hosts: at least one host, each claimed by the tenant");
    // The endpoint policy names the string form where it is.
    AdminApiFixture.Resp metadata =
        f.put(
            ROUTES + "meta",
            t,
            route(new JsonObject().put("endpoints", new JsonArray().add("169.254.169.254:80")))
                .encode());
    assertThat(metadata.status()).isEqualTo(400);
    assertThat(pointers(metadata)).containsExactly("/backend/endpoints/0");
    // A name or tenant in the body is the path's.
    AdminApiFixture.Resp other =
        f.put(
            ROUTES + "named",
            t,
            route(new JsonObject().put("endpoints", new JsonArray().add("10.0.0.1:8080")))
                .put("tenant", "other")
                .encode());
    assertThat(messages(other))
        .containsExactly("/tenant: \"other\" (expected: the route's own tenant, acme)");
  }

  @Test
  void a_weighted_split_round_trips_as_backend_refs() {
    JsonObject body =
        new JsonObject(
            """
            {"hosts": ["www.acme.example"],
             "backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:8080"]},
                             {"weight": 10, "protocol": "h2c", "endpoints": ["10.0.0.2:8080"]}]}""");
    JsonObject answer = roundTrip("split", body);
    assertThat(answer.containsKey("backend")).isFalse();
    assertThat(answer.getJsonArray("backendRefs").getJsonObject(1))
        .isEqualTo(
            new JsonObject(
                """
                {"weight": 10, "protocol": "h2c",
                 "endpoints": [{"address": "10.0.0.2:8080", "weight": 1}]}"""));
    RouteSpec stored = f.table.view().routes().get(RouteKey.of("acme", "api", "split"));
    assertThat(stored.backends()).extracting(RouteBackend::weight).containsExactly(90, 10);
  }

  @Test
  void every_backend_of_a_split_meets_the_endpoint_policy_and_none_names_a_service() {
    AdminApiFixture.Resp metadata =
        f.put(
            ROUTES + "split-meta",
            t,
            """
            {"hosts": ["www.acme.example"],
             "backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:8080"]},
                             {"weight": 10, "endpoints": [{"address": "169.254.169.254:80"}]}]}""");
    assertThat(metadata.status()).isEqualTo(400);
    assertThat(pointers(metadata)).containsExactly("/backendRefs/1/endpoints/0/address");
    AdminApiFixture.Resp service =
        f.put(
            ROUTES + "split-service",
            t,
            """
            {"hosts": ["www.acme.example"],
             "backendRefs": [{"weight": 90, "service": {"name": "web", "port": 80}},
                             {"weight": 10, "endpoints": ["10.0.0.1:8080"]}]}""");
    assertThat(service.status()).isEqualTo(400);
    assertThat(messages(service))
        .containsExactly(
            "/backendRefs/0/service: \"web\" (expected: a backend that lists its endpoints (a"
                + " REST route cannot refer to a Kubernetes Service))");
    // The document's own rules, in the file's words.
    AdminApiFixture.Resp both =
        f.put(
            ROUTES + "split-both",
            t,
            """
            {"hosts": ["www.acme.example"], "backend": {"endpoints": ["10.0.0.1:8080"]},
             "backendRefs": [{"endpoints": ["10.0.0.2:8080"]}]}""");
    assertThat(messages(both))
        .containsExactly(
            "/backendRefs: \"backend and backendRefs\" (expected: one of backend or"
                + " backendRefs)");
  }

  private static List<String> messages(AdminApiFixture.Resp r) {
    return r.json().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("message"))
        .toList();
  }

  private static List<String> pointers(AdminApiFixture.Resp r) {
    return r.json().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("pointer"))
        .toList();
  }
}
