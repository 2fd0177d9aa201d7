package io.gatehouse.admin.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.TestCerts;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A named backend's REST body is one item of the routes file's {@code backends:}: the reader's
 * forms and texts at JSON pointers, REST's source, and an answer that reads back to the same object
 * and never holds a private key.
 */
class RestBackendsTest {
  private static final BackendKey KEY = new BackendKey(TenantId.of("acme"), "pool");

  static Stream<Arguments> badBackends() {
    return Stream.of(
        Arguments.of(
            "endpoint-address",
            "{\"endpoints\":[{\"address\":\"nohost\"}]}",
            "/endpoints/0/address: \"nohost\" (expected: HOST:PORT, as in 127.0.0.1:8080"
                + " or [::1]:8080)"),
        Arguments.of(
            "endpoint-host-in-the-string-form",
            "{\"endpoints\":[\"bad_host:80\"]}",
            "/endpoints/0: \"bad_host\" (expected: a DNS name or an IP address)"),
        Arguments.of(
            "unknown-key",
            "{\"endpoints\":[\"10.0.0.1:80\"],\"weight\":1}",
            "unknown key \"/weight\" (expected one of: name, tenant, protocol, endpoints, tls,"
                + " proxyProtocol, loadBalancing, healthCheck, outlierDetection, circuitBreaker)"),
        Arguments.of(
            "another-name",
            "{\"name\":\"other\",\"endpoints\":[\"10.0.0.1:80\"]}",
            "/name: \"other\" (expected: the backend's own name, pool)"),
        Arguments.of(
            "another-tenant",
            "{\"tenant\":\"evil\",\"endpoints\":[\"10.0.0.1:80\"]}",
            "/tenant: \"evil\" (expected: the backend's own tenant, acme)"),
        Arguments.of(
            "h2c-with-tls",
            "{\"protocol\":\"h2c\",\"endpoints\":[\"10.0.0.1:80\"],\"tls\":{}}",
            null),
        Arguments.of(
            "proxy-protocol-v3",
            "{\"endpoints\":[\"10.0.0.1:80\"],\"proxyProtocol\":\"v3\"}",
            "/proxyProtocol: \"v3\" (expected: v1 or v2 (leave it out for none))"),
        Arguments.of(
            "proxy-protocol-with-tls",
            "{\"endpoints\":[\"10.0.0.1:443\"],\"proxyProtocol\":\"v2\",\"tls\":{}}",
            "/proxyProtocol: \"v2\" (expected: none with tls: proxyProtocol is not supported with"
                + " tls upstreams yet)"),
        Arguments.of(
            "proxy-protocol-with-h2c",
            "{\"protocol\":\"h2c\",\"endpoints\":[\"10.0.0.1:80\"],\"proxyProtocol\":\"v1\"}",
            "/proxyProtocol: \"v1\" (expected: none with protocol h2c: proxyProtocol is supported"
                + " with http1 upstreams only, for now)"),
        Arguments.of(
            "proxy-protocol-with-a-grpc-check",
            "{\"endpoints\":[\"10.0.0.1:80\"],\"proxyProtocol\":\"v1\","
                + "\"healthCheck\":{\"grpc\":{}}}",
            "/healthCheck: \"grpc\" (expected: a tcp or http check with proxyProtocol (grpc probes"
                + " do not send the header yet))"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBackends")
  void a_bad_backend_is_refused_in_the_routes_file_words_at_its_pointer(
      String name, String json, String message) {
    Translated<BackendObject> t = RestBackends.read(KEY, new JsonObject(json));
    assertThat(t.isValid()).isFalse();
    if (message != null) {
      assertThat(t.errors()).extracting(FieldError::message).containsExactly(message);
    }
    assertThat(t.errors()).allMatch(e -> e.pointer().startsWith("/"));
    assertThat(t.errors().get(0).under("/items/3/backend").pointer())
        .startsWith("/items/3/backend/");
  }

  static Stream<Arguments> backends() {
    return Stream.of(
        Arguments.of("minimal", "{\"endpoints\":[\"10.0.0.1:80\"]}"),
        Arguments.of("empty", "{\"endpoints\":[]}"),
        Arguments.of(
            "h2c-weights",
            "{\"name\":\"pool\",\"tenant\":\"acme\",\"protocol\":\"h2c\","
                + "\"endpoints\":[{\"address\":\"[fd00::1]:80\",\"weight\":5},\"10.0.0.2:80\"]}"),
        Arguments.of(
            "h2-over-tls",
            "{\"protocol\":\"h2\",\"endpoints\":[\"10.0.0.1:443\"],"
                + "\"tls\":{\"serverName\":\"api.internal\",\"verifyHostname\":false}}"),
        Arguments.of(
            "proxy-protocol-v2-with-a-tcp-check",
            "{\"endpoints\":[\"10.0.0.1:25\"],\"proxyProtocol\":\"v2\","
                + "\"healthCheck\":{\"tcp\":{}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void backend_round_trips_with_its_revision_and_source(String name, String json) {
    Translated<BackendObject> t = RestBackends.read(KEY, new JsonObject(json));
    assertThat(t.errors()).isEmpty();
    assertThat(t.value().key()).isEqualTo(KEY);
    assertThat(t.value().source()).isEqualTo(RestBackends.SOURCE).isEqualTo("api");
    JsonObject out = RestBackends.write(t.value(), 3);
    assertThat(out.fieldNames()).startsWith("name", "tenant", "revision", "source");
    assertThat(out.getString("name")).isEqualTo("pool");
    assertThat(out.getLong("revision")).isEqualTo(3L);
    JsonObject back = out.copy();
    back.remove("revision");
    back.remove("source");
    Translated<BackendObject> again = RestBackends.read(KEY, back);
    assertThat(again.errors()).isEmpty();
    assertThat(again.value()).isEqualTo(t.value());
  }

  @Test
  void a_client_certificate_key_is_read_and_never_written() {
    TestCerts.Pem pem = TestCerts.selfSigned("client.acme.example");
    JsonObject body =
        new JsonObject()
            .put("protocol", "h2")
            .put("endpoints", new JsonArray().add("10.0.0.1:443"))
            .put(
                "tls",
                new JsonObject()
                    .put(
                        "clientCertificate",
                        new JsonObject()
                            .put("certificateChain", pem.chain())
                            .put("privateKey", pem.key())));
    Translated<BackendObject> t = RestBackends.read(KEY, body);
    assertThat(t.errors()).isEmpty();
    assertThat(t.value().spec().protocol()).isEqualTo(UpstreamProtocol.H2);
    assertThat(t.value().spec().tls().clientCertificate()).isNotNull();
    String out = RestBackends.write(t.value(), 1).encode();
    String keyBody = pem.key().replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
    assertThat(out).doesNotContain(keyBody).doesNotContain("PRIVATE KEY");
    assertThat(out).contains("certificateChain");
  }

  @Test
  void endpoint_pointer_follows_the_form_the_body_used() {
    JsonObject body =
        new JsonObject("{\"endpoints\":[\"10.0.0.1:80\",{\"address\":\"10.0.0.2:80\"}]}");
    assertThat(RestBackends.endpointPointer(body, 0)).isEqualTo("/endpoints/0");
    assertThat(RestBackends.endpointPointer(body, 1)).isEqualTo("/endpoints/1/address");
  }
}
