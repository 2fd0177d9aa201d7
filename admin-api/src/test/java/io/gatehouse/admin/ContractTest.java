package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.translate.RestBackends;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.admin.translate.Translated;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.validate.EndpointPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract loads, every operation has a handler and a rule, every example fits its (strict)
 * schema, and every route example is a route document the reader reads.
 */
@Timeout(60)
class ContractTest {
  static Vertx vertx;
  static OpenAPIContract contract;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract =
        OpenAPIContract.from(
                vertx, AdminApiVerticle.forSchemaChecks(AdminApiVerticle.contractJson()))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void every_operation_has_a_handler_and_an_access_rule() {
    AdminHandlers handlers =
        new AdminHandlers(
            vertx,
            new InMemoryRouteTable(),
            AdminApiOptions.DEFAULTS,
            new ChangePlanner(EndpointPolicy.withDefaults(List.of()), Clock.systemUTC()),
            Clock.systemUTC(),
            Explainer.UNAVAILABLE);
    List<String> ops = contract.operations().stream().map(Operation::getOperationId).toList();
    assertThat(ops).hasSize(28);
    assertThat(handlers.all().keySet()).containsExactlyInAnyOrderElementsOf(ops);
    assertThat(Access.BY_OPERATION.keySet()).containsExactlyInAnyOrderElementsOf(ops);
  }

  @Test
  void every_operation_has_examples_and_each_validates_against_its_schema() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Operation op : contract.operations()) {
      boolean hasResponseExample = false;
      if (op.getRequestBody() != null) {
        for (Map.Entry<String, MediaType> e : op.getRequestBody().getContent().entrySet()) {
          checked += check(op.getOperationId() + " request", e.getValue(), failures);
        }
      }
      JsonObject raw = rawOperation(op);
      for (String status : raw.getJsonObject("responses").fieldNames()) {
        if (!status.matches("[0-9]{3}")) {
          continue;
        }
        var response = op.getResponse(Integer.parseInt(status));
        for (Map.Entry<String, MediaType> e : response.getContent().entrySet()) {
          int n = check(op.getOperationId() + " " + status, e.getValue(), failures);
          hasResponseExample |= n > 0;
          checked += n;
        }
      }
      if (!hasResponseExample
          && !op.getOperationId().startsWith("delete")
          && !op.getOperationId().equals("releaseHost")
          && !op.getOperationId().equals("revokeToken")) {
        failures.add(op.getOperationId() + ": no response example");
      }
      if (op.getRequestBody() != null
          && op.getRequestBody().getContent().values().stream().anyMatch(m -> example(m) == null)) {
        failures.add(op.getOperationId() + ": request body without example");
      }
    }
    assertThat(failures).isEmpty();
    assertThat(checked).isGreaterThan(50);
  }

  @Test
  void the_request_validator_leaves_route_bodies_to_the_reader_and_nothing_else() {
    JsonObject strict = AdminApiVerticle.forSchemaChecks(AdminApiVerticle.contractJson());
    JsonObject runtime = AdminApiVerticle.forValidator(AdminApiVerticle.contractJson());
    JsonObject schemas = runtime.getJsonObject("components").getJsonObject("schemas");
    assertThat(schemas.getJsonObject("RouteInput"))
        .isEqualTo(new JsonObject().put("type", "object"));
    assertThat(schemas.getJsonObject("NamedBackendInput"))
        .isEqualTo(new JsonObject().put("type", "object"));
    JsonObject strictSchemas = strict.getJsonObject("components").getJsonObject("schemas");
    schemas.put("RouteInput", strictSchemas.getValue("RouteInput"));
    schemas.put("NamedBackendInput", strictSchemas.getValue("NamedBackendInput"));
    assertThat(runtime).isEqualTo(strict);
    // The published contract is the strict one.
    JsonObject published =
        AdminApiVerticle.contractJson()
            .getJsonObject("components")
            .getJsonObject("schemas")
            .getJsonObject("RouteInput");
    assertThat(published.getValue("additionalProperties")).isEqualTo(false);
    assertThat(published.getJsonObject("properties").fieldNames()).contains("backend", "tls");
  }

  @Test
  void every_route_example_is_read_by_the_route_document_reader() {
    List<JsonObject> routes = new ArrayList<>();
    collectExamples(AdminApiVerticle.contractJson(), false, routes);
    assertThat(routes).hasSizeGreaterThanOrEqualTo(4);
    for (JsonObject r : routes) {
      JsonObject body = r.copy();
      body.remove("revision");
      RouteKey key =
          RouteKey.of(
              body.getString("tenant", "acme"), RestRoutes.SOURCE, body.getString("name", "web"));
      Translated<RouteSpec> read = RestRoutes.read(key, body);
      assertThat(read.errors()).as(r.encode()).isEmpty();
    }
  }

  @Test
  void every_named_backend_example_and_sample_is_read_by_the_backend_reader() {
    JsonObject contract = AdminApiVerticle.contractJson();
    List<JsonObject> backends = new ArrayList<>();
    JsonObject put =
        contract
            .getJsonObject("paths")
            .getJsonObject("/v1/tenants/{tenant}/backends/{name}")
            .getJsonObject("put");
    backends.add(
        put.getJsonObject("requestBody")
            .getJsonObject("content")
            .getJsonObject("application/json")
            .getJsonObject("example"));
    JsonObject components = contract.getJsonObject("components");
    backends.add(
        components
            .getJsonObject("responses")
            .getJsonObject("BackendRead")
            .getJsonObject("content")
            .getJsonObject("application/json")
            .getJsonObject("example"));
    contract
        .getJsonObject("paths")
        .getJsonObject("/v1/tenants/{tenant}/backends")
        .getJsonObject("get")
        .getJsonObject("responses")
        .getJsonObject("200")
        .getJsonObject("content")
        .getJsonObject("application/json")
        .getJsonObject("example")
        .getJsonArray("items")
        .forEach(o -> backends.add((JsonObject) o));
    components
        .getJsonObject("schemas")
        .getJsonObject("NamedBackendInput")
        .getJsonArray("x-gatehouse-sample")
        .forEach(o -> backends.add((JsonObject) o));
    assertThat(backends).hasSizeGreaterThanOrEqualTo(6);
    for (JsonObject b : backends) {
      JsonObject body = b.copy();
      body.remove("revision");
      body.remove("source");
      JsonObject tls = body.getJsonObject("tls");
      if (tls != null && "<pem:ca>".equals(tls.getString("caBundle"))) {
        tls.put("caBundle", TestCerts.selfSigned("ca.example").chain());
      }
      Translated<BackendObject> read =
          RestBackends.read(
              new BackendKey(
                  TenantId.of(body.getString("tenant", "acme")), body.getString("name", "pool")),
              body);
      assertThat(read.errors()).as(b.encode()).isEmpty();
    }
  }

  @Test
  void an_explain_answer_with_every_part_fits_the_explanation_schema_and_names_only_its_keys() {
    Explainer.Backend first =
        new Explainer.Backend(
            "http1",
            List.of(new Explainer.Endpoint("10.0.0.1:80", 1)),
            "inline:acme/api/web#0",
            3,
            90);
    Explainer.Backend canary =
        new Explainer.Backend(
            "h2c",
            List.of(new Explainer.Endpoint("10.0.0.2:80", 2)),
            "backend:canary",
            1,
            10,
            new Explainer.Canary("x-canary", "always", null, "canary"));
    Explainer.Backend shadow =
        new Explainer.Backend(
            "http1",
            List.of(new Explainer.Endpoint("10.0.0.3:80", 1)),
            "inline:acme/api/web#65536",
            4);
    Explainer.Backend errors =
        new Explainer.Backend(
            "http1", List.of(new Explainer.Endpoint("10.0.0.4:80", 1)), "backend:errors", 2);
    Explainer.Explanation e =
        new Explainer.Explanation(
            12,
            "proxy",
            new Explainer.RouteRef("acme", "api", "web", 7),
            new Explainer.Reason(
                "exact", "www.acme.example", "Prefix", "/", List.of(), List.of(), null),
            first,
            null,
            new Explainer.Redirect(false, 0, null, "the route has no tls section"),
            null,
            List.of(first, canary),
            new Explainer.SplitChoice(
                "canary",
                1,
                "the canary rule's header x-canary sends it to the canary",
                new Explainer.Sticky("gh", "PT2H", "/", true, "Lax")),
            List.of(
                new Explainer.MirrorTarget(shadow, 1, 3, "shadow.acme.example", false, 4096, 5),
                new Explainer.MirrorTarget(shadow, 100, 100, null, true, 1 << 20, 100)),
            List.of(
                new Explainer.ErrorPagesTarget(List.of(404), "text/html; charset=utf-8", null),
                new Explainer.ErrorPagesTarget(List.of(502, 503), null, errors)));
    JsonObject json = ExplainJson.toJson(e);
    JsonObject third = json.getJsonArray("mirrors").getJsonObject(0);
    assertThat(third.getDouble("percent")).isCloseTo(33.333, Offset.offset(0.001));
    assertThat(third.getString("hostname")).isEqualTo("shadow.acme.example");
    assertThat(third.getJsonObject("backend").getString("endpointsKey"))
        .isEqualTo("inline:acme/api/web#65536");
    assertThat(json.getJsonArray("mirrors").getJsonObject(1).containsKey("hostname")).isFalse();
    assertThat(json.getJsonArray("errorPages").getJsonObject(0).getString("kind"))
        .isEqualTo("page");
    assertThat(json.getJsonArray("errorPages").getJsonObject(1).getString("kind"))
        .isEqualTo("backend");
    Operation op =
        contract.operations().stream()
            .filter(o -> o.getOperationId().equals("explainRequest"))
            .findFirst()
            .orElseThrow();
    MediaType m = op.getResponse(200).getContent().get("application/json");
    OutputUnit out = contract.getSchemaRepository().validator(m.getSchema()).validate(json);
    assertThat(out.getValid()).as(String.valueOf(out.getErrors())).isTrue();
    // The schema lets unknown keys through: each key the answer has must be one it describes.
    JsonObject schema =
        contract
            .getRawContract()
            .getJsonObject("components")
            .getJsonObject("schemas")
            .getJsonObject("Explanation")
            .getJsonObject("properties");
    assertThat(schema.fieldNames()).containsAll(json.fieldNames());
    for (String list : List.of("mirrors", "errorPages")) {
      JsonObject items = schema.getJsonObject(list).getJsonObject("items");
      for (Object o : json.getJsonArray(list)) {
        JsonObject item = (JsonObject) o;
        assertThat(items.getJsonObject("properties").fieldNames())
            .as(list)
            .containsAll(item.fieldNames());
        assertThat(item.fieldNames())
            .as(list)
            .containsAll(items.getJsonArray("required").getList());
        if (item.containsKey("backend")) {
          assertThat(
                  items
                      .getJsonObject("properties")
                      .getJsonObject("backend")
                      .getJsonObject("properties")
                      .fieldNames())
              .as(list + " backend")
              .containsAll(item.getJsonObject("backend").fieldNames());
        }
      }
    }
  }

  /** Every object with {@code hosts} and {@code backend} inside an {@code example}. */
  private static void collectExamples(Object node, boolean inExample, List<JsonObject> out) {
    if (node instanceof JsonObject o) {
      if (inExample && o.containsKey("hosts") && o.containsKey("backend")) {
        out.add(o);
        return;
      }
      o.forEach(e -> collectExamples(e.getValue(), inExample || e.getKey().equals("example"), out));
    } else if (node instanceof io.vertx.core.json.JsonArray a) {
      a.forEach(x -> collectExamples(x, inExample, out));
    }
  }

  private static JsonObject rawOperation(Operation op) {
    return contract
        .getRawContract()
        .getJsonObject("paths")
        .getJsonObject(op.getOpenAPIPath())
        .getJsonObject(op.getHttpMethod().name().toLowerCase());
  }

  private static Object example(MediaType m) {
    return m.getOpenAPIModel() == null ? null : strip(m.getOpenAPIModel().getValue("example"));
  }

  /**
   * vertx-openapi marks resolved objects with {@code __absolute_uri__}; not part of the example.
   */
  private static Object strip(Object o) {
    if (o instanceof JsonObject j) {
      JsonObject c = j.copy();
      c.remove("__absolute_uri__");
      c.fieldNames().forEach(k -> c.put(k, strip(c.getValue(k))));
      return c;
    }
    if (o instanceof io.vertx.core.json.JsonArray a) {
      io.vertx.core.json.JsonArray c = new io.vertx.core.json.JsonArray();
      a.forEach(x -> c.add(strip(x)));
      return c;
    }
    return o;
  }

  private static int check(String where, MediaType m, List<String> failures) {
    Object example = example(m);
    if (example == null) {
      return 0;
    }
    OutputUnit out = contract.getSchemaRepository().validator(m.getSchema()).validate(example);
    if (!out.getValid()) {
      failures.add(where + ": " + out.getErrors());
    }
    return 1;
  }
}
