package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.admin.AdminApiVerticle;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.admin.translate.Translated;
import io.gatehouse.document.ContractSchema.Kind;
import io.gatehouse.document.ContractSchema.Site;
import io.gatehouse.file.RouteFileTranslator;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.TestPki;
import io.gatehouse.validate.AccessValidator;
import io.gatehouse.validate.BackendPolicyValidator;
import io.gatehouse.validate.CorsValidator;
import io.gatehouse.validate.PolicyValidator;
import io.gatehouse.validate.RetryValidator;
import io.gatehouse.validate.TargetPaths;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.OpenAPIContract;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The route document's contract, generated from its schema (issue #12; step 4 of {@code
 * docs/design/route-model-v2-document-and-policies.md}). The route body's schema in {@code
 * openapi/gatehouse-admin-v1.yaml} ({@code RouteInput}, the design's {@code Route}) is walked into
 * every object, list and leaf; each gets valid samples (the contract's examples, defaults, enum
 * values, bounds and {@value ContractSchema#SAMPLE}) and invalid ones (wrong type, outside the enum
 * or bounds, a pattern break, an unknown or a missing key). Each sample sits in a minimal route and
 * is read twice: as a routes file ({@link RouteFileTranslator#translate}, the YAML written here
 * with the line of every path known) and as a REST body ({@link RestRoutes#read}, what {@code
 * ChangePlanner} runs on a route body after the runtime schema's "an object").
 *
 * <p>Both must accept or refuse alike, with equal specs (the key's source aside) or the same
 * problems (path, value, rule), the file's on the line of the path and REST's at its pointer. The
 * schema's verdict (vertx-json-schema over the strict contract) must match the reader's except for
 * the rules named in {@link #SEMANTIC_RULES} and {@link #SCHEMA_ONLY}. Every component of {@link
 * RouteSpec} must take two values from accepted samples of each source, except {@link
 * #NOT_FROM_THE_DOCUMENT}.
 *
 * <p>Not run here: REST's source rules after the reader (host claims, the endpoint address policy,
 * the certificate's coverage), which are not document rules.
 */
@Timeout(600)
class DocumentContractTest {
  private static final String ROUTE_BODY = "RouteInput";
  private static final String NAME = "r";
  private static final DocPath FIRST_ROUTE = DocPath.ROOT.key("routes").index(0);

  private static final TestPki CA = TestPki.ca("contract CA");
  private static final TestPki.Issued CLIENT = CA.client("CN=contract client");
  private static final TestPki.Issued CLIENT2 = CA.client("CN=contract client 2");

  /**
   * Rules the schema cannot state, by which the reader refuses a value the schema allows (each key
   * the start of a rule's text), with why it is the reader's alone.
   */
  static final Map<String, String> SEMANTIC_RULES = new LinkedHashMap<>();

  /**
   * Samples the schema refuses and the reader accepts, by "path mutation" ({@code *} for any path);
   * each with why.
   */
  static final Map<String, String> SCHEMA_ONLY = new LinkedHashMap<>();

  /** Components of RouteSpec no document sets, with why. */
  static final Map<String, String> NOT_FROM_THE_DOCUMENT = new LinkedHashMap<>();

  static {
    SEMANTIC_RULES.put(Forms.HOST_PORT, "an address's form and port range: no JSON Schema format");
    SEMANTIC_RULES.put("a DNS name or an IP address", "an endpoint's host, as above");
    SEMANTIC_RULES.put(
        "a valid DNS name (letters, digits, '-', labels of 1-63 characters)",
        "host names: labels and IDNA, beyond a pattern (hosts, serverName)");
    SEMANTIC_RULES.put("'*' only as the whole first label", "wildcard hosts, as above");
    SEMANTIC_RULES.put("a wildcard over at least two labels", "wildcard hosts, as above");
    SEMANTIC_RULES.put(
        "an RE2 regular expression", "a regex must compile, and its type decides the value's form");
    SEMANTIC_RULES.put("starts with '/'", "a path's form depends on its type (a regex need not)");
    SEMANTIC_RULES.put(
        "one or more -----BEGIN CERTIFICATE----- blocks", "PEM must parse: no JSON Schema format");
    SEMANTIC_RULES.put(
        "0 seconds up to 2147483647s (68 years)",
        "the HSTS max-age's range: a pattern cannot bound it");
    SEMANTIC_RULES.put("more than 0, up to 1 day", "a timeout's range: a pattern cannot bound it");
    SEMANTIC_RULES.put(
        "0 (the node's limits.maxHeaderBytes) up to 1048576 (1 MiB)",
        "a response head limit's range: a byte size pattern cannot bound it");
    SEMANTIC_RULES.put("0 (off) up to 1 day", "the request timeout's range, as above");
    SEMANTIC_RULES.put(
        "a regular expression of 1-1024 characters",
        "the value a match needs depends on its type (RegularExpression: not empty)");
    SEMANTIC_RULES.put(
        "h2c, or h2 with backend.tls (HTTP/2 over TLS)", "h2 needs backend.tls: across fields");
    SEMANTIC_RULES.put(
        "includeSubDomains and a maxAge of at least 365 days, as preload lists require",
        "preload depends on the other HSTS fields");
    SEMANTIC_RULES.put(
        "no CA bundle with mode NONE (set mode OPTIONAL or REQUIRED)",
        "caBundle depends on the client-auth mode");
    SEMANTIC_RULES.put(
        PolicyValidator.RESERVED_RULE,
        "headers Gatehouse owns: a list of names and prefixes, case-insensitive");
    SEMANTIC_RULES.put(
        PolicyValidator.ONCE_RULE,
        "a header name once per policy, case-insensitive and across set, add and remove");
    SEMANTIC_RULES.put(
        PolicyValidator.CLIENT_CERTIFICATE_VARIABLE_RULE,
        "a header value's tls.client variables depend on the route's tls.clientAuth: across fields");
    SEMANTIC_RULES.put(
        PolicyValidator.REWRITE_EMPTY_RULE,
        "a URLRewrite must change something: a rule over several keys");
    SEMANTIC_RULES.put(
        "a precise host name without port or '*'",
        "a redirect's or rewrite's hostname: one name, no wildcard or port, beyond a pattern");
    SEMANTIC_RULES.put(
        PolicyValidator.SUBSTITUTION_RULE,
        "a substitution's group references must exist in its pattern");
    SEMANTIC_RULES.put(
        TargetPaths.PATH_RULE, "a path modifier's value in the normal form: beyond a pattern");
    SEMANTIC_RULES.put(
        CorsValidator.ORIGIN_RULE, "an origin's labels and port range: beyond a pattern");
    SEMANTIC_RULES.put(
        CorsValidator.WILDCARD_RULE, "'*' alone in a CORS list: across the items of a list");
    SEMANTIC_RULES.put(
        CorsValidator.NO_ORIGIN_RULE, "a CORS policy needs allowOrigins or allowOriginPatterns");
    SEMANTIC_RULES.put(
        CorsValidator.CREDENTIALS_ORIGIN_RULE, "credentials depend on the origins: across fields");
    SEMANTIC_RULES.put(
        CorsValidator.CREDENTIALS_EXPOSE_RULE,
        "credentials depend on the exposed headers: across fields");

    SEMANTIC_RULES.put(
        PolicyValidator.SESSION_TIMEOUT_RULE,
        "a cookie lifetime's range and whole seconds: a pattern cannot bound a duration");
    SEMANTIC_RULES.put(
        PolicyValidator.SAME_SITE_NONE_RULE, "SameSite=None depends on secure: across fields");

    SEMANTIC_RULES.put(
        "h2c, or h2 with backends[0].tls (HTTP/2 over TLS)",
        "as h2 with backend.tls, in a list of two (the sampled item beside its sibling)");
    SEMANTIC_RULES.put(
        "h2c, or h2 with policies[0].backend.tls (HTTP/2 over TLS)",
        "as h2 with backend.tls, for an error pages backend");

    // ---- RequestMirror (issue #13, branch mirror)
    SEMANTIC_RULES.put(
        "h2c, or h2 with policies[0].backendRef.tls (HTTP/2 over TLS)",
        "as h2 with backend.tls, for a mirror's backend");
    SEMANTIC_RULES.put(
        PolicyValidator.NUMERATOR_RULE,
        "a mirror's fraction is at most one: numerator and denominator, across fields");
    SEMANTIC_RULES.put(
        PolicyValidator.MIRROR_BODY_RULE,
        "a mirror's body limit in bytes: a size with a unit, beyond a pattern");
    SEMANTIC_RULES.put(
        "one of percent or fraction, not both",
        "a mirror's share is given one way: across keys (the contract walker reads a not-required"
            + " as keys an object cannot hold at all)");

    // ---- backend policies and Retry (issue #14, branch sources)
    SEMANTIC_RULES.put(
        BackendPolicyValidator.HASH_ON_RULE,
        "hashOn belongs to the hashing algorithms: across fields (the sampled context hashes)");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.SLOW_START_ALGORITHM_RULE,
        "slowStart depends on the algorithm: across fields");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.SLOW_START_RULE,
        "a slow-start window's range: a pattern cannot bound a duration");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.CHECK_DURATION_RULE,
        "a probe interval's and timeout's range: a pattern cannot bound a duration");
    SEMANTIC_RULES.put(BackendPolicyValidator.JITTER_RULE, "a probe jitter's range, as above");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.STATUS_RANGE_RULE, "a status range's FROM <= TO: across numbers");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.STDEV_RULE,
        "a factor of at most 3 decimals (kept in thousandths): no portable multipleOf");
    SEMANTIC_RULES.put(
        BackendPolicyValidator.EJECTION_ORDER_RULE,
        "maxEjectionTime at least baseEjectionTime: across fields");
    SEMANTIC_RULES.put(RetryValidator.STATUSES_RULE, "Status in on needs statuses: across fields");
    SEMANTIC_RULES.put(
        RetryValidator.GRPC_STATUSES_RULE, "GrpcStatus in on needs grpcStatuses: across fields");
    SEMANTIC_RULES.put(
        RetryValidator.BACKOFF_RULE, "a back-off's range: a pattern cannot bound a duration");
    SEMANTIC_RULES.put(
        RetryValidator.BACKOFF_ORDER_RULE, "backoff.max at least backoff.base: across fields");
    SEMANTIC_RULES.put(
        RetryValidator.BUFFER_RULE,
        "a retry buffer's size with a unit and the route's body limit: across fields");

    // ---- access control (issue #15, branch documents)
    SEMANTIC_RULES.put(AccessValidator.KEY_SOURCE_RULE, "one key source: across keys");
    SEMANTIC_RULES.put(
        AccessValidator.CIDR_RULE, "an address's and prefix's ranges: beyond a pattern (Cidrs)");
    SEMANTIC_RULES.put(AccessValidator.KEY_NAME_RULE, "a key's name depends on its type");
    SEMANTIC_RULES.put(
        AccessValidator.HMAC_RULE, "HMAC depends on the key source and key types: across fields");
    SEMANTIC_RULES.put(AccessValidator.IP_EMPTY_RULE, "allow or deny: across keys");
    SEMANTIC_RULES.put(
        AccessValidator.CLAIM_KEY_RULE, "a Claim key needs a JwtAuth policy: across policies");
    SEMANTIC_RULES.put(
        AccessValidator.TIMEOUT_RULE, "a timeout's range: a pattern cannot bound a duration");
    SEMANTIC_RULES.put(AccessValidator.JWKS_REFETCH_RULE, "a refetch interval's range, as above");
    SEMANTIC_RULES.put(AccessValidator.JWKS_CACHE_RULE, "a cache duration's range, as above");
    SEMANTIC_RULES.put(AccessValidator.SKEW_RULE, "a clock skew's range, as above");
    SEMANTIC_RULES.put(AccessValidator.CACHE_RULE, "a forward-auth cache's range, as above");
    SEMANTIC_RULES.put(
        Forms.HASH_NOT_KEPT,
        "write-only: a user without hash keeps the stored one (none stored for a new route)");
    SEMANTIC_RULES.put(
        Forms.KEYS_NOT_KEPT,
        "write-only: a JwtAuth without key source keeps its stored keys (none for a new route)");
    for (String m :
        List.of(
            "policies[0].jwksKeys object-for-array",
            "policies[0].jwksKeys[0] number-for-object",
            "policies[0].jwksKeys[0].alg object-for-string",
            "policies[0].jwksKeys[0].kid object-for-string",
            "policies[0].jwksKeys[0].kty object-for-string",
            "policies[0].jwksKeys[0].use object-for-string")) {
      SCHEMA_ONLY.put(m, "jwksKeys is read-only: an answer's summary, ignored in a request");
    }

    SCHEMA_ONLY.put(
        "* number-for-string",
        "the document reads a number where text is due as its text (YAML writes 1 for \"1\");"
            + " an undocumented leniency kept out of the schema (design Q2)");
    SCHEMA_ONLY.put(
        "* scalar-for-array",
        "a scalar is read as a list of one (undocumented leniency kept out of the schema, Q2)");
    SCHEMA_ONLY.put(
        "* enum-case",
        "enums are read in any case (undocumented leniency kept out of the schema, design Q2)");
    SCHEMA_ONLY.put(
        "tls.redirect boolean-for-scalar",
        "YAML 1.1 reads an unquoted off as false, so the reader takes false for off");
    SCHEMA_ONLY.put(
        "(route) hosts missing",
        "REST's own rule (ChangePlanner: at least one claimed host); the routes file allows a"
            + " route for every host");
    SCHEMA_ONLY.put("hosts below-minItems", "as for hosts missing");

    NOT_FROM_THE_DOCUMENT.put(
        "key.source", "the source is the adapter's (file, api), not a document field");
    for (String at :
        List.of(
            "policies[]<RequestMirror>.backendRef<BackendSpec>.policy.",
            "policies[]<RequestMirror>.backendRef<ServicePort>.policy.",
            "policies[]<ErrorPages>.backend<BackendSpec>.policy.",
            "policies[]<ErrorPages>.backend<ServicePort>.policy.")) {
      NOT_FROM_THE_DOCUMENT.put(
          at,
          "a mirror's copies and error pages are fetched by round robin: the reader refuses a"
              + " backend policy there");
    }
    NOT_FROM_THE_DOCUMENT.put(
        "policies[]<ErrorPages>.backend<BackendSpec>.proxyProtocol",
        "an error page is fetched over the node's shared clients, which send no PROXY header: the"
            + " reader and the validator refuse it there");
    for (String at :
        List.of(
            "backends[].ref<ServicePort>.namespace",
            "policies[]<RequestMirror>.backendRef<ServicePort>.namespace",
            "policies[]<ErrorPages>.backend<ServicePort>.namespace")) {
      NOT_FROM_THE_DOCUMENT.put(
          at,
          "another namespace's Service is named by Gateway API routes with a ReferenceGrant only"
              + " (issue #17): validation refuses it from the file and REST");
    }
    for (String at :
        List.of(
            "backends[].ref<Unresolved>.",
            "policies[]<RequestMirror>.backendRef<Unresolved>.",
            "policies[]<ErrorPages>.backend<Unresolved>.")) {
      NOT_FROM_THE_DOCUMENT.put(
          at,
          "a fixed-status backend is the Kubernetes translator's answer to an invalid backendRef"
              + " (issue #17): validation refuses it from the file and REST");
    }
    NOT_FROM_THE_DOCUMENT.put(
        "listener.",
        "a route on a Gateway listener alone is the Kubernetes translator's (issue #17 phase 2):"
            + " validation refuses it from the file and REST");
    for (String at :
        List.of(
            "backends[].ref<BackendSpec>.tls.subjectAltNames",
            "backends[].ref<ServicePort>.tls.subjectAltNames",
            "policies[]<RequestMirror>.backendRef<BackendSpec>.tls.subjectAltNames",
            "policies[]<RequestMirror>.backendRef<ServicePort>.tls.subjectAltNames",
            "policies[]<ErrorPages>.backend<BackendSpec>.tls.subjectAltNames",
            "policies[]<ErrorPages>.backend<ServicePort>.tls.subjectAltNames")) {
      NOT_FROM_THE_DOCUMENT.put(
          at,
          "the names an upstream certificate must carry are Gateway API BackendTLSPolicy's, the"
              + " Kubernetes translator's (issue #17): validation refuses them from the file and"
              + " REST");
    }
    NOT_FROM_THE_DOCUMENT.put(
        "backends[].filters[]",
        "a backend's own filters are Gateway API filters on a backendRef, the Kubernetes"
            + " translator's (issue #17): validation refuses them from the file and REST");
    NOT_FROM_THE_DOCUMENT.put(
        "wildcardsAnyDepth",
        "wildcards over any number of labels are Gateway API hostnames, the Kubernetes"
            + " translator's (issue #17): validation refuses them from the file and REST");
  }

  /**
   * Leaves (by the end of their path) whose every value is refused in the context the walker puts
   * them in (the container's first sample), with why; an object sample of the container reaches
   * them instead.
   */
  static final Map<String, String> REFUSED_IN_CONTEXT = new LinkedHashMap<>();

  static {
    for (String at : List.of("jwks", "jwks.keys[0].kty", "jwks.keys[0].kid")) {
      REFUSED_IN_CONTEXT.put(
          at,
          "the sampled JwtAuth reads its keys from jwksUri and a policy has one key source;"
              + " JwtAuth's own samples reach inline keys");
    }
    REFUSED_IN_CONTEXT.put(
        "loadBalancing.slowStart",
        "the sampled context hashes (so that hashOn is reached), and slow start is for"
            + " RoundRobin and LeastRequest only; LoadBalancing's own samples reach it");
  }

  static Vertx vertx;
  static ContractSchema schema;
  static JsonSchema strictBody;
  static OpenAPIContract contract;
  static List<Site> sites;
  static final List<Result> results = new ArrayList<>();

  /** One generated document and what each side made of it. */
  record Sample(String name, Site site, String mutation, boolean intendedValid, ObjectNode route) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Accepted (a spec) or refused (problems as "line: message", sorted). */
  record Outcome(RouteSpec spec, List<String> problems) {
    boolean accepted() {
      return spec != null;
    }

    @Override
    public String toString() {
      return accepted() ? "accepted " + spec : "refused " + problems;
    }
  }

  record Result(
      Sample sample,
      boolean schemaValid,
      Outcome file,
      Outcome rest,
      List<FieldError> restErrors,
      List<String> expectedFileProblems) {}

  @BeforeAll
  static void readEverySample() throws Exception {
    vertx = Vertx.vertx();
    JsonObject strict = AdminApiVerticle.forSchemaChecks(AdminApiVerticle.contractJson());
    contract =
        OpenAPIContract.from(vertx, strict)
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    strictBody =
        contract
            .operation("putRoute")
            .getRequestBody()
            .getContent()
            .get("application/json")
            .getSchema();
    schema = new ContractSchema(AdminApiVerticle.contractJson(), DocumentContractTest::pem);
    sites = schema.walk(schema.named(ROUTE_BODY));
    for (Site site : sites) {
      for (Sample s : samples(site)) {
        results.add(read(s));
      }
    }
  }

  @AfterAll
  static void close() throws Exception {
    // -Dcontract.dump=FILE writes every sample and both verdicts, to read what the test generated.
    if (System.getProperty("contract.dump") != null) {
      StringBuilder b = new StringBuilder();
      for (Result r : results) {
        b.append(r.sample())
            .append(" | schema ")
            .append(r.schemaValid() ? "valid" : "invalid")
            .append(" | file ")
            .append(r.file())
            .append(" | rest ")
            .append(r.rest())
            .append('\n');
      }
      Files.writeString(Path.of(System.getProperty("contract.dump")), b);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void the_walk_reaches_the_fields_of_the_route_body() {
    Set<String> paths = new TreeSet<>();
    sites.forEach(s -> paths.add(s.docPath().toString()));
    assertThat(paths)
        .contains(
            "backend.endpoints[0].weight",
            "backend.tls.clientCertificate.privateKey",
            "tls.clientAuth.caBundle",
            "tls.hsts.maxAge",
            "paths[0].type",
            "maxRequestBodyBytes");
    assertThat(results).hasSizeGreaterThan(sites.size());
  }

  @Test
  void every_leaf_has_a_valid_sample_that_both_sources_accept() {
    List<String> missing = new ArrayList<>();
    for (Site site : sites) {
      if (site.kind() != Kind.LEAF) {
        continue;
      }
      if (schema.validSamples(site.schema()).isEmpty()) {
        missing.add(site + ": no valid sample (add examples or " + ContractSchema.SAMPLE + ")");
        continue;
      }
      if (REFUSED_IN_CONTEXT.keySet().stream().anyMatch(site.docPath().toString()::endsWith)) {
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
    assertThat(missing).as("leaves the contract test cannot reach").isEmpty();
  }

  @Test
  void the_file_and_rest_accept_and_refuse_alike_with_equal_specs_or_equal_problems() {
    List<String> drift = new ArrayList<>();
    for (Result r : results) {
      if (r.file().accepted() != r.rest().accepted()) {
        drift.add(r.sample() + "\n    file: " + r.file() + "\n    rest: " + r.rest());
      } else if (r.file().accepted()) {
        if (!withoutSource(r.file().spec()).equals(withoutSource(r.rest().spec()))) {
          drift.add(r.sample() + "\n    file: " + r.file() + "\n    rest: " + r.rest());
        }
      } else if (!r.file().problems().equals(r.expectedFileProblems())) {
        drift.add(
            r.sample()
                + "\n    file: "
                + r.file().problems()
                + "\n    rest, as the file would say it: "
                + r.expectedFileProblems());
      }
    }
    assertThat(drift).as("file and REST differ").isEmpty();
  }

  @Test
  void rest_pointers_are_the_paths_of_the_document() {
    List<String> wrong = new ArrayList<>();
    for (Result r : results) {
      for (FieldError e : r.restErrors()) {
        if (!fromPointer(e.pointer()).pointer().equals(e.pointer())
            || !e.pointer().startsWith("/")) {
          wrong.add(r.sample() + ": " + e.pointer());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void a_route_rest_answers_reads_back_as_the_same_route() {
    List<String> drift = new ArrayList<>();
    for (Result r : results) {
      RouteSpec spec = r.rest().spec();
      // GET never answers clientCertificate.privateKey (writeOnly), so that route cannot return.
      if (spec == null || hasClientCertificate(spec)) {
        continue;
      }
      JsonObject got = RestRoutes.write(spec, 1);
      got.remove("revision");
      // Read over the stored route, as ChangePlanner does: write-only secrets (password hashes,
      // inline keys) that the answer leaves out keep their stored values.
      Translated<RouteSpec> back = RestRoutes.read(spec.key(), got, spec);
      if (!back.isValid() || !back.value().equals(spec)) {
        drift.add(r.sample() + "\n    GET: " + got.encode() + "\n    PUT of it: " + back);
      }
    }
    assertThat(drift).isEmpty();
  }

  @Test
  void the_schema_and_the_reader_agree_except_for_named_rules() {
    List<String> disagree = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Result r : results) {
      Sample s = r.sample();
      if (!r.schemaValid() && r.file().accepted()) {
        String at =
            (s.site().path().isEmpty() ? "(route)" : s.site().docPath().toString())
                + " "
                + s.mutation();
        String named = SCHEMA_ONLY.containsKey(at) ? at : "* " + s.mutation();
        if (SCHEMA_ONLY.containsKey(named)) {
          used.add(named);
        } else {
          disagree.add(s + ": the schema refuses it, the reader accepts it");
        }
      }
      if (r.schemaValid() && !r.rest().accepted()) {
        for (FieldError e : r.restErrors()) {
          Optional<String> named =
              SEMANTIC_RULES.keySet().stream().filter(e.rule()::startsWith).findFirst();
          if (named.isPresent()) {
            used.add(named.get());
          } else {
            disagree.add(s + ": the schema allows it, the reader refuses it: " + e.message());
          }
        }
      }
    }
    assertThat(disagree).as("schema and reader disagree").isEmpty();
    // An exception nothing needs any more is a rule the schema could now state: drop it.
    assertThat(used)
        .as("named exceptions still needed")
        .containsAll(SCHEMA_ONLY.keySet())
        .containsAll(SEMANTIC_RULES.keySet());
  }

  @Test
  void every_component_of_the_model_is_reached_from_the_file_and_from_rest() {
    Set<String> all = new TreeSet<>();
    components(RouteSpec.class, "", all, 0);
    Map<String, Set<Object>> fromFile = new TreeMap<>();
    Map<String, Set<Object>> fromRest = new TreeMap<>();
    for (Result r : results) {
      if (r.file().accepted()) {
        flatten(r.file().spec(), RouteSpec.class, "", fromFile);
      }
      if (r.rest().accepted()) {
        flatten(r.rest().spec(), RouteSpec.class, "", fromRest);
      }
    }
    List<String> unreached = new ArrayList<>();
    Set<String> excused = new HashSet<>();
    for (String c : all) {
      Optional<String> excuse =
          NOT_FROM_THE_DOCUMENT.keySet().stream().filter(c::startsWith).findFirst();
      if (excuse.isPresent()) {
        if (fromFile.getOrDefault(c, Set.of()).size() < 2
            || fromRest.getOrDefault(c, Set.of()).size() < 2) {
          excused.add(excuse.get());
        }
        continue;
      }
      if (fromFile.getOrDefault(c, Set.of()).size() < 2) {
        unreached.add("file: " + c + " " + fromFile.getOrDefault(c, Set.of()));
      }
      if (fromRest.getOrDefault(c, Set.of()).size() < 2) {
        unreached.add("rest: " + c + " " + fromRest.getOrDefault(c, Set.of()));
      }
    }
    assertThat(all).contains("tls.clientAuth.caBundlePem", "backends[].ref<BackendSpec>.protocol");
    assertThat(unreached).as("components that take one value only").isEmpty();
    // Once a document sets one of these (backendRefs, named backends), its excuse goes.
    assertThat(excused)
        .as("excuses still needed")
        .containsExactlyInAnyOrderElementsOf(NOT_FROM_THE_DOCUMENT.keySet());
  }

  // --- samples

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
        if (s.containsKey("pattern") || s.containsKey("enum")) {
          // Forms a hand might write: another case, surrounding blanks.
          for (JsonNode v : schema.validSamples(s)) {
            if (v.isTextual()) {
              String t = v.asText();
              String kind = s.containsKey("enum") ? "enum-case" : "case";
              String upper = t.toUpperCase(Locale.ROOT);
              String lower = t.toLowerCase(Locale.ROOT);
              if (!upper.equals(t)) {
                out.add(sample(site, kind, false, ContractSchema.node(upper)));
              }
              if (!lower.equals(t)) {
                out.add(sample(site, kind, false, ContractSchema.node(lower)));
              }
              out.add(sample(site, "blanks", false, ContractSchema.node(" " + t + " ")));
            }
          }
        }
        if ("string".equals(type)) {
          out.add(sample(site, "object-for-string", false, obj()));
          out.add(sample(site, "number-for-string", false, ContractSchema.node(7)));
          if (s.containsKey("maxLength")) {
            int max = s.getInteger("maxLength");
            out.add(
                sample(site, "above-maxLength", false, ContractSchema.node("a".repeat(max + 1))));
            // A valid value grown to the bound and past it: the length is all that changes.
            List<JsonNode> valid = schema.validSamples(s);
            if (!valid.isEmpty() && valid.get(0).isTextual()) {
              String v = valid.get(0).asText();
              if (v.length() <= max) {
                out.add(sample(site, "at-maxLength", false, ContractSchema.node(grown(v, max))));
                out.add(
                    sample(site, "past-maxLength", false, ContractSchema.node(grown(v, max + 1))));
              }
            }
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
          out.add(sample(site, "fraction-for-integer", false, ContractSchema.node(1.5)));
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
        } else {
          out.add(sample(site, "object-for-scalar", false, obj()));
          out.add(sample(site, "boolean-for-scalar", false, ContractSchema.node(false)));
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
        JsonObject items = s.getJsonObject("items");
        JsonNode one = schema.minimal(items);
        if (one.isValueNode()) {
          out.add(sample(site, "scalar-for-array", false, one));
        }
        if (s.containsKey("maxItems")) {
          ArrayNode many = ContractSchema.NODES.arrayNode();
          for (int i = 0; i < s.getInteger("maxItems"); i++) {
            many.add(schema.minimal(items));
          }
          out.add(sample(site, "at-maxItems", false, many.deepCopy()));
          many.add(schema.minimal(items));
          out.add(sample(site, "above-maxItems", false, many));
        }
        if (s.getInteger("minItems", 0) > 0) {
          out.add(sample(site, "below-minItems", false, ContractSchema.NODES.arrayNode()));
        }
      }
    }
    return out;
  }

  /** {@code v} grown to {@code length} characters: its last character repeated. */
  private static String grown(String v, int length) {
    return v.isEmpty()
        ? "a".repeat(length)
        : v + String.valueOf(v.charAt(v.length() - 1)).repeat(length - v.length());
  }

  private static ObjectNode obj() {
    return ContractSchema.NODES.objectNode().put("x", 1);
  }

  private static Sample sample(Site site, String mutation, boolean valid, JsonNode value) {
    ObjectNode route;
    if (site.path().isEmpty()) {
      route = (ObjectNode) value;
    } else {
      route = schema.embed(site, value);
    }
    String shown = value.toString();
    shown = shown.length() > 60 ? shown.substring(0, 57) + "..." : shown;
    String at = site.path().isEmpty() ? "(route)" : site.docPath().toString();
    return new Sample(at + " " + mutation + " " + shown, site, mutation, valid, route);
  }

  /** The test's PEM material for the contract's placeholders. */
  static String pem(String text) {
    return switch (text) {
      case "<pem:ca>" -> CA.caPem();
      case "<pem:client-chain>" -> CLIENT.chainPem();
      case "<pem:client-key>" -> CLIENT.keyPem();
      case "<pem:client2-chain>" -> CLIENT2.chainPem();
      case "<pem:client2-key>" -> CLIENT2.keyPem();
      default -> text;
    };
  }

  // --- reading

  private static Result read(Sample s) {
    JsonObject body = new JsonObject(s.route().toString());
    boolean schemaValid =
        contract.getSchemaRepository().validator(strictBody).validate(body).getValid();

    ObjectNode named = ContractSchema.NODES.objectNode();
    if (!s.route().has("name")) {
      named.put("name", NAME);
    }
    named.setAll(s.route());
    ObjectNode doc = ContractSchema.NODES.objectNode();
    doc.putArray("routes").add(named);
    LinedYaml yaml = LinedYaml.of(doc);
    RouteFileTranslator.Result f = RouteFileTranslator.translate(yaml.text);
    Outcome file =
        f.isValid()
            ? new Outcome(f.routes().get(0), List.of())
            : new Outcome(
                null,
                f.problems().stream().map(p -> p.line() + ": " + p.message()).sorted().toList());

    // REST: the request path names the route as the body does (or as the file's default).
    JsonNode n = s.route().path("name");
    JsonNode tn = s.route().path("tenant");
    String name = n.isValueNode() && !n.isNull() ? n.asText() : NAME;
    String tenant = tn.isValueNode() && !tn.isNull() ? tn.asText() : DocumentReader.DEFAULT_TENANT;
    RouteKey key;
    try {
      key = RouteKey.of(tenant, RestRoutes.SOURCE, name);
    } catch (IllegalArgumentException e) {
      key = RouteKey.of(DocumentReader.DEFAULT_TENANT, RestRoutes.SOURCE, NAME);
    }
    Translated<RouteSpec> t = RestRoutes.read(key, body);
    List<FieldError> errors = t.isValid() ? List.of() : t.errors();
    List<String> expected = new ArrayList<>();
    for (FieldError e : errors) {
      DocPath at = FIRST_ROUTE.append(fromPointer(e.pointer()));
      String message = new DocProblem(at, e.value(), e.rule(), e.kind()).message();
      expected.add(yaml.lineOf(at) + ": " + message);
    }
    Outcome rest =
        t.isValid()
            ? new Outcome(t.value(), List.of())
            : new Outcome(null, errors.stream().map(FieldError::message).sorted().toList());
    return new Result(s, schemaValid, file, rest, errors, expected.stream().sorted().toList());
  }

  static DocPath fromPointer(String pointer) {
    DocPath p = DocPath.ROOT;
    if (pointer.isEmpty()) {
      return p;
    }
    for (String seg : pointer.substring(1).split("/", -1)) {
      String k = seg.replace("~1", "/").replace("~0", "~");
      p =
          !k.isEmpty() && k.length() < 9 && k.chars().allMatch(Character::isDigit)
              ? p.index(Integer.parseInt(k))
              : p.key(k);
    }
    return p;
  }

  private static RouteSpec withoutSource(RouteSpec s) {
    return new RouteSpec(
        new RouteKey(s.key().tenant(), "contract", s.key().name()),
        s.hosts(),
        s.paths(),
        s.methods(),
        s.headers(),
        s.queries(),
        s.backends(),
        s.timeouts(),
        s.limits(),
        s.priority(),
        s.tls());
  }

  private static boolean hasClientCertificate(RouteSpec spec) {
    Map<String, Set<Object>> flat = new TreeMap<>();
    flatten(spec, RouteSpec.class, "", flat);
    return flat.entrySet().stream()
        .anyMatch(
            e ->
                e.getKey().endsWith("tls.clientCertificate.certificateChainPem")
                    && !e.getValue().contains(NULL));
  }

  // --- the model, by reflection

  private static final Object NULL = "<null>";

  /**
   * Every leaf component path of {@code type}: records, sealed interfaces and lists of either are
   * entered. A nested record that is absent gives no values to the paths under it.
   */
  private static void components(Class<?> type, String path, Set<String> out, int depth) {
    if (depth > 12) {
      throw new IllegalStateException("model nests deeper than 12 at " + path);
    }
    if (type.isSealed()) {
      for (Class<?> sub : type.getPermittedSubclasses()) {
        components(sub, path + "<" + sub.getSimpleName() + ">", out, depth + 1);
      }
      return;
    }
    if (!type.isRecord()) {
      out.add(path);
      return;
    }
    for (RecordComponent c : type.getRecordComponents()) {
      String p = path.isEmpty() ? c.getName() : path + "." + c.getName();
      Class<?> element = element(c.getGenericType());
      if (element != null && (element.isRecord() || element.isSealed())) {
        components(element, p + "[]", out, depth + 1);
      } else {
        components(c.getType(), p, out, depth + 1);
      }
    }
  }

  /** The values each component path takes in {@code value}, added to {@code out}. */
  private static void flatten(
      Object value, Class<?> type, String path, Map<String, Set<Object>> out) {
    if (type.isSealed()) {
      if (value != null) {
        Class<?> runtime = value.getClass();
        flatten(value, runtime, path + "<" + runtime.getSimpleName() + ">", out);
      }
      return;
    }
    if (!type.isRecord()) {
      out.computeIfAbsent(path, k -> new HashSet<>()).add(value == null ? NULL : value);
      return;
    }
    if (value == null) {
      return;
    }
    for (RecordComponent c : type.getRecordComponents()) {
      String p = path.isEmpty() ? c.getName() : path + "." + c.getName();
      Object v;
      try {
        v = c.getAccessor().invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      Class<?> element = element(c.getGenericType());
      if (element != null && (element.isRecord() || element.isSealed())) {
        for (Object item : (Collection<?>) v) {
          flatten(item, element, p + "[]", out);
        }
      } else {
        flatten(v, c.getType(), p, out);
      }
    }
  }

  /** The element class of a {@code List<X>} or {@code Set<X>}; null for other types. */
  private static Class<?> element(Type t) {
    if (t instanceof ParameterizedType p
        && p.getRawType() instanceof Class<?> raw
        && Collection.class.isAssignableFrom(raw)
        && p.getActualTypeArguments()[0] instanceof Class<?> e) {
      return e;
    }
    return null;
  }
}
