package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.admin.AdminApiVerticle;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.admin.translate.RestBackends;
import io.gatehouse.admin.translate.Translated;
import io.gatehouse.document.ContractSchema.Kind;
import io.gatehouse.document.ContractSchema.Site;
import io.gatehouse.file.RouteFileTranslator;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.TenantId;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The named backend's document contract, generated from its schema as {@link DocumentContractTest}
 * does for the route: the REST body ({@code NamedBackendInput}) is walked into every object, list
 * and leaf; each gets valid samples and invalid ones, and each sample is read as one item of a
 * routes file's {@code backends:} ({@link RouteFileTranslator#translate}) and as a REST body
 * ({@link RestBackends#read}). Both must accept or refuse alike, with equal backends (the source
 * aside) or the same problems, the file's on the line of the path and REST's at its pointer; the
 * schema and the reader must agree but for the rules {@link DocumentContractTest} names.
 *
 * <p>Not run here: REST's endpoint address policy, which is not a document rule.
 */
@Timeout(300)
class BackendDocumentContractTest {
  private static final String BODY = "NamedBackendInput";
  private static final String NAME = "r";
  private static final DocPath FIRST_BACKEND = DocPath.ROOT.key("backends").index(0);

  record Sample(String name, Site site, String mutation, boolean intendedValid, ObjectNode body) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Accepted (a backend) or refused (problems as "line: message", sorted). */
  record Outcome(BackendObject backend, List<String> problems) {
    boolean accepted() {
      return backend != null;
    }

    @Override
    public String toString() {
      return accepted() ? "accepted " + backend : "refused " + problems;
    }
  }

  record Result(
      Sample sample,
      boolean schemaValid,
      Outcome file,
      Outcome rest,
      List<FieldError> restErrors,
      List<String> expectedFileProblems) {}

  static Vertx vertx;
  static ContractSchema schema;
  static OpenAPIContract contract;
  static JsonSchema strictBody;
  static List<Site> sites;
  static final List<Result> results = new ArrayList<>();

  @BeforeAll
  static void readEverySample() throws Exception {
    vertx = Vertx.vertx();
    contract =
        OpenAPIContract.from(
                vertx, AdminApiVerticle.forSchemaChecks(AdminApiVerticle.contractJson()))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    strictBody =
        contract
            .operation("putBackend")
            .getRequestBody()
            .getContent()
            .get("application/json")
            .getSchema();
    schema = new ContractSchema(AdminApiVerticle.contractJson(), DocumentContractTest::pem);
    sites = schema.walk(schema.named(BODY));
    for (Site site : sites) {
      for (Sample s : samples(site)) {
        results.add(read(s));
      }
    }
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void the_walk_reaches_the_fields_of_the_backend_body() {
    Set<String> paths = new TreeSet<>();
    sites.forEach(s -> paths.add(s.docPath().toString()));
    assertThat(paths)
        .contains(
            "name",
            "tenant",
            "protocol",
            "endpoints[0].address",
            "endpoints[0].weight",
            "tls.caBundle",
            "tls.serverName",
            "tls.clientCertificate.privateKey");
    assertThat(results).hasSizeGreaterThan(2 * sites.size());
  }

  @Test
  void every_leaf_has_a_valid_sample_that_both_sources_accept() {
    List<String> missing = new ArrayList<>();
    for (Site site : sites) {
      if (site.kind() != Kind.LEAF
          || DocumentContractTest.REFUSED_IN_CONTEXT.keySet().stream()
              .anyMatch(site.docPath().toString()::endsWith)) {
        continue;
      }
      boolean accepted =
          results.stream()
              .anyMatch(
                  r ->
                      r.sample().site() == site
                          && r.sample().intendedValid()
                          && r.file().accepted()
                          && r.rest().accepted());
      if (!accepted) {
        missing.add(site + ": no valid sample is accepted by both sources");
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void the_file_and_rest_accept_and_refuse_alike_with_equal_backends_or_equal_problems() {
    List<String> drift = new ArrayList<>();
    int refused = 0;
    for (Result r : results) {
      if (r.file().accepted() != r.rest().accepted()) {
        drift.add(r.sample() + "\n    file: " + r.file() + "\n    rest: " + r.rest());
      } else if (r.file().accepted()) {
        if (!withoutSource(r.file().backend()).equals(withoutSource(r.rest().backend()))) {
          drift.add(r.sample() + "\n    file: " + r.file() + "\n    rest: " + r.rest());
        }
      } else {
        refused++;
        if (!r.file().problems().equals(r.expectedFileProblems())) {
          drift.add(
              r.sample()
                  + "\n    file: "
                  + r.file().problems()
                  + "\n    rest, as the file would say it: "
                  + r.expectedFileProblems());
        }
      }
    }
    assertThat(drift).as("file and REST differ").isEmpty();
    assertThat(refused).isGreaterThan(20);
  }

  @Test
  void rest_pointers_are_the_paths_of_the_document() {
    List<String> wrong = new ArrayList<>();
    for (Result r : results) {
      for (FieldError e : r.restErrors()) {
        if (!e.pointer().startsWith("/")
            || !DocumentContractTest.fromPointer(e.pointer()).pointer().equals(e.pointer())) {
          wrong.add(r.sample() + ": " + e.pointer());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void a_backend_rest_answers_reads_back_as_the_same_backend() {
    List<String> drift = new ArrayList<>();
    for (Result r : results) {
      BackendObject b = r.rest().backend();
      // GET never answers clientCertificate.privateKey (writeOnly), so that one cannot return.
      if (b == null || (b.spec().tls() != null && b.spec().tls().clientCertificate() != null)) {
        continue;
      }
      JsonObject got = RestBackends.write(b, 1);
      got.remove("revision");
      got.remove("source");
      Translated<BackendObject> back = RestBackends.read(b.key(), got);
      if (!back.isValid() || !back.value().equals(b)) {
        drift.add(r.sample() + "\n    GET: " + got.encode() + "\n    PUT of it: " + back);
      }
    }
    assertThat(drift).isEmpty();
  }

  @Test
  void the_schema_and_the_reader_agree_except_for_named_rules() {
    List<String> disagree = new ArrayList<>();
    for (Result r : results) {
      Sample s = r.sample();
      if (!r.schemaValid() && r.file().accepted()) {
        if (!DocumentContractTest.SCHEMA_ONLY.containsKey("* " + s.mutation())) {
          disagree.add(s + ": the schema refuses it, the reader accepts it");
        }
      }
      if (r.schemaValid() && !r.rest().accepted()) {
        for (FieldError e : r.restErrors()) {
          Optional<String> named =
              DocumentContractTest.SEMANTIC_RULES.keySet().stream()
                  .filter(e.rule()::startsWith)
                  .findFirst();
          if (named.isEmpty()) {
            disagree.add(s + ": the schema allows it, the reader refuses it: " + e.message());
          }
        }
      }
    }
    assertThat(disagree).as("schema and reader disagree").isEmpty();
  }

  // --- samples: the mutations of DocumentContractTest that a backend's fields can take

  private static List<Sample> samples(Site site) {
    List<Sample> out = new ArrayList<>();
    JsonObject s = site.schema();
    String type = s.getString("type");
    for (JsonNode v : schema.semanticInvalid(s)) {
      out.add(sample(site, "semantic", false, v));
    }
    switch (site.kind()) {
      case LEAF -> {
        for (JsonNode v : schema.validSamples(s)) {
          out.add(sample(site, "valid", true, v));
        }
        if ("string".equals(type)) {
          out.add(sample(site, "object-for-string", false, obj()));
          if (s.containsKey("maxLength")) {
            out.add(
                sample(
                    site,
                    "above-maxLength",
                    false,
                    ContractSchema.node("a".repeat(s.getInteger("maxLength") + 1))));
          }
          if (s.getInteger("minLength", 0) > 0) {
            out.add(sample(site, "below-minLength", false, ContractSchema.node("")));
          }
          if (s.containsKey("pattern")) {
            out.add(sample(site, "pattern-break", false, ContractSchema.node("#not valid#")));
          }
        } else if ("integer".equals(type)) {
          out.add(sample(site, "string-for-integer", false, ContractSchema.node("zz")));
          out.add(sample(site, "boolean-for-integer", false, ContractSchema.node(true)));
          if (s.containsKey("minimum")) {
            out.add(
                sample(
                    site, "below-minimum", false, ContractSchema.node(s.getLong("minimum") - 1)));
          }
          if (s.containsKey("maximum")) {
            out.add(
                sample(
                    site, "above-maximum", false, ContractSchema.node(s.getLong("maximum") + 1)));
          }
        } else if ("boolean".equals(type)) {
          out.add(sample(site, "string-for-boolean", false, ContractSchema.node("yes")));
        }
        if (s.containsKey("enum")) {
          out.add(sample(site, "outside-enum", false, ContractSchema.node("zz-not-listed")));
        }
      }
      case OBJECT -> {
        ObjectNode minimal = (ObjectNode) schema.minimal(s);
        List<JsonNode> valid = new ArrayList<>(schema.validSamples(s));
        if (!valid.contains(schema.requiredOnly(s))) {
          valid.add(schema.requiredOnly(s));
        }
        for (JsonNode v : valid) {
          out.add(sample(site, "valid", true, v));
        }
        if (Boolean.FALSE.equals(s.getValue("additionalProperties"))) {
          out.add(sample(site, "unknown-key", false, minimal.deepCopy().put("zzUnknown", 1)));
        }
        for (Object req : s.getJsonArray("required", new JsonArray())) {
          ObjectNode without = minimal.deepCopy();
          without.remove((String) req);
          out.add(sample(site, req + " missing", false, without));
        }
        if (!site.path().isEmpty()) {
          out.add(sample(site, "number-for-object", false, ContractSchema.node(7)));
        }
      }
      case ARRAY -> {
        out.add(sample(site, "object-for-array", false, obj()));
        if (s.containsKey("maxItems")) {
          ArrayNode many = ContractSchema.NODES.arrayNode();
          for (int i = 0; i <= s.getInteger("maxItems"); i++) {
            many.add("10.0." + (i / 250) + "." + (i % 250 + 1) + ":80");
          }
          out.add(sample(site, "above-maxItems", false, many));
        }
      }
    }
    return out;
  }

  private static ObjectNode obj() {
    return ContractSchema.NODES.objectNode().put("x", 1);
  }

  private static Sample sample(Site site, String mutation, boolean valid, JsonNode value) {
    ObjectNode body = site.path().isEmpty() ? (ObjectNode) value : schema.embed(site, value);
    String shown = value.toString();
    shown = shown.length() > 60 ? shown.substring(0, 57) + "..." : shown;
    String at = site.path().isEmpty() ? "(backend)" : site.docPath().toString();
    return new Sample(at + " " + mutation + " " + shown, site, mutation, valid, body);
  }

  // --- reading

  private static Result read(Sample s) {
    JsonObject body = new JsonObject(s.body().toString());
    boolean schemaValid =
        contract.getSchemaRepository().validator(strictBody).validate(body).getValid();

    ObjectNode named = ContractSchema.NODES.objectNode();
    if (!s.body().has("name")) {
      named.put("name", NAME);
    }
    named.setAll(s.body());
    ObjectNode doc = ContractSchema.NODES.objectNode();
    doc.putArray("backends").add(named);
    doc.putArray("routes");
    LinedYaml yaml = LinedYaml.of(doc);
    RouteFileTranslator.Result f = RouteFileTranslator.translate(yaml.text);
    Outcome file =
        f.isValid()
            ? new Outcome(f.backends().get(0), List.of())
            : new Outcome(
                null,
                f.problems().stream().map(p -> p.line() + ": " + p.message()).sorted().toList());

    // REST: the request path names the backend as the body does (or as the file's default).
    JsonNode n = s.body().path("name");
    JsonNode tn = s.body().path("tenant");
    String name = n.isValueNode() && !n.isNull() ? n.asText() : NAME;
    String tenant = tn.isValueNode() && !tn.isNull() ? tn.asText() : DocumentReader.DEFAULT_TENANT;
    BackendKey key;
    try {
      key = new BackendKey(TenantId.of(tenant), name);
    } catch (IllegalArgumentException e) {
      key = new BackendKey(TenantId.of(DocumentReader.DEFAULT_TENANT), NAME);
    }
    Translated<BackendObject> t = RestBackends.read(key, body);
    List<FieldError> errors = t.isValid() ? List.of() : t.errors();
    List<String> expected = new ArrayList<>();
    for (FieldError e : errors) {
      DocPath at = FIRST_BACKEND.append(DocumentContractTest.fromPointer(e.pointer()));
      String message = new DocProblem(at, e.value(), e.rule(), e.kind()).message();
      expected.add(yaml.lineOf(at) + ": " + message);
    }
    Outcome rest =
        t.isValid()
            ? new Outcome(t.value(), List.of())
            : new Outcome(null, errors.stream().map(FieldError::message).sorted().toList());
    return new Result(s, schemaValid, file, rest, errors, expected.stream().sorted().toList());
  }

  private static BackendObject withoutSource(BackendObject b) {
    return new BackendObject(b.key(), "contract", b.spec());
  }
}
