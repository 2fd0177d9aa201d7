package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writer writes what the reader reads: every route read from a document, written and read
 * again, is the same spec. Private keys are the one exception, by design: never written.
 */
@Timeout(60)
class DocumentWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final RouteKey KEY = RouteKey.of("acme", "api", "web");

  private static final Instant NOW = Instant.now();

  private static final TestPki.Issued CA =
      TestPki.issue(
          TestPki.ec(),
          "Writer CA",
          List.of(),
          NOW.minus(Duration.ofDays(1)),
          NOW.plus(Duration.ofDays(30)),
          null,
          true);

  private static final TestPki.Issued CLIENT =
      TestPki.issue(
          TestPki.ec(),
          "client",
          List.of(),
          NOW.minus(Duration.ofDays(1)),
          NOW.plus(Duration.ofDays(30)),
          CA,
          false);

  static Stream<Arguments> routes() {
    String ca = JSON.getNodeFactory().textNode(CA.certPem()).toString();
    return Stream.of(
        Arguments.of("minimal", "{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"]}}"),
        Arguments.of(
            "every-common-field",
            """
            {"hosts": ["a.example", "*.b.example"],
             "paths": [{"type": "Exact", "value": "/x"}, "/api",
                       {"type": "RegularExpression", "value": "/v[0-9]+/.*"},
                       {"type": "ImplementationSpecific", "value": "/i"}],
             "methods": ["POST", "GET"],
             "headers": [{"name": "X-Canary", "value": "1"}, {"name": "x-debug", "type": "Present"},
                         {"name": "x-re", "type": "RegularExpression", "value": "a+"}],
             "queries": [{"name": "q", "type": "RegularExpression", "value": "a.*"}],
             "backend": {"protocol": "h2c",
                         "endpoints": [{"address": "10.0.0.1:8080", "weight": 3}, "[fd00::1]:8081",
                                       {"address": "b.internal:80", "weight": 0}]},
             "timeouts": {"connect": "1m30s", "response": "PT10S", "bodyIdle": "250ms",
                          "request": "0"},
             "maxRequestBodyBytes": "10MiB",
             "priority": -3,
             "tls": {"certificate": "www", "hosts": ["a.example"], "redirect": 301,
                     "hsts": {"maxAge": "365d", "includeSubDomains": true, "preload": true}}}"""),
        Arguments.of(
            "h2-over-tls",
            """
            {"backend": {"protocol": "h2", "endpoints": ["10.0.0.1:443"], "tls": {}}}"""),
        Arguments.of(
            "backend-tls-every-field",
            "{\"backend\": {\"endpoints\": [\"10.0.0.1:443\"], \"tls\": {\"caBundle\": "
                + ca
                + ", \"serverName\": \"API.internal\", \"verifyHostname\": false}}}"),
        Arguments.of(
            "backend-tls-insecure",
            """
            {"backend": {"endpoints": ["10.0.0.1:443"], "tls": {"insecureSkipVerify": true}}}"""),
        Arguments.of(
            "tls-client-auth",
            "{\"hosts\": [\"a.example\"], \"backend\": {\"endpoints\": [\"10.0.0.1:80\"]},"
                + " \"tls\": {\"certificate\": \"www\", \"redirect\": \"off\", \"clientAuth\":"
                + " {\"mode\": \"required\", \"caBundle\": "
                + ca
                + "}}}"),
        Arguments.of(
            "split-90-10",
            """
            {"backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:80"]},
                             {"weight": 10, "protocol": "h2c", "endpoints": ["10.0.0.2:80"]}]}"""),
        Arguments.of(
            "split-with-a-service-port-and-weight-0",
            """
            {"backendRefs": [{"weight": 3, "endpoints": ["10.0.0.1:80"]},
                             {"weight": 0, "service": {"name": "web", "port": "http"}},
                             {"service": {"name": "api", "port": 8080}, "protocol": "h2c"}]}"""),
        Arguments.of(
            "one-backend-ref-at-weight-0",
            """
            {"backendRefs": [{"weight": 0, "endpoints": ["10.0.0.1:80"]}]}"""),
        // The shorthand means weight 1: a lone backend at another weight keeps it on the way back.
        Arguments.of(
            "one-backend-ref-at-weight-90",
            """
            {"backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:80"]}]}"""),
        Arguments.of(
            "canary-by-header-value-and-cookie",
            """
            {"backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:80"]},
                             {"weight": 10, "endpoints": ["10.0.0.2:80"],
                              "canary": {"header": "X-Canary", "headerValue": "v2",
                                         "cookie": "canary"}}]}"""),
        Arguments.of(
            "canary-by-header-pattern-on-a-named-backend",
            """
            {"backendRefs": [{"backend": "stable"},
                             {"weight": 0, "backend": "next",
                              "canary": {"header": "x-version", "headerPattern": "^v[0-9]+$"}}]}"""),
        Arguments.of(
            "canary-by-cookie-on-a-service-port",
            """
            {"backendRefs": [{"service": {"name": "web", "port": 80}},
                             {"service": {"name": "web-next", "port": 80},
                              "canary": {"cookie": "next"}}]}"""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void a_written_route_reads_back_as_the_same_spec(String name, String json) {
    RouteSpec spec = read(tree(json));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(read(written)).isEqualTo(spec);
    // And writing is stable: the long form written again is the same text.
    assertThat(DocumentWriter.route(read(written))).isEqualTo(written);
  }

  @Test
  void the_long_form_names_every_field_in_the_document_spelling() {
    RouteSpec spec =
        read(
            tree(
                """
                {"hosts": ["a.example"], "paths": ["/api"],
                 "backend": {"protocol": "h2", "endpoints": ["[::1]:443"], "tls": {}},
                 "tls": {"certificate": "www"}}"""));
    assertThat(DocumentWriter.route(spec).toString())
        .isEqualTo(
            "{\"name\":\"web\",\"tenant\":\"acme\",\"hosts\":[\"a.example\"],"
                + "\"paths\":[{\"type\":\"Prefix\",\"value\":\"/api\"}],\"methods\":[],"
                + "\"headers\":[],\"queries\":[],\"backend\":{\"protocol\":\"h2\","
                + "\"endpoints\":[{\"address\":\"[::1]:443\",\"weight\":1}],"
                + "\"tls\":{\"verifyHostname\":true,\"insecureSkipVerify\":false}},"
                + "\"timeouts\":{\"connect\":\"5s\",\"response\":\"15s\",\"bodyIdle\":\"1m\","
                + "\"request\":\"5m\"},\"maxRequestBodyBytes\":10485760,\"priority\":0,"
                + "\"tls\":{\"certificate\":\"www\",\"hosts\":[\"a.example\"],"
                + "\"redirect\":\"308\"}}");
  }

  @Test
  void a_client_certificate_is_written_without_its_private_key() {
    String json =
        "{\"backend\": {\"protocol\": \"h2\", \"endpoints\": [\"10.0.0.1:443\"], \"tls\":"
            + " {\"clientCertificate\": {\"certificateChain\": "
            + JSON.getNodeFactory().textNode(CLIENT.certPem() + CA.certPem())
            + ", \"privateKey\": "
            + JSON.getNodeFactory().textNode(CLIENT.keyPem())
            + "}}}}";
    RouteSpec spec = read(tree(json));
    assertThat(spec.backend().protocol()).isEqualTo(UpstreamProtocol.H2);
    assertThat(spec.backend().tls().clientCertificate().privateKey().pem())
        .isEqualTo(CLIENT.keyPem());
    ObjectNode written = DocumentWriter.route(spec);
    String keyBody = CLIENT.keyPem().replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
    assertThat(written.toString()).doesNotContain("PRIVATE KEY").doesNotContain(keyBody);
    assertThat(written.at("/backend/tls/clientCertificate/certificateChain").asText())
        .isEqualTo(CLIENT.certPem() + CA.certPem());
    assertThat(written.at("/backend/tls/clientCertificate").has("privateKey")).isFalse();
    // Read back, the missing key is a problem, not a silent certificate without one.
    Read<RouteSpec> again = DocumentReader.readRoute(written, DocPath.ROOT, KEY);
    assertThat(again.problems())
        .extracting(DocProblem::message)
        .containsExactly(
            "backend.tls.clientCertificate.privateKey: missing (expected: a PEM private key)");
  }

  /**
   * A route no source writes yet (a split, a named backend, a Service port: a later release or
   * Kubernetes) is answered as it is, never with an error.
   */
  @Test
  void routes_with_references_or_splits_are_written_as_backend_refs() {
    RouteSpec base = read(tree("{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"]}}"));
    RouteSpec split =
        base.withBackends(
            List.of(
                new RouteBackend(base.backend(), 90),
                new RouteBackend(new BackendRef.Named("canary"), 10),
                new RouteBackend(
                    new BackendRef.ServicePort("web", 0, "http", UpstreamProtocol.H2C, null), 0)));

    ObjectNode written = DocumentWriter.route(split);

    assertThat(written.has("backend")).isFalse();
    assertThat(written.get("backendRefs").toString())
        .isEqualTo(
            "[{\"weight\":90,\"protocol\":\"http1\",\"endpoints\":[{\"address\":\"10.0.0.1:80\","
                + "\"weight\":1}]},{\"weight\":10,\"backend\":\"canary\"},{\"weight\":0,"
                + "\"service\":{\"name\":\"web\",\"port\":\"http\"},\"protocol\":\"h2c\"}]");
  }

  @Test
  void a_response_head_limit_is_written_in_bytes_only_when_set_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]}, "maxResponseHeaderBytes": "128KiB"}"""));
    assertThat(spec.limits().maxResponseHeaderBytes()).isEqualTo(128 * 1024);
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("maxResponseHeaderBytes").asInt()).isEqualTo(128 * 1024);
    assertThat(read(written)).isEqualTo(spec);
    RouteSpec none = read(tree("{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"]}}"));
    assertThat(none.limits().maxResponseHeaderBytes()).isZero();
    assertThat(DocumentWriter.route(none).has("maxResponseHeaderBytes")).isFalse();
  }

  @Test
  void policies_are_written_in_order_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "ResponseHeaders", "add": {"X-B": "2", "x-a": "1"}},
                              {"type": "RequestHeaders", "remove": ["cookie"]}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"ResponseHeaders\",\"set\":{},\"add\":{\"x-b\":\"2\",\"x-a\":\"1\"},"
                + "\"remove\":[]},"
                + "{\"type\":\"RequestHeaders\",\"set\":{},\"add\":{},\"remove\":[\"cookie\"]}]");
    assertThat(read(written)).isEqualTo(spec);
    RouteSpec none = read(tree("{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"]}}"));
    assertThat(DocumentWriter.route(none).has("policies")).isFalse();
  }

  @Test
  void redirect_and_rewrite_policies_are_written_in_gateway_api_form_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "URLRewrite", "hostname": "b.example", "regex": {"pattern": "^/a(.*)",
                               "substitution": "/b$1"}, "dropQuery": true, "forwardedPrefix": "/a"}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"URLRewrite\",\"hostname\":\"b.example\",\"regex\":{\"pattern\":\"^/a(.*)\","
                + "\"substitution\":\"/b$1\"},\"dropQuery\":true,\"forwardedPrefix\":\"/a\"}]");
    assertThat(read(written)).isEqualTo(spec);
    spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "RequestRedirect", "scheme": "https", "port": 8443,
                               "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v2"},
                               "rootOnly": true}]}"""));
    written = DocumentWriter.route(spec);
    assertThat(written.get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"RequestRedirect\",\"scheme\":\"https\",\"port\":8443,\"path\":"
                + "{\"type\":\"ReplacePrefixMatch\",\"replacePrefixMatch\":\"/v2\"},"
                + "\"statusCode\":302,\"rootOnly\":true}]");
    assertThat(read(written)).isEqualTo(spec);
  }

  @Test
  void a_cors_policy_is_written_in_its_long_form_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "CORS", "allowOrigins": ["https://a.example"],
                               "allowHeaders": ["X-Token"], "allowCredentials": true}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"CORS\",\"allowOrigins\":[\"https://a.example\"],"
                + "\"allowOriginPatterns\":[],\"allowMethods\":[],\"allowHeaders\":[\"x-token\"],"
                + "\"exposeHeaders\":[],\"allowCredentials\":true,\"maxAge\":5}]");
    assertThat(read(written)).isEqualTo(spec);
  }

  @Test
  void a_session_persistence_policy_is_written_with_the_keys_it_sets_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backendRefs": [{"weight": 3, "endpoints": ["10.0.0.1:80"]},
                                 {"weight": 1, "endpoints": ["10.0.0.2:80"]}],
                 "policies": [{"type": "SessionPersistence", "sessionName": "gh",
                               "absoluteTimeout": "90m", "path": "/a", "secure": false,
                               "sameSite": "strict"}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"SessionPersistence\",\"sessionName\":\"gh\","
                + "\"absoluteTimeout\":\"90m\",\"path\":\"/a\",\"secure\":false,"
                + "\"sameSite\":\"Strict\"}]");
    assertThat(read(written)).isEqualTo(spec);
  }

  private static RouteSpec read(JsonNode tree) {
    Read<RouteSpec> r = DocumentReader.readRoute(tree, DocPath.ROOT, KEY);
    assertThat(r.problems()).extracting(DocProblem::message).isEmpty();
    assertThat(r.value().key()).isEqualTo(KEY);
    return r.value();
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_compression_policy_is_written_in_full_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "Compression", "algorithms": ["gzip"], "minBytes": 10,
                               "contentTypes": ["text/*"], "levels": {"gzip": 2}},
                              {"type": "Compression"}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").get(0).toString())
        .isEqualTo(
            "{\"type\":\"Compression\",\"algorithms\":[\"gzip\"],\"contentTypes\":[\"text/*\"],"
                + "\"minBytes\":10,\"levels\":{\"gzip\":2}}");
    assertThat(read(written)).isEqualTo(spec);
  }

  @Test
  void a_mirror_policy_is_written_in_full_and_read_back_equal() {
    RouteSpec spec =
        read(
            tree(
                """
                {"backend": {"endpoints": ["10.0.0.1:80"]},
                 "policies": [{"type": "RequestMirror", "backendRef": {"endpoints": ["10.0.0.7:9000"]},
                               "percent": 25, "hostname": "shadow.example", "maxBodyBytes": 4096},
                              {"type": "RequestMirror", "backendRef": {"backend": "shadow"},
                               "fraction": {"numerator": 1, "denominator": 3}, "requestBody": false,
                               "maxInFlight": 2}]}"""));
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").get(0).toString())
        .isEqualTo(
            "{\"type\":\"RequestMirror\",\"backendRef\":{\"protocol\":\"http1\","
                + "\"endpoints\":[{\"address\":\"10.0.0.7:9000\",\"weight\":1}]},"
                + "\"percent\":25,\"hostname\":\"shadow.example\",\"requestBody\":true,"
                + "\"maxBodyBytes\":4096,\"maxInFlight\":100}");
    assertThat(written.get("policies").get(1).toString())
        .isEqualTo(
            "{\"type\":\"RequestMirror\",\"backendRef\":{\"backend\":\"shadow\"},"
                + "\"fraction\":{\"numerator\":1,\"denominator\":3},\"requestBody\":false,"
                + "\"maxBodyBytes\":1048576,\"maxInFlight\":2}");
    assertThat(read(written)).isEqualTo(spec);
  }
}
