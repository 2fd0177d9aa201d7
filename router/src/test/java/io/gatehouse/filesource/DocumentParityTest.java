package io.gatehouse.filesource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.AdminApiVerticle;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.admin.translate.Translated;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #12: the routes file ({@link RouteFileTranslator}) and the REST API (the runtime request
 * schema, then {@link RestRoutes#read}, in {@code ChangePlanner}'s order) read one route document.
 * Each case feeds the same route, written as JSON (which is also YAML), to both and compares the
 * verdicts: an equal spec (the key's source ignored), or equal problems (JSON pointer, value, rule
 * and the message after the location). Every route the file accepts also goes through GET and back
 * through PUT ({@link RestRoutes#write}, then the REST reader).
 *
 * <p>Differences are listed in {@link #KNOWN_DRIFT}, empty since step 3 (REST reads and writes the
 * document with the file's reader). The test fails when a new one appears. REST-only source rules
 * (host claims, the endpoint address policy) are not document rules and are not run here.
 */
@Timeout(120)
class DocumentParityTest {
  private static final RouteKey KEY = RouteKey.of("default", "doc", "r");
  private static final String ROUND_TRIP = " (GET, then PUT)";

  /** The route document's cases: name → one route as JSON, without its name. */
  private static final Map<String, String> CASES = new LinkedHashMap<>();

  private static final TestPki CA = TestPki.ca("parity CA");

  static {
    CASES.put(
        "minimal-route",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]}}""");
    CASES.put(
        "every-field-in-the-common-form",
        """
        {"hosts": ["a.example", "*.b.example"],
         "paths": [{"type": "Exact", "value": "/x"}, {"type": "Prefix", "value": "/api"},
                   {"type": "RegularExpression", "value": "/v[0-9]+/.*"}],
         "methods": ["GET", "POST"],
         "headers": [{"name": "x-canary", "type": "Exact", "value": "1"},
                     {"name": "x-debug", "type": "Present"}],
         "queries": [{"name": "q", "type": "RegularExpression", "value": "a.*"}],
         "backend": {"protocol": "h2c",
                     "endpoints": [{"address": "10.0.0.1:8080", "weight": 3},
                                   {"address": "[fd00::1]:8081"}]},
         "timeouts": {"connect": "2s", "response": "15s", "bodyIdle": "1m", "request": "5m"},
         "maxRequestBodyBytes": 1048576,
         "priority": 7,
         "tls": {"certificate": "www", "hosts": ["a.example"], "redirect": "301",
                 "hsts": {"maxAge": "365d", "includeSubDomains": true, "preload": false}}}""");
    // The file requires backend.tls with h2 (HTTP/2 over TLS).
    CASES.put("backend-protocol-h2", route("\"protocol\": \"h2\", ", ", \"tls\": {}"));
    CASES.put("backend-tls", route("", ", \"tls\": {\"serverName\": \"api.internal\"}"));
    CASES.put(
        "tls-client-auth",
        new JsonObject(route("", ""))
            .put(
                "tls",
                new JsonObject()
                    .put("certificate", "www")
                    .put(
                        "clientAuth",
                        new JsonObject().put("mode", "optional").put("caBundle", CA.caPem())))
            .encode());
    // The file's documented shorthands (docs/routes-file.md).
    CASES.put(
        "shorthand-endpoint-as-a-string",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": ["10.0.0.1:8080"]}}""");
    CASES.put(
        "shorthand-path-as-a-string",
        """
        {"hosts": ["a.example"], "paths": ["/api"],
         "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]}}""");
    CASES.put("shorthand-compound-duration", withTimeouts("{\"connect\": \"1m30s\"}"));
    CASES.put("shorthand-iso-duration", withTimeouts("{\"connect\": \"PT10S\"}"));
    CASES.put(
        "shorthand-byte-size-with-a-unit",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]},
         "maxRequestBodyBytes": "10MiB"}""");
    CASES.put(
        "shorthand-redirect-as-a-number",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]},
         "tls": {"certificate": "www", "redirect": 308}}""");
    // The file's undocumented leniencies.
    CASES.put("lenient-enum-in-any-case", route("\"protocol\": \"H2C\", ", ""));
    CASES.put(
        "lenient-scalar-as-a-one-item-list",
        """
        {"hosts": "a.example", "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]}}""");
    // Errors: the same refusal should read the same.
    CASES.put(
        "error-bad-endpoint-address",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": [{"address": "nohost"}]}}""");
    CASES.put("error-bad-duration", withTimeouts("{\"connect\": \"10 parsecs\"}"));
    CASES.put(
        "error-bad-host-from-the-validator",
        """
        {"hosts": ["bad host"], "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]}}""");
    CASES.put(
        "error-bad-regex-from-the-validator",
        """
        {"hosts": ["a.example"], "paths": [{"type": "RegularExpression", "value": "/("}],
         "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]}}""");
    CASES.put(
        "error-unknown-key",
        """
        {"hosts": ["a.example"], "backend": {"endpoints": [{"address": "10.0.0.1:8080"}]},
         "colour": "blue"}""");
  }

  /**
   * Differences, one entry per case (and {@value #ROUND_TRIP} for the GET answer read back). Step 3
   * of the migration emptied it: REST's h2, backend.tls and tls.clientAuth, the shorthands, the
   * leniencies and the error texts are now the file's.
   */
  static final Set<String> KNOWN_DRIFT = Set.of();

  static Vertx vertx;
  static OpenAPIContract contract;
  static JsonSchema putRouteBody;

  @BeforeAll
  static void loadContract() throws Exception {
    vertx = Vertx.vertx();
    contract =
        OpenAPIContract.from(vertx, AdminApiVerticle.forValidator(AdminApiVerticle.contractJson()))
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    putRouteBody =
        contract
            .operation("putRoute")
            .getRequestBody()
            .getContent()
            .get("application/json")
            .getSchema();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void file_and_rest_differ_exactly_in_the_known_drift() {
    Map<String, String> drift = new LinkedHashMap<>();
    for (Map.Entry<String, String> c : CASES.entrySet()) {
      JsonObject route = new JsonObject(c.getValue());
      Outcome file = file(route);
      Outcome rest = rest(route);
      if (!file.equals(rest)) {
        drift.put(c.getKey(), "file: " + file + "\n    rest: " + rest);
      }
      if (file.spec() != null) {
        JsonObject got = RestRoutes.write(file.spec(), 1);
        got.remove("revision");
        Outcome back = rest(got);
        if (!file.equals(back)) {
          drift.put(
              c.getKey() + ROUND_TRIP,
              "file: " + file + "\n    GET: " + got.encode() + "\n    PUT of it: " + back);
        }
      }
    }
    StringBuilder report = new StringBuilder();
    drift.forEach((k, v) -> report.append("\n  ").append(k).append("\n    ").append(v));
    assertThat(drift.keySet())
        .as("drift between the routes file and REST (update KNOWN_DRIFT on purpose):%s", report)
        .containsExactlyInAnyOrderElementsOf(KNOWN_DRIFT);
  }

  @Test
  void the_cases_the_drift_names_exist_and_the_common_form_is_accepted_by_both() {
    for (String d : KNOWN_DRIFT) {
      assertThat(CASES).containsKey(d.replace(ROUND_TRIP, ""));
    }
    Outcome file = file(new JsonObject(CASES.get("every-field-in-the-common-form")));
    assertThat(file.problems()).isEmpty();
    assertThat(file.spec().tls()).isNotNull();
    assertThat(rest(new JsonObject(CASES.get("every-field-in-the-common-form")))).isEqualTo(file);
    // The forms REST once refused are accepted by both, not refused alike.
    for (Map.Entry<String, String> c : CASES.entrySet()) {
      if (!c.getKey().startsWith("error-")) {
        assertThat(rest(new JsonObject(c.getValue())).problems()).as(c.getKey()).isEmpty();
      }
    }
  }

  /** A spec (problems empty) or the problems as "pointer: message body", sorted. */
  record Outcome(RouteSpec spec, Set<String> problems) {
    static Outcome accepted(RouteSpec s) {
      return new Outcome(
          new RouteSpec(
              KEY,
              s.hosts(),
              s.paths(),
              s.methods(),
              s.headers(),
              s.queries(),
              s.backend(),
              s.timeouts(),
              s.limits(),
              s.priority(),
              s.tls()),
          Set.of());
    }

    static Outcome refused(List<String> problems) {
      return new Outcome(null, new TreeSet<>(problems));
    }

    @Override
    public String toString() {
      return spec != null ? "accepted " + spec : "refused " + problems;
    }
  }

  private static Outcome file(JsonObject route) {
    JsonObject named = route.copy().put("name", KEY.name());
    RouteFileTranslator.Result r =
        RouteFileTranslator.translate("routes:\n  - " + named.encode() + "\n");
    if (r.isValid()) {
      assertThat(r.routes()).hasSize(1);
      return Outcome.accepted(r.routes().get(0));
    }
    List<String> problems = new ArrayList<>();
    for (RouteFileTranslator.Problem p : r.problems()) {
      problems.add(asPointer(p.message()));
    }
    return Outcome.refused(problems);
  }

  private static Outcome rest(JsonObject body) {
    OutputUnit schema = contract.getSchemaRepository().validator(putRouteBody).validate(body);
    if (!schema.getValid()) {
      List<String> problems = new ArrayList<>();
      for (OutputUnit u : schema.getErrors()) {
        problems.add(u.getInstanceLocation() + ": (schema) " + u.getError());
      }
      return Outcome.refused(problems);
    }
    Translated<RouteSpec> read = RestRoutes.read(KEY, body);
    if (!read.isValid()) {
      return Outcome.refused(read.errors().stream().map(FieldError::message).toList());
    }
    return Outcome.accepted(read.value());
  }

  /**
   * {@code routes[0].backend.endpoints[1].address: ...} → {@code /backend/endpoints/1/address:
   * ...}, and {@code unknown key "routes[0].colour" ...} → {@code unknown key "/colour" ...}.
   */
  static String asPointer(String message) {
    String prefix = "routes[0]";
    String unknown = "unknown key \"" + prefix;
    if (message.startsWith(unknown)) {
      int quote = message.indexOf('"', unknown.length());
      return "unknown key \""
          + pointer(message.substring(unknown.length(), quote))
          + message.substring(quote);
    }
    int colon = message.indexOf(": ");
    if (!message.startsWith(prefix) || colon < 0) {
      return message;
    }
    return pointer(message.substring(prefix.length(), colon)) + message.substring(colon);
  }

  private static String pointer(String path) {
    String pointer = path.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
    return pointer.isEmpty() ? "/" : pointer;
  }

  private static String route(String backendPrefix, String backendSuffix) {
    return "{\"hosts\": [\"a.example\"], \"backend\": {"
        + backendPrefix
        + "\"endpoints\": [{\"address\": \"10.0.0.1:8080\"}]"
        + backendSuffix
        + "}}";
  }

  private static String withTimeouts(String timeouts) {
    return "{\"hosts\": [\"a.example\"], \"backend\": {\"endpoints\": [{\"address\":"
        + " \"10.0.0.1:8080\"}]}, \"timeouts\": "
        + timeouts
        + "}";
  }
}
