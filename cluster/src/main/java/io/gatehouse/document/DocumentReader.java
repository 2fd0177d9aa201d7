package io.gatehouse.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.validate.BackendPolicyValidator;
import io.gatehouse.validate.Htpasswd;
import io.gatehouse.validate.RetryValidator;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a route document, given as a Jackson tree, into validated specs, or into the problems that
 * stop it, each with its {@link DocPath}. Pure and total: the same tree always gives the same
 * answer, and no tree makes it throw. A document with any problem yields no routes at all.
 *
 * <p>The document is lenient where people write it by hand: an endpoint as a {@code "h:p"} string,
 * a path as a plain string (a Prefix), a scalar as a one-item list, compound ({@code 1h30m}) and
 * ISO ({@code PT10S}) durations, byte sizes with a unit ({@code 10MiB}), enums in any case and a
 * redirect as a number. The format is described in {@code docs/routes-file.md}.
 *
 * <p>Validator violations are mapped onto document paths by {@link #fieldPath(String)}, the one
 * place that knows how the model's field names differ from the document's keys.
 */
public final class DocumentReader {
  public static final String DEFAULT_TENANT = "default";

  /** How a private key, or anything that may hold one, is shown in a problem. */
  private static final String KEY_SHOWN = "PrivateKeyPem[redacted]";

  private final String source;
  private final List<DocProblem> problems = new ArrayList<>();

  /**
   * Where the reader found the address of each endpoint it kept in the route being read, in the
   * spec's order: {@code endpoints[i].address}, or {@code endpoints[i]} for the string form (full
   * paths), one list per backend. The validator's endpoint violations are reported there.
   */
  private final List<List<DocPath>> endpointAt = new ArrayList<>();

  /**
   * Whether the route being read lists its backends as {@code backendRefs} (else {@code backend}).
   */
  private boolean refsForm;

  /**
   * The route stored under the key being read (REST), whose secrets a body may leave out to keep
   * them: a BasicAuth user without {@code hash}, a JwtAuth without {@code jwksUri} or {@code jwks}.
   */
  private final @Nullable RouteSpec stored;

  /** Reads an {@code htpasswdFile}; null where the document may not name files (REST). */
  private final @Nullable SecretFiles files;

  private DocumentReader(String source) {
    this(source, null, null);
  }

  private DocumentReader(String source, @Nullable RouteSpec stored, @Nullable SecretFiles files) {
    this.source = source;
    this.stored = stored;
    this.files = files;
  }

  /**
   * Reads a whole document ({@code routes: [...]}); routes get the source {@code source}, the
   * tenant {@value #DEFAULT_TENANT} unless they name one. Problems are in document order.
   */
  public static Read<List<RouteSpec>> readDocument(JsonNode root, String source) {
    return new DocumentReader(source).document(root);
  }

  /**
   * As {@link #readDocument(JsonNode, String)}, for the routes file: a BasicAuth policy may name an
   * {@code htpasswdFile}, read through {@code files} now, when the document is read.
   */
  public static Read<List<RouteSpec>> readDocument(
      JsonNode root, String source, SecretFiles files) {
    return new DocumentReader(source, null, files).document(root);
  }

  /**
   * Reads one route, stored under {@code key} (REST: the tenant and name of the request path).
   * {@code name} and {@code tenant} may be given in the document, and must then equal the key's, so
   * that a route read back can be written again unchanged. Problems are under {@code base}.
   */
  public static Read<RouteSpec> readRoute(JsonNode route, DocPath base, RouteKey key) {
    return readRoute(route, base, key, null);
  }

  /**
   * As {@link #readRoute(JsonNode, DocPath, RouteKey)}, over the route {@code stored} under the
   * same key (null: none). The secrets no answer shows may be left out to keep the stored ones, so
   * that a GET answer sent back by PUT is the same route: a BasicAuth user given without {@code
   * hash} keeps the hash stored for its name, and a JwtAuth given with neither {@code jwksUri} nor
   * {@code jwks} keeps its stored inline keys. The stored policy is the one of the same kind at the
   * same position, else the only one of that kind.
   */
  public static Read<RouteSpec> readRoute(
      JsonNode route, DocPath base, RouteKey key, @Nullable RouteSpec stored) {
    DocumentReader reader = new DocumentReader(key.source(), stored, null);
    int before = reader.problems.size();
    RouteSpec raw = reader.route(route, base, key);
    RouteSpec valid = raw == null ? null : reader.validated(raw, base, before);
    return reader.problems.isEmpty()
        ? new Read<>(valid, List.of())
        : new Read<>(null, reader.problems);
  }

  /**
   * Reads the named backends of a whole document ({@code backends: [...]}, optional); they get the
   * source {@code source}, the tenant {@value #DEFAULT_TENANT} unless they name one. A document
   * without the key has none. Problems are in document order; {@link #readDocument} reports the
   * rest of the document.
   */
  public static Read<List<BackendObject>> readBackends(JsonNode root, String source) {
    DocumentReader reader = new DocumentReader(source);
    List<BackendObject> out = new ArrayList<>();
    JsonNode list = root == null || !root.isObject() ? null : root.get("backends");
    if (list == null) {
      return new Read<>(List.of(), List.of());
    }
    DocPath at = DocPath.ROOT.key("backends");
    if (!list.isArray()) {
      reader.bad(at, list, "a list of named backends (name, endpoints)");
      return new Read<>(List.of(), reader.problems);
    }
    Map<BackendKey, String> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      DocPath path = at.index(i);
      BackendObject b = reader.backendObject(list.get(i), path, null);
      if (b == null) {
        continue;
      }
      String first = seen.putIfAbsent(b.key(), path.toString());
      if (first != null) {
        reader.bad(path.key("name"), b.key().name(), "a name not already used by " + first);
        continue;
      }
      out.add(b);
    }
    return reader.problems.isEmpty()
        ? new Read<>(out, List.of())
        : new Read<>(List.of(), reader.problems);
  }

  /**
   * Reads one named backend, stored under {@code key} (REST: the tenant and name of the request
   * path); a {@code name} or {@code tenant} in the document must equal the key's.
   */
  public static Read<BackendObject> readBackend(
      JsonNode node, DocPath base, BackendKey key, String source) {
    DocumentReader reader = new DocumentReader(source);
    BackendObject b = reader.backendObject(node, base, key);
    return reader.problems.isEmpty() && b != null
        ? new Read<>(b, List.of())
        : new Read<>(null, reader.problems);
  }

  /** One named backend, validated, or null (with problems). */
  private @Nullable BackendObject backendObject(
      @Nullable JsonNode item, DocPath path, @Nullable BackendKey given) {
    if (item == null || !item.isObject()) {
      bad(
          path,
          item,
          given == null ? "a mapping with name and endpoints" : "a mapping with endpoints");
      return null;
    }
    ObjectNode obj = (ObjectNode) item;
    int before = problems.size();
    endpointAt.clear();
    refsForm = false;
    String name = text(obj, "name", path, null);
    String tenant = text(obj, "tenant", path, DEFAULT_TENANT);
    if (given == null && name == null && !obj.has("name")) {
      problems.add(DocProblem.missing(path.key("name"), "a backend name unique in its tenant"));
    } else if (given != null) {
      if (name != null && !name.equals(given.name())) {
        bad(path.key("name"), name, "the backend's own name, " + given.name());
      }
      if (obj.has("tenant") && tenant != null && !tenant.equals(given.tenant().value())) {
        bad(path.key("tenant"), tenant, "the backend's own tenant, " + given.tenant().value());
      }
    }
    BackendSpec spec = backend(obj, path, Forms.NAMED_BACKEND_KEYS);
    if (spec == null || problems.size() != before) {
      return null;
    }
    BackendKey key =
        given != null
            ? given
            : new BackendKey(
                TenantId.of(tenant == null ? DEFAULT_TENANT : tenant),
                name == null ? "unnamed" : name);
    Validated<BackendObject> v =
        RouteValidator.validateBackend(new BackendObject(key, source, spec));
    if (!v.isValid()) {
      for (Violation violation : v.violations()) {
        String f = violation.field();
        // An endpoint's host or port is reported where the document gave its address; its other
        // fields (weight) sit at the backend's own endpoints, never under a route's "backend".
        DocPath where =
            f.startsWith("endpoints[") && (f.endsWith("].host") || f.endsWith("].port"))
                ? violationPath(path, "backend." + f)
                : path.append(fieldPath(f));
        bad(where, violation.value(), violation.rule());
      }
      return null;
    }
    return v.value();
  }

  /**
   * The document path of a validator field: limits sit at the route's top level, the {@code Pem}
   * suffixes are dropped and {@code certificateName} is the document's {@code certificate}.
   */
  public static DocPath fieldPath(String field) {
    String f;
    if (field.startsWith("tls.certificateName")) {
      f = "tls.certificate";
    } else {
      f =
          field
              .replace("caBundlePem", "caBundle")
              .replace("certificateChainPem", "certificateChain");
      f = f.startsWith("limits.") ? f.substring("limits.".length()) : f;
    }
    return DocPath.parse(f);
  }

  private Read<List<RouteSpec>> document(JsonNode root) {
    DocPath top = DocPath.ROOT;
    if (root == null || !root.isObject()) {
      bad(top, root, "a mapping with the key routes (write routes: [] for no routes)");
      return done(List.of());
    }
    unknownKeys((ObjectNode) root, top, Forms.DOCUMENT_KEYS);
    JsonNode list = root.get("routes");
    DocPath routesAt = top.key("routes");
    if (list == null || !list.isArray()) {
      bad(routesAt, list, "a list of routes (write routes: [] for no routes)");
      return done(List.of());
    }
    List<RouteSpec> routes = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      DocPath path = routesAt.index(i);
      int before = problems.size();
      RouteSpec raw = route(list.get(i), path, null);
      if (raw == null) {
        continue;
      }
      String first =
          list.get(i).path("name").isValueNode()
              ? names.putIfAbsent(raw.key().name(), path.toString())
              : null;
      if (first != null) {
        bad(path.key("name"), raw.key().name(), "a name not already used by " + first);
      }
      RouteSpec valid = validated(raw, path, before);
      if (valid != null) {
        routes.add(valid);
      }
    }
    return done(routes);
  }

  /**
   * Runs the validator over a route read at {@code path}; the spec when it passes and no problem
   * was found since {@code before}, else null (its violations added at their document paths).
   */
  private @Nullable RouteSpec validated(RouteSpec raw, DocPath path, int before) {
    Validated<RouteSpec> v = RouteValidator.validate(raw);
    if (!v.isValid()) {
      for (Violation violation : v.violations()) {
        bad(violationPath(path, violation.field()), violation.value(), violation.rule());
      }
      return null;
    }
    return problems.size() == before ? v.value() : null;
  }

  /**
   * Where a violation of the route read at {@code path} is reported: at {@link #fieldPath} under
   * it, except that an endpoint's host or port is reported where its address was read (the document
   * has no host or port key).
   */
  private DocPath violationPath(DocPath path, String field) {
    DocPath entry = policyEntry(path, field);
    if (entry != null) {
      return entry;
    }
    int backend = 0;
    String rest = null;
    if (field.startsWith("backend.")) {
      rest = field.substring("backend".length());
    } else if (field.startsWith("backends[")) {
      int close = field.indexOf(']');
      String digits = field.substring("backends[".length(), Math.max(close, "backends[".length()));
      if (close > 0
          && !digits.isEmpty()
          && digits.length() < 3
          && digits.chars().allMatch(Character::isDigit)) {
        backend = Integer.parseInt(digits);
        rest = field.substring(close + 1);
      }
    }
    if (rest != null && rest.startsWith(".endpoints[")) {
      int close = rest.indexOf(']');
      String digits = close < 0 ? "" : rest.substring(".endpoints[".length(), close);
      if (!digits.isEmpty()
          && digits.length() < 6
          && digits.chars().allMatch(c -> c >= '0' && c <= '9')
          && (rest.endsWith("].host") || rest.endsWith("].port"))
          && rest.length() == close + 6
          && backend < endpointAt.size()) {
        int i = Integer.parseInt(digits);
        if (i < endpointAt.get(backend).size()) {
          return endpointAt.get(backend).get(i);
        }
      }
    }
    if (refsForm) {
      // The validator names a list of one "backend" and a longer one "backends[i]"; the document
      // said backendRefs either way, and a Service port's name and port sit under "service".
      if (field.equals("backends")) {
        return path.key("backendRefs");
      }
      if (rest != null) {
        String under = rest;
        if (under.equals(".service")) {
          under = ".service.name";
        } else if (under.equals(".port") || under.equals(".portName")) {
          under = ".service.port";
        } else if (under.equals(".name")) {
          under = ".backend"; // a named reference's name
        }
        return path.append(fieldPath("backendRefs[" + backend + "]" + under));
      }
    }
    return path.append(fieldPath(field));
  }

  /**
   * A header policy's set or add entry, {@code policies[i].set.NAME}, as its document path: the
   * name is one key even when it holds a dot. Null for any other field.
   */
  private static @Nullable DocPath policyEntry(DocPath path, String field) {
    if (!field.startsWith("policies[")) {
      return null;
    }
    int close = field.indexOf(']');
    if (close < 0) {
      return null;
    }
    String digits = field.substring("policies[".length(), close);
    String rest = field.substring(close + 1);
    String map = rest.startsWith(".set.") ? "set" : rest.startsWith(".add.") ? "add" : null;
    if (map == null
        || digits.isEmpty()
        || digits.length() > 3
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return path.key("policies")
        .index(Integer.parseInt(digits))
        .key(map)
        .key(rest.substring(".set.".length()));
  }

  private Read<List<RouteSpec>> done(List<RouteSpec> routes) {
    return problems.isEmpty() ? new Read<>(routes, List.of()) : new Read<>(List.of(), problems);
  }

  /**
   * A spec with every field the document gave, or null when the item is not even a mapping. With
   * {@code given} (a route read on its own), the key is that one and a name or tenant in the
   * document must match it; without, the document names the route.
   */
  private @Nullable RouteSpec route(
      @Nullable JsonNode item, DocPath path, @Nullable RouteKey given) {
    if (item == null || !item.isObject()) {
      bad(path, item, given == null ? "a mapping with name and backend" : "a mapping with backend");
      return null;
    }
    ObjectNode obj = (ObjectNode) item;
    endpointAt.clear(); // this route's endpoints only
    unknownKeys(obj, path, Forms.ROUTE_KEYS);
    String name = text(obj, "name", path, null);
    String tenant = text(obj, "tenant", path, DEFAULT_TENANT);
    if (given == null && name == null && !obj.has("name")) {
      problems.add(DocProblem.missing(path.key("name"), "a route name unique in the file"));
    } else if (given != null) {
      if (name != null && !name.equals(given.name())) {
        bad(path.key("name"), name, "the route's own name, " + given.name());
      }
      if (obj.has("tenant") && tenant != null && !tenant.equals(given.tenant().value())) {
        bad(path.key("tenant"), tenant, "the route's own tenant, " + given.tenant().value());
      }
    }
    List<String> hosts = texts(obj, "hosts", path);
    List<PathMatch> paths = paths(obj.get("paths"), path.key("paths"));
    Set<String> methods = new LinkedHashSet<>(texts(obj, "methods", path));
    List<HeaderMatch> headers = new ArrayList<>();
    for (Match m : matches(obj.get("headers"), path.key("headers"))) {
      headers.add(new HeaderMatch(m.name, m.type, m.value));
    }
    List<QueryMatch> queries = new ArrayList<>();
    for (Match m : matches(obj.get("queries"), path.key("queries"))) {
      queries.add(new QueryMatch(m.name, m.type, m.value));
    }
    List<RouteBackend> backends = backends(obj, path);
    Timeouts timeouts = timeouts(obj.get("timeouts"), path.key("timeouts"));
    Limits limits = Limits.DEFAULTS;
    JsonNode body = obj.get("maxRequestBodyBytes");
    if (body != null) {
      Optional<Long> bytes =
          body.isIntegralNumber() && body.canConvertToLong()
              ? Optional.of(body.asLong())
              : unpadded(body) ? Quantities.parseBytes(body.asText()) : Optional.empty();
      if (bytes.isEmpty()) {
        bad(path.key("maxRequestBodyBytes"), body, Forms.BYTES);
      } else {
        limits = new Limits(bytes.get());
      }
    }
    JsonNode head = obj.get("maxResponseHeaderBytes");
    if (head != null) {
      Optional<Long> bytes =
          head.isIntegralNumber() && head.canConvertToLong()
              ? Optional.of(head.asLong())
              : unpadded(head) ? Quantities.parseBytes(head.asText()) : Optional.empty();
      if (bytes.isEmpty()) {
        bad(path.key("maxResponseHeaderBytes"), head, Forms.BYTES);
      } else if (bytes.get() < Integer.MIN_VALUE || bytes.get() > Integer.MAX_VALUE) {
        bad(path.key("maxResponseHeaderBytes"), head, "0 up to 1 MiB");
      } else {
        // The validator names a value out of 0..1 MiB.
        limits = limits.withMaxResponseHeaderBytes(bytes.get().intValue());
      }
    }
    int priority = 0;
    JsonNode prio = obj.get("priority");
    if (prio != null) {
      if (prio.isInt()) {
        priority = prio.asInt();
      } else {
        bad(path.key("priority"), prio, "an integer");
      }
    }
    TlsSpec tls = tls(obj.get("tls"), path.key("tls"));
    List<PolicySpec> policies = policies(obj.get("policies"), path.key("policies"));
    return new RouteSpec(
            given != null
                ? given
                : RouteKey.of(
                    tenant == null ? DEFAULT_TENANT : tenant,
                    source,
                    name == null ? "unnamed" : name),
            hosts,
            paths,
            methods,
            headers,
            queries,
            BackendSpec.http1(List.of()),
            timeouts,
            limits,
            priority,
            tls)
        .withBackends(backends)
        .withPolicies(policies);
  }

  /**
   * The route's policies in list order. Each is a mapping tagged with its {@code type}; header
   * edits give {@code set} and {@code add} as mappings of name to literal text and {@code remove}
   * as a list of names. The validator checks the names and values.
   */
  private List<PolicySpec> policies(JsonNode node, DocPath path) {
    List<PolicySpec> out = new ArrayList<>();
    List<JsonNode> items = list(node, path);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      DocPath p = path.index(i);
      if (!item.isObject()) {
        bad(p, item, "a mapping such as {type: RequestHeaders, set: {x-env: prod}}");
        continue;
      }
      ObjectNode obj = (ObjectNode) item;
      JsonNode t = obj.get("type");
      String type = t != null && t.isTextual() ? squash(t.asText()) : "";
      if (type.equals("requestredirect") || type.equals("urlrewrite")) {
        PolicySpec spec = type.equals("requestredirect") ? redirect(obj, p) : urlRewrite(obj, p);
        if (spec != null) {
          out.add(spec);
        }
        continue;
      }
      if (type.equals("cors")) {
        unknownKeys(obj, p, Forms.CORS_POLICY_KEYS);
        Cors cors = cors(obj, p);
        if (cors != null) {
          out.add(cors);
        }
        continue;
      }
      if (type.equals("sessionpersistence")) {
        unknownKeys(obj, p, Forms.SESSION_POLICY_KEYS);
        SessionPersistence s = sessionPersistence(obj, p);
        if (s != null) {
          out.add(s);
        }
        continue;
      }
      if (type.equals("requestmirror")) {
        unknownKeys(obj, p, Forms.MIRROR_POLICY_KEYS);
        RequestMirror m = mirror(obj, p);
        if (m != null) {
          out.add(m);
        }
        continue;
      }
      if (type.equals("compression")) {
        unknownKeys(obj, p, Forms.COMPRESSION_POLICY_KEYS);
        Compression c = compression(obj, p);
        if (c != null) {
          out.add(c);
        }
        continue;
      }
      if (type.equals("retry")) {
        unknownKeys(obj, p, Forms.RETRY_POLICY_KEYS);
        Retry r = retry(obj, p);
        if (r != null) {
          out.add(r);
        }
        continue;
      }
      PolicySpec access = accessPolicy(type, obj, p, i);
      if (access != null || ACCESS_TYPES.contains(type)) {
        if (access != null) {
          out.add(access);
        }
        continue;
      }
      if (type.equals("errorpages")) {
        unknownKeys(obj, p, Forms.ERROR_PAGES_POLICY_KEYS);
        ErrorPages e = errorPages(obj, p);
        if (e != null) {
          out.add(e);
        }
        continue;
      }
      unknownKeys(obj, p, Forms.HEADER_POLICY_KEYS);
      if (t == null) {
        problems.add(DocProblem.missing(p.key("type"), Forms.POLICY_TYPES));
        continue;
      }
      if (!type.equals("requestheaders") && !type.equals("responseheaders")) {
        bad(p.key("type"), t, Forms.POLICY_TYPES);
        continue;
      }
      int before = problems.size();
      Map<String, String> set = headerValues(obj.get("set"), p.key("set"));
      Map<String, String> add = headerValues(obj.get("add"), p.key("add"));
      List<String> remove = texts(obj, "remove", p);
      if (problems.size() == before) {
        out.add(
            type.equals("requestheaders")
                ? new RequestHeaders(set, add, remove)
                : new ResponseHeaders(set, add, remove));
      }
    }
    return out;
  }

  /** A {@code RequestRedirect} policy (Gateway API's HTTPRequestRedirectFilter and more). */
  private @Nullable RequestRedirect redirect(ObjectNode obj, DocPath p) {
    unknownKeys(obj, p, Forms.REDIRECT_POLICY_KEYS);
    int before = problems.size();
    String scheme = text(obj, "scheme", p, null);
    String hostname = text(obj, "hostname", p, null);
    Integer port = integer(obj, "port", p, "a port number 1-65535");
    PathModifier path = pathModifier(obj.get("path"), p.key("path"));
    Integer status = integer(obj, "statusCode", p, "301, 302, 303, 307 or 308");
    String url = text(obj, "url", p, null);
    boolean rootOnly = flag(obj, "rootOnly", p);
    if (problems.size() != before) {
      return null;
    }
    return new RequestRedirect(
        scheme,
        hostname,
        port,
        path,
        status == null ? RequestRedirect.DEFAULT_STATUS : status,
        url,
        rootOnly);
  }

  /** A {@code URLRewrite} policy (Gateway API's HTTPURLRewriteFilter and more). */
  private @Nullable URLRewrite urlRewrite(ObjectNode obj, DocPath p) {
    unknownKeys(obj, p, Forms.REWRITE_POLICY_KEYS);
    int before = problems.size();
    String hostname = text(obj, "hostname", p, null);
    PathModifier path = pathModifier(obj.get("path"), p.key("path"));
    String regex = null;
    String substitution = null;
    JsonNode re = obj.get("regex");
    if (re != null && !re.isNull()) {
      DocPath rp = p.key("regex");
      if (!re.isObject()) {
        bad(rp, re, "a mapping such as {pattern: '^/api(/|$)(.*)', substitution: /$2}");
      } else {
        unknownKeys((ObjectNode) re, rp, Forms.REGEX_KEYS);
        regex = text((ObjectNode) re, "pattern", rp, null);
        substitution = text((ObjectNode) re, "substitution", rp, null);
        if (!re.has("pattern")) {
          problems.add(DocProblem.missing(rp.key("pattern"), "an RE2 regular expression"));
        }
        if (!re.has("substitution")) {
          problems.add(DocProblem.missing(rp.key("substitution"), "the new path"));
        }
      }
    }
    boolean dropQuery = flag(obj, "dropQuery", p);
    String prefix = text(obj, "forwardedPrefix", p, null);
    if (problems.size() != before) {
      return null;
    }
    return new URLRewrite(hostname, path, regex, substitution, dropQuery, prefix);
  }

  /**
   * Gateway API's HTTPPathModifier: {@code {type: ReplaceFullPath, replaceFullPath: /x}} or {@code
   * {type: ReplacePrefixMatch, replacePrefixMatch: /x}}; null when absent or on a problem.
   */
  private @Nullable PathModifier pathModifier(@Nullable JsonNode node, DocPath p) {
    if (node == null || node.isNull()) {
      return null;
    }
    String expected = "a mapping such as {type: ReplacePrefixMatch, replacePrefixMatch: /v2}";
    if (!node.isObject()) {
      bad(p, node, expected);
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, p, Forms.PATH_MODIFIER_KEYS);
    JsonNode t = obj.get("type");
    if (t == null) {
      problems.add(DocProblem.missing(p.key("type"), "ReplaceFullPath or ReplacePrefixMatch"));
      return null;
    }
    PathModifier.Type type =
        enumValue(
            PathModifier.Type.class, t, p.key("type"), "ReplaceFullPath or ReplacePrefixMatch");
    if (type == null) {
      return null;
    }
    String key =
        type == PathModifier.Type.REPLACE_FULL_PATH ? "replaceFullPath" : "replacePrefixMatch";
    String other =
        type == PathModifier.Type.REPLACE_FULL_PATH ? "replacePrefixMatch" : "replaceFullPath";
    if (obj.has(other)) {
      bad(p.key(other), obj.get(other), "only " + key + " with type " + t.asText());
      return null;
    }
    if (!obj.has(key)) {
      problems.add(DocProblem.missing(p.key(key), "the path for " + t.asText()));
      return null;
    }
    String value = text(obj, key, p, null);
    return value == null ? null : new PathModifier(type, value);
  }

  /** An integer, or null when absent (and on a problem, reported). */
  private @Nullable Integer integer(ObjectNode obj, String key, DocPath p, String expected) {
    JsonNode node = obj.get(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isInt()) {
      bad(p.key(key), node, expected);
      return null;
    }
    return node.asInt();
  }

  /** A boolean, false when absent. */
  private boolean flag(ObjectNode obj, String key, DocPath p) {
    JsonNode node = obj.get(key);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      bad(p.key(key), node, "true or false");
      return false;
    }
    return node.asBoolean();
  }

  /**
   * A {@code CORS} policy: lists of text (a single scalar is a list of one), {@code
   * allowCredentials} true or false, {@code maxAge} whole seconds. The validator checks the values.
   */
  private @Nullable Cors cors(ObjectNode obj, DocPath p) {
    int before = problems.size();
    List<String> origins = texts(obj, "allowOrigins", p);
    List<String> patterns = texts(obj, "allowOriginPatterns", p);
    List<String> methods = texts(obj, "allowMethods", p);
    List<String> allow = texts(obj, "allowHeaders", p);
    List<String> expose = texts(obj, "exposeHeaders", p);
    Boolean credentials = bool(obj.get("allowCredentials"), p.key("allowCredentials"));
    int maxAge = Cors.DEFAULT_MAX_AGE;
    JsonNode age = obj.get("maxAge");
    if (age != null) {
      if (age.isInt()) {
        maxAge = age.asInt();
      } else {
        bad(p.key("maxAge"), age, "whole seconds, such as 600");
      }
    }
    if (problems.size() != before || credentials == null) {
      return null;
    }
    return new Cors(origins, patterns, methods, allow, expose, credentials, maxAge);
  }

  /**
   * A {@code SessionPersistence} policy: {@code sessionName} (required), {@code absoluteTimeout} a
   * duration, {@code path} text, {@code secure} true or false, {@code sameSite} text. The validator
   * checks the values.
   */
  private @Nullable SessionPersistence sessionPersistence(ObjectNode obj, DocPath p) {
    int before = problems.size();
    String name = text(obj, "sessionName", p, null);
    if (!obj.has("sessionName")) {
      problems.add(DocProblem.missing(p.key("sessionName"), "a cookie name such as gh-split"));
    }
    Duration timeout = duration(obj.get("absoluteTimeout"), p.key("absoluteTimeout"));
    String path = text(obj, "path", p, null);
    JsonNode sec = obj.get("secure");
    Boolean secure = sec == null || sec.isNull() ? null : bool(sec, p.key("secure"));
    String sameSite = text(obj, "sameSite", p, null);
    if (problems.size() != before || name == null) {
      return null;
    }
    return new SessionPersistence(name, timeout, path, secure, sameSite);
  }

  /**
   * A compression policy; every field it leaves out takes its default ({@link
   * Compression#defaults()}). {@code minBytes} is an integer or a size such as {@code 1KiB}; {@code
   * levels} maps an algorithm to its level. The validator checks the values.
   */
  private @Nullable Compression compression(ObjectNode obj, DocPath p) {
    int before = problems.size();
    Compression d = Compression.defaults();
    List<String> algorithms = obj.has("algorithms") ? texts(obj, "algorithms", p) : d.algorithms();
    List<String> types = obj.has("contentTypes") ? texts(obj, "contentTypes", p) : d.contentTypes();
    long minBytes = d.minBytes();
    JsonNode min = obj.get("minBytes");
    if (min != null) {
      Optional<Long> bytes =
          min.isIntegralNumber() && min.canConvertToLong()
              ? Optional.of(min.asLong())
              : unpadded(min) ? Quantities.parseBytes(min.asText()) : Optional.empty();
      if (bytes.isEmpty()) {
        bad(p.key("minBytes"), min, Forms.BYTES);
      } else {
        minBytes = bytes.get();
      }
    }
    Map<String, Integer> levels = new LinkedHashMap<>();
    JsonNode l = obj.get("levels");
    if (l != null && !l.isNull()) {
      if (!l.isObject()) {
        bad(p.key("levels"), l, "a mapping of algorithm to level, such as {gzip: 6, br: 4}");
      } else {
        for (Map.Entry<String, JsonNode> e : l.properties()) {
          if (e.getValue().isInt()) {
            levels.put(e.getKey(), e.getValue().asInt());
          } else {
            bad(p.key("levels").key(e.getKey()), e.getValue(), "an integer");
          }
        }
      }
    }
    return problems.size() == before ? new Compression(algorithms, types, minBytes, levels) : null;
  }

  /**
   * A {@code RequestMirror} policy (Gateway API's HTTPRequestMirrorFilter and Gatehouse's limits):
   * {@code backendRef} in any form of a {@code backendRefs} item but without weight or canary,
   * {@code percent} or {@code fraction} (every request without either), {@code maxBodyBytes} an
   * integer or a size. The validator checks the values.
   */
  private @Nullable RequestMirror mirror(ObjectNode obj, DocPath p) {
    int before = problems.size();
    DocPath rp = p.key("backendRef");
    JsonNode refNode = obj.get("backendRef");
    BackendRef ref = null;
    if (refNode == null || refNode.isNull()) {
      problems.add(
          DocProblem.missing(rp, "a mapping with endpoints, service, or backend (a name)"));
    } else if (!refNode.isObject()) {
      bad(rp, refNode, "a mapping with endpoints, service, or backend (a name)");
    } else {
      ObjectNode ro = (ObjectNode) refNode;
      for (String k : List.of("weight", "canary")) {
        if (ro.has(k)) {
          bad(rp.key(k), ro.get(k), "no " + k + " on a mirror's backendRef");
        }
      }
      for (String k : Forms.BACKEND_POLICY_KEYS) {
        if (ro.has(k)) {
          bad(
              rp.key(k),
              ro.get(k),
              "no " + k + " on a mirror's backendRef (copies are spread by" + " round robin)");
        }
      }
      if (problems.size() == before) {
        RouteBackend b = backendRef(ro, rp, RouteBackend.DEFAULT_WEIGHT);
        ref = b == null ? null : b.ref();
      }
    }
    int numerator = RequestMirror.PERCENT;
    int denominator = RequestMirror.PERCENT;
    JsonNode percent = obj.get("percent");
    JsonNode fraction = obj.get("fraction");
    if (percent != null && fraction != null) {
      bad(p.key("fraction"), fraction, "one of percent or fraction, not both");
    } else if (percent != null) {
      if (percent.isInt()) {
        numerator = percent.asInt();
      } else {
        bad(p.key("percent"), percent, "a percentage 0-100");
      }
    } else if (fraction != null) {
      DocPath fp = p.key("fraction");
      if (!fraction.isObject()) {
        bad(fp, fraction, "a mapping such as {numerator: 1, denominator: 1000}");
      } else {
        unknownKeys((ObjectNode) fraction, fp, Forms.FRACTION_KEYS);
        Integer n = integer((ObjectNode) fraction, "numerator", fp, "an integer");
        Integer d = integer((ObjectNode) fraction, "denominator", fp, "an integer");
        if (n == null && !fraction.has("numerator")) {
          problems.add(DocProblem.missing(fp.key("numerator"), "the share's numerator"));
        }
        numerator = n == null ? 0 : n;
        denominator = d == null ? RequestMirror.PERCENT : d;
      }
    }
    String hostname = text(obj, "hostname", p, null);
    Boolean body =
        obj.has("requestBody") ? bool(obj.get("requestBody"), p.key("requestBody")) : Boolean.TRUE;
    long maxBody = RequestMirror.DEFAULT_MAX_BODY_BYTES;
    JsonNode mb = obj.get("maxBodyBytes");
    if (mb != null) {
      Optional<Long> bytes =
          mb.isIntegralNumber() && mb.canConvertToLong()
              ? Optional.of(mb.asLong())
              : unpadded(mb) ? Quantities.parseBytes(mb.asText()) : Optional.empty();
      if (bytes.isEmpty()) {
        bad(p.key("maxBodyBytes"), mb, Forms.BYTES);
      } else {
        maxBody = bytes.get();
      }
    }
    Integer inFlight = integer(obj, "maxInFlight", p, "an integer 1-10000");
    if (problems.size() != before || ref == null || body == null) {
      return null;
    }
    return new RequestMirror(
        ref,
        numerator,
        denominator,
        hostname,
        body,
        maxBody,
        inFlight == null ? RequestMirror.DEFAULT_MAX_IN_FLIGHT : inFlight);
  }

  /**
   * An error pages policy: {@code codes} (a list of integers), and {@code page} (with an optional
   * {@code contentType}) or {@code backend}, a mapping in the forms of one item of {@code
   * backendRefs} without weight or canary. The validator checks the values.
   */
  private @Nullable ErrorPages errorPages(ObjectNode obj, DocPath p) {
    int before = problems.size();
    List<Integer> codes = new ArrayList<>();
    JsonNode c = obj.get("codes");
    DocPath cp = p.key("codes");
    if (c == null) {
      problems.add(DocProblem.missing(cp, "a list of statuses such as [404, 503]"));
    } else {
      List<JsonNode> items = list(c, cp);
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        if (item.isInt()) {
          codes.add(item.asInt());
        } else {
          bad(cp.index(i), item, "a status from 400 to 599");
        }
      }
    }
    String page = null;
    JsonNode pg = obj.get("page");
    if (pg != null) {
      if (pg.isTextual()) {
        page = pg.asText();
      } else {
        bad(p.key("page"), pg, "the page as a string");
      }
    }
    String contentType = text(obj, "contentType", p, null);
    BackendRef backend = null;
    JsonNode b = obj.get("backend");
    DocPath bp = p.key("backend");
    if (b != null) {
      if (!b.isObject()) {
        bad(bp, b, "a mapping with endpoints, service or backend, as an item of backendRefs");
      } else {
        for (String k : List.of("weight", "canary")) {
          if (b.has(k)) {
            bad(bp.key(k), b.get(k), "no " + k + " (an error pages backend is not split)");
          }
        }
        for (String k : Forms.BACKEND_POLICY_KEYS) {
          if (b.has(k)) {
            bad(bp.key(k), b.get(k), "no " + k + " on an error pages backend (round robin)");
          }
        }
        if (b.has("proxyProtocol")) {
          bad(
              bp.key("proxyProtocol"),
              b.get("proxyProtocol"),
              "no proxyProtocol on an error pages backend (its fetch sends no PROXY header)");
        }
        if (problems.size() == before) {
          RouteBackend ref = backendRef((ObjectNode) b, bp, RouteBackend.DEFAULT_WEIGHT);
          backend = ref == null ? null : ref.ref();
        }
      }
    }
    return problems.size() == before ? new ErrorPages(codes, page, contentType, backend) : null;
  }

  /** A mapping of header name to value, in document order; empty when absent. */
  private Map<String, String> headerValues(JsonNode node, DocPath path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      bad(path, node, "a mapping of header name to value, such as {x-env: prod}");
      return out;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      if (v.isValueNode() && !v.isNull()) {
        out.put(e.getKey(), v.asText());
      } else {
        bad(path.key(e.getKey()), v, "a string");
      }
    }
    return out;
  }

  /**
   * The route's backends: {@code backend} (one, at the default weight) or {@code backendRefs} (each
   * with a weight), exactly one of the two. A broken one reads as one backend without endpoints, so
   * the route still gets its other problems reported.
   */
  private List<RouteBackend> backends(ObjectNode obj, DocPath path) {
    List<RouteBackend> broken = List.of(RouteBackend.of(BackendSpec.http1(List.of())));
    JsonNode refs = obj.get("backendRefs");
    refsForm = refs != null;
    if (refs == null) {
      BackendSpec backend = backend(obj.get("backend"), path.key("backend"), Forms.BACKEND_KEYS);
      return backend == null ? broken : List.of(RouteBackend.of(backend));
    }
    DocPath at = path.key("backendRefs");
    if (obj.has("backend")) {
      bad(at, "backend and backendRefs", "one of backend or backendRefs");
      return broken;
    }
    if (!refs.isArray()) {
      bad(at, refs, "a list of backends, each with a weight");
      return broken;
    }
    List<RouteBackend> out = new ArrayList<>(refs.size());
    int before = problems.size();
    for (int i = 0; i < refs.size(); i++) {
      RouteBackend b = backendRef(refs.get(i), at.index(i));
      if (b != null) {
        out.add(b);
      }
    }
    return problems.size() == before ? out : broken;
  }

  /** One item of {@code backendRefs}, or null (with problems). */
  private @Nullable RouteBackend backendRef(JsonNode item, DocPath p) {
    if (!item.isObject() || item.has("service") || item.has("backend")) {
      endpointAt.add(List.of()); // keeps the index of the backends after it
    }
    if (!item.isObject()) {
      bad(
          p,
          item,
          "a mapping with weight and endpoints, weight and service, or weight and backend");
      return null;
    }
    ObjectNode obj = (ObjectNode) item;
    int weight = RouteBackend.DEFAULT_WEIGHT;
    JsonNode w = obj.get("weight");
    if (w != null) {
      if (!w.isInt()) {
        bad(p.key("weight"), w, "an integer 0-" + RouteValidator.MAX_WEIGHT);
        return null;
      }
      weight = w.asInt();
    }
    CanaryRule canary = null;
    JsonNode c = obj.get("canary");
    if (c != null && !c.isNull()) {
      canary = canary(c, p.key("canary"));
      if (canary == null) {
        return null;
      }
    }
    RouteBackend ref = backendRef(obj, p, weight);
    return ref == null || canary == null ? ref : new RouteBackend(ref.ref(), ref.weight(), canary);
  }

  /** A backend's {@code canary:} rule, or null (with problems). */
  private @Nullable CanaryRule canary(JsonNode node, DocPath p) {
    if (!node.isObject()) {
      bad(p, node, "a mapping with header (and headerValue or headerPattern) and/or cookie");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    int before = problems.size();
    unknownKeys(obj, p, Forms.CANARY_KEYS);
    String header = text(obj, "header", p, null);
    String value = text(obj, "headerValue", p, null);
    String pattern = text(obj, "headerPattern", p, null);
    String cookie = text(obj, "cookie", p, null);
    return problems.size() == before ? new CanaryRule(header, value, pattern, cookie) : null;
  }

  /**
   * The reference of one item of {@code backendRefs} at {@code weight}, or null (with problems).
   */
  private @Nullable RouteBackend backendRef(ObjectNode obj, DocPath p, int weight) {
    if (obj.has("backend")) {
      unknownKeys(obj, p, Forms.NAMED_REF_KEYS);
      JsonNode named = obj.get("backend");
      if (!named.isTextual()) {
        bad(p.key("backend"), named, "the name of a backend of the route's tenant");
        return null;
      }
      return new RouteBackend(new BackendRef.Named(named.asText()), weight);
    }
    if (!obj.has("service")) {
      BackendSpec spec = backend(obj, p, Forms.BACKEND_REF_KEYS);
      return spec == null ? null : new RouteBackend(spec, weight);
    }
    unknownKeys(obj, p, Forms.SERVICE_REF_KEYS);
    UpstreamProtocol protocol = UpstreamProtocol.HTTP1;
    JsonNode proto = obj.get("protocol");
    if (proto != null) {
      protocol = enumValue(UpstreamProtocol.class, proto, p.key("protocol"), "http1, h2c or h2");
    }
    UpstreamTls tls = null;
    JsonNode t = obj.get("tls");
    if (t != null && !t.isNull()) {
      tls = upstreamTls(t, p.key("tls"));
      if (tls == null) {
        return null;
      }
    }
    JsonNode svc = obj.get("service");
    DocPath sp = p.key("service");
    if (!svc.isObject()) {
      bad(sp, svc, "a mapping with name and port (a number or a port name)");
      return null;
    }
    unknownKeys((ObjectNode) svc, sp, Forms.SERVICE_KEYS);
    String name = text((ObjectNode) svc, "name", sp, null);
    if (name == null && !svc.has("name")) {
      problems.add(DocProblem.missing(sp.key("name"), "the name of a Service"));
    }
    JsonNode port = svc.get("port");
    if (port == null) {
      problems.add(DocProblem.missing(sp.key("port"), "a port number or a port name"));
      return null;
    }
    if (!(port.isInt() || port.isTextual())) {
      bad(sp.key("port"), port, "a port number or a port name");
      return null;
    }
    int before = problems.size();
    BackendPolicy policy = backendPolicy(obj, p);
    if (name == null || protocol == null || problems.size() != before) {
      return null;
    }
    BackendRef.ServicePort ref =
        port.isInt()
            ? new BackendRef.ServicePort(name, port.asInt(), null, protocol, tls, policy)
            : new BackendRef.ServicePort(name, 0, port.asText(), protocol, tls, policy);
    return new RouteBackend(ref, weight);
  }

  /** The route's {@code tls:} section, or null when absent or broken (then with problems). */
  private @Nullable TlsSpec tls(@Nullable JsonNode node, DocPath path) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      bad(path, node, "a mapping with certificate, and optionally hosts, redirect and hsts");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, path, Forms.TLS_KEYS);
    if (flag(obj, "passthrough", path)) {
      // The validator names whatever a passthrough route cannot use (certificate, HSTS...).
      if (obj.has("certificate")
          || obj.has("redirect")
          || obj.has("hsts")
          || obj.has("clientAuth")) {
        bad(
            path.key("passthrough"),
            "true",
            "no certificate, redirect, hsts or clientAuth with passthrough");
        return null;
      }
      return TlsSpec.passthrough(texts(obj, "hosts", path));
    }
    String certificate = text(obj, "certificate", path, null);
    if (certificate == null && !obj.has("certificate")) {
      problems.add(DocProblem.missing(path.key("certificate"), "the NAME of a certificate"));
    }
    List<String> hosts = texts(obj, "hosts", path);
    HttpsRedirect redirect = HttpsRedirect.DEFAULT;
    JsonNode r = obj.get("redirect");
    if (r != null) {
      redirect = redirect(r, path.key("redirect"));
    }
    Hsts hsts = Hsts.OFF;
    JsonNode h = obj.get("hsts");
    if (h != null) {
      hsts = hsts(h, path.key("hsts"));
    }
    ClientAuth clientAuth = ClientAuth.NONE;
    JsonNode ca = obj.get("clientAuth");
    if (ca != null) {
      clientAuth = clientAuth(ca, path.key("clientAuth"));
    }
    if (certificate == null || redirect == null || hsts == null || clientAuth == null) {
      return null;
    }
    return new TlsSpec(hosts, certificate, redirect, hsts, clientAuth);
  }

  private @Nullable ClientAuth clientAuth(JsonNode node, DocPath path) {
    if (!node.isObject()) {
      bad(path, node, "a mapping such as {mode: required, caBundle: PEM}");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, path, Forms.CLIENT_AUTH_KEYS);
    JsonNode m = obj.get("mode");
    if (m == null) {
      problems.add(DocProblem.missing(path.key("mode"), "none, optional or required"));
      return null;
    }
    ClientAuth.Mode mode =
        enumValue(ClientAuth.Mode.class, m, path.key("mode"), "none, optional or required");
    String bundle = text(obj, "caBundle", path, null);
    Integer depth = integer(obj, "verifyDepth", path, "0 (no limit) or a number of certificates");
    if (depth != null && depth < 0) {
      bad(path.key("verifyDepth"), depth.toString(), "0 (no limit) or a number of certificates");
      return null;
    }
    boolean pass = flag(obj, "passCertificate", path);
    return mode == null ? null : new ClientAuth(mode, bundle, depth == null ? 0 : depth, pass);
  }

  /** The backend's {@code tls:} section; {@code {}} means verified against the JDK's CAs. */
  private @Nullable UpstreamTls upstreamTls(JsonNode node, DocPath path) {
    if (!node.isObject()) {
      bad(path, node, "a mapping such as {caBundle: PEM, serverName: api.internal} or {}");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, path, Forms.UPSTREAM_TLS_KEYS);
    String ca = text(obj, "caBundle", path, null);
    String serverName = text(obj, "serverName", path, null);
    // Boolean.TRUE, not true: a primitive here would unbox bool()'s null (a problem) into an NPE.
    Boolean verify =
        obj.has("verifyHostname")
            ? bool(obj.get("verifyHostname"), path.key("verifyHostname"))
            : Boolean.TRUE;
    Boolean insecure = bool(obj.get("insecureSkipVerify"), path.key("insecureSkipVerify"));
    KeyCertPem client = null;
    JsonNode c = obj.get("clientCertificate");
    if (c != null) {
      client = keyCert(c, path.key("clientCertificate"));
      if (client == null) {
        return null;
      }
    }
    if (verify == null || insecure == null) {
      return null;
    }
    return new UpstreamTls(ca, verify, serverName, insecure, client);
  }

  private @Nullable KeyCertPem keyCert(JsonNode node, DocPath path) {
    if (!node.isObject()) {
      // Never shown: it may hold the key.
      bad(path, KEY_SHOWN, "a mapping with certificateChain and privateKey");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, path, Forms.KEY_CERT_KEYS);
    String chain = text(obj, "certificateChain", path, null);
    JsonNode k = obj.get("privateKey");
    String key = null;
    if (k == null) {
      problems.add(DocProblem.missing(path.key("privateKey"), "a PEM private key"));
    } else if (!k.isTextual()) {
      bad(path.key("privateKey"), KEY_SHOWN, "a PEM private key as a string");
    } else {
      key = k.asText();
    }
    if (chain == null && !obj.has("certificateChain")) {
      problems.add(
          DocProblem.missing(path.key("certificateChain"), "PEM certificates, the leaf first"));
    }
    return chain == null || key == null ? null : new KeyCertPem(chain, new PrivateKeyPem(key));
  }

  private @Nullable HttpsRedirect redirect(JsonNode node, DocPath path) {
    String v = node.isValueNode() && !node.isNull() ? node.asText() : "";
    for (HttpsRedirect r : HttpsRedirect.values()) {
      if (r == HttpsRedirect.OFF
          ? v.equalsIgnoreCase("off") || (node.isBoolean() && !node.asBoolean())
          : v.equals(Integer.toString(r.status()))) {
        return r;
      }
    }
    bad(path, node, "301, 302, 307, 308 or off");
    return null;
  }

  private @Nullable Hsts hsts(JsonNode node, DocPath path) {
    if (!node.isObject()) {
      bad(path, node, "a mapping such as {maxAge: 365d, includeSubDomains: true}");
      return null;
    }
    ObjectNode obj = (ObjectNode) node;
    unknownKeys(obj, path, Forms.HSTS_KEYS);
    if (!obj.has("maxAge")) {
      problems.add(DocProblem.missing(path.key("maxAge"), "a duration such as 365d"));
      return null;
    }
    Duration maxAge = duration(obj.get("maxAge"), path.key("maxAge"));
    Boolean sub = bool(obj.get("includeSubDomains"), path.key("includeSubDomains"));
    Boolean preload = bool(obj.get("preload"), path.key("preload"));
    if (maxAge == null || sub == null || preload == null) {
      return null;
    }
    return Hsts.of(maxAge, sub, preload);
  }

  private @Nullable Boolean bool(@Nullable JsonNode node, DocPath path) {
    if (node == null) {
      return false;
    }
    if (!node.isBoolean()) {
      bad(path, node, "true or false");
      return null;
    }
    return node.asBoolean();
  }

  private List<PathMatch> paths(JsonNode node, DocPath path) {
    List<PathMatch> out = new ArrayList<>();
    List<JsonNode> items = list(node, path);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      DocPath p = path.index(i);
      if (item.isTextual()) {
        out.add(PathMatch.prefix(item.asText()));
        continue;
      }
      if (!item.isObject()) {
        bad(p, item, "a path such as /api or {type: Prefix, value: /api}");
        continue;
      }
      unknownKeys((ObjectNode) item, p, Forms.PATH_KEYS);
      PathMatchType type = PathMatchType.PREFIX;
      JsonNode t = item.get("type");
      if (t != null) {
        type =
            enumValue(
                PathMatchType.class,
                t,
                p.key("type"),
                "Exact, Prefix, ImplementationSpecific or RegularExpression");
      }
      String value = text((ObjectNode) item, "value", p, null);
      if (value == null && !item.has("value")) {
        problems.add(DocProblem.missing(p.key("value"), "a path such as /api"));
      }
      if (type != null && value != null) {
        out.add(new PathMatch(type, value));
      }
    }
    return out;
  }

  private record Match(String name, ValueMatchType type, String value) {}

  private List<Match> matches(JsonNode node, DocPath path) {
    List<Match> out = new ArrayList<>();
    List<JsonNode> items = list(node, path);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      DocPath p = path.index(i);
      if (!item.isObject()) {
        bad(p, item, "a mapping such as {name: x-canary, type: Exact, value: \"1\"}");
        continue;
      }
      unknownKeys((ObjectNode) item, p, Forms.MATCH_KEYS);
      String name = text((ObjectNode) item, "name", p, null);
      if (name == null && !item.has("name")) {
        problems.add(DocProblem.missing(p.key("name"), "a name"));
      }
      ValueMatchType type = ValueMatchType.EXACT;
      JsonNode t = item.get("type");
      if (t != null) {
        type =
            enumValue(
                ValueMatchType.class, t, p.key("type"), "Exact, RegularExpression or Present");
      }
      String value = text((ObjectNode) item, "value", p, "");
      if (name != null && type != null && value != null) {
        out.add(new Match(name, type, value));
      }
    }
    return out;
  }

  private @Nullable BackendSpec backend(@Nullable JsonNode node, DocPath path, Set<String> keys) {
    List<DocPath> at = new ArrayList<>();
    endpointAt.add(at); // one list per backend, so a violation's index finds its backend
    if (node == null) {
      problems.add(DocProblem.missing(path, "a mapping with protocol and endpoints"));
      return null;
    }
    if (!node.isObject()) {
      bad(path, node, "a mapping with protocol and endpoints");
      return null;
    }
    unknownKeys((ObjectNode) node, path, keys);
    UpstreamProtocol protocol = UpstreamProtocol.HTTP1;
    JsonNode proto = node.get("protocol");
    if (proto != null) {
      protocol = enumValue(UpstreamProtocol.class, proto, path.key("protocol"), "http1, h2c or h2");
    }
    JsonNode eps = node.get("endpoints");
    DocPath epsAt = path.key("endpoints");
    if (eps == null) {
      problems.add(DocProblem.missing(epsAt, "a list such as [\"127.0.0.1:8080\"]"));
      return null;
    }
    List<Endpoint> endpoints = new ArrayList<>();
    List<JsonNode> items = list(eps, epsAt);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      DocPath p = epsAt.index(i);
      String address;
      int weight = Endpoint.DEFAULT_WEIGHT;
      if (item.isTextual()) {
        address = item.asText();
      } else if (item.isObject()) {
        unknownKeys((ObjectNode) item, p, Forms.ENDPOINT_KEYS);
        address = text((ObjectNode) item, "address", p, null);
        if (address == null) {
          if (!item.has("address")) {
            problems.add(DocProblem.missing(p.key("address"), Forms.HOST_PORT));
          }
          continue;
        }
        JsonNode w = item.get("weight");
        if (w != null) {
          if (!w.isInt()) {
            bad(p.key("weight"), w, "an integer 0-" + RouteValidator.MAX_WEIGHT);
            continue;
          }
          weight = w.asInt();
        }
        p = p.key("address");
      } else {
        bad(p, item, Forms.HOST_PORT + " or {address: HOST:PORT, weight: N}");
        continue;
      }
      Optional<Endpoint> ep = HostPort.parse(address, weight);
      if (ep.isEmpty()) {
        bad(p, address, Forms.HOST_PORT);
      } else {
        endpoints.add(ep.get());
        at.add(p);
      }
    }
    UpstreamTls tls = null;
    JsonNode t = node.get("tls");
    if (t != null && !t.isNull()) {
      tls = upstreamTls(t, path.key("tls"));
      if (tls == null) {
        return null;
      }
    }
    int before = problems.size();
    ProxyProtocolVersion proxyProtocol = null;
    JsonNode pp = node.get("proxyProtocol");
    if (pp != null && !pp.isNull()) {
      proxyProtocol =
          enumValue(
              ProxyProtocolVersion.class,
              pp,
              path.key("proxyProtocol"),
              "v1 or v2 (leave it out for none)");
    }
    BackendPolicy policy = backendPolicy((ObjectNode) node, path);
    return protocol == null || problems.size() != before
        ? null
        : new BackendSpec(protocol, endpoints, tls, policy, proxyProtocol);
  }

  private Timeouts timeouts(@Nullable JsonNode node, DocPath path) {
    Timeouts d = Timeouts.DEFAULTS;
    if (node == null) {
      return d;
    }
    if (!node.isObject()) {
      bad(path, node, "a mapping with connect, response, bodyIdle and request");
      return d;
    }
    unknownKeys((ObjectNode) node, path, Forms.TIMEOUT_KEYS);
    return new Timeouts(
        duration(node.get("connect"), path.key("connect"), d.connect()),
        duration(node.get("response"), path.key("response"), d.response()),
        duration(node.get("bodyIdle"), path.key("bodyIdle"), d.bodyIdle()),
        duration(node.get("request"), path.key("request"), d.request()));
  }

  private Duration duration(@Nullable JsonNode node, DocPath path, Duration fallback) {
    Duration d = duration(node, path);
    return d == null ? fallback : d;
  }

  /** The duration at {@code node}; null when absent, and (with a problem) when not a duration. */
  private @Nullable Duration duration(@Nullable JsonNode node, DocPath path) {
    if (node == null) {
      return null;
    }
    Optional<Duration> d =
        unpadded(node) || (node.isIntegralNumber() && node.asLong() == 0)
            ? Quantities.parseDuration(node.asText())
            : Optional.empty();
    if (d.isEmpty()) {
      bad(path, node, Forms.DURATION);
      return null;
    }
    return d.get();
  }

  /**
   * Text without blanks around it. The schema's patterns refuse {@code " 10s "}, so the reader does
   * too (Quantities trims, as flags and the node configuration want).
   */
  private static boolean unpadded(JsonNode node) {
    return node.isTextual() && node.asText().equals(node.asText().strip());
  }

  private <E extends Enum<E>> @Nullable E enumValue(
      Class<E> type, JsonNode node, DocPath path, String expected) {
    if (node.isTextual()) {
      String wanted = squash(node.asText());
      for (E e : type.getEnumConstants()) {
        if (squash(e.name()).equals(wanted)) {
          return e;
        }
      }
    }
    bad(path, node, expected);
    return null;
  }

  /** {@code node} as a list; empty when absent or null, and on a problem. */
  private List<JsonNode> list(@Nullable JsonNode node, DocPath path) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      bad(path, node, "a list");
      return out;
    }
    node.forEach(out::add);
    return out;
  }

  /** A list of scalars as text; a single scalar counts as a list of one. */
  private List<String> texts(ObjectNode obj, String key, DocPath parent) {
    JsonNode node = obj.get(key);
    DocPath path = parent.key(key);
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isValueNode()) {
      out.add(node.asText());
      return out;
    }
    List<JsonNode> items = list(node, path);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (item.isValueNode() && !item.isNull()) {
        out.add(item.asText());
      } else {
        bad(path.index(i), item, "a string");
      }
    }
    return out;
  }

  /** A scalar as text; {@code fallback} when absent; null (and a problem) when not a scalar. */
  private @Nullable String text(
      ObjectNode obj, String key, DocPath parent, @Nullable String fallback) {
    JsonNode node = obj.get(key);
    if (node == null) {
      return fallback;
    }
    if (!node.isValueNode() || node.isNull()) {
      bad(parent.key(key), node, "a string");
      return null;
    }
    return node.asText();
  }

  private void unknownKeys(ObjectNode obj, DocPath path, Set<String> known) {
    obj.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                problems.add(DocProblem.unknownKey(path.key(name), known));
              }
            });
  }

  private void bad(DocPath path, @Nullable JsonNode node, String expected) {
    String shown =
        node == null
            ? null
            : node.isValueNode() && !node.isNull() ? node.asText() : node.toString();
    bad(path, shown, expected);
  }

  private void bad(DocPath path, @Nullable String value, String expected) {
    // A key pasted into any other field is not echoed either.
    String shown = value != null && value.contains("PRIVATE KEY") ? KEY_SHOWN : value;
    problems.add(DocProblem.value(path, shown, expected));
  }

  private static String squash(String s) {
    return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  // ---- backend policies (issue #14)

  /**
   * The backend policy of the backend mapping {@code obj}: null when it sets none of {@link
   * Forms#BACKEND_POLICY_KEYS}; else every part it leaves out at its default ({@link
   * BackendPolicy#DEFAULT}: outlier detection on, {@code outlierDetection: off} for none). Problems
   * are added; the validator checks the ranges.
   */
  private @Nullable BackendPolicy backendPolicy(ObjectNode obj, DocPath p) {
    boolean any = false;
    for (String k : Forms.BACKEND_POLICY_KEYS) {
      any |= obj.has(k);
    }
    if (!any) {
      return null;
    }
    int before = problems.size();
    LoadBalancing lb = LoadBalancing.DEFAULT;
    JsonNode l = obj.get("loadBalancing");
    if (l != null) {
      lb = loadBalancing(l, p.key("loadBalancing"));
    }
    HealthCheck hc = null;
    JsonNode h = obj.get("healthCheck");
    if (h != null && !h.isNull()) {
      hc = healthCheck(h, p.key("healthCheck"));
    }
    OutlierDetection od = OutlierDetection.DEFAULT;
    JsonNode o = obj.get("outlierDetection");
    if (o != null) {
      od = outlierDetection(o, p.key("outlierDetection"));
    }
    CircuitBreaker cb = CircuitBreaker.DEFAULT;
    JsonNode c = obj.get("circuitBreaker");
    if (c != null) {
      cb = circuitBreaker(c, p.key("circuitBreaker"));
    }
    return problems.size() == before && lb != null && cb != null
        ? new BackendPolicy(lb, hc, od, cb)
        : null;
  }

  private @Nullable ObjectNode mapping(JsonNode node, DocPath p, Set<String> keys, String form) {
    if (!node.isObject()) {
      bad(p, node, form);
      return null;
    }
    unknownKeys((ObjectNode) node, p, keys);
    return (ObjectNode) node;
  }

  private @Nullable LoadBalancing loadBalancing(JsonNode node, DocPath p) {
    ObjectNode obj =
        mapping(node, p, Forms.LOAD_BALANCING_KEYS, "a mapping such as {algorithm: LeastRequest}");
    if (obj == null) {
      return null;
    }
    int before = problems.size();
    LoadBalancing.Algorithm algorithm = LoadBalancing.Algorithm.ROUND_ROBIN;
    JsonNode a = obj.get("algorithm");
    if (a != null) {
      algorithm = algorithm(a, p.key("algorithm"));
    }
    HashOn on = null;
    JsonNode h = obj.get("hashOn");
    if (h != null && !h.isNull()) {
      on = hashOn(h, p.key("hashOn"));
    }
    CookieAffinity affinity = null;
    JsonNode af = obj.get("affinity");
    if (af != null && !af.isNull()) {
      affinity = affinity(af, p.key("affinity"));
    }
    Duration slow = duration(obj.get("slowStart"), p.key("slowStart"));
    Integer panic = integer(obj, "panicThreshold", p, BackendPolicyValidator.PERCENT_RULE);
    if (problems.size() != before || algorithm == null) {
      return null;
    }
    return new LoadBalancing(
        algorithm,
        on,
        affinity,
        slow,
        panic == null ? LoadBalancing.DEFAULT_PANIC_THRESHOLD_PERCENT : panic);
  }

  private static final Map<String, LoadBalancing.Algorithm> ALGORITHMS =
      Map.of(
          "roundrobin", LoadBalancing.Algorithm.ROUND_ROBIN,
          "leastrequest", LoadBalancing.Algorithm.LEAST_REQUEST,
          "poweroftwochoices", LoadBalancing.Algorithm.POWER_OF_TWO,
          "peakewma", LoadBalancing.Algorithm.PEAK_EWMA,
          "ringhash", LoadBalancing.Algorithm.RING_HASH,
          "maglev", LoadBalancing.Algorithm.MAGLEV);

  private LoadBalancing.@Nullable Algorithm algorithm(JsonNode node, DocPath p) {
    LoadBalancing.Algorithm a = node.isTextual() ? ALGORITHMS.get(squash(node.asText())) : null;
    if (a == null) {
      bad(p, node, Forms.ALGORITHMS);
    }
    return a;
  }

  /** The document's name of an algorithm, as {@link #algorithm} reads it. */
  static String algorithmName(LoadBalancing.Algorithm a) {
    return switch (a) {
      case ROUND_ROBIN -> "RoundRobin";
      case LEAST_REQUEST -> "LeastRequest";
      case POWER_OF_TWO -> "PowerOfTwoChoices";
      case PEAK_EWMA -> "PeakEWMA";
      case RING_HASH -> "RingHash";
      case MAGLEV -> "Maglev";
    };
  }

  private @Nullable HashOn hashOn(JsonNode node, DocPath p) {
    String form =
        "one of {header: NAME}, {cookie: NAME}, {queryParameter: NAME}, {sourceAddress: {}}";
    ObjectNode obj = mapping(node, p, Forms.HASH_ON_KEYS, form);
    if (obj == null) {
      return null;
    }
    if (obj.size() != 1) {
      bad(p, node, form);
      return null;
    }
    String key = obj.fieldNames().next();
    if (!Forms.HASH_ON_KEYS.contains(key)) {
      return null; // reported as an unknown key
    }
    if (key.equals("sourceAddress")) {
      JsonNode v = obj.get(key);
      if (!v.isObject() || !v.isEmpty()) {
        bad(p.key(key), v, "{} (the client address has no name)");
        return null;
      }
      return HashOn.SOURCE_ADDRESS;
    }
    String name = text(obj, key, p, null);
    if (name == null) {
      return null;
    }
    return switch (key) {
      case "header" -> HashOn.header(name);
      case "cookie" -> HashOn.cookie(name);
      default -> HashOn.queryParameter(name);
    };
  }

  private @Nullable CookieAffinity affinity(JsonNode node, DocPath p) {
    ObjectNode outer =
        mapping(node, p, Forms.AFFINITY_KEYS, "a mapping such as {cookie: {name: INGRESSCOOKIE}}");
    if (outer == null) {
      return null;
    }
    JsonNode c = outer.get("cookie");
    DocPath cp = p.key("cookie");
    if (c == null) {
      problems.add(DocProblem.missing(cp, "a mapping such as {name: INGRESSCOOKIE}"));
      return null;
    }
    ObjectNode obj =
        mapping(c, cp, Forms.AFFINITY_COOKIE_KEYS, "a mapping such as {name: INGRESSCOOKIE}");
    if (obj == null) {
      return null;
    }
    int before = problems.size();
    String name = text(obj, "name", cp, CookieAffinity.DEFAULT_NAME);
    Duration maxAge = duration(obj.get("maxAge"), cp.key("maxAge"));
    String path = text(obj, "path", cp, null);
    JsonNode sec = obj.get("secure");
    Boolean secure = sec == null || sec.isNull() ? null : bool(sec, cp.key("secure"));
    String sameSite = text(obj, "sameSite", cp, null);
    Boolean httpOnly =
        obj.has("httpOnly") ? bool(obj.get("httpOnly"), cp.key("httpOnly")) : Boolean.TRUE;
    boolean change = flag(obj, "changeOnFailure", cp);
    if (problems.size() != before || name == null || httpOnly == null) {
      return null;
    }
    return new CookieAffinity(name, maxAge, path, secure, sameSite, httpOnly, change);
  }

  private @Nullable HealthCheck healthCheck(JsonNode node, DocPath p) {
    String form = "a mapping with one of http: {path: /healthz}, grpc: {} or tcp: {}";
    ObjectNode obj = mapping(node, p, Forms.HEALTH_CHECK_KEYS, form);
    if (obj == null) {
      return null;
    }
    int before = problems.size();
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("http", "grpc", "tcp")) {
      if (obj.has(k)) {
        kinds.add(k);
      }
    }
    if (kinds.isEmpty()) {
      problems.add(DocProblem.missing(p.key("http"), "one of http, grpc or tcp"));
      return null;
    }
    if (kinds.size() > 1) {
      bad(p.key(kinds.get(1)), obj.get(kinds.get(1)), "one of http, grpc or tcp, not " + kinds);
      return null;
    }
    String kind = kinds.get(0);
    DocPath kp = p.key(kind);
    JsonNode k = obj.get(kind);
    HealthCheck.Protocol protocol;
    String path = null;
    String host = null;
    List<HealthCheck.StatusRange> statuses = HealthCheck.DEFAULT_STATUSES;
    String service = "";
    if (kind.equals("http")) {
      protocol = HealthCheck.Protocol.HTTP;
      ObjectNode http = mapping(k, kp, Forms.HTTP_CHECK_KEYS, "a mapping such as {path: /healthz}");
      if (http != null) {
        path = text(http, "path", kp, null);
        if (!http.has("path")) {
          problems.add(DocProblem.missing(kp.key("path"), "the probe's path, such as /healthz"));
        }
        host = text(http, "host", kp, null);
        if (http.has("expectedStatuses")) {
          statuses = new ArrayList<>();
          List<String> texts = texts(http, "expectedStatuses", kp);
          for (int i = 0; i < texts.size(); i++) {
            HealthCheck.StatusRange r = statusRange(texts.get(i));
            if (r == null) {
              bad(kp.key("expectedStatuses").index(i), texts.get(i), STATUS_TEXT);
            } else {
              statuses.add(r);
            }
          }
          if (texts.isEmpty()) {
            bad(kp.key("expectedStatuses"), "[]", BackendPolicyValidator.STATUS_RANGE_RULE);
          }
        }
      }
    } else if (kind.equals("grpc")) {
      protocol = HealthCheck.Protocol.GRPC;
      ObjectNode grpc = mapping(k, kp, Forms.GRPC_CHECK_KEYS, "a mapping such as {service: \"\"}");
      if (grpc != null) {
        service = text(grpc, "service", kp, "");
      }
    } else {
      protocol = HealthCheck.Protocol.TCP;
      if (!k.isObject() || !k.isEmpty()) {
        bad(kp, k, "{} (a TCP check has no settings)");
      }
    }
    Duration interval =
        duration(obj.get("interval"), p.key("interval"), HealthCheck.DEFAULT_INTERVAL);
    Duration timeout = duration(obj.get("timeout"), p.key("timeout"), HealthCheck.DEFAULT_TIMEOUT);
    Duration jitter = duration(obj.get("jitter"), p.key("jitter"), HealthCheck.DEFAULT_JITTER);
    Integer unhealthy =
        integer(obj, "unhealthyThreshold", p, BackendPolicyValidator.THRESHOLD_RULE);
    Integer healthy = integer(obj, "healthyThreshold", p, BackendPolicyValidator.THRESHOLD_RULE);
    if (problems.size() != before || service == null) {
      return null;
    }
    return new HealthCheck(
        protocol,
        path,
        host,
        statuses,
        service,
        interval,
        timeout,
        jitter,
        unhealthy == null ? HealthCheck.DEFAULT_UNHEALTHY_THRESHOLD : unhealthy,
        healthy == null ? HealthCheck.DEFAULT_HEALTHY_THRESHOLD : healthy);
  }

  private static final String STATUS_TEXT = "a status N or a range FROM-TO, such as 200-399";
  private static final java.util.regex.Pattern STATUS_RANGE =
      java.util.regex.Pattern.compile("([0-9]{3})(?:-([0-9]{3}))?");

  private static HealthCheck.@Nullable StatusRange statusRange(String text) {
    java.util.regex.Matcher m = STATUS_RANGE.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int from = Integer.parseInt(m.group(1));
    int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
    return new HealthCheck.StatusRange(from, to);
  }

  private @Nullable OutlierDetection outlierDetection(JsonNode node, DocPath p) {
    // YAML 1.1 reads an unquoted off as false.
    if ((node.isTextual() && node.asText().equalsIgnoreCase("off"))
        || (node.isBoolean() && !node.asBoolean())) {
      return null;
    }
    ObjectNode obj =
        mapping(node, p, Forms.OUTLIER_KEYS, "off, or a mapping such as {consecutive5xx: 5}");
    if (obj == null) {
      return null;
    }
    OutlierDetection d = OutlierDetection.DEFAULT;
    Integer c5 = integer(obj, "consecutive5xx", p, BackendPolicyValidator.CONSECUTIVE_RULE);
    Integer cg =
        integer(obj, "consecutiveGatewayErrors", p, BackendPolicyValidator.CONSECUTIVE_RULE);
    OutlierDetection.SuccessRate sr = null;
    JsonNode s = obj.get("successRate");
    DocPath sp = p.key("successRate");
    if (s != null && !s.isNull()) {
      ObjectNode so =
          mapping(s, sp, Forms.SUCCESS_RATE_KEYS, "a mapping such as {stdevFactor: 1.9}");
      if (so != null) {
        OutlierDetection.SuccessRate sd = OutlierDetection.SuccessRate.DEFAULT;
        Integer hosts = integer(so, "minimumHosts", sp, BackendPolicyValidator.MINIMUM_HOSTS_RULE);
        Integer volume =
            integer(so, "requestVolume", sp, BackendPolicyValidator.REQUEST_VOLUME_RULE);
        int factor = sd.stdevFactorThousandths();
        JsonNode f = so.get("stdevFactor");
        if (f != null) {
          Integer th = thousandths(f);
          if (th == null) {
            bad(sp.key("stdevFactor"), f, BackendPolicyValidator.STDEV_RULE);
          } else {
            factor = th;
          }
        }
        sr =
            new OutlierDetection.SuccessRate(
                hosts == null ? sd.minimumHosts() : hosts,
                volume == null ? sd.requestVolume() : volume,
                factor);
      }
    }
    Duration interval = duration(obj.get("interval"), p.key("interval"), d.interval());
    Duration base =
        duration(obj.get("baseEjectionTime"), p.key("baseEjectionTime"), d.baseEjectionTime());
    Duration max =
        duration(obj.get("maxEjectionTime"), p.key("maxEjectionTime"), d.maxEjectionTime());
    Integer percent = integer(obj, "maxEjectionPercent", p, BackendPolicyValidator.PERCENT_RULE);
    return new OutlierDetection(
        c5 == null ? d.consecutive5xx() : c5,
        cg == null ? d.consecutiveGatewayErrors() : cg,
        sr,
        interval,
        base,
        max,
        percent == null ? d.maxEjectionPercent() : percent);
  }

  /** A decimal factor in thousandths (1.9 is 1900); null when not a number of 3 decimals. */
  private static @Nullable Integer thousandths(JsonNode node) {
    if (!node.isNumber()) {
      return null;
    }
    try {
      java.math.BigDecimal v = new java.math.BigDecimal(node.asText()).movePointRight(3);
      return v.signum() < 0 || v.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) > 0
          ? null
          : v.intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private @Nullable CircuitBreaker circuitBreaker(JsonNode node, DocPath p) {
    ObjectNode obj =
        mapping(node, p, Forms.CIRCUIT_BREAKER_KEYS, "a mapping such as {maxRequests: 1024}");
    if (obj == null) {
      return null;
    }
    CircuitBreaker d = CircuitBreaker.DEFAULT;
    String rule = BackendPolicyValidator.LIMIT_RULE;
    Integer conns = integer(obj, "maxConnections", p, rule);
    Integer pending = integer(obj, "maxPendingRequests", p, rule);
    Integer requests = integer(obj, "maxRequests", p, rule);
    Integer retries = integer(obj, "maxRetries", p, rule);
    return new CircuitBreaker(
        conns == null ? d.maxConnections() : conns,
        pending == null ? d.maxPendingRequests() : pending,
        requests == null ? d.maxRequests() : requests,
        retries == null ? d.maxRetries() : retries);
  }

  /**
   * A {@code Retry} policy; every key it leaves out takes its default ({@link Retry#on}). {@code
   * statuses} and {@code grpcStatuses} imply their conditions ({@code Status}, {@code GrpcStatus}),
   * so {@code statuses: [409]} alone is enough to retry a 409.
   */
  private @Nullable Retry retry(ObjectNode obj, DocPath p) {
    int before = problems.size();
    Set<Retry.Condition> on = new LinkedHashSet<>();
    JsonNode o = obj.get("on");
    DocPath op = p.key("on");
    if (o == null) {
      problems.add(DocProblem.missing(op, "a list of conditions such as [ConnectFailure, Reset]"));
    } else {
      List<JsonNode> items = o.isValueNode() && !o.isNull() ? List.of(o) : list(o, op);
      for (int i = 0; i < items.size(); i++) {
        Retry.Condition c =
            enumValue(
                Retry.Condition.class,
                items.get(i),
                o.isArray() ? op.index(i) : op,
                "ConnectFailure, Reset, RefusedStream, Timeout, GatewayError, ServerError, Status"
                    + " or GrpcStatus");
        if (c != null) {
          on.add(c);
        }
      }
    }
    List<Integer> statuses = integers(obj, "statuses", p, RetryValidator.STATUS_RULE);
    List<Integer> grpc = integers(obj, "grpcStatuses", p, RetryValidator.GRPC_STATUS_RULE);
    if (!statuses.isEmpty()) {
      on.add(Retry.Condition.STATUS);
    }
    if (!grpc.isEmpty()) {
      on.add(Retry.Condition.GRPC_STATUS);
    }
    Integer attempts = integer(obj, "attempts", p, RetryValidator.ATTEMPTS_RULE);
    Duration perTry = duration(obj.get("perTryTimeout"), p.key("perTryTimeout"));
    Duration timeout = duration(obj.get("timeout"), p.key("timeout"));
    Duration base = Retry.DEFAULT_BACKOFF_BASE;
    Duration max = Retry.DEFAULT_BACKOFF_MAX;
    JsonNode b = obj.get("backoff");
    if (b != null && !b.isNull()) {
      ObjectNode bo =
          mapping(b, p.key("backoff"), Forms.BACKOFF_KEYS, "a mapping such as {base: 25ms}");
      if (bo != null) {
        base = duration(bo.get("base"), p.key("backoff").key("base"), base);
        max = duration(bo.get("max"), p.key("backoff").key("max"), max);
      }
    }
    int percent = Retry.DEFAULT_BUDGET_PERCENT;
    int minConcurrency = Retry.DEFAULT_MIN_RETRY_CONCURRENCY;
    JsonNode bu = obj.get("budget");
    if (bu != null && !bu.isNull()) {
      DocPath bp = p.key("budget");
      ObjectNode bo = mapping(bu, bp, Forms.BUDGET_KEYS, "a mapping such as {percent: 20}");
      if (bo != null) {
        Integer pc = integer(bo, "percent", bp, RetryValidator.BUDGET_RULE);
        Integer mc = integer(bo, "minConcurrency", bp, RetryValidator.MIN_CONCURRENCY_RULE);
        percent = pc == null ? percent : pc;
        minConcurrency = mc == null ? minConcurrency : mc;
      }
    }
    boolean nonIdempotent = flag(obj, "nonIdempotent", p);
    long buffer = Retry.DEFAULT_BUFFER_BYTES;
    JsonNode bb = obj.get("bufferBytes");
    if (bb != null) {
      Optional<Long> bytes =
          bb.isIntegralNumber() && bb.canConvertToLong()
              ? Optional.of(bb.asLong())
              : unpadded(bb) ? Quantities.parseBytes(bb.asText()) : Optional.empty();
      if (bytes.isEmpty()) {
        bad(p.key("bufferBytes"), bb, Forms.BYTES);
      } else {
        buffer = bytes.get();
      }
    }
    if (problems.size() != before) {
      return null;
    }
    return new Retry(
        on,
        statuses,
        grpc,
        attempts == null ? Retry.DEFAULT_ATTEMPTS : attempts,
        perTry,
        timeout,
        base,
        max,
        percent,
        minConcurrency,
        nonIdempotent,
        buffer);
  }

  /** A list of integers (a single one is a list of one); empty when absent. */
  private List<Integer> integers(ObjectNode obj, String key, DocPath p, String rule) {
    List<Integer> out = new ArrayList<>();
    JsonNode node = obj.get(key);
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isInt()) {
      out.add(node.asInt());
      return out;
    }
    List<JsonNode> items = list(node, p.key(key));
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).isInt()) {
        out.add(items.get(i).asInt());
      } else {
        bad(p.key(key).index(i), items.get(i), rule);
      }
    }
    return out;
  }

  // ---- access control (issue #15)

  private static final Set<String> ACCESS_TYPES =
      Set.of("ipaccess", "basicauth", "jwtauth", "forwardauth", "ratelimit", "connectionlimit");

  /** An access policy of {@code type} (squashed), or null for another type or on a problem. */
  private @Nullable PolicySpec accessPolicy(String type, ObjectNode obj, DocPath p, int index) {
    return switch (type) {
      case "ipaccess" -> {
        unknownKeys(obj, p, Forms.IP_ACCESS_POLICY_KEYS);
        int before = problems.size();
        List<String> allow = texts(obj, "allow", p);
        List<String> deny = texts(obj, "deny", p);
        yield problems.size() == before ? new IpAccess(allow, deny) : null;
      }
      case "basicauth" -> basicAuth(obj, p, index);
      case "jwtauth" -> jwtAuth(obj, p, index);
      case "forwardauth" -> forwardAuth(obj, p);
      case "ratelimit" -> rateLimit(obj, p);
      case "connectionlimit" -> connectionLimit(obj, p);
      default -> null;
    };
  }

  /**
   * A {@code BasicAuth} policy: users from exactly one of {@code users} (a user without {@code
   * hash} keeps the stored one), {@code htpasswd} (the text of an htpasswd file) or {@code
   * htpasswdFile} (routes file only). A hash is never shown in a problem.
   */
  private @Nullable BasicAuth basicAuth(ObjectNode obj, DocPath p, int index) {
    unknownKeys(obj, p, Forms.BASIC_AUTH_POLICY_KEYS);
    int before = problems.size();
    String realm = text(obj, "realm", p, BasicAuth.DEFAULT_REALM);
    boolean forward = flag(obj, "forwardAuthorization", p);
    int sources =
        (obj.has("users") ? 1 : 0)
            + (obj.has("htpasswd") ? 1 : 0)
            + (obj.has("htpasswdFile") ? 1 : 0);
    List<BasicAuth.User> users = new ArrayList<>();
    if (sources != 1) {
      if (sources == 0) {
        problems.add(DocProblem.missing(p.key("users"), Forms.USER_SOURCES));
      } else {
        bad(p.key("users"), sources + " user sources", Forms.USER_SOURCES);
      }
    } else if (obj.has("users")) {
      users = users(obj.get("users"), p.key("users"), index);
    } else if (obj.has("htpasswd")) {
      JsonNode h = obj.get("htpasswd");
      if (h.isTextual() && h.asText().length() > SecretFiles.MAX_BYTES) {
        bad(p.key("htpasswd"), h.asText().length() + " characters", "at most 1 MiB of text");
      } else if (!h.isTextual()) {
        bad(
            p.key("htpasswd"),
            h.getNodeType().toString().toLowerCase(Locale.ROOT),
            "the text of an htpasswd file, user:hash a line");
      } else {
        users = htpasswd(h.asText(), p.key("htpasswd"));
      }
    } else {
      DocPath at = p.key("htpasswdFile");
      String file = text(obj, "htpasswdFile", p, null);
      if (files == null) {
        bad(at, file, "users or htpasswd: htpasswdFile is read by the routes file only");
      } else if (file != null) {
        try {
          users = htpasswd(files.read(file), at);
        } catch (IOException e) {
          bad(at, file, "a readable htpasswd file (" + e.getMessage() + ")");
        }
      }
    }
    if (problems.size() != before || realm == null) {
      return null;
    }
    return new BasicAuth(realm, users, forward);
  }

  private List<BasicAuth.User> htpasswd(String text, DocPath at) {
    try {
      return Htpasswd.parse(text);
    } catch (IllegalArgumentException e) {
      // The message names the line and the user, never the hash.
      bad(at, "htpasswd text", "an htpasswd text with bcrypt or Argon2 hashes: " + e.getMessage());
      return List.of();
    }
  }

  private List<BasicAuth.User> users(JsonNode node, DocPath path, int index) {
    List<BasicAuth.User> out = new ArrayList<>();
    if (!node.isArray()) {
      bad(path, node.getNodeType().toString().toLowerCase(Locale.ROOT), Forms.USERS_FORM);
      return out;
    }
    BasicAuth kept = storedPolicy(BasicAuth.class, index);
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      DocPath at = path.index(i);
      if (!item.isObject()) {
        bad(at, item.getNodeType().toString().toLowerCase(Locale.ROOT), "a mapping {name, hash}");
        continue;
      }
      unknownKeys((ObjectNode) item, at, Forms.USER_KEYS);
      String name = text((ObjectNode) item, "name", at, null);
      if (name == null) {
        if (!item.has("name")) {
          problems.add(DocProblem.missing(at.key("name"), "the user name"));
        }
        continue;
      }
      JsonNode h = item.get("hash");
      String hash = null;
      if (h == null || h.isNull()) {
        hash = kept == null ? null : storedHash(kept, name);
        if (hash == null) {
          problems.add(
              DocProblem.missing(at.key("hash"), Forms.HASH_NOT_KEPT + " stored for " + name));
          continue;
        }
      } else if (!h.isTextual()) {
        bad(at.key("hash"), "hash of user " + name, Forms.PASSWORD_HASH);
        continue;
      } else {
        hash = h.asText();
      }
      out.add(new BasicAuth.User(name, hash));
    }
    return out;
  }

  private static @Nullable String storedHash(BasicAuth kept, String name) {
    for (BasicAuth.User u : kept.users()) {
      if (u.name().equals(name)) {
        return u.hash();
      }
    }
    return null;
  }

  /** The stored route's policy of {@code kind} at {@code index}, else its only one, else null. */
  private <T extends PolicySpec> @Nullable T storedPolicy(Class<T> kind, int index) {
    if (stored == null) {
      return null;
    }
    List<PolicySpec> policies = stored.policies();
    if (index < policies.size() && kind.isInstance(policies.get(index))) {
      return kind.cast(policies.get(index));
    }
    T only = null;
    for (PolicySpec ps : policies) {
      if (kind.isInstance(ps)) {
        if (only != null) {
          return null;
        }
        only = kind.cast(ps);
      }
    }
    return only;
  }

  /**
   * A {@code JwtAuth} policy; what it leaves out takes the model's defaults. {@code jwks} is a
   * mapping or JSON text, checked here for its shape (the validator cannot parse JSON) and never
   * echoed; {@code jwksKeys} is the answer's summary and ignored.
   */
  private @Nullable JwtAuth jwtAuth(ObjectNode obj, DocPath p, int index) {
    unknownKeys(obj, p, Forms.JWT_AUTH_POLICY_KEYS);
    int before = problems.size();
    String uri = text(obj, "jwksUri", p, null);
    String jwks = null;
    JsonNode k = obj.get("jwks");
    if (k != null && !k.isNull()) {
      jwks = jwks(k, p.key("jwks"));
    } else if (uri == null && !obj.has("jwksUri")) {
      JwtAuth kept = storedPolicy(JwtAuth.class, index);
      jwks = kept == null ? null : kept.jwks();
      if (jwks == null) {
        problems.add(DocProblem.missing(p.key("jwksUri"), Forms.KEYS_NOT_KEPT + " stored"));
      }
    }
    List<String> algorithms =
        obj.has("algorithms") ? texts(obj, "algorithms", p) : JwtAuth.DEFAULT_ALGORITHMS;
    String issuer = text(obj, "issuer", p, null);
    List<String> audiences = texts(obj, "audiences", p);
    Duration skew = duration(obj.get("clockSkew"), p.key("clockSkew"), JwtAuth.DEFAULT_CLOCK_SKEW);
    List<String> required = texts(obj, "requiredClaims", p);
    List<JwtAuth.ClaimHeader> claimHeaders = new ArrayList<>();
    List<JsonNode> items = list(obj.get("claimHeaders"), p.key("claimHeaders"));
    for (int i = 0; i < items.size(); i++) {
      DocPath at = p.key("claimHeaders").index(i);
      if (!items.get(i).isObject()) {
        bad(at, items.get(i), "a mapping {claim: sub, header: x-user}");
        continue;
      }
      ObjectNode ch = (ObjectNode) items.get(i);
      unknownKeys(ch, at, Forms.CLAIM_HEADER_KEYS);
      String claim = text(ch, "claim", at, null);
      String header = text(ch, "header", at, null);
      if (!ch.has("claim")) {
        problems.add(DocProblem.missing(at.key("claim"), "a claim name"));
      }
      if (!ch.has("header")) {
        problems.add(DocProblem.missing(at.key("header"), "a header name"));
      }
      if (claim != null && header != null) {
        claimHeaders.add(new JwtAuth.ClaimHeader(claim, header));
      }
    }
    boolean forwardToken = flag(obj, "forwardToken", p);
    String header = text(obj, "header", p, JwtAuth.DEFAULT_HEADER);
    String cookie = text(obj, "cookie", p, null);
    Duration cache =
        duration(
            obj.get("jwksCacheDuration"), p.key("jwksCacheDuration"), JwtAuth.DEFAULT_JWKS_CACHE);
    Duration refetch =
        duration(
            obj.get("jwksMinRefetch"), p.key("jwksMinRefetch"), JwtAuth.DEFAULT_JWKS_MIN_REFETCH);
    Duration timeout =
        duration(obj.get("jwksTimeout"), p.key("jwksTimeout"), JwtAuth.DEFAULT_JWKS_TIMEOUT);
    if (problems.size() != before || header == null) {
      return null;
    }
    return new JwtAuth(
        uri,
        jwks,
        algorithms,
        issuer,
        audiences,
        skew,
        required,
        claimHeaders,
        forwardToken,
        header,
        cookie,
        cache,
        refetch,
        timeout);
  }

  private static final Set<String> KEY_TYPES = Set.of("RSA", "EC", "OKP", "oct");
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JWK Set as compact JSON text, or null (with a problem that shows no key material). */
  private @Nullable String jwks(JsonNode node, DocPath at) {
    JsonNode set = node;
    if (node.isTextual()) {
      try {
        set = JSON.readTree(node.asText());
      } catch (IOException e) {
        bad(at, node.asText().length() + " characters", Forms.JWKS_FORM + " (not JSON)");
        return null;
      }
    }
    String shown = "a JWK Set";
    if (set == null
        || !set.isObject()
        || !set.path("keys").isArray()
        || set.path("keys").isEmpty()) {
      bad(at, shown, Forms.JWKS_FORM + " (no keys list)");
      return null;
    }
    JsonNode keys = set.get("keys");
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = keys.get(i);
      DocPath ka = at.key("keys").index(i);
      if (!key.isObject() || !KEY_TYPES.contains(key.path("kty").asText(""))) {
        bad(
            ka.key("kty"),
            key.path("kty").isTextual() ? key.get("kty").asText() : null,
            Forms.JWKS_FORM);
        continue;
      }
      for (String member : PRIVATE_MEMBERS) {
        if (key.has(member)) {
          bad(ka.key(member), "private key material", Forms.JWKS_FORM);
        }
      }
    }
    try {
      return JSON.writeValueAsString(set);
    } catch (IOException e) {
      bad(at, shown, Forms.JWKS_FORM);
      return null;
    }
  }

  /** A {@code ForwardAuth} policy; what it leaves out takes the model's defaults. */
  private @Nullable ForwardAuth forwardAuth(ObjectNode obj, DocPath p) {
    unknownKeys(obj, p, Forms.FORWARD_AUTH_POLICY_KEYS);
    int before = problems.size();
    String url = text(obj, "url", p, null);
    if (!obj.has("url")) {
      problems.add(DocProblem.missing(p.key("url"), "the auth service's http or https URL"));
    }
    String method = text(obj, "method", p, "GET");
    List<String> request = texts(obj, "requestHeaders", p);
    List<String> response = texts(obj, "responseHeaders", p);
    String signin = text(obj, "signin", p, null);
    Duration timeout = duration(obj.get("timeout"), p.key("timeout"), ForwardAuth.DEFAULT_TIMEOUT);
    List<String> cacheKey = texts(obj, "cacheKey", p);
    Duration cache = duration(obj.get("cacheDuration"), p.key("cacheDuration"), Duration.ZERO);
    ForwardAuth.SigninRedirect redirect = ForwardAuth.SigninRedirect.URL;
    if (obj.has("signinRedirect")) {
      redirect =
          enumValue(
              ForwardAuth.SigninRedirect.class,
              obj.get("signinRedirect"),
              p.key("signinRedirect"),
              Forms.SIGNIN_REDIRECTS);
    }
    String param = text(obj, "signinRedirectParam", p, ForwardAuth.DEFAULT_SIGNIN_REDIRECT_PARAM);
    if (problems.size() != before
        || url == null
        || method == null
        || redirect == null
        || param == null) {
      return null;
    }
    return new ForwardAuth(
        url, method, request, response, signin, timeout, cacheKey, cache, redirect, param);
  }

  /** A {@code RateLimit} policy: burst defaults to {@code requests}, per to a second. */
  private @Nullable RateLimit rateLimit(ObjectNode obj, DocPath p) {
    unknownKeys(obj, p, Forms.RATE_LIMIT_POLICY_KEYS);
    int before = problems.size();
    String name = text(obj, "name", p, null);
    LimitKey key = limitKey(obj.get("key"), p.key("key"));
    Long requests = count(obj, "requests", p, "a number of requests, at least 1");
    if (!obj.has("requests")) {
      problems.add(
          DocProblem.missing(p.key("requests"), "a number of requests per second or minute"));
    }
    Duration per = RateLimit.SECOND;
    JsonNode perNode = obj.get("per");
    if (perNode != null) {
      String t = perNode.isTextual() ? squash(perNode.asText()) : "";
      if (t.equals("second") || t.equals("1s") || t.equals("pt1s")) {
        per = RateLimit.SECOND;
      } else if (t.equals("minute") || t.equals("1m") || t.equals("60s") || t.equals("pt1m")) {
        per = RateLimit.MINUTE;
      } else {
        bad(p.key("per"), perNode, Forms.PER);
      }
    }
    Long burst = count(obj, "burst", p, "a bucket size, at least 1");
    RateLimit.Scope scope = RateLimit.Scope.LOCAL;
    if (obj.has("scope")) {
      scope = enumValue(RateLimit.Scope.class, obj.get("scope"), p.key("scope"), Forms.SCOPES);
    }
    List<String> exempt = texts(obj, "exempt", p);
    if (problems.size() != before || requests == null || key == null || scope == null) {
      return null;
    }
    return new RateLimit(name, key, requests, per, burst == null ? requests : burst, scope, exempt);
  }

  /** A {@code ConnectionLimit} policy. */
  private @Nullable ConnectionLimit connectionLimit(ObjectNode obj, DocPath p) {
    unknownKeys(obj, p, Forms.CONNECTION_LIMIT_POLICY_KEYS);
    int before = problems.size();
    LimitKey key = limitKey(obj.get("key"), p.key("key"));
    Integer max = integer(obj, "max", p, "a number of requests in flight, at least 1");
    if (!obj.has("max")) {
      problems.add(DocProblem.missing(p.key("max"), "a number of requests in flight"));
    }
    List<String> exempt = texts(obj, "exempt", p);
    if (problems.size() != before || max == null || key == null) {
      return null;
    }
    return new ConnectionLimit(key, max, exempt);
  }

  /** A limit's key: absent is the client address; a type name, or {type, name}. */
  private @Nullable LimitKey limitKey(@Nullable JsonNode node, DocPath at) {
    if (node == null || node.isNull()) {
      return LimitKey.CLIENT_ADDRESS;
    }
    JsonNode type = node;
    String name = null;
    if (node.isObject()) {
      unknownKeys((ObjectNode) node, at, Forms.LIMIT_KEY_KEYS);
      type = node.get("type");
      name = text((ObjectNode) node, "name", at, null);
      if (type == null) {
        problems.add(DocProblem.missing(at.key("type"), Forms.LIMIT_KEY_TYPES));
        return null;
      }
      at = at.key("type");
    }
    LimitKey.Kind kind = enumValue(LimitKey.Kind.class, type, at, Forms.LIMIT_KEY_TYPES);
    return kind == null ? null : new LimitKey(kind, name);
  }

  /** A whole number of at least 0, or null when absent (and on a problem, reported). */
  private @Nullable Long count(ObjectNode obj, String key, DocPath p, String expected) {
    JsonNode node = obj.get(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      bad(p.key(key), node, expected);
      return null;
    }
    return node.asLong();
  }
}
