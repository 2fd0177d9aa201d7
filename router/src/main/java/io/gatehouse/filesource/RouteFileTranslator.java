package io.gatehouse.filesource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendSpec;
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
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Translates a YAML routes file into validated specs of source {@code file}, or into the problems
 * that stop it, each with its line. Pure: the same text always gives the same answer. A file with
 * any problem yields no routes at all, so a half-edited file never half-applies.
 *
 * <p>The format (see {@code docs/routes-file.md} and {@code examples/routes.yaml}):
 *
 * <pre>{@code
 * routes:
 *   - name: echo               # required, unique in the file
 *     tenant: default          # optional, default "default"
 *     hosts: [echo.localhost, "*.apps.example.com"]   # optional, empty = any host
 *     paths:                   # optional, default Prefix /; a plain string is a Prefix
 *       - {type: Prefix, value: /api}  # Exact | Prefix | ImplementationSpecific | RegularExpression
 *     methods: [GET, POST]     # optional, empty = any method
 *     headers: [{name: x-canary, type: Exact, value: "1"}]  # type Exact|RegularExpression|Present
 *     queries: [{name: debug, type: Present}]
 *     backend:
 *       protocol: http1        # http1 | h2c | h2 (HTTP/2 over TLS), default http1
 *       endpoints: ["127.0.0.1:8080", {address: "127.0.0.1:8081", weight: 3}]
 *       tls:                   # optional: reach the endpoints over TLS ({} = verified, JDK CAs)
 *         caBundle: |          # optional PEM; default the JDK's trust store
 *         serverName: api.internal   # optional: SNI and the name verified
 *         verifyHostname: true # default true
 *         insecureSkipVerify: false  # default false; logged as a warning
 *         clientCertificate: {certificateChain: |, privateKey: |}   # optional PEM pair
 *     timeouts: {connect: 5s, response: 15s, bodyIdle: 60s, request: 300s}  # each optional
 *     maxRequestBodyBytes: 10MiB   # optional
 *     priority: 0              # optional
 *     tls:                     # optional: how the route's hosts are served over HTTPS
 *       certificate: www       # NAME of the certificate (tls.certDir's NAME.crt/NAME.pem)
 *       hosts: [echo.localhost]  # optional, default all the route's hosts
 *       redirect: 308          # 301 | 302 | 307 | 308 | off, default 308
 *       hsts: {maxAge: 365d, includeSubDomains: true, preload: false}  # optional
 *       clientAuth: {mode: required, caBundle: |}   # none | optional | required
 * }</pre>
 *
 * An empty file is an error; {@code routes: []} says "no routes" on purpose.
 */
public final class RouteFileTranslator {
  public static final String SOURCE = "file";
  public static final String DEFAULT_TENANT = "default";

  private static final Set<String> TOP_KEYS = Set.of("routes");
  private static final Set<String> ROUTE_KEYS =
      orderedSet(
          "name",
          "tenant",
          "hosts",
          "paths",
          "methods",
          "headers",
          "queries",
          "backend",
          "timeouts",
          "maxRequestBodyBytes",
          "priority",
          "tls");
  private static final Set<String> TLS_KEYS =
      orderedSet("certificate", "hosts", "redirect", "hsts", "clientAuth");
  private static final Set<String> CLIENT_AUTH_KEYS = orderedSet("mode", "caBundle");
  private static final Set<String> UPSTREAM_TLS_KEYS =
      orderedSet(
          "caBundle", "serverName", "verifyHostname", "insecureSkipVerify", "clientCertificate");
  private static final Set<String> KEY_CERT_KEYS = orderedSet("certificateChain", "privateKey");
  private static final Set<String> HSTS_KEYS = orderedSet("maxAge", "includeSubDomains", "preload");
  private static final Set<String> PATH_KEYS = orderedSet("type", "value");
  private static final Set<String> MATCH_KEYS = orderedSet("name", "type", "value");
  private static final Set<String> BACKEND_KEYS = orderedSet("protocol", "endpoints", "tls");
  private static final Set<String> ENDPOINT_KEYS = orderedSet("address", "weight");
  private static final Set<String> TIMEOUT_KEYS =
      orderedSet("connect", "response", "bodyIdle", "request");

  /** How a private key, or anything that may hold one, is shown in a problem. */
  private static final String KEY_SHOWN = "PrivateKeyPem[redacted]";

  private RouteFileTranslator() {}

  /** One reason the file was refused. Line 0 means the problem has no line (size, encoding). */
  public record Problem(int line, String message) {
    @Override
    public String toString() {
      return line > 0 ? "line " + line + ": " + message : message;
    }
  }

  /** Either validated routes (in file order) or the problems, sorted by line; never both. */
  public record Result(List<RouteSpec> routes, List<Problem> problems) {
    public Result {
      routes = List.copyOf(routes);
      problems = List.copyOf(problems);
    }

    public boolean isValid() {
      return problems.isEmpty();
    }
  }

  public static Result translate(String yaml) {
    LocatedYaml.Document doc;
    try {
      doc = LocatedYaml.parse(yaml);
    } catch (LocatedYaml.SyntaxException e) {
      String where = e.column() > 0 ? "column " + e.column() + ": " : "";
      return new Result(List.of(), List.of(new Problem(e.line(), where + e.getMessage())));
    }
    return new Reader(doc).read();
  }

  private static final class Reader {
    private final LocatedYaml.Document doc;
    private final List<Problem> problems = new ArrayList<>();

    Reader(LocatedYaml.Document doc) {
      this.doc = doc;
    }

    Result read() {
      JsonNode root = doc.root();
      if (!root.isObject()) {
        bad("", root, "a mapping with the key routes (write routes: [] for no routes)");
        return done(List.of());
      }
      unknownKeys((ObjectNode) root, "", TOP_KEYS);
      JsonNode list = root.get("routes");
      if (list == null || !list.isArray()) {
        bad("routes", list, "a list of routes (write routes: [] for no routes)");
        return done(List.of());
      }
      List<RouteSpec> routes = new ArrayList<>();
      Map<String, String> names = new HashMap<>();
      for (int i = 0; i < list.size(); i++) {
        String path = "routes[" + i + "]";
        int before = problems.size();
        RouteSpec raw = route(list.get(i), path);
        if (raw == null) {
          continue;
        }
        String first =
            list.get(i).path("name").isValueNode()
                ? names.putIfAbsent(raw.key().name(), path)
                : null;
        if (first != null) {
          bad(path + ".name", raw.key().name(), "a name not already used by " + first);
        }
        Validated<RouteSpec> v = RouteValidator.validate(raw);
        if (!v.isValid()) {
          for (Violation violation : v.violations()) {
            String field = path + "." + fileField(violation.field());
            problem(field, new Violation(field, violation.value(), violation.rule()).message());
          }
        } else if (problems.size() == before) {
          routes.add(v.value());
        }
      }
      return done(routes);
    }

    private Result done(List<RouteSpec> routes) {
      if (problems.isEmpty()) {
        return new Result(routes, List.of());
      }
      List<Problem> sorted = new ArrayList<>(problems);
      sorted.sort(Comparator.comparingInt(Problem::line));
      return new Result(List.of(), sorted);
    }

    /** A spec with every field the file gave, or null when the item is not even a mapping. */
    private RouteSpec route(JsonNode item, String path) {
      if (!item.isObject()) {
        bad(path, item, "a mapping with name and backend");
        return null;
      }
      ObjectNode obj = (ObjectNode) item;
      unknownKeys(obj, path, ROUTE_KEYS);
      String name = text(obj, "name", path, null);
      if (name == null && !obj.has("name")) {
        problem(
            path + ".name", path + ".name: missing (expected: a route name unique in the file)");
      }
      String tenant = text(obj, "tenant", path, DEFAULT_TENANT);
      List<String> hosts = texts(obj, "hosts", path);
      List<PathMatch> paths = paths(obj.get("paths"), path + ".paths");
      Set<String> methods = new LinkedHashSet<>(texts(obj, "methods", path));
      List<HeaderMatch> headers = new ArrayList<>();
      for (Match m : matches(obj.get("headers"), path + ".headers")) {
        headers.add(new HeaderMatch(m.name, m.type, m.value));
      }
      List<QueryMatch> queries = new ArrayList<>();
      for (Match m : matches(obj.get("queries"), path + ".queries")) {
        queries.add(new QueryMatch(m.name, m.type, m.value));
      }
      BackendSpec backend = backend(obj.get("backend"), path + ".backend");
      Timeouts timeouts = timeouts(obj.get("timeouts"), path + ".timeouts");
      Limits limits = Limits.DEFAULTS;
      JsonNode body = obj.get("maxRequestBodyBytes");
      if (body != null) {
        Optional<Long> bytes =
            body.isIntegralNumber() && body.canConvertToLong()
                ? Optional.of(body.asLong())
                : body.isTextual() ? Quantities.parseBytes(body.asText()) : Optional.empty();
        if (bytes.isEmpty()) {
          bad(path + ".maxRequestBodyBytes", body, Quantities.BYTES_FORM);
        } else {
          limits = new Limits(bytes.get());
        }
      }
      int priority = 0;
      JsonNode prio = obj.get("priority");
      if (prio != null) {
        if (prio.isInt()) {
          priority = prio.asInt();
        } else {
          bad(path + ".priority", prio, "an integer");
        }
      }
      TlsSpec tls = tls(obj.get("tls"), path + ".tls");
      return new RouteSpec(
          RouteKey.of(
              tenant == null ? DEFAULT_TENANT : tenant, SOURCE, name == null ? "unnamed" : name),
          hosts,
          paths,
          methods,
          headers,
          queries,
          backend == null ? BackendSpec.http1(List.of()) : backend,
          timeouts,
          limits,
          priority,
          tls);
    }

    /** The route's {@code tls:} section, or null when absent or broken (then with problems). */
    private TlsSpec tls(JsonNode node, String path) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isObject()) {
        bad(path, node, "a mapping with certificate, and optionally hosts, redirect and hsts");
        return null;
      }
      ObjectNode obj = (ObjectNode) node;
      unknownKeys(obj, path, TLS_KEYS);
      String certificate = text(obj, "certificate", path, null);
      if (certificate == null && !obj.has("certificate")) {
        problem(
            path + ".certificate",
            path + ".certificate: missing (expected: the NAME of a certificate)");
      }
      List<String> hosts = texts(obj, "hosts", path);
      HttpsRedirect redirect = HttpsRedirect.DEFAULT;
      JsonNode r = obj.get("redirect");
      if (r != null) {
        redirect = redirect(r, path + ".redirect");
      }
      Hsts hsts = Hsts.OFF;
      JsonNode h = obj.get("hsts");
      if (h != null) {
        hsts = hsts(h, path + ".hsts");
      }
      ClientAuth clientAuth = ClientAuth.NONE;
      JsonNode ca = obj.get("clientAuth");
      if (ca != null) {
        clientAuth = clientAuth(ca, path + ".clientAuth");
      }
      if (certificate == null || redirect == null || hsts == null || clientAuth == null) {
        return null;
      }
      return new TlsSpec(hosts, certificate, redirect, hsts, clientAuth);
    }

    private ClientAuth clientAuth(JsonNode node, String path) {
      if (!node.isObject()) {
        bad(path, node, "a mapping such as {mode: required, caBundle: PEM}");
        return null;
      }
      ObjectNode obj = (ObjectNode) node;
      unknownKeys(obj, path, CLIENT_AUTH_KEYS);
      JsonNode m = obj.get("mode");
      if (m == null) {
        problem(path + ".mode", path + ".mode: missing (expected: none, optional or required)");
        return null;
      }
      ClientAuth.Mode mode =
          enumValue(ClientAuth.Mode.class, m, path + ".mode", "none, optional or required");
      String bundle = text(obj, "caBundle", path, null);
      return mode == null ? null : new ClientAuth(mode, bundle);
    }

    /** The backend's {@code tls:} section; {@code {}} means verified against the JDK's CAs. */
    private UpstreamTls upstreamTls(JsonNode node, String path) {
      if (!node.isObject()) {
        bad(path, node, "a mapping such as {caBundle: PEM, serverName: api.internal} or {}");
        return null;
      }
      ObjectNode obj = (ObjectNode) node;
      unknownKeys(obj, path, UPSTREAM_TLS_KEYS);
      String ca = text(obj, "caBundle", path, null);
      String serverName = text(obj, "serverName", path, null);
      Boolean verify =
          obj.has("verifyHostname")
              ? bool(obj.get("verifyHostname"), path + ".verifyHostname")
              : true;
      Boolean insecure = bool(obj.get("insecureSkipVerify"), path + ".insecureSkipVerify");
      KeyCertPem client = null;
      JsonNode c = obj.get("clientCertificate");
      if (c != null) {
        client = keyCert(c, path + ".clientCertificate");
        if (client == null) {
          return null;
        }
      }
      if (verify == null || insecure == null) {
        return null;
      }
      return new UpstreamTls(ca, verify, serverName, insecure, client);
    }

    private KeyCertPem keyCert(JsonNode node, String path) {
      if (!node.isObject()) {
        // Never shown: it may hold the key.
        bad(path, KEY_SHOWN, "a mapping with certificateChain and privateKey");
        return null;
      }
      ObjectNode obj = (ObjectNode) node;
      unknownKeys(obj, path, KEY_CERT_KEYS);
      String chain = text(obj, "certificateChain", path, null);
      JsonNode k = obj.get("privateKey");
      String key = null;
      if (k == null) {
        problem(path + ".privateKey", path + ".privateKey: missing (expected: a PEM private key)");
      } else if (!k.isTextual()) {
        bad(path + ".privateKey", KEY_SHOWN, "a PEM private key as a string");
      } else {
        key = k.asText();
      }
      if (chain == null && !obj.has("certificateChain")) {
        problem(
            path + ".certificateChain",
            path + ".certificateChain: missing (expected: PEM certificates, the leaf first)");
      }
      return chain == null || key == null ? null : new KeyCertPem(chain, new PrivateKeyPem(key));
    }

    private HttpsRedirect redirect(JsonNode node, String path) {
      String v = node.isValueNode() && !node.isNull() ? node.asText().trim() : "";
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

    private Hsts hsts(JsonNode node, String path) {
      if (!node.isObject()) {
        bad(path, node, "a mapping such as {maxAge: 365d, includeSubDomains: true}");
        return null;
      }
      ObjectNode obj = (ObjectNode) node;
      unknownKeys(obj, path, HSTS_KEYS);
      if (!obj.has("maxAge")) {
        problem(path + ".maxAge", path + ".maxAge: missing (expected: a duration such as 365d)");
        return null;
      }
      Duration maxAge = duration(obj.get("maxAge"), path + ".maxAge", null);
      Boolean sub = bool(obj.get("includeSubDomains"), path + ".includeSubDomains");
      Boolean preload = bool(obj.get("preload"), path + ".preload");
      if (maxAge == null || sub == null || preload == null) {
        return null;
      }
      return Hsts.of(maxAge, sub, preload);
    }

    private Boolean bool(JsonNode node, String path) {
      if (node == null) {
        return false;
      }
      if (!node.isBoolean()) {
        bad(path, node, "true or false");
        return null;
      }
      return node.asBoolean();
    }

    private List<PathMatch> paths(JsonNode node, String path) {
      List<PathMatch> out = new ArrayList<>();
      List<JsonNode> items = list(node, path);
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        String p = path + "[" + i + "]";
        if (item.isTextual()) {
          out.add(PathMatch.prefix(item.asText()));
          continue;
        }
        if (!item.isObject()) {
          bad(p, item, "a path such as /api or {type: Prefix, value: /api}");
          continue;
        }
        unknownKeys((ObjectNode) item, p, PATH_KEYS);
        PathMatchType type = PathMatchType.PREFIX;
        JsonNode t = item.get("type");
        if (t != null) {
          type =
              enumValue(
                  PathMatchType.class,
                  t,
                  p + ".type",
                  "Exact, Prefix, ImplementationSpecific or RegularExpression");
        }
        String value = text((ObjectNode) item, "value", p, null);
        if (value == null && !item.has("value")) {
          problem(p + ".value", p + ".value: missing (expected: a path such as /api)");
        }
        if (type != null && value != null) {
          out.add(new PathMatch(type, value));
        }
      }
      return out;
    }

    private record Match(String name, ValueMatchType type, String value) {}

    private List<Match> matches(JsonNode node, String path) {
      List<Match> out = new ArrayList<>();
      List<JsonNode> items = list(node, path);
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        String p = path + "[" + i + "]";
        if (!item.isObject()) {
          bad(p, item, "a mapping such as {name: x-canary, type: Exact, value: \"1\"}");
          continue;
        }
        unknownKeys((ObjectNode) item, p, MATCH_KEYS);
        String name = text((ObjectNode) item, "name", p, null);
        if (name == null && !item.has("name")) {
          problem(p + ".name", p + ".name: missing (expected: a name)");
        }
        ValueMatchType type = ValueMatchType.EXACT;
        JsonNode t = item.get("type");
        if (t != null) {
          type =
              enumValue(
                  ValueMatchType.class, t, p + ".type", "Exact, RegularExpression or Present");
        }
        String value = text((ObjectNode) item, "value", p, "");
        if (name != null && type != null && value != null) {
          out.add(new Match(name, type, value));
        }
      }
      return out;
    }

    private BackendSpec backend(JsonNode node, String path) {
      if (node == null) {
        problem(path, path + ": missing (expected: a mapping with protocol and endpoints)");
        return null;
      }
      if (!node.isObject()) {
        bad(path, node, "a mapping with protocol and endpoints");
        return null;
      }
      unknownKeys((ObjectNode) node, path, BACKEND_KEYS);
      UpstreamProtocol protocol = UpstreamProtocol.HTTP1;
      JsonNode proto = node.get("protocol");
      if (proto != null) {
        protocol = enumValue(UpstreamProtocol.class, proto, path + ".protocol", "http1, h2c or h2");
      }
      JsonNode eps = node.get("endpoints");
      if (eps == null) {
        problem(
            path + ".endpoints",
            path + ".endpoints: missing (expected: a list such as [\"127.0.0.1:8080\"])");
        return null;
      }
      List<Endpoint> endpoints = new ArrayList<>();
      List<JsonNode> items = list(eps, path + ".endpoints");
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        String p = path + ".endpoints[" + i + "]";
        String address;
        int weight = Endpoint.DEFAULT_WEIGHT;
        if (item.isTextual()) {
          address = item.asText();
        } else if (item.isObject()) {
          unknownKeys((ObjectNode) item, p, ENDPOINT_KEYS);
          address = text((ObjectNode) item, "address", p, null);
          if (address == null) {
            if (!item.has("address")) {
              problem(p + ".address", p + ".address: missing (expected: " + HostPort.FORM + ")");
            }
            continue;
          }
          JsonNode w = item.get("weight");
          if (w != null) {
            if (!w.isInt()) {
              bad(p + ".weight", w, "an integer 0-" + RouteValidator.MAX_WEIGHT);
              continue;
            }
            weight = w.asInt();
          }
          p = p + ".address";
        } else {
          bad(p, item, HostPort.FORM + " or {address: HOST:PORT, weight: N}");
          continue;
        }
        Optional<Endpoint> ep = HostPort.parse(address, weight);
        if (ep.isEmpty()) {
          bad(p, address, HostPort.FORM);
        } else {
          endpoints.add(ep.get());
        }
      }
      UpstreamTls tls = null;
      JsonNode t = node.get("tls");
      if (t != null && !t.isNull()) {
        tls = upstreamTls(t, path + ".tls");
        if (tls == null) {
          return null;
        }
      }
      return protocol == null ? null : new BackendSpec(protocol, endpoints, tls);
    }

    private Timeouts timeouts(JsonNode node, String path) {
      Timeouts d = Timeouts.DEFAULTS;
      if (node == null) {
        return d;
      }
      if (!node.isObject()) {
        bad(path, node, "a mapping with connect, response, bodyIdle and request");
        return d;
      }
      unknownKeys((ObjectNode) node, path, TIMEOUT_KEYS);
      return new Timeouts(
          duration(node.get("connect"), path + ".connect", d.connect()),
          duration(node.get("response"), path + ".response", d.response()),
          duration(node.get("bodyIdle"), path + ".bodyIdle", d.bodyIdle()),
          duration(node.get("request"), path + ".request", d.request()));
    }

    private Duration duration(JsonNode node, String path, Duration fallback) {
      if (node == null) {
        return fallback;
      }
      Optional<Duration> d =
          node.isTextual() || (node.isIntegralNumber() && node.asLong() == 0)
              ? Quantities.parseDuration(node.asText())
              : Optional.empty();
      if (d.isEmpty()) {
        bad(path, node, Quantities.DURATION_FORM);
        return fallback;
      }
      return d.get();
    }

    private <E extends Enum<E>> E enumValue(
        Class<E> type, JsonNode node, String path, String expected) {
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

    /** {@code node} as a list; a single scalar counts as a list of one. Empty on a problem. */
    private List<JsonNode> list(JsonNode node, String path) {
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

    private List<String> texts(ObjectNode obj, String key, String parent) {
      JsonNode node = obj.get(key);
      String path = parent + "." + key;
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
          bad(path + "[" + i + "]", item, "a string");
        }
      }
      return out;
    }

    /** A scalar as text; {@code fallback} when absent; null (and a problem) when not a scalar. */
    private String text(ObjectNode obj, String key, String parent, String fallback) {
      JsonNode node = obj.get(key);
      if (node == null) {
        return fallback;
      }
      if (!node.isValueNode() || node.isNull()) {
        bad(parent + "." + key, node, "a string");
        return null;
      }
      return node.asText();
    }

    private void unknownKeys(ObjectNode obj, String path, Set<String> known) {
      obj.fieldNames()
          .forEachRemaining(
              name -> {
                if (!known.contains(name)) {
                  String p = path.isEmpty() ? name : path + "." + name;
                  problem(
                      p,
                      "unknown key \""
                          + p
                          + "\" (expected one of: "
                          + String.join(", ", known)
                          + ")");
                }
              });
    }

    private void bad(String path, JsonNode node, String expected) {
      String shown =
          node == null
              ? null
              : node.isValueNode() && !node.isNull() ? node.asText() : node.toString();
      bad(path, shown, expected);
    }

    private void bad(String path, String value, String expected) {
      problem(path, new Violation(path.isEmpty() ? "(document)" : path, value, expected).message());
    }

    private void problem(String path, String message) {
      problems.add(new Problem(doc.lineOf(path), message));
    }
  }

  /** The file's name for a validator field: limits live at the route's top level; no Pem suffix. */
  static String fileField(String field) {
    if (field.startsWith("tls.certificateName")) {
      return "tls.certificate";
    }
    String f =
        field.replace("caBundlePem", "caBundle").replace("certificateChainPem", "certificateChain");
    return f.startsWith("limits.") ? f.substring("limits.".length()) : f;
  }

  private static String squash(String s) {
    return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  private static Set<String> orderedSet(String... items) {
    return java.util.Arrays.stream(items).collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
