package io.gatehouse.admin;

import io.gatehouse.admin.auth.AdminBootstrap;
import io.gatehouse.admin.auth.Caller;
import io.gatehouse.admin.auth.RateLimiter;
import io.gatehouse.admin.auth.Tokens;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.RouteTable;
import io.gatehouse.validate.EndpointPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The admin REST API on its own listener, built from the OpenAPI contract packaged in this jar:
 * every request is authenticated, rate-limited and validated against the contract before a handler
 * runs. Deploy one instance per node.
 */
public final class AdminApiVerticle extends VerticleBase {
  /** The contract inside the jar; served at {@code /openapi.yaml}. */
  public static final String CONTRACT_RESOURCE = "openapi/gatehouse-admin-v1.yaml";

  /** The schema of a route's request body: the route document, read by its reader. */
  static final String ROUTE_BODY = "RouteInput";

  /** The schema of a named backend's request body, read by the same reader. */
  static final String BACKEND_BODY = "NamedBackendInput";

  private static final Logger LOG = LoggerFactory.getLogger(AdminApiVerticle.class);
  private static final Logger AUDIT = LoggerFactory.getLogger("gatehouse.audit");
  private static final Logger BOOTSTRAP = LoggerFactory.getLogger("gatehouse.admin.bootstrap");
  private static final String CALLER = "gatehouse.caller";
  private static final String OPERATION = "gatehouse.operation";

  private final RouteTable table;
  private final AdminApiOptions options;
  private final Clock clock;
  private final RateLimiter limiter;
  private final Explainer explainer;
  private final UnaryOperator<HttpServerOptions> tlsPolicy;
  private @Nullable HttpServer server; // set when listening

  public AdminApiVerticle(RouteTable table, AdminApiOptions options) {
    this(table, options, Clock.systemUTC());
  }

  public AdminApiVerticle(RouteTable table, AdminApiOptions options, Clock clock) {
    this(table, options, clock, Explainer.UNAVAILABLE);
  }

  /**
   * @param explainer answers {@code POST /v1/explain} from the node's routing state
   */
  public AdminApiVerticle(
      RouteTable table, AdminApiOptions options, Clock clock, Explainer explainer) {
    this(table, options, clock, explainer, UnaryOperator.identity());
  }

  /**
   * @param tlsPolicy applied to the listener's options when it serves HTTPS: the node's TLS
   *     versions and suites (the node owns that policy; this module only applies it)
   */
  public AdminApiVerticle(
      RouteTable table,
      AdminApiOptions options,
      Clock clock,
      Explainer explainer,
      UnaryOperator<HttpServerOptions> tlsPolicy) {
    this.table = table;
    this.options = options;
    this.clock = clock;
    this.explainer = explainer;
    this.tlsPolicy = tlsPolicy;
    this.limiter = new RateLimiter(options.ratePerSecond(), options.rateBurst(), System::nanoTime);
  }

  /** The bound port (after start). */
  public int port() {
    return Objects.requireNonNull(server, "the admin API is not listening yet").actualPort();
  }

  /** The contract as JSON, read from the jar. */
  public static JsonObject contractJson() {
    return new JsonObject(
        (Map<String, Object>)
            new Yaml(new SafeConstructor(new LoaderOptions()))
                .<Map<String, Object>>load(contractText()));
  }

  /**
   * The contract as the request validator uses it. vertx-openapi 5.0 refuses {@code
   * application/problem+json} responses, which it never validates anyway (requests only), so the
   * router's copy says JSON. And a route body (the {@value #ROUTE_BODY} schema, also a batch item's
   * {@code route}) and a named backend's ({@value #BACKEND_BODY}, also a batch item's {@code
   * backend}) are only checked to be objects: the route document's reader checks the rest, so REST
   * refuses a bad route or backend with the routes file's words. The published contract stays
   * strict.
   */
  public static JsonObject forValidator(JsonObject contract) {
    JsonObject c = forSchemaChecks(contract);
    JsonObject schemas = c.getJsonObject("components").getJsonObject("schemas");
    schemas.put(ROUTE_BODY, new JsonObject().put("type", "object"));
    schemas.put(BACKEND_BODY, new JsonObject().put("type", "object"));
    return c;
  }

  /**
   * The strict contract, with the media types vertx-openapi accepts (see {@link #forValidator}).
   */
  public static JsonObject forSchemaChecks(JsonObject contract) {
    return new JsonObject(
        contract.encode().replace("\"application/problem+json\"", "\"application/json\""));
  }

  public static String contractText() {
    try (InputStream in =
        AdminApiVerticle.class.getClassLoader().getResourceAsStream(CONTRACT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CONTRACT_RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Future<?> start() {
    EndpointPolicy policy = EndpointPolicy.withDefaults(options.deniedCidrs());
    AdminHandlers handlers =
        new AdminHandlers(
            vertx, table, options, new ChangePlanner(policy, clock), clock, explainer);
    Optional<String> given =
        options.bootstrapToken().isBlank()
            ? Optional.empty()
            : Optional.of(options.bootstrapToken());
    return vertx
        .executeBlocking(() -> AdminBootstrap.ensure(table, given, clock.millis()))
        .onSuccess(this::announce)
        .compose(b -> OpenAPIContract.from(vertx, forValidator(contractJson())))
        .compose(contract -> listen(contract, handlers));
  }

  private void announce(AdminBootstrap.Result result) {
    if (result instanceof AdminBootstrap.Result.Created created) {
      // Shown once: only its hash is stored.
      BOOTSTRAP.warn(
          "BOOTSTRAP ADMIN TOKEN (shown once, store it now; revoke it after creating your own):"
              + " {}",
          created.bearer());
    } else if (result instanceof AdminBootstrap.Result.Stored stored) {
      BOOTSTRAP.info("admin token '{}' given at start stored (hash only)", stored.id());
    }
  }

  private Future<HttpServer> listen(OpenAPIContract contract, AdminHandlers handlers) {
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    // Vert.x orders body handlers before user handlers; the body is bounded, so reading it first
    // costs at most bodyLimitBytes per unauthenticated request.
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(options.bodyLimitBytes()));
    builder.rootHandler(rc -> authenticate(rc, contract));
    for (Map.Entry<String, Function<AdminHandlers.Request, Future<Reply>>> e :
        handlers.all().entrySet()) {
      // Bearer tokens are checked by authenticate(), before the contract's validation.
      builder
          .getRoute(e.getKey())
          .setDoSecurity(false)
          .addHandler(rc -> dispatch(rc, e.getKey(), e.getValue()));
    }
    Router router = builder.createRouter();
    String spec = contractText();
    router
        .get("/openapi.yaml")
        .order(-10)
        .handler(rc -> rc.response().putHeader("Content-Type", "application/yaml").end(spec));
    router
        .get("/docs/swagger-initializer.js")
        .order(-8)
        .handler(
            rc ->
                rc.response()
                    .putHeader("Content-Type", "application/javascript")
                    .end(
                        "window.onload = function () { window.ui = SwaggerUIBundle({url:"
                            + " '/openapi.yaml', dom_id: '#swagger-ui', presets:"
                            + " [SwaggerUIBundle.presets.apis], layout: 'BaseLayout'}); };\n"));
    router
        .get("/docs/*")
        .order(-7)
        .handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/" + swaggerVersion()));
    router.route().last().failureHandler(this::failure);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, this::failure);
    }
    HttpServerOptions serverOptions =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setMaxInitialLineLength(8 * 1024)
            .setMaxHeaderSize(16 * 1024);
    if (!options.tlsCertPath().isBlank()) {
      serverOptions
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(options.tlsCertPath())
                  .setKeyPath(options.tlsKeyPath()));
      if (!options.tlsClientCaPath().isBlank()) {
        // Client certificates are checked in the handshake, before any token is read.
        serverOptions
            .setClientAuth(ClientAuth.REQUIRED)
            .setTrustOptions(new PemTrustOptions().addCertPath(options.tlsClientCaPath()));
      }
      serverOptions = tlsPolicy.apply(serverOptions);
    }
    return vertx
        .createHttpServer(serverOptions)
        .requestHandler(router)
        .listen()
        .onSuccess(
            s -> {
              server = s;
              LOG.atInfo()
                  .setMessage("admin API listening")
                  .addKeyValue("host", options.host())
                  .addKeyValue("port", s.actualPort())
                  .addKeyValue("tls", !options.tlsCertPath().isBlank())
                  .log();
            });
  }

  private static String swaggerVersion() {
    try (InputStream in =
        AdminApiVerticle.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "missing");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  // --- before the contract: who, how often, may they ----------------------------------------

  private void authenticate(RoutingContext rc, OpenAPIContract contract) {
    String header = rc.request().getHeader("Authorization");
    String bearer =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).trim()
            : null;
    Optional<Caller> caller = Tokens.authenticate(table.view(), bearer);
    if (caller.isEmpty()) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
      send(
          rc,
          Reply.of(
              Problem.of(
                  401,
                  "unauthorized",
                  "A valid bearer token is required",
                  bearer == null ? "no bearer token" : "unknown or revoked token")));
      return;
    }
    rc.put(CALLER, caller.get());
    long retryAfter = limiter.acquire(caller.get().tokenId());
    if (retryAfter > 0) {
      rc.response().putHeader("Retry-After", Long.toString(retryAfter));
      send(rc, Reply.of(Problem.of(429, "rate-limited", "Too many requests")));
      return;
    }
    Operation op = contract.findOperation(rc.normalizedPath(), rc.request().method());
    if (op != null) {
      rc.put(OPERATION, op.getOperationId());
      Problem denied = authorize(caller.get(), op, rc.normalizedPath());
      if (denied != null) {
        send(rc, Reply.of(denied));
        return;
      }
    }
    rc.next();
  }

  /** 403 for admin operations, 404 for another tenant's objects; null when allowed. */
  static @Nullable Problem authorize(Caller caller, Operation op, String path) {
    Access access = Access.BY_OPERATION.get(op.getOperationId());
    TenantId own = caller.tenant();
    if (own == null || access == Access.ANY) { // null: an admin token
      return null;
    }
    if (access != Access.TENANT) {
      return Problem.forbidden("admin tokens only");
    }
    String[] template = op.getOpenAPIPath().split("/");
    String[] actual = path.split("/");
    for (int i = 0; i < template.length && i < actual.length; i++) {
      if (template[i].equals("{tenant}")) {
        String tenant = URLDecoder.decode(actual[i], StandardCharsets.UTF_8);
        return own.value().equals(tenant) ? null : Problem.notFound();
      }
    }
    return Problem.forbidden("admin tokens only");
  }

  private void dispatch(
      RoutingContext rc, String operation, Function<AdminHandlers.Request, Future<Reply>> h) {
    Map<String, String> path = new HashMap<>(rc.pathParams());
    JsonObject body = null;
    if (rc.body() != null && rc.body().length() > 0) {
      Object json = rc.body().asJsonObject();
      body = (JsonObject) json;
    }
    AdminHandlers.Request request =
        new AdminHandlers.Request(
            rc.get(CALLER),
            operation,
            path,
            rc.queryParams(),
            rc.request().getHeader("If-Match"),
            body == null ? new JsonObject() : body);
    Future<Reply> reply;
    try {
      reply = h.apply(request);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(
        ar -> {
          if (ar.succeeded()) {
            Reply r = ar.result();
            String gen = r.headers().get("Gatehouse-Generation");
            if (gen != null) {
              rc.put("gatehouse.generation", gen);
            }
            send(rc, r);
          } else {
            rc.fail(ar.cause());
          }
        });
  }

  private void send(RoutingContext rc, Reply reply) {
    HttpServerResponse res = rc.response();
    if (res.ended()) {
      return;
    }
    res.setStatusCode(reply.status());
    reply.headers().forEach(res::putHeader);
    // Before the answer leaves, so a client that saw it can rely on the audit line.
    audit(rc);
    if (reply.body() == null) {
      res.end();
    } else {
      res.putHeader(
              "Content-Type", reply.problem() ? "application/problem+json" : "application/json")
          .end(reply.body().encode());
    }
  }

  // --- errors --------------------------------------------------------------------------------

  private void failure(RoutingContext rc) {
    Throwable t = rc.failure();
    int status = rc.statusCode();
    if (t instanceof HttpException he) {
      status = he.getStatusCode();
      t = he.getCause() != null ? he.getCause() : he;
    }
    Problem p;
    if (t instanceof ValidatorException ve) {
      p = validation(ve);
    } else if (status == 413) {
      p =
          Problem.of(
              413,
              "too-large",
              "The request body is too large",
              "at most " + options.bodyLimitBytes() + " bytes");
    } else if (status == 404) {
      p = Problem.notFound();
    } else if (status == 405) {
      p = Problem.of(405, "method-not-allowed", "Method not allowed");
    } else if (status == 400) {
      p = Problem.of(400, "bad-request", "The request is not valid", "unreadable request");
    } else {
      LOG.error("admin request failed: {} {}", rc.request().method(), rc.normalizedPath(), t);
      p = Problem.of(500, "internal", "Internal error");
    }
    send(rc, Reply.of(p));
  }

  private static Problem validation(ValidatorException ve) {
    if (ve.getMessage() != null && ve.getMessage().contains("format of the request body")) {
      return Problem.of(415, "unsupported-media-type", "The body must be application/json");
    }
    List<FieldError> errors = new ArrayList<>();
    if (ve instanceof SchemaValidationException se && se.getOutputUnit() != null) {
      String parameter = parameterName(se.getMessage());
      List<OutputUnit> leaves = leaves(se.getOutputUnit());
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (OutputUnit u : leaves) {
        String where = pointer(u);
        // The deepest location says most; its enclosing "did not match" units add nothing.
        boolean enclosing =
            leaves.stream()
                .anyMatch(
                    o ->
                        pointer(o).startsWith(where.equals("/") ? "/" : where + "/")
                            && !pointer(o).equals(where));
        if (enclosing || !seen.add(where)) {
          continue;
        }
        errors.add(new FieldError(parameter != null ? parameter : where, null, u.getError()));
      }
    }
    if (errors.isEmpty()) {
      String parameter = parameterName(ve.getMessage());
      errors.add(
          new FieldError(
              parameter == null ? "/" : parameter, null, String.valueOf(ve.getMessage())));
    }
    return Problem.invalid(errors);
  }

  /** "The value of query parameter limit is invalid" names the parameter. */
  private static @Nullable String parameterName(@Nullable String message) {
    if (message == null) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?:path|query|header|cookie) parameter (\\S+)")
            .matcher(message);
    return m.find() ? m.group(1).replaceAll("[.,]$", "") : null;
  }

  private static String pointer(OutputUnit u) {
    String where = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
    if (where.startsWith("#")) {
      where = where.substring(1);
    }
    return where.isEmpty() ? "/" : where;
  }

  private static List<OutputUnit> leaves(OutputUnit unit) {
    List<OutputUnit> out = new ArrayList<>();
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) {
        out.add(unit);
      }
      return out;
    }
    for (OutputUnit u : unit.getErrors()) {
      out.addAll(leaves(u));
    }
    return out;
  }

  // --- audit ---------------------------------------------------------------------------------

  private void audit(RoutingContext rc) {
    HttpMethod m = rc.request().method();
    if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
      return;
    }
    Caller caller = rc.get(CALLER);
    JsonObject line =
        new JsonObject()
            .put("at", Instant.now(clock).toString())
            .put("tokenId", caller == null ? null : caller.tokenId())
            .put(
                "tenant",
                caller == null || caller.tenant() == null ? null : caller.tenant().value())
            .put("admin", caller != null && caller.admin())
            .put("operation", (String) rc.get(OPERATION))
            .put("method", m.name())
            .put("path", rc.normalizedPath())
            .put("status", rc.response().getStatusCode())
            .put("generation", (String) rc.get("gatehouse.generation"))
            .put("etag", rc.response().headers().get("ETag"));
    AUDIT.info(line.encode());
  }
}
