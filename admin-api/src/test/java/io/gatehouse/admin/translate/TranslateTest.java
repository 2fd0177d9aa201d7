package io.gatehouse.admin.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.Violation;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven cases for the pure translators. The route document's own cases (forms, round trips)
 * are in cluster's {@code DocumentReaderTest} and {@code DocumentWriterTest}; here is what REST
 * adds: pointers, the revision, and the certificate body's field names.
 */
class TranslateTest {
  private static final RouteKey KEY = RouteKey.of("acme", "api", "web");

  static Stream<Arguments> certificatePointers() {
    return Stream.of(
        Arguments.of("certificateChainPem", "/certificateChainPem"),
        Arguments.of("certificateChainPem[2]", "/certificateChainPem"),
        Arguments.of("certificateChainPem+privateKey", "/certificateChainPem"),
        Arguments.of("privateKey", "/privateKeyPem"),
        Arguments.of("name", "/name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificatePointers")
  void certificate_violation_pointer(String field, String pointer) {
    assertThat(CertificateJson.fieldError(new Violation(field, "v", "r")).pointer())
        .isEqualTo(pointer);
  }

  static Stream<Arguments> routeViolationPointers() {
    return Stream.of(
        Arguments.of("tls.certificateName", "/tls/certificate"),
        Arguments.of("tls.hosts[1]", "/tls/hosts/1"),
        Arguments.of("tls.hsts.maxAge", "/tls/hsts/maxAge"),
        Arguments.of("tls.clientAuth.caBundlePem", "/tls/clientAuth/caBundle"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routeViolationPointers")
  void route_violation_pointer(String field, String pointer) {
    assertThat(RestRoutes.fieldError(new Violation(field, "v", "r")).pointer()).isEqualTo(pointer);
  }

  static Stream<Arguments> badRoutes() {
    return Stream.of(
        Arguments.of(
            "endpoint-address",
            "{\"backend\":{\"endpoints\":[{\"address\":\"nohost\"}]}}",
            "/backend/endpoints/0/address: \"nohost\" (expected: HOST:PORT, as in 127.0.0.1:8080"
                + " or [::1]:8080)"),
        Arguments.of(
            "endpoint-host-in-the-string-form",
            "{\"backend\":{\"endpoints\":[\"bad_host:80\"]}}",
            "/backend/endpoints/0: \"bad_host\" (expected: a DNS name or an IP address)"),
        Arguments.of(
            "duration",
            "{\"backend\":{\"endpoints\":[\"10.0.0.1:80\"]},\"timeouts\":{\"connect\":\"soon\"}}",
            "/timeouts/connect: \"soon\" (expected: a duration such as 10s, 250ms, 5m, 1h or"
                + " PT10S)"),
        Arguments.of(
            "missing-backend",
            "{\"hosts\":[\"a.example\"]}",
            "/backend: missing (expected: a mapping with protocol and endpoints)"),
        Arguments.of(
            "unknown-key",
            "{\"backend\":{\"endpoints\":[\"10.0.0.1:80\"],\"colour\":1}}",
            "unknown key \"/backend/colour\" (expected one of: protocol, endpoints, tls,"
                + " proxyProtocol, loadBalancing, healthCheck, outlierDetection, circuitBreaker)"),
        Arguments.of(
            "another-tenant",
            "{\"tenant\":\"evil\",\"backend\":{\"endpoints\":[\"10.0.0.1:80\"]}}",
            "/tenant: \"evil\" (expected: the route's own tenant, acme)"),
        Arguments.of(
            "proxy-protocol-with-tls",
            "{\"backend\":{\"endpoints\":[\"10.0.0.1:443\"],\"proxyProtocol\":\"v1\",\"tls\":{}}}",
            "/backend/proxyProtocol: \"v1\" (expected: none with tls: proxyProtocol is not"
                + " supported with tls upstreams yet)"),
        Arguments.of(
            "proxy-protocol-in-backendRefs-unknown-version",
            "{\"backendRefs\":[{\"weight\":1,\"endpoints\":[\"10.0.0.1:80\"],"
                + "\"proxyProtocol\":\"v9\"}]}",
            "/backendRefs/0/proxyProtocol: \"v9\" (expected: v1 or v2 (leave it out for none))"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRoutes")
  void a_bad_route_is_refused_in_the_routes_file_words_at_its_pointer(
      String name, String json, String message) {
    Translated<RouteSpec> t = RestRoutes.read(KEY, new JsonObject(json));
    assertThat(t.isValid()).isFalse();
    assertThat(t.errors()).extracting(FieldError::message).containsExactly(message);
    assertThat(t.errors().get(0).under("/items/3/route").message())
        .contains("/items/3/route/" + t.errors().get(0).pointer().substring(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void route_round_trips_with_its_revision(String name, String json) {
    Translated<RouteSpec> t = RestRoutes.read(KEY, new JsonObject(json));
    assertThat(t.errors()).isEmpty();
    JsonObject out = RestRoutes.write(t.value(), 3);
    assertThat(out.fieldNames()).startsWith("name", "tenant", "revision");
    assertThat(out.getLong("revision")).isEqualTo(3L);
    JsonObject back = out.copy();
    back.remove("revision");
    Translated<RouteSpec> again = RestRoutes.read(KEY, back);
    assertThat(again.errors()).isEmpty();
    assertThat(again.value()).isEqualTo(t.value());
  }

  static Stream<Arguments> routes() {
    return Stream.of(
        Arguments.of(
            "minimal",
            "{\"hosts\":[\"a.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}"),
        Arguments.of(
            "everything",
            "{\"hosts\":[\"a.example\"],\"paths\":[{\"type\":\"Exact\",\"value\":\"/x\"}],\"methods\":[\"GET\"],"
                + "\"headers\":[{\"name\":\"x\",\"type\":\"Present\"}],\"queries\":[{\"name\":\"q\",\"value\":\"1\"}],"
                + "\"backend\":{\"protocol\":\"h2c\",\"endpoints\":[{\"address\":\"[::1]:80\",\"weight\":5}]},"
                + "\"timeouts\":{\"connect\":\"1s\",\"request\":\"0\"},\"maxRequestBodyBytes\":0,\"priority\":-3,"
                + "\"tls\":{\"certificate\":\"c\",\"redirect\":\"off\",\"hsts\":{\"maxAge\":\"365d\",\"includeSubDomains\":true,\"preload\":true}}}"),
        Arguments.of(
            "h2-over-tls",
            "{\"hosts\":[\"a.example\"],\"backend\":{\"protocol\":\"h2\",\"endpoints\":[\"10.0.0.1:443\"],"
                + "\"tls\":{\"serverName\":\"api.internal\",\"insecureSkipVerify\":false}}}"),
        Arguments.of(
            "proxy-protocol",
            "{\"hosts\":[\"a.example\"],\"backend\":{\"endpoints\":[\"10.0.0.1:80\"],"
                + "\"proxyProtocol\":\"v2\"}}"));
  }
}
