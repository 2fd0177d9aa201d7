package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.policy.RequestMirror;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend's {@code proxyProtocol} in the route document (routes file and REST read it alike):
 * where it is read, the combinations Gatehouse cannot send the header with refused with their key
 * named, and what the writer gives back.
 */
@Timeout(10)
class ProxyProtocolDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EP = "\"endpoints\": [\"10.0.0.1:8080\"]";

  private static Read<List<RouteSpec>> route(String fields) {
    try {
      return DocumentReader.readDocument(
          JSON.readTree("{\"routes\": [{\"name\": \"r\", " + fields + "}]}"), "doc");
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> messages(Read<?> read) {
    return read.problems().stream().map(DocProblem::message).toList();
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("v1", "\"backend\": {" + EP + ", \"proxyProtocol\": \"v1\"}", "V1"),
        Arguments.of("v2-any-case", "\"backend\": {" + EP + ", \"proxyProtocol\": \"V2\"}", "V2"),
        Arguments.of("absent-is-none", "\"backend\": {" + EP + "}", null),
        Arguments.of("null-is-none", "\"backend\": {" + EP + ", \"proxyProtocol\": null}", null),
        Arguments.of(
            "in-backendRefs",
            "\"backendRefs\": [{\"weight\": 1, " + EP + ", \"proxyProtocol\": \"v2\"}]",
            "V2"),
        Arguments.of(
            "with-a-tcp-health-check",
            "\"backend\": {" + EP + ", \"proxyProtocol\": \"v1\", \"healthCheck\": {\"tcp\": {}}}",
            "V1"),
        Arguments.of(
            "with-an-http-health-check",
            "\"backend\": {"
                + EP
                + ", \"proxyProtocol\": \"v2\", \"healthCheck\": {\"http\": {\"path\": \"/\"}}}",
            "V2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted_forms_read_to_the_model(String name, String fields, String expected) {
    Read<List<RouteSpec>> read = route(fields);
    assertThat(messages(read)).isEmpty();
    BackendSpec b = (BackendSpec) read.value().get(0).backends().get(0).ref();
    assertThat(b.proxyProtocol())
        .isEqualTo(expected == null ? null : ProxyProtocolVersion.valueOf(expected));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "unknown-version",
            "\"backend\": {" + EP + ", \"proxyProtocol\": \"v3\"}",
            "routes[0].backend.proxyProtocol: \"v3\" (expected: v1 or v2 (leave it out for"
                + " none))"),
        Arguments.of(
            "a-boolean",
            "\"backend\": {" + EP + ", \"proxyProtocol\": true}",
            "routes[0].backend.proxyProtocol: \"true\" (expected: v1 or v2 (leave it out for"
                + " none))"),
        Arguments.of(
            "with-upstream-tls",
            "\"backend\": {" + EP + ", \"proxyProtocol\": \"v2\", \"tls\": {}}",
            "routes[0].backend.proxyProtocol: \"v2\" (expected: none with tls: proxyProtocol"
                + " is not supported with tls upstreams yet)"),
        Arguments.of(
            "with-h2c",
            "\"backend\": {" + EP + ", \"proxyProtocol\": \"v1\", \"protocol\": \"h2c\"}",
            "routes[0].backend.proxyProtocol: \"v1\" (expected: none with protocol h2c:"
                + " proxyProtocol is supported with http1 upstreams only, for now)"),
        Arguments.of(
            "with-a-grpc-health-check",
            "\"backend\": {" + EP + ", \"proxyProtocol\": \"v1\", \"healthCheck\": {\"grpc\": {}}}",
            "routes[0].backend.healthCheck: \"grpc\" (expected: a tcp or http check with"
                + " proxyProtocol (grpc probes do not send the header yet))"),
        Arguments.of(
            "on-a-service",
            "\"backendRefs\": [{\"weight\": 1, \"service\": {\"name\": \"web\", \"port\": 80},"
                + " \"proxyProtocol\": \"v1\"}]",
            "unknown key \"routes[0].backendRefs[0].proxyProtocol\" (expected one of: weight,"
                + " service, protocol, tls, loadBalancing, healthCheck, outlierDetection,"
                + " circuitBreaker, canary)"),
        Arguments.of(
            "on-an-error-pages-backend",
            "\"backend\": {"
                + EP
                + "}, \"policies\": [{\"type\": \"ErrorPages\", \"codes\": [503], \"backend\": {"
                + EP
                + ", \"proxyProtocol\": \"v1\"}}]",
            "routes[0].policies[0].backend.proxyProtocol: \"v1\" (expected: no proxyProtocol on"
                + " an error pages backend (its fetch sends no PROXY header))"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused_with_the_key_named(String name, String fields, String message) {
    Read<List<RouteSpec>> read = route(fields);
    assertThat(read.value()).isNullOrEmpty();
    assertThat(messages(read)).containsExactly(message);
  }

  @Test
  void a_mirror_backend_may_send_it() {
    Read<List<RouteSpec>> read =
        route(
            "\"backend\": {"
                + EP
                + "}, \"policies\": [{\"type\": \"RequestMirror\", \"backendRef\": {"
                + EP
                + ", \"proxyProtocol\": \"v2\"}}]");
    assertThat(messages(read)).isEmpty();
    RequestMirror m = (RequestMirror) read.value().get(0).policies().get(0);
    assertThat(((BackendSpec) m.backendRef()).proxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);
  }

  @Test
  void a_named_backend_reads_it_and_names_the_key_at_its_top_level() throws Exception {
    BackendKey key = new BackendKey(TenantId.of("acme"), "pool");
    Read<BackendObject> ok =
        DocumentReader.readBackend(
            JSON.readTree("{" + EP + ", \"proxyProtocol\": \"v2\"}"), DocPath.ROOT, key, "api");
    assertThat(messages(ok)).isEmpty();
    assertThat(ok.value().spec().proxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);

    Read<BackendObject> tls =
        DocumentReader.readBackend(
            JSON.readTree("{" + EP + ", \"proxyProtocol\": \"v2\", \"tls\": {}}"),
            DocPath.ROOT,
            key,
            "api");
    assertThat(messages(tls))
        .containsExactly(
            "proxyProtocol: \"v2\" (expected: none with tls: proxyProtocol is not supported"
                + " with tls upstreams yet)");
  }

  @Test
  void the_writer_gives_it_back_and_leaves_it_out_when_none() throws Exception {
    BackendKey key = new BackendKey(TenantId.of("acme"), "pool");
    for (String v : List.of("v1", "v2")) {
      BackendObject b =
          DocumentReader.readBackend(
                  JSON.readTree("{" + EP + ", \"proxyProtocol\": \"" + v + "\"}"),
                  DocPath.ROOT,
                  key,
                  "api")
              .value();
      assertThat(DocumentWriter.backend(b).get("proxyProtocol").asText()).isEqualTo(v);
      Read<BackendObject> again =
          DocumentReader.readBackend(DocumentWriter.backend(b), DocPath.ROOT, key, "api");
      assertThat(again.value()).isEqualTo(b);
    }
    BackendObject none =
        DocumentReader.readBackend(JSON.readTree("{" + EP + "}"), DocPath.ROOT, key, "api").value();
    assertThat(DocumentWriter.backend(none).has("proxyProtocol")).isFalse();
  }
}
