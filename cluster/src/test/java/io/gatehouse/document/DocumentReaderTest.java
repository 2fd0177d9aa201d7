package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route document reader on Jackson trees, without YAML or lines (those are the file's). */
class DocumentReaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String BACKEND = "\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"]}";

  private static Read<List<RouteSpec>> read(String json) {
    try {
      return DocumentReader.readDocument(JSON.readTree(json), "doc");
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** A document with one route named {@code r}, {@code fields} added to it. */
  private static Read<List<RouteSpec>> route(String fields) {
    return read("{\"routes\": [{\"name\": \"r\", " + fields + "}]}");
  }

  private static RouteSpec only(Read<List<RouteSpec>> read) {
    assertThat(read.problems()).isEmpty();
    assertThat(read.value()).hasSize(1);
    return read.value().get(0);
  }

  private static List<String> messages(Read<?> read) {
    return read.problems().stream().map(DocProblem::message).toList();
  }

  @Test
  void a_route_gets_the_given_source_and_the_default_tenant() {
    RouteSpec spec = only(route(BACKEND));
    assertThat(spec.key()).isEqualTo(RouteKey.of("default", "doc", "r"));
    assertThat(only(route("\"tenant\": \"t1\", " + BACKEND)).key().tenant().value())
        .isEqualTo("t1");
  }

  @Test
  void a_named_backend_and_a_route_naming_it_read_from_one_document() throws Exception {
    JsonNode doc =
        JSON.readTree(
            "{\"backends\": [{\"name\": \"web\", \"protocol\": \"h2c\","
                + " \"endpoints\": [\"10.0.0.1:80\", {\"address\": \"10.0.0.2:80\", \"weight\": 3}]}],"
                + " \"routes\": [{\"name\": \"r\","
                + " \"backendRefs\": [{\"backend\": \"web\", \"weight\": 9}]}]}");

    Read<List<BackendObject>> backends = DocumentReader.readBackends(doc, "doc");
    RouteSpec route = only(DocumentReader.readDocument(doc, "doc"));

    assertThat(backends.problems()).isEmpty();
    assertThat(backends.value())
        .containsExactly(
            new BackendObject(
                new BackendKey(TenantId.of("default"), "web"),
                "doc",
                new BackendSpec(
                    UpstreamProtocol.H2C,
                    List.of(Endpoint.of("10.0.0.1", 80), new Endpoint("10.0.0.2", 80, 3)),
                    null)));
    assertThat(route.backends()).containsExactly(new RouteBackend(new BackendRef.Named("web"), 9));
    // what the writer writes reads back as the same backend
    assertThat(
            DocumentReader.readBackends(
                    JSON.createObjectNode()
                        .set(
                            "backends",
                            JSON.createArrayNode()
                                .add(DocumentWriter.backend(backends.value().get(0)))),
                    "doc")
                .value())
        .isEqualTo(backends.value());
  }

  @Test
  void named_backend_problems_name_their_document_path() throws Exception {
    JsonNode doc =
        JSON.readTree(
            "{\"backends\": [{\"name\": \"Web\", \"endpoints\": [\"10.0.0.1:80\"]},"
                + " {\"endpoints\": []}, {\"name\": \"a\", \"endpoints\": [], \"weight\": 1},"
                + " {\"name\": \"b\", \"endpoints\": []}, {\"name\": \"b\", \"endpoints\": []},"
                + " {\"name\": \"c\", \"endpoints\": [\"10.0.0.1:0\"]}],"
                + " \"routes\": []}");
    assertThat(messages(DocumentReader.readBackends(doc, "doc")))
        .containsExactly(
            "backends[0].name: \"Web\" (expected: a-z, 0-9, '-', '.' and '_', 1-253 characters,"
                + " alphanumeric ends)",
            "backends[1].name: missing (expected: a backend name unique in its tenant)",
            "unknown key \"backends[2].weight\" (expected one of: name, tenant, protocol,"
                + " endpoints, tls, proxyProtocol, loadBalancing, healthCheck, outlierDetection,"
                + " circuitBreaker)",
            "backends[4].name: \"b\" (expected: a name not already used by backends[3])",
            "backends[5].endpoints[0]: \"10.0.0.1:0\" (expected: " + Forms.HOST_PORT + ")");
    // A rule of the validator on an endpoint's other fields sits at the backend's own endpoints,
    // not under a route's "backend" (the validator's field names).
    assertThat(
            messages(
                DocumentReader.readBackends(
                    JSON.readTree(
                        "{\"backends\": [{\"name\": \"w\", \"endpoints\":"
                            + " [{\"address\": \"10.0.0.1:80\", \"weight\": 10001}]}]}"),
                    "doc")))
        .containsExactly("backends[0].endpoints[0].weight: \"10001\" (expected: 0-10000)");
    assertThat(
            DocumentReader.readBackend(
                    JSON.readTree(
                        "{\"endpoints\": [{\"address\": \"10.0.0.1:80\", \"weight\": -1}]}"),
                    DocPath.ROOT,
                    new BackendKey(TenantId.of("acme"), "w"),
                    "api")
                .problems()
                .get(0)
                .at()
                .pointer())
        .isEqualTo("/endpoints/0/weight");
    assertThat(messages(route("\"backendRefs\": [{\"backend\": 7}]")))
        .containsExactly(
            "routes[0].backendRefs[0].backend: \"7\" (expected: the name of a backend of the"
                + " route's tenant)");
    assertThat(messages(route("\"backendRefs\": [{\"backend\": \"a/b\"}]")))
        .containsExactly(
            "routes[0].backendRefs[0].backend: \"a/b\" (expected: a-z, 0-9, '-', '.' and '_',"
                + " 1-253 characters, alphanumeric ends)");
  }

  @Test
  void no_routes_on_purpose_is_an_empty_list() {
    Read<List<RouteSpec>> r = read("{\"routes\": []}");
    assertThat(r.isValid()).isTrue();
    assertThat(r.value()).isEmpty();
  }

  @Test
  void documented_shorthands_read_as_their_long_forms() {
    RouteSpec spec =
        only(
            route(
                """
                "hosts": ["a.example"], "paths": ["/api"],
                "backend": {"endpoints": ["10.0.0.1:8080", {"address": "[::1]:81", "weight": 3}]},
                "timeouts": {"connect": "1m30s", "response": "PT10S"},
                "maxRequestBodyBytes": "10MiB",
                "tls": {"certificate": "www", "redirect": 301}"""));
    assertThat(spec.paths()).containsExactly(PathMatch.prefix("/api"));
    assertThat(spec.backend().endpoints())
        .containsExactly(new Endpoint("10.0.0.1", 8080, 1), new Endpoint("::1", 81, 3));
    assertThat(spec.timeouts().connect()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.timeouts().response()).isEqualTo(Duration.ofSeconds(10));
    assertThat(spec.limits().maxRequestBodyBytes()).isEqualTo(10L << 20);
    assertThat(spec.tls().redirect()).isEqualTo(HttpsRedirect.MOVED_PERMANENTLY_301);
  }

  @Test
  void undocumented_leniencies_enums_in_any_case_and_a_scalar_as_a_list() {
    RouteSpec spec =
        only(
            route(
                """
                "hosts": "a.example", "methods": "get",
                "backend": {"protocol": "H2C", "endpoints": ["10.0.0.1:8080"]},
                "tls": {"certificate": "www", "redirect": "OFF", "clientAuth": {"mode": "NONE"}}
                """));
    assertThat(spec.hosts()).containsExactly("a.example");
    assertThat(spec.methods()).containsExactly("GET");
    assertThat(spec.backend().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(spec.tls().redirect()).isEqualTo(HttpsRedirect.OFF);
    assertThat(spec.tls().clientAuth().mode()).isEqualTo(ClientAuth.Mode.NONE);
  }

  @Test
  void a_quantity_with_blanks_around_it_is_refused_as_the_schema_refuses_it() {
    // Issue #12's contract test: the reader trimmed, the contract's patterns do not.
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"timeouts\": {\"connect\": \" 10s \"},"
                        + " \"maxRequestBodyBytes\": \"10MiB \","
                        + " \"tls\": {\"certificate\": \"www\", \"redirect\": \" 301\"}")))
        .containsExactlyInAnyOrder(
            "routes[0].timeouts.connect: \" 10s \" (expected: " + Forms.DURATION + ")",
            "routes[0].maxRequestBodyBytes: \"10MiB \" (expected: " + Forms.BYTES + ")",
            "routes[0].tls.redirect: \" 301\" (expected: 301, 302, 307, 308 or off)");
    assertThat(only(route(BACKEND + ", \"timeouts\": {\"connect\": \"10s\"}")).timeouts().connect())
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void a_bad_value_names_its_document_path_the_value_and_the_form() {
    Read<List<RouteSpec>> r = route("\"backend\": {\"endpoints\": [\"nohost\"]}");
    assertThat(r.value()).isEmpty();
    DocProblem p = r.problems().get(0);
    assertThat(p.at()).isEqualTo(DocPath.parse("routes[0].backend.endpoints[0]"));
    assertThat(p.at().pointer()).isEqualTo("/routes/0/backend/endpoints/0");
    assertThat(p.value()).isEqualTo("nohost");
    assertThat(p.rule()).isEqualTo(Forms.HOST_PORT);
    assertThat(p.kind()).isEqualTo(DocProblem.Kind.VALUE);
    assertThat(p.message())
        .isEqualTo(
            "routes[0].backend.endpoints[0]: \"nohost\" (expected: " + Forms.HOST_PORT + ")");
  }

  @Test
  void an_endpoint_mapping_problem_points_at_its_address() {
    Read<List<RouteSpec>> r =
        route("\"backend\": {\"endpoints\": [{\"address\": \"nohost\", \"weight\": 2}]}");
    assertThat(r.problems())
        .extracting(DocProblem::at)
        .containsExactly(DocPath.parse("routes[0].backend.endpoints[0].address"));
  }

  @Test
  void a_missing_key_says_what_was_expected_there() {
    assertThat(messages(route("\"hosts\": [\"a.example\"]")))
        .containsExactly(
            "routes[0].backend: missing (expected: a mapping with protocol and endpoints)");
    assertThat(messages(read("{\"routes\": [{" + BACKEND + "}]}")))
        .containsExactly("routes[0].name: missing (expected: a route name unique in the file)");
  }

  @Test
  void an_unknown_key_lists_the_known_ones_in_document_order() {
    Read<List<RouteSpec>> r = route(BACKEND + ", \"timeouts\": {\"idle\": \"5s\"}");
    assertThat(r.problems()).hasSize(1);
    assertThat(r.problems().get(0).kind()).isEqualTo(DocProblem.Kind.UNKNOWN_KEY);
    assertThat(r.problems().get(0).message())
        .isEqualTo(
            "unknown key \"routes[0].timeouts.idle\""
                + " (expected one of: connect, response, bodyIdle, request)");
  }

  @Test
  void a_root_that_is_not_a_mapping_is_a_problem_of_the_document() {
    Read<List<RouteSpec>> r = DocumentReader.readDocument(JsonNodeFactory.instance.nullNode(), "f");
    assertThat(messages(r))
        .containsExactly(
            "(document): \"null\" (expected: a mapping with the key routes"
                + " (write routes: [] for no routes))");
    assertThat(r.problems().get(0).at().isRoot()).isTrue();
    assertThat(messages(read("{\"routes\": {}}")))
        .containsExactly(
            "routes: \"{}\" (expected: a list of routes (write routes: [] for no routes))");
  }

  @Test
  void validator_violations_come_back_at_the_document_keys() {
    assertThat(messages(route("\"hosts\": [\"bad host\"], " + BACKEND)))
        .singleElement()
        .asString()
        .startsWith("routes[0].hosts[0]: \"bad host\" (expected: ");
    assertThat(route(BACKEND + ", \"tls\": {\"certificate\": \"no/slash\"}").problems())
        .extracting(p -> p.at().toString())
        .containsExactly("routes[0].tls.certificate");
    assertThat(route(BACKEND + ", \"maxRequestBodyBytes\": -1").problems())
        .extracting(p -> p.at().toString())
        .containsExactly("routes[0].maxRequestBodyBytes");
    assertThat(messages(route(BACKEND + ", \"maxResponseHeaderBytes\": \"2MiB\"")))
        .containsExactly(
            "routes[0].maxResponseHeaderBytes: \"2097152\" (expected: 0 (the node's"
                + " limits.maxHeaderBytes) up to 1048576 (1 MiB))");
  }

  @Test
  void a_response_head_limit_reads_as_a_byte_size() {
    assertThat(only(route(BACKEND + ", \"maxResponseHeaderBytes\": \"64KiB\"")).limits())
        .isEqualTo(new Limits(Limits.DEFAULT_MAX_REQUEST_BODY, 64 * 1024));
    assertThat(only(route(BACKEND + ", \"maxResponseHeaderBytes\": 4096")).limits())
        .isEqualTo(new Limits(Limits.DEFAULT_MAX_REQUEST_BODY, 4096));
    assertThat(messages(route(BACKEND + ", \"maxResponseHeaderBytes\": \"lots\"")))
        .containsExactly(
            "routes[0].maxResponseHeaderBytes: \"lots\" (expected: " + Forms.BYTES + ")");
    assertThat(messages(route(BACKEND + ", \"maxResponseHeaderBytes\": 99999999999")))
        .containsExactly(
            "routes[0].maxResponseHeaderBytes: \"99999999999\" (expected: 0 up to 1 MiB)");
  }

  @Test
  void field_path_maps_model_names_onto_document_keys() {
    assertThat(DocumentReader.fieldPath("tls.certificateName")).hasToString("tls.certificate");
    assertThat(DocumentReader.fieldPath("limits.maxRequestBodyBytes"))
        .hasToString("maxRequestBodyBytes");
    assertThat(DocumentReader.fieldPath("backend.tls.caBundlePem"))
        .hasToString("backend.tls.caBundle");
    assertThat(DocumentReader.fieldPath("backend.tls.clientCertificate.certificateChainPem"))
        .hasToString("backend.tls.clientCertificate.certificateChain");
    assertThat(DocumentReader.fieldPath("tls.clientAuth.caBundlePem"))
        .hasToString("tls.clientAuth.caBundle");
    assertThat(DocumentReader.fieldPath("paths[1].value"))
        .isEqualTo(DocPath.ROOT.key("paths").index(1).key("value"));
  }

  @Test
  void a_private_key_is_never_shown_in_a_problem() {
    String key = "-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----";
    for (String cc :
        List.of(
            "\"" + key + "\"",
            "{\"certificateChain\": \"x\", \"privateKey\": [\"" + key + "\"]}")) {
      Read<List<RouteSpec>> r =
          route(
              "\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"], \"tls\": {\"clientCertificate\": "
                  + cc
                  + "}}");
      assertThat(r.isValid()).isFalse();
      assertThat(messages(r)).noneMatch(m -> m.contains("c2VjcmV0"));
      assertThat(messages(r)).anyMatch(m -> m.contains("PrivateKeyPem[redacted]"));
    }
  }

  @Test
  void a_name_used_twice_is_refused_at_the_second() {
    Read<List<RouteSpec>> r =
        read(
            "{\"routes\": [{\"name\": \"r\", "
                + BACKEND
                + "}, {\"name\": \"r\", "
                + BACKEND
                + "}]}");
    assertThat(messages(r))
        .containsExactly("routes[1].name: \"r\" (expected: a name not already used by routes[0])");
  }

  @Test
  void a_document_with_any_problem_yields_no_routes_and_problems_in_document_order() {
    Read<List<RouteSpec>> r =
        read(
            "{\"routes\": [{\"name\": \"ok\", "
                + BACKEND
                + "}, {\"name\": \"b\", \"priority\": \"high\", \"backend\": {\"endpoints\": [1]}}]}");
    assertThat(r.value()).isEmpty();
    assertThat(r.problems())
        .extracting(p -> p.at().toString())
        .containsExactly("routes[1].backend.endpoints[0]", "routes[1].priority");
  }

  @Test
  void client_auth_and_upstream_tls_are_read() {
    RouteSpec spec =
        only(
            route(
                """
                "backend": {"protocol": "h2", "endpoints": ["10.0.0.1:8443"],
                            "tls": {"serverName": "api.internal", "verifyHostname": false}},
                "tls": {"certificate": "www", "clientAuth": {"mode": "none"}}"""));
    assertThat(spec.backend().protocol()).isEqualTo(UpstreamProtocol.H2);
    assertThat(spec.backend().tls().serverName()).isEqualTo("api.internal");
    assertThat(spec.backend().tls().verifyHostname()).isFalse();
    assertThat(spec.tls().clientAuth()).isEqualTo(ClientAuth.NONE);
  }

  @Test
  void a_verify_hostname_that_is_not_a_boolean_is_a_problem_not_an_exception() {
    Read<List<RouteSpec>> r =
        route(
            "\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"], \"tls\": {\"verifyHostname\": \"yes\"}}");
    assertThat(messages(r))
        .containsExactly("routes[0].backend.tls.verifyHostname: \"yes\" (expected: true or false)");
  }

  @Test
  void any_tree_gives_an_answer_never_an_exception() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<JsonNode> odd =
        List.of(
            f.arrayNode(),
            f.textNode("routes"),
            f.numberNode(1),
            f.objectNode().set("routes", f.arrayNode().add(f.nullNode()).add(f.arrayNode())),
            f.objectNode()
                .set(
                    "routes",
                    f.arrayNode()
                        .add(
                            f.objectNode()
                                .put("name", 7)
                                .set("backend", f.objectNode().set("endpoints", f.objectNode())))));
    for (JsonNode n : odd) {
      Read<List<RouteSpec>> r = DocumentReader.readDocument(n, "doc");
      assertThat(r.isValid()).as(n.toString()).isFalse();
      assertThat(r.value()).isEmpty();
    }
  }

  // --- policies -----------------------------------------------------------------------------

  @Test
  void policies_are_read_in_order_with_their_edits_and_lower_cased_names() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"RequestHeaders\", \"set\": {\"X-Env\": \"prod\","
                    + " \"x-n\": 1}, \"add\": {\"x-via\": \"gh\"}, \"remove\": [\"Cookie\"]},"
                    + " {\"type\": \"responseHeaders\", \"remove\": \"server\"}]"));
    assertThat(spec.policies())
        .containsExactly(
            new RequestHeaders(
                orderedMap("x-env", "prod", "x-n", "1"), Map.of("x-via", "gh"), List.of("cookie")),
            new ResponseHeaders(Map.of(), Map.of(), List.of("server")));
  }

  private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  @Test
  void redirect_and_rewrite_policies_are_read_in_gateway_api_form() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"RequestRedirect\", \"scheme\": \"https\","
                    + " \"hostname\": \"b.example\", \"port\": 8443, \"statusCode\": 301,"
                    + " \"path\": {\"type\": \"ReplacePrefixMatch\", \"replacePrefixMatch\": \"/v2\"}}]"));
    assertThat(spec.policies())
        .containsExactly(
            RequestRedirect.of("https", "b.example", 8443, PathModifier.prefixMatch("/v2"), 301));
    spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"URLRewrite\", \"hostname\": \"b.example\","
                    + " \"path\": {\"type\": \"ReplaceFullPath\", \"replaceFullPath\": \"/x\"},"
                    + " \"dropQuery\": true, \"forwardedPrefix\": \"/api\"}]"));
    assertThat(spec.policies())
        .containsExactly(
            new URLRewrite("b.example", PathModifier.fullPath("/x"), null, null, true, "/api"));
    spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"RequestRedirect\", \"url\": \"https://c.example/\"}]"));
    assertThat(spec.policies()).containsExactly(RequestRedirect.to("https://c.example/", 302));
  }

  @Test
  void a_path_modifier_takes_the_key_its_type_names() {
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"URLRewrite\", \"path\": {\"type\":"
                        + " \"ReplaceFullPath\", \"replacePrefixMatch\": \"/x\"}}]")))
        .containsExactly(
            "routes[0].policies[0].path.replacePrefixMatch: \"/x\" (expected: only replaceFullPath"
                + " with type ReplaceFullPath)");
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"URLRewrite\", \"path\": {\"type\":"
                        + " \"ReplaceAll\", \"value\": \"/x\"}}]")))
        .contains(
            "routes[0].policies[0].path.type: \"ReplaceAll\" (expected: ReplaceFullPath or"
                + " ReplacePrefixMatch)");
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"RequestRedirect\", \"statusCode\": \"301\","
                        + " \"set\": {}}]")))
        .contains(
            "routes[0].policies[0].statusCode: \"301\" (expected: 301, 302, 303, 307 or 308)");
  }

  @Test
  void a_policy_problem_names_its_place() {
    assertThat(messages(route(BACKEND + ", \"policies\": [{\"set\": {}}]")))
        .containsExactly(
            "routes[0].policies[0].type: missing (expected: " + Forms.POLICY_TYPES + ")");
    assertThat(messages(route(BACKEND + ", \"policies\": [{\"type\": \"Auth\"}]")))
        .containsExactly(
            "routes[0].policies[0].type: \"Auth\" (expected: " + Forms.POLICY_TYPES + ")");
    assertThat(
            messages(
                route(BACKEND + ", \"policies\": [{\"type\": \"RequestHeaders\", \"extra\": 1}]")))
        .containsExactly(
            "unknown key \"routes[0].policies[0].extra\" (expected one of: type, set, add,"
                + " remove)");
    assertThat(
            one("{\"hosts\": [\"a.example\"], "
                    + BACKEND
                    + ", \"policies\": [{\"type\": \"RequestHeaders\", \"set\":"
                    + " {\"x.a\": \"1\", \"Host\": \"h\"}}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/policies/0/set/Host");
  }

  @Test
  void a_header_value_with_an_unknown_variable_or_a_stray_dollar_is_refused_at_its_pointer() {
    assertThat(
            one("{\"hosts\": [\"a.example\"], "
                    + BACKEND
                    + ", \"policies\": [{\"type\": \"RequestHeaders\", \"set\":"
                    + " {\"x.ok\": \"${request.id}\", \"X-Who\": \"${remote_addr}\"},"
                    + " \"add\": {\"X-Cost\": \"$5\"}},"
                    + " {\"type\": \"ResponseHeaders\", \"set\": {\"X-Open\": \"${request.id\"}}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly(
            "/policies/0/set/X-Who", "/policies/0/add/X-Cost", "/policies/1/set/X-Open");
  }

  @Test
  void a_cors_policy_is_read_with_its_lists_and_defaults() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"CORS\", \"allowOrigins\":"
                    + " [\"HTTPS://App.Example:443\", \"https://*.example.com\"],"
                    + " \"allowOriginPatterns\": \"https://pr-[0-9]+\\\\.preview\\\\.example\",\n"
                    + " \"allowMethods\": [\"GET\", \"PUT\"], \"allowHeaders\": [\"Content-Type\"],"
                    + " \"exposeHeaders\": [\"X-Request-Id\"], \"allowCredentials\": true,"
                    + " \"maxAge\": 600}, {\"type\": \"cors\", \"allowOrigins\": [\"*\"]}]"));
    assertThat(spec.policies())
        .containsExactly(
            new Cors(
                List.of("https://app.example", "https://*.example.com"),
                List.of("https://pr-[0-9]+\\.preview\\.example"),
                List.of("GET", "PUT"),
                List.of("content-type"),
                List.of("x-request-id"),
                true,
                600),
            new Cors(List.of("*"), List.of(), List.of(), List.of(), List.of(), false, 5));
  }

  @Test
  void a_session_persistence_policy_is_read_with_its_optional_fields() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"SessionPersistence\", \"sessionName\":"
                    + " \"gh-split\", \"absoluteTimeout\": \"48h\", \"path\": \"/app\","
                    + " \"secure\": true, \"sameSite\": \"none\"}]"));
    assertThat(spec.policies())
        .containsExactly(
            new SessionPersistence("gh-split", Duration.ofHours(48), "/app", true, "None"));
    RouteSpec bare =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"sessionpersistence\", \"sessionName\":"
                    + " \"s\"}]"));
    assertThat(bare.policies()).containsExactly(SessionPersistence.cookie("s"));
  }

  @Test
  void a_session_persistence_problem_names_its_place() {
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"SessionPersistence\","
                        + " \"absoluteTimeout\": \"soon\", \"secure\": \"yes\","
                        + " \"idleTimeout\": \"1m\"}]")))
        .containsExactlyInAnyOrder(
            "unknown key \"routes[0].policies[0].idleTimeout\" (expected one of: type,"
                + " sessionName, absoluteTimeout, path, secure, sameSite)",
            "routes[0].policies[0].sessionName: missing (expected: a cookie name such as"
                + " gh-split)",
            "routes[0].policies[0].absoluteTimeout: \"soon\" (expected: " + Forms.DURATION + ")",
            "routes[0].policies[0].secure: \"yes\" (expected: true or false)");
  }

  @Test
  void a_cors_problem_names_its_place() {
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"CORS\", \"allowOrigins\": [\"*\"],"
                        + " \"allowCredentials\": \"yes\", \"maxAge\": \"10m\", \"set\": {}}]")))
        .containsExactly(
            "unknown key \"routes[0].policies[0].set\" (expected one of: type, allowOrigins,"
                + " allowOriginPatterns, allowMethods, allowHeaders, exposeHeaders,"
                + " allowCredentials, maxAge)",
            "routes[0].policies[0].allowCredentials: \"yes\" (expected: true or false)",
            "routes[0].policies[0].maxAge: \"10m\" (expected: whole seconds, such as 600)");
    assertThat(
            one("{\"hosts\": [\"a.example\"], "
                    + BACKEND
                    + ", \"policies\": [{\"type\": \"CORS\", \"allowOrigins\":"
                    + " [\"https://a.example\", \"ftp://b.example\"]}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/policies/0/allowOrigins/1");
  }

  private static final String TWO_REFS =
      "\"backendRefs\": [{\"weight\": 90, \"endpoints\": [\"10.0.0.1:80\"]},"
          + " {\"weight\": 10, \"endpoints\": [\"10.0.0.2:80\"], \"canary\": ";

  @Test
  void a_canary_rule_is_read_on_its_backend_with_the_header_name_lower_cased() {
    RouteSpec spec =
        only(
            route(
                TWO_REFS + "{\"header\": \"X-Canary\", \"headerValue\": 2, \"cookie\": \"c\"}}]"));
    assertThat(spec.backends().get(0).canary()).isNull();
    assertThat(spec.backends().get(1).canary())
        .isEqualTo(new CanaryRule("x-canary", "2", null, "c"));
  }

  @Test
  void a_canary_problem_names_its_place() {
    assertThat(messages(route(TWO_REFS + "{\"header\": \"x-c\", \"value\": \"1\"}}]")))
        .containsExactly(
            "unknown key \"routes[0].backendRefs[1].canary.value\" (expected one of: header,"
                + " headerValue, headerPattern, cookie)");
    assertThat(messages(route(TWO_REFS + "\"always\"}]")))
        .containsExactly(
            "routes[0].backendRefs[1].canary: \"always\" (expected: a mapping with header (and"
                + " headerValue or headerPattern) and/or cookie)");
    assertThat(
            one("{\"hosts\": [\"a.example\"], "
                    + TWO_REFS
                    + "{\"header\": \"x-c\", \"headerPattern\": \"(?!v1)\"}}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/backendRefs/1/canary/headerPattern");
    assertThat(
            one("{\"hosts\": [\"a.example\"], \"backendRefs\": [{\"endpoints\": [\"10.0.0.1:80\"],"
                    + " \"canary\": {\"cookie\": \"c\"}}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/backendRefs/0/canary");
  }

  // --- one route read on its own (REST) ---------------------------------------------------------

  private static final RouteKey REST_KEY = RouteKey.of("acme", "api", "web");

  private static Read<RouteSpec> one(String json) {
    try {
      return DocumentReader.readRoute(JSON.readTree(json), DocPath.ROOT, REST_KEY);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_route_read_on_its_own_gets_the_given_key_and_needs_no_name() {
    Read<RouteSpec> r = one("{" + BACKEND + "}");
    assertThat(r.problems()).isEmpty();
    assertThat(r.value().key()).isEqualTo(REST_KEY);
    assertThat(one("{\"name\": \"web\", \"tenant\": \"acme\", " + BACKEND + "}").value())
        .isEqualTo(r.value());
  }

  @Test
  void a_route_read_on_its_own_refuses_another_name_or_tenant() {
    assertThat(messages(one("{\"name\": \"other\", \"tenant\": \"evil\", " + BACKEND + "}")))
        .containsExactly(
            "name: \"other\" (expected: the route's own name, web)",
            "tenant: \"evil\" (expected: the route's own tenant, acme)");
  }

  @Test
  void a_route_read_on_its_own_reports_under_its_base() {
    Read<RouteSpec> r =
        DocumentReader.readRoute(
            JsonNodeFactory.instance.objectNode().put("colour", "blue"),
            DocPath.ROOT.key("items").index(2).key("route"),
            REST_KEY);
    assertThat(r.value()).isNull();
    assertThat(r.problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/items/2/route/colour", "/items/2/route/backend");
    assertThat(messages(DocumentReader.readRoute(null, DocPath.ROOT, REST_KEY)))
        .containsExactly("(document): null (expected: a mapping with backend)");
  }

  @Test
  void an_endpoint_host_the_validator_refuses_is_reported_where_its_address_was_read() {
    Read<RouteSpec> r =
        one(
            """
            {"backend": {"endpoints": ["no_such:1", {"address": "ok.example:80"},
                                       {"address": "bad_host:80", "weight": 2}]}}""");
    assertThat(r.problems())
        .extracting(p -> p.at().toString())
        .containsExactly("backend.endpoints[0]", "backend.endpoints[2].address");
    // Endpoints refused by the reader are not counted: the validator's index is the spec's.
    Read<RouteSpec> skipped = one("{\"backend\": {\"endpoints\": [\"nohost\", \"bad_host:80\"]}}");
    assertThat(skipped.problems())
        .extracting(p -> p.at().toString())
        .containsExactly("backend.endpoints[0]", "backend.endpoints[1]");
  }

  @Test
  void in_a_document_each_route_reports_its_own_endpoints_where_they_were_read() {
    Read<List<RouteSpec>> r =
        read(
            """
            {"routes": [
              {"name": "a", "backend": {"endpoints": ["10.0.0.1:80", "ok.example:80"]}},
              {"name": "b", "backend": {"endpoints": ["nohost", {"address": "bad_host:80"}]}}]}""");
    assertThat(r.problems())
        .extracting(p -> p.at().toString())
        .containsExactly(
            "routes[1].backend.endpoints[0]", "routes[1].backend.endpoints[1].address");
  }

  @Test
  void backend_refs_read_as_a_weighted_split_and_backend_is_their_shorthand() {
    RouteSpec split =
        only(
            route(
                """
                "backendRefs": [{"weight": 90, "endpoints": ["10.0.0.1:80"]},
                                {"weight": 10, "protocol": "h2c", "endpoints": ["10.0.0.2:80"]},
                                {"service": {"name": "web", "port": "http"}}]"""));
    assertThat(split.backends())
        .containsExactly(
            new RouteBackend(BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))), 90),
            new RouteBackend(
                new BackendSpec(UpstreamProtocol.H2C, List.of(Endpoint.of("10.0.0.2", 80)), null),
                10),
            new RouteBackend(
                new BackendRef.ServicePort("web", 0, "http", UpstreamProtocol.HTTP1, null), 1));
    RouteSpec one = only(route("\"backendRefs\": [{\"endpoints\": [\"10.0.0.1:8080\"]}]"));
    assertThat(one).isEqualTo(only(route(BACKEND)));
  }

  @Test
  void backend_refs_problems_name_their_document_path() {
    assertThat(messages(route(BACKEND + ", \"backendRefs\": []")))
        .containsExactly(
            "routes[0].backendRefs: \"backend and backendRefs\" (expected: one of backend or"
                + " backendRefs)");
    assertThat(messages(route("\"backendRefs\": []")))
        .containsExactly("routes[0].backendRefs: \"0 backends\" (expected: 1-16)");
    assertThat(
            messages(
                route(
                    """
                    "backendRefs": [{"weight": 9, "endpoints": ["10.0.0.1:80"]},
                                    {"weight": 10001, "endpoints": ["10.0.0.2:80"]}]""")))
        .containsExactly("routes[0].backendRefs[1].weight: \"10001\" (expected: 0-10000)");
    assertThat(
            messages(
                route(
                    """
                    "backendRefs": [{"weight": "x", "endpoints": ["10.0.0.1:80"]}]""")))
        .containsExactly("routes[0].backendRefs[0].weight: \"x\" (expected: an integer 0-10000)");
    assertThat(
            messages(
                route(
                    """
                    "backendRefs": [{"service": {"name": "web", "port": 80}},
                                    {"weight": 1, "endpoints": ["10.0.0.1:80", "bad_host:80"]}]""")))
        .containsExactly(
            "routes[0].backendRefs[1].endpoints[1]: \"bad_host\" (expected: a DNS name or an IP"
                + " address)");
    assertThat(
            messages(
                route(
                    """
                    "backendRefs": [{"weight": 1, "endpoints": ["10.0.0.1:80"]},
                                    {"service": {"name": "1web", "port": 80}}]""")))
        .containsExactly(
            "routes[0].backendRefs[1].service.name: \"1web\" (expected: a Service name: a-z, 0-9"
                + " and '-', 1-63 characters, starting with a letter)");
    assertThat(
            messages(route("\"backendRefs\": [{\"weight\": 1, \"service\": {\"name\": \"web\"}}]")))
        .containsExactly(
            "routes[0].backendRefs[0].service.port: missing (expected: a port number or a port"
                + " name)");
  }

  @Test
  void a_private_key_pasted_into_another_field_is_not_shown() {
    String key = "\"-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----\"";
    for (String json :
        List.of(
            "{\"backend\": {\"protocol\": " + key + ", \"endpoints\": [\"10.0.0.1:80\"]}}",
            "{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"], \"tls\": {\"caBundle\": ["
                + key
                + "]}}}",
            "{\"backend\": {\"endpoints\": [\"10.0.0.1:80\"], \"tls\": {\"serverName\": "
                + key
                + "}}}",
            "{\"hosts\": [" + key + "], " + BACKEND + "}")) {
      Read<RouteSpec> r = one(json);
      assertThat(r.isValid()).as(json).isFalse();
      assertThat(messages(r)).as(json).noneMatch(m -> m.contains("c2VjcmV0"));
      assertThat(r.problems())
          .as(json)
          .allMatch(p -> p.value() == null || !p.value().contains("c2VjcmV0"));
    }
  }

  @Test
  void a_compression_policy_takes_defaults_for_what_it_leaves_out() {
    RouteSpec spec = only(route(BACKEND + ", \"policies\": [{\"type\": \"Compression\"}]"));
    assertThat(spec.policies()).containsExactly(Compression.defaults());
    RouteSpec given =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"compression\", \"algorithms\": [\"GZIP\"],"
                    + " \"contentTypes\": \"Text/*\", \"minBytes\": \"1KiB\","
                    + " \"levels\": {\"gzip\": 1}}]"));
    assertThat(given.policies())
        .containsExactly(
            new Compression(List.of("gzip"), List.of("text/*"), 1024, Map.of("gzip", 1)));
  }

  @Test
  void a_compression_policy_may_name_zstd_and_its_level() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"Compression\", \"algorithms\": [\"zstd\","
                    + " \"gzip\"], \"levels\": {\"zstd\": 7}}]"));
    assertThat(spec.policies())
        .containsExactly(
            new Compression(
                List.of("zstd", "gzip"),
                Compression.DEFAULT_CONTENT_TYPES,
                Compression.DEFAULT_MIN_BYTES,
                Map.of("zstd", 7)));
  }

  @Test
  void a_compression_problem_names_its_place() {
    assertThat(
            one("{\"hosts\": [\"a.example\"], "
                    + BACKEND
                    + ", \"policies\": [{\"type\": \"Compression\", \"algorithms\":"
                    + " [\"br\", \"deflate\"], \"levels\": {\"gzip\": 3}}]}")
                .problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/policies/0/algorithms/1", "/policies/0/levels/gzip");
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"Compression\", \"set\": {},"
                        + " \"minBytes\": \"big\", \"levels\": {\"br\": \"high\"}}]")))
        .containsExactly(
            "unknown key \"routes[0].policies[0].set\" (expected one of: type, algorithms,"
                + " contentTypes, minBytes, levels)",
            "routes[0].policies[0].minBytes: \"big\" (expected: " + Forms.BYTES + ")",
            "routes[0].policies[0].levels.br: \"high\" (expected: an integer)");
  }

  @Test
  void a_mirror_policy_reads_each_backend_form_and_share() {
    RouteSpec spec =
        only(
            route(
                BACKEND
                    + ", \"policies\": [{\"type\": \"RequestMirror\","
                    + " \"backendRef\": {\"endpoints\": [\"10.0.0.7:9000\"]}},"
                    + " {\"type\": \"requestmirror\", \"backendRef\": {\"backend\": \"shadow\"},"
                    + " \"percent\": 10, \"hostname\": \"Shadow.Example\", \"requestBody\": false,"
                    + " \"maxBodyBytes\": \"64KiB\", \"maxInFlight\": 5},"
                    + " {\"type\": \"RequestMirror\", \"backendRef\": {\"service\":"
                    + " {\"name\": \"shadow\", \"port\": \"http\"}, \"protocol\": \"h2c\"},"
                    + " \"fraction\": {\"numerator\": 1, \"denominator\": 1000}}]"));
    assertThat(spec.policies())
        .containsExactly(
            RequestMirror.of(BackendSpec.http1(List.of(Endpoint.of("10.0.0.7", 9000)))),
            new RequestMirror(
                new BackendRef.Named("shadow"), 10, 100, "shadow.example", false, 65536, 5),
            new RequestMirror(
                new BackendRef.ServicePort("shadow", 0, "http", UpstreamProtocol.H2C, null),
                1,
                1000,
                null,
                true,
                RequestMirror.DEFAULT_MAX_BODY_BYTES,
                RequestMirror.DEFAULT_MAX_IN_FLIGHT));
  }

  @Test
  void a_mirror_problem_names_its_place() {
    assertThat(
            messages(
                route(
                    BACKEND
                        + ", \"policies\": [{\"type\": \"RequestMirror\", \"backendRef\":"
                        + " {\"endpoints\": [\"10.0.0.7:9000\"], \"weight\": 2},"
                        + " \"percent\": 5, \"fraction\": {\"numerator\": 1}},"
                        + " {\"type\": \"RequestMirror\"},"
                        + " {\"type\": \"RequestMirror\", \"backendRef\": {\"backend\": \"s\"},"
                        + " \"fraction\": {\"numerator\": 3, \"denominator\": 2},"
                        + " \"maxBodyBytes\": \"big\"}]")))
        .containsExactly(
            "routes[0].policies[0].backendRef.weight: \"2\" (expected: no weight on a mirror's"
                + " backendRef)",
            "routes[0].policies[0].fraction: \"{\\\"numerator\\\":1}\" (expected: one of"
                + " percent or fraction, not both)",
            "routes[0].policies[1].backendRef: missing (expected: a mapping with endpoints,"
                + " service, or backend (a name))",
            "routes[0].policies[2].maxBodyBytes: \"big\" (expected: " + Forms.BYTES + ")");
  }
}
