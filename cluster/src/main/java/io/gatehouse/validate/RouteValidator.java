package io.gatehouse.validate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.Limits;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.URLRewrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Checks a route from any source and returns it normalised, or every violation found. Pure: the
 * same input always gives the same answer, and nothing is thrown for bad user input.
 */
public final class RouteValidator {
  public static final int MAX_HOSTS = 100;
  public static final int MAX_PATHS = 100;
  public static final int MAX_CONDITIONS = 32;
  public static final int MAX_ENDPOINTS = 1024;
  public static final int MAX_BACKENDS = 16;
  public static final int MAX_WEIGHT = 10_000;
  public static final int MAX_PATH_LENGTH = 4096;
  public static final int MAX_REGEX_LENGTH = 1024;
  public static final int MAX_VALUE_LENGTH = 1024;
  public static final int MAX_PRIORITY = 1_000_000;
  private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /** The source of the Kubernetes translators' routes (Ingress and Gateway API). */
  static final String KUBERNETES_SOURCE = "k8s";

  static final java.util.regex.Pattern TENANT =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern SOURCE =
      java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");
  static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?");

  /** An RFC 9110 field name (a token) of at most 64 characters: header matches and policies. */
  public static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");

  private static final java.util.regex.Pattern ENDPOINT_HOST =
      java.util.regex.Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}");
  // Kubernetes: a Service name is an RFC 1035 label; a port name an IANA service name.
  private static final java.util.regex.Pattern SERVICE =
      java.util.regex.Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern PORT_NAME =
      java.util.regex.Pattern.compile("(?!.*--)(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

  private RouteValidator() {}

  /**
   * A named backend object: its tenant, name and source as a route's key, its endpoints and
   * upstream TLS as a route's static backend (fields {@code name}, {@code endpoints[i]}, {@code
   * tls.*}).
   */
  public static Validated<BackendObject> validateBackend(BackendObject backend) {
    List<Violation> out = new ArrayList<>();
    BackendKey key = backend.key();
    checkOwner(key.tenant().value(), backend.source(), key.name(), out);
    BackendSpec spec = backend.spec();
    List<Violation> inner = new ArrayList<>();
    BackendRef ref = ref("backend", spec, inner);
    subjectAltNamesRefused("backend", spec, inner);
    for (Violation v : inner) { // a backend object's fields sit at its top level
      String f = v.field().startsWith("backend.") ? v.field().substring(8) : v.field();
      out.add(new Violation(f, v.value(), v.rule()));
    }
    if (!out.isEmpty()) {
      return Validated.failed(out);
    }
    return Validated.ok(new BackendObject(key, backend.source(), (BackendSpec) ref));
  }

  public static Validated<RouteSpec> validate(RouteSpec spec) {
    List<Violation> out = new ArrayList<>();
    checkKey(spec.key(), out);
    List<String> hosts = hosts(spec.hosts(), spec.wildcardsAnyDepth(), out);
    List<PathMatch> paths = paths(spec.paths(), out);
    Set<String> methods = methods(spec.methods(), out);
    List<HeaderMatch> headers = headers(spec.headers(), out);
    List<QueryMatch> queries = queries(spec.queries(), out);
    List<RouteBackend> backends = backends(spec.backends(), out);
    checkSourceOnly(spec, out);
    timeouts(spec.timeouts(), out);
    limits(spec.limits(), out);
    if (spec.priority() < -MAX_PRIORITY || spec.priority() > MAX_PRIORITY) {
      out.add(
          new Violation(
              "priority",
              Integer.toString(spec.priority()),
              "between " + -MAX_PRIORITY + " and " + MAX_PRIORITY));
    }
    TlsSpec tls = spec.tls() == null ? null : tls(spec.tls(), hosts, spec.wildcardsAnyDepth(), out);
    if (tls != null && tls.passthrough()) {
      checkPassthrough(spec, hosts, out);
    }
    List<PolicySpec> policies = PolicyValidator.validate(spec.policies(), out);
    PolicyValidator.checkPaths(policies, paths, out);
    PolicyValidator.checkVariables(spec.policies(), tls, out);
    RetryValidator.checkRoute(policies, spec.limits(), out);
    backends = backendFilters(backends, paths, tls, out);
    if (!out.isEmpty()) {
      return Validated.failed(out);
    }
    return Validated.ok(
        new RouteSpec(
            spec.key(),
            hosts,
            paths,
            methods,
            headers,
            queries,
            backends,
            spec.timeouts(),
            spec.limits(),
            spec.priority(),
            tls,
            policies,
            spec.listener(),
            spec.wildcardsAnyDepth()));
  }

  /**
   * The route's TLS settings: a certificate name, hosts normalised and each one of the route's own
   * hosts (empty means all of them), HSTS in range. Whether the certificate covers the hosts is
   * checked against the certificate itself ({@link CertificateValidator#validateTls}).
   */
  private static @Nullable TlsSpec tls(
      TlsSpec spec, List<String> routeHosts, boolean gateway, List<Violation> out) {
    if (spec.passthrough()) {
      return passthroughTls(spec, routeHosts, gateway, out);
    }
    if (!NAME.matcher(spec.certificateName()).matches()) {
      out.add(
          new Violation(
              "tls.certificateName",
              spec.certificateName(),
              "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends"));
    }
    if (spec.hosts().size() > MAX_HOSTS) {
      out.add(new Violation("tls.hosts", spec.hosts().size() + " hosts", "at most " + MAX_HOSTS));
      return null;
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (int i = 0; i < spec.hosts().size(); i++) {
      String field = "tls.hosts[" + i + "]";
      Validated<String> h = host(field, spec.hosts().get(i), gateway);
      String host = h.value();
      if (host == null) {
        out.addAll(h.violations());
      } else if (!hosts.add(host)) {
        out.add(new Violation(field, spec.hosts().get(i), "each host listed once"));
      } else if (!routeHosts.contains(host)) {
        out.add(
            new Violation(
                field,
                host,
                routeHosts.isEmpty()
                    ? "no tls.hosts on a route for every host"
                    : "one of the route's hosts: " + String.join(", ", routeHosts)));
      }
    }
    CertificateValidator.hsts(spec.hsts(), out);
    CertificateValidator.clientAuth(spec.clientAuth(), out);
    List<String> served = hosts.isEmpty() ? routeHosts : List.copyOf(hosts);
    if (spec.clientAuth().enabled() && served.isEmpty()) {
      // The certificate is requested per SNI name: a route for every host has no name to ask on.
      out.add(
          new Violation(
              "tls.clientAuth.mode",
              spec.clientAuth().mode().name(),
              "NONE on a route for every host (client certificates need named hosts)"));
    }
    return new TlsSpec(
        served, spec.certificateName(), spec.redirect(), spec.hsts(), spec.clientAuth());
  }

  /**
   * A passthrough route's TLS section: no certificate and nothing that needs the request (redirect,
   * HSTS, client certificates), since Gatehouse never sees it; it covers all the route's hosts.
   */
  private static @Nullable TlsSpec passthroughTls(
      TlsSpec spec, List<String> routeHosts, boolean gateway, List<Violation> out) {
    int before = out.size();
    if (!spec.certificateName().isEmpty()) {
      out.add(
          new Violation(
              "tls.certificateName",
              spec.certificateName(),
              "none with passthrough (the backend's own certificate is served)"));
    }
    if (!spec.hsts().equals(Hsts.OFF)) {
      out.add(new Violation("tls.hsts", "set", "none with passthrough"));
    }
    if (!spec.clientAuth().equals(ClientAuth.NONE)) {
      out.add(
          new Violation(
              "tls.clientAuth.mode", spec.clientAuth().mode().name(), "none with passthrough"));
    }
    if (spec.hosts().size() > MAX_HOSTS) {
      out.add(new Violation("tls.hosts", spec.hosts().size() + " hosts", "at most " + MAX_HOSTS));
    } else if (!spec.hosts().isEmpty()) {
      // As for a terminated route: each host valid and listed once; then they must be the route's.
      Set<String> normalised = new LinkedHashSet<>();
      int invalid = out.size();
      for (int i = 0; i < spec.hosts().size(); i++) {
        String field = "tls.hosts[" + i + "]";
        Validated<String> h = host(field, spec.hosts().get(i), gateway);
        if (h.value() == null) {
          out.addAll(h.violations());
        } else if (!normalised.add(h.value())) {
          out.add(new Violation(field, spec.hosts().get(i), "each host listed once"));
        }
      }
      if (out.size() == invalid && !normalised.equals(Set.copyOf(routeHosts))) {
        out.add(
            new Violation(
                "tls.hosts",
                String.join(", ", spec.hosts()),
                "empty or the route's own hosts with passthrough (it covers them all)"));
      }
    }
    return out.size() > before ? null : TlsSpec.passthrough(routeHosts);
  }

  /**
   * A passthrough route matches the SNI name alone: named hosts (the name is all it sees), and no
   * path, method, header, query or policy, which would need the request it never reads.
   */
  private static void checkPassthrough(RouteSpec spec, List<String> hosts, List<Violation> out) {
    if (hosts.isEmpty()) {
      out.add(
          new Violation(
              "hosts", "[]", "at least one host with tls.passthrough (it routes by SNI name)"));
    }
    boolean rootOnly =
        spec.paths().isEmpty()
            || (spec.paths().size() == 1
                && spec.paths().get(0).type() == PathMatchType.PREFIX
                && spec.paths().get(0).value().equals("/"));
    if (!rootOnly) {
      out.add(new Violation("paths", spec.paths().size() + " paths", "none with tls.passthrough"));
    }
    if (!spec.methods().isEmpty()) {
      out.add(
          new Violation("methods", String.join(",", spec.methods()), "none with tls.passthrough"));
    }
    if (!spec.headers().isEmpty()) {
      out.add(
          new Violation(
              "headers", spec.headers().size() + " matches", "none with tls.passthrough"));
    }
    if (!spec.queries().isEmpty()) {
      out.add(
          new Violation(
              "queries", spec.queries().size() + " matches", "none with tls.passthrough"));
    }
    if (!spec.policies().isEmpty()) {
      out.add(
          new Violation(
              "policies", spec.policies().size() + " policies", "none with tls.passthrough"));
    }
  }

  private static void checkKey(RouteKey key, List<Violation> out) {
    checkOwner(key.tenant().value(), key.source(), key.name(), out);
  }

  /** A route's or a named backend's tenant, source and name: one rule and one text for both. */
  private static void checkOwner(String tenant, String source, String name, List<Violation> out) {
    if (!TENANT.matcher(tenant).matches()) {
      out.add(new Violation("tenant", tenant, "a DNS label: a-z, 0-9 and '-', 1-63 characters"));
    }
    if (!SOURCE.matcher(source).matches()) {
      out.add(new Violation("source", source, "a-z, 0-9 and '-', 1-32 characters"));
    }
    if (!NAME.matcher(name).matches()) {
      out.add(
          new Violation(
              "name", name, "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends"));
    }
  }

  /** A configured host; with {@code gateway} (wildcards of any depth) {@code *.com} too. */
  private static Validated<String> host(String field, String raw, boolean gateway) {
    return gateway
        ? Hostnames.normalizeGatewayHostname(field, raw)
        : Hostnames.normalizeConfigured(field, raw);
  }

  /** With {@code gateway} (wildcards of any depth), Gateway API hostnames: {@code *.com} too. */
  private static List<String> hosts(List<String> raw, boolean gateway, List<Violation> out) {
    if (raw.size() > MAX_HOSTS) {
      out.add(new Violation("hosts", raw.size() + " hosts", "at most " + MAX_HOSTS));
      return List.of();
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      Validated<String> h = host("hosts[" + i + "]", raw.get(i), gateway);
      if (h.isValid()) {
        if (!result.add(h.value())) {
          out.add(new Violation("hosts[" + i + "]", raw.get(i), "each host listed once"));
        }
      } else {
        out.addAll(h.violations());
      }
    }
    return List.copyOf(result);
  }

  private static List<PathMatch> paths(List<PathMatch> raw, List<Violation> out) {
    if (raw.isEmpty()) {
      return List.of(PathMatch.prefix("/"));
    }
    if (raw.size() > MAX_PATHS) {
      out.add(new Violation("paths", raw.size() + " paths", "at most " + MAX_PATHS));
      return List.of();
    }
    List<PathMatch> result = new ArrayList<>(raw.size());
    Set<PathMatch> seen = new java.util.HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      PathMatch p = raw.get(i);
      String field = "paths[" + i + "].value";
      String v = p.value();
      PathMatch normalised = p;
      if (p.type() == PathMatchType.REGULAR_EXPRESSION) {
        regex(field, v, out);
      } else {
        String problem = pathProblem(v);
        if (problem != null) {
          out.add(new Violation(field, v, problem));
          continue;
        }
        if (p.type() != PathMatchType.EXACT && v.length() > 1 && v.endsWith("/")) {
          // Kubernetes: a trailing slash on a Prefix path is ignored.
          normalised = new PathMatch(p.type(), v.substring(0, v.length() - 1));
        }
      }
      if (!seen.add(normalised)) {
        out.add(new Violation(field, v, "each path listed once"));
      }
      result.add(normalised);
    }
    return result;
  }

  /** Null when {@code v} is a normalised absolute path, else the rule it breaks. */
  static @Nullable String pathProblem(String v) {
    if (v.isEmpty() || v.charAt(0) != '/') {
      return "starts with '/'";
    }
    if (v.length() > MAX_PATH_LENGTH) {
      return "at most " + MAX_PATH_LENGTH + " characters";
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '\\') {
        return "printable ASCII without spaces, '?', '#' or '\\' (percent-encode the rest)";
      }
      if (c == '%') {
        if (i + 2 >= v.length()
            || !UriChars.isHex(v.charAt(i + 1))
            || !UriChars.isHex(v.charAt(i + 2))) {
          return "'%' followed by two hex digits";
        }
        // Request paths are matched after normalisation; a configured path must be in that form.
        int b = Character.digit(v.charAt(i + 1), 16) * 16 + Character.digit(v.charAt(i + 2), 16);
        if (UriChars.isUnreserved((char) b)) {
          return "'" + (char) b + "' written as itself, not %" + v.substring(i + 1, i + 3);
        }
        if (Character.isLowerCase(v.charAt(i + 1)) || Character.isLowerCase(v.charAt(i + 2))) {
          return "upper-case hex digits in percent-encodings";
        }
      }
    }
    if (v.contains("//")) {
      return "no empty segments ('//'); request paths are matched after merging slashes";
    }
    for (String seg : v.split("/", -1)) {
      if (seg.equals(".") || seg.equals("..")) {
        return "no '.' or '..' segments; request paths are matched after resolving them";
      }
    }
    return null;
  }

  static void regex(String field, String v, List<Violation> out) {
    if (v.isEmpty() || v.length() > MAX_REGEX_LENGTH) {
      out.add(
          new Violation(field, v, "a regular expression of 1-" + MAX_REGEX_LENGTH + " characters"));
      return;
    }
    try {
      Pattern.compile(v);
    } catch (PatternSyntaxException e) {
      out.add(
          new Violation(
              field,
              v,
              "an RE2 regular expression ("
                  + e.getDescription()
                  + "; no backreferences or lookaround)"));
    }
  }

  private static Set<String> methods(Set<String> raw, List<Violation> out) {
    Set<String> result = new TreeSet<>();
    int i = 0;
    for (String m : new TreeSet<>(raw)) {
      if (!TOKEN.matcher(m).matches()) {
        out.add(new Violation("methods[" + i + "]", m, "an HTTP method token such as GET"));
      } else {
        result.add(m.toUpperCase(Locale.ROOT));
      }
      i++;
    }
    return result;
  }

  private static List<HeaderMatch> headers(List<HeaderMatch> raw, List<Violation> out) {
    if (raw.size() > MAX_CONDITIONS) {
      out.add(new Violation("headers", raw.size() + " matches", "at most " + MAX_CONDITIONS));
      return List.of();
    }
    List<HeaderMatch> result = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      HeaderMatch h = raw.get(i);
      String f = "headers[" + i + "]";
      if (!TOKEN.matcher(h.name()).matches()) {
        out.add(new Violation(f + ".name", h.name(), "a header field name token"));
        continue;
      }
      valueMatch(f, h.type(), h.value(), out);
      result.add(new HeaderMatch(h.name().toLowerCase(Locale.ROOT), h.type(), h.value()));
    }
    return result;
  }

  private static List<QueryMatch> queries(List<QueryMatch> raw, List<Violation> out) {
    if (raw.size() > MAX_CONDITIONS) {
      out.add(new Violation("queries", raw.size() + " matches", "at most " + MAX_CONDITIONS));
      return List.of();
    }
    for (int i = 0; i < raw.size(); i++) {
      QueryMatch q = raw.get(i);
      String f = "queries[" + i + "]";
      if (q.name().isEmpty() || q.name().length() > MAX_VALUE_LENGTH) {
        out.add(
            new Violation(
                f + ".name",
                q.name(),
                "a parameter name of 1-" + MAX_VALUE_LENGTH + " characters"));
        continue;
      }
      valueMatch(f, q.type(), q.value(), out);
    }
    return raw;
  }

  private static void valueMatch(String f, ValueMatchType type, String value, List<Violation> out) {
    switch (type) {
      case REGULAR_EXPRESSION -> regex(f + ".value", value, out);
      case EXACT -> {
        if (value.length() > MAX_VALUE_LENGTH) {
          out.add(
              new Violation(f + ".value", value, "at most " + MAX_VALUE_LENGTH + " characters"));
        }
      }
      case PRESENT -> {
        if (!value.isEmpty()) {
          out.add(new Violation(f + ".value", value, "no value with type Present"));
        }
      }
    }
  }

  /**
   * The route's backends, normalised. A route with one backend names its fields {@code backend.*}
   * (the form every source writes); a route with several names them {@code backends[i].*}.
   */
  private static List<RouteBackend> backends(List<RouteBackend> raw, List<Violation> out) {
    if (raw.isEmpty() || raw.size() > MAX_BACKENDS) {
      out.add(new Violation("backends", raw.size() + " backends", "1-" + MAX_BACKENDS));
      return List.of();
    }
    int before = out.size();
    List<RouteBackend> result = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      RouteBackend b = raw.get(i);
      String f = raw.size() == 1 ? "backend" : "backends[" + i + "]";
      if (b.weight() < 0 || b.weight() > MAX_WEIGHT) {
        // All weights 0 is valid: the route answers 503 (it stays configured, as a drained one).
        out.add(new Violation(f + ".weight", Integer.toString(b.weight()), "0-" + MAX_WEIGHT));
      }
      CanaryRule canary = b.canary() == null ? null : canary(f + ".canary", b.canary(), out);
      result.add(new RouteBackend(ref(f, b.ref(), out), b.weight(), canary, b.filters()));
    }
    long canaries = raw.stream().filter(b -> b.canary() != null).count();
    if (canaries > 0 && raw.size() < 2) {
      out.add(new Violation("backend.canary", "a canary rule", CANARY_ALONE_RULE));
    } else if (canaries > 1) {
      out.add(new Violation("backends", canaries + " canaries", CANARY_ONCE_RULE));
    }
    return result;
  }

  /** The rule a canary on a route's only backend breaks. */
  public static final String CANARY_ALONE_RULE =
      "a canary beside at least one other backend (the one its rule sends requests away to)";

  /** The kinds a backend's own filters may be: what can run once the backend is chosen. */
  public static final String BACKEND_FILTER_KINDS = "RequestHeaders, ResponseHeaders or URLRewrite";

  /**
   * Each backend's own filters checked as the route's policies are (their fields named {@code
   * backends[i].filters[j]}), of the kinds that can run after the backend is chosen only.
   */
  private static List<RouteBackend> backendFilters(
      List<RouteBackend> backends,
      List<PathMatch> paths,
      @Nullable TlsSpec tls,
      List<Violation> out) {
    List<RouteBackend> result = new ArrayList<>(backends.size());
    for (int i = 0; i < backends.size(); i++) {
      RouteBackend b = backends.get(i);
      if (b.filters().isEmpty()) {
        result.add(b);
        continue;
      }
      String f = (backends.size() == 1 ? "backend" : "backends[" + i + "]") + ".filters";
      List<Violation> found = new ArrayList<>();
      for (int j = 0; j < b.filters().size(); j++) {
        PolicySpec p = b.filters().get(j);
        if (!(p instanceof RequestHeaders
            || p instanceof ResponseHeaders
            || p instanceof URLRewrite)) {
          found.add(
              new Violation(
                  "policies[" + j + "].type",
                  p == null ? "null" : p.getClass().getSimpleName(),
                  BACKEND_FILTER_KINDS));
        }
      }
      List<PolicySpec> filters = PolicyValidator.validate(b.filters(), found);
      PolicyValidator.checkPaths(filters, paths, found);
      PolicyValidator.checkVariables(b.filters(), tls, found);
      for (Violation v : found) {
        String at = v.field();
        at = at.startsWith("policies") ? at.substring("policies".length()) : "." + at;
        out.add(new Violation(f + at, v.value(), v.rule()));
      }
      result.add(new RouteBackend(b.ref(), b.weight(), b.canary(), filters));
    }
    return result;
  }

  /** The rule a route with two canaries breaks. */
  public static final String CANARY_ONCE_RULE = "at most one backend with a canary rule per route";

  /** The rule a canary with neither a header nor a cookie breaks. */
  public static final String CANARY_WHAT_RULE = "a header or a cookie (or both) that selects it";

  /**
   * What is wrong with {@code rule} on its own (fields {@code canary.*}): for a source that checks
   * a rule before it builds a route (the Ingress translator names its annotations).
   */
  public static List<Violation> canaryViolations(CanaryRule rule) {
    List<Violation> out = new ArrayList<>();
    canary("canary", rule, out);
    return out;
  }

  /** A backend's canary rule, its names lower-cased; {@code f} is its field. */
  private static @Nullable CanaryRule canary(String f, CanaryRule c, List<Violation> out) {
    int before = out.size();
    String header = c.header();
    if (header == null && c.cookie() == null) {
      out.add(new Violation(f, "{}", CANARY_WHAT_RULE));
    }
    if (header != null && !TOKEN.matcher(header).matches()) {
      out.add(new Violation(f + ".header", header, "a header field name token"));
    }
    if (c.headerValue() != null && c.headerPattern() != null) {
      out.add(
          new Violation(
              f + ".headerPattern", c.headerPattern(), "not with headerValue (one or the other)"));
    }
    if ((c.headerValue() != null || c.headerPattern() != null) && header == null) {
      String which = c.headerValue() != null ? "headerValue" : "headerPattern";
      out.add(
          new Violation(
              f + "." + which,
              c.headerValue() != null ? c.headerValue() : c.headerPattern(),
              "only with header (the header whose value it matches)"));
    }
    String value = c.headerValue();
    if (value != null
        && (value.isEmpty()
            || value.length() > MAX_VALUE_LENGTH
            || !value.chars().allMatch(ch -> (ch >= 0x20 || ch == '\t') && ch != 0x7f))) {
      out.add(
          new Violation(
              f + ".headerValue",
              value,
              "1-" + MAX_VALUE_LENGTH + " characters, no control character but tab"));
    }
    if (c.headerPattern() != null) {
      regex(f + ".headerPattern", c.headerPattern(), out);
    }
    String cookie = c.cookie();
    if (cookie != null && !TOKEN.matcher(cookie).matches()) {
      out.add(new Violation(f + ".cookie", cookie, "a cookie name token"));
    }
    if (out.size() > before) {
      return c;
    }
    return new CanaryRule(
        header == null ? null : header.toLowerCase(Locale.ROOT),
        c.headerValue(),
        c.headerPattern(),
        cookie);
  }

  /** One reference, normalised; {@code f} is its field prefix. */
  /** One backend reference checked (a route's backend, or an error pages policy's). */
  static BackendRef ref(String f, BackendRef ref, List<Violation> out) {
    if (ref instanceof BackendSpec spec) {
      endpoints(f, spec.endpoints(), out);
      if (spec.proxyProtocol() != null) {
        proxyProtocol(f, spec, out);
      }
      return spec.withTls(upstreamTls(f, spec.protocol(), spec.tls(), out))
          .withPolicy(BackendPolicyValidator.validate(f, spec.policy(), out));
    }
    if (ref instanceof BackendRef.Named named) {
      if (!NAME.matcher(named.name()).matches()) {
        out.add(
            new Violation(
                f + ".name",
                named.name(),
                "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends"));
      }
      return named;
    }
    if (ref instanceof BackendRef.Unresolved u) {
      if (u.status() < BackendRef.MIN_UNRESOLVED_STATUS
          || u.status() > BackendRef.MAX_UNRESOLVED_STATUS) {
        out.add(
            new Violation(
                f + ".status",
                Integer.toString(u.status()),
                BackendRef.MIN_UNRESOLVED_STATUS + "-" + BackendRef.MAX_UNRESOLVED_STATUS));
      }
      if (u.reason().isBlank() || u.reason().length() > MAX_VALUE_LENGTH) {
        out.add(
            new Violation(
                f + ".reason",
                u.reason().length() > 64 ? u.reason().substring(0, 64) + "..." : u.reason(),
                "1-" + MAX_VALUE_LENGTH + " characters, not blank"));
      }
      return u;
    }
    BackendRef.ServicePort p = (BackendRef.ServicePort) ref;
    if (p.namespace() != null && !TENANT.matcher(p.namespace()).matches()) {
      out.add(
          new Violation(
              f + ".namespace",
              p.namespace(),
              "a namespace name: a-z, 0-9 and '-', 1-63 characters, alphanumeric ends"));
    }
    if (!SERVICE.matcher(p.service()).matches()) {
      out.add(
          new Violation(
              f + ".service",
              p.service(),
              "a Service name: a-z, 0-9 and '-', 1-63 characters, starting with a letter"));
    }
    if (p.portName() != null && !PORT_NAME.matcher(p.portName()).matches()) {
      out.add(
          new Violation(
              f + ".portName",
              p.portName(),
              "a port name: a-z, 0-9 and '-', 1-15 characters, a letter, no '--', alphanumeric"
                  + " ends"));
    }
    boolean byName = p.portName() != null;
    if (p.port() < (byName ? 0 : 1) || p.port() > 65535) {
      out.add(
          new Violation(
              f + ".port",
              Integer.toString(p.port()),
              byName ? "0 (not resolved) or 1-65535" : "1-65535, or 0 with a portName"));
    }
    UpstreamTls tls = upstreamTls(f, p.protocol(), p.tls(), out);
    return new BackendRef.ServicePort(
        p.service(),
        p.port(),
        p.portName(),
        p.protocol(),
        tls,
        BackendPolicyValidator.validate(f, p.policy(), out),
        p.namespace());
  }

  /**
   * A backend that sends the PROXY protocol header: only where Gatehouse can write it before any
   * other byte of the connection. Vert.x 5.0 writes the TLS ClientHello and the HTTP/2 preface as
   * soon as a connection is up, with no hook before them, so those combinations are refused rather
   * than served without the header; a gRPC health probe would reach the endpoints without it, and
   * fail there, so only the TCP and HTTP probes (which send the header of a check) go with it.
   */
  private static void proxyProtocol(String f, BackendSpec spec, List<Violation> out) {
    String v = Objects.requireNonNull(spec.proxyProtocol(), "checked by the caller").text();
    if (spec.tls() != null) {
      out.add(
          new Violation(
              f + ".proxyProtocol",
              v,
              "none with tls: proxyProtocol is not supported with tls upstreams yet"));
    }
    if (spec.protocol() != UpstreamProtocol.HTTP1) {
      out.add(
          new Violation(
              f + ".proxyProtocol",
              v,
              "none with protocol "
                  + spec.protocol().name().toLowerCase(Locale.ROOT)
                  + ": proxyProtocol is supported with http1 upstreams only, for now"));
    }
    HealthCheck check = spec.policy() == null ? null : spec.policy().healthCheck();
    if (check != null && check.protocol() == HealthCheck.Protocol.GRPC) {
      out.add(
          new Violation(
              f + ".healthCheck",
              "grpc",
              "a tcp or http check with proxyProtocol (grpc probes do not send the header yet)"));
    }
  }

  /**
   * What only the Kubernetes translator may write (source {@value #KUBERNETES_SOURCE}): a backend
   * that answers a fixed status, and a Service of another namespace, which the translator names
   * only with a ReferenceGrant of that namespace. From the routes file or REST they would let a
   * tenant reach another namespace's Service, or serve a fixed answer the route document does not
   * define. An error page's backend never answers a fixed status (from any source): Gatehouse's own
   * page is what it stands in for. A route naming a Gateway listener too: it would be served on a
   * Gateway's address that did not admit it. And wildcards over any depth (Gateway API hostnames).
   */
  private static void checkSourceOnly(RouteSpec spec, List<Violation> out) {
    boolean kubernetes = spec.key().source().equals(KUBERNETES_SOURCE);
    ListenerKey listener = spec.listener();
    if (listener != null && !kubernetes) {
      // a route on a Gateway's socket alone: only the translator knows which routes a Gateway
      // admits
      out.add(
          new Violation(
              "listener",
              listener.toString(),
              "absent: the node's own listeners (Gateway listeners are named by Gateway API routes"
                  + " only)"));
    } else if (listener != null) {
      ListenerValidator.checkKey("listener.", listener, out);
    }
    if (spec.wildcardsAnyDepth() && !kubernetes) {
      // Gateway API hostnames only: a wildcard's reach elsewhere is one label, which host claims
      // and certificates assume
      out.add(
          new Violation(
              "wildcardsAnyDepth",
              "true",
              "false: a wildcard host covers one label (any depth is for Gateway API routes only)"));
    }
    List<RouteBackend> backends = spec.backends();
    for (int i = 0; i < backends.size(); i++) {
      String f = backends.size() == 1 ? "backend" : "backends[" + i + "]";
      sourceOnly(f, backends.get(i).ref(), kubernetes, out);
      if (!kubernetes && !backends.get(i).filters().isEmpty()) {
        // Gateway API's filters on a backendRef: the route document has no place for them
        out.add(
            new Violation(
                f + ".filters",
                backends.get(i).filters().size() + " filters",
                "none: policies go on the route (a backend's own filters are Gateway API's)"));
      }
    }
    List<PolicySpec> policies = spec.policies();
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i) instanceof RequestMirror m) {
        String f = "policies[" + i + "].backendRef";
        if (m.backendRef() instanceof BackendRef.Unresolved) {
          out.add(
              new Violation(f, "unresolved", "a backend with endpoints (a mirror sends copies)"));
        }
        sourceOnly(f, m.backendRef(), kubernetes, out);
      } else if (policies.get(i) instanceof ErrorPages e && e.backend() != null) {
        String f = "policies[" + i + "].backend";
        if (e.backend() instanceof BackendRef.Unresolved) {
          out.add(new Violation(f, "unresolved", "a backend with endpoints, or no backend"));
        }
        sourceOnly(f, e.backend(), kubernetes, out);
      }
    }
  }

  private static void sourceOnly(
      String f, BackendRef ref, boolean kubernetes, List<Violation> out) {
    if (kubernetes) {
      return;
    }
    subjectAltNamesRefused(f, ref, out);
    if (ref instanceof BackendRef.Unresolved) {
      out.add(
          new Violation(
              f,
              "unresolved",
              "endpoints, a Service or a named backend (a fixed-status backend is written by the"
                  + " Kubernetes translator only)"));
    } else if (ref instanceof BackendRef.ServicePort p && p.namespace() != null) {
      out.add(
          new Violation(
              f + ".namespace",
              p.namespace(),
              "absent: a Service of the route's own namespace (another namespace's Service is"
                  + " named by Gateway API routes with a ReferenceGrant only)"));
    }
  }

  /**
   * Subject alternative names are Gateway API BackendTLSPolicy's: from any other source (and on a
   * named backend) they would replace the host name check of a backend the document defines.
   */
  private static void subjectAltNamesRefused(String f, BackendRef ref, List<Violation> out) {
    UpstreamTls tls =
        ref instanceof BackendRef.ServicePort sp
            ? sp.tls()
            : ref instanceof BackendSpec s ? s.tls() : null;
    if (tls != null && !tls.subjectAltNames().isEmpty()) {
      out.add(
          new Violation(
              f + ".tls.subjectAltNames",
              tls.subjectAltNames().size() + " names",
              "absent: the host name is verified (subject alternative names are set by Gateway"
                  + " API BackendTLSPolicies only)"));
    }
  }

  private static void endpoints(String f, List<Endpoint> eps, List<Violation> out) {
    if (eps.size() > MAX_ENDPOINTS) {
      out.add(
          new Violation(f + ".endpoints", eps.size() + " endpoints", "at most " + MAX_ENDPOINTS));
      return;
    }
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < eps.size(); i++) {
      Endpoint e = eps.get(i);
      String ef = f + ".endpoints[" + i + "]";
      if (!ENDPOINT_HOST.matcher(e.host()).matches()) {
        out.add(new Violation(ef + ".host", e.host(), "a DNS name or an IP address"));
      }
      if (e.port() < 1 || e.port() > 65535) {
        out.add(new Violation(ef + ".port", Integer.toString(e.port()), "1-65535"));
      }
      if (e.weight() < 0 || e.weight() > MAX_WEIGHT) {
        out.add(new Violation(ef + ".weight", Integer.toString(e.weight()), "0-" + MAX_WEIGHT));
      }
      if (!seen.add(e.host().toLowerCase(Locale.ROOT) + ":" + e.port())) {
        out.add(new Violation(ef, e.authority(), "each endpoint listed once"));
      }
    }
  }

  /**
   * A backend's TLS settings: a protocol that fits (h2 only over TLS, h2c only without), a CA
   * bundle that parses, a server name that is a host name, no CA or name with insecureSkipVerify,
   * and a client certificate that passes the served-certificate checks. Returns them normalised.
   */
  private static @Nullable UpstreamTls upstreamTls(
      String f, UpstreamProtocol protocol, @Nullable UpstreamTls tls, List<Violation> out) {
    if (tls == null) {
      if (protocol == UpstreamProtocol.H2) {
        out.add(
            new Violation(
                f + ".protocol", "h2", "h2c, or h2 with " + f + ".tls (HTTP/2 over TLS)"));
      }
      return null;
    }
    if (protocol == UpstreamProtocol.H2C) {
      out.add(
          new Violation(
              f + ".protocol", "h2c", "http1 or h2 with " + f + ".tls (h2c is cleartext)"));
    }
    if (tls.caBundlePem() != null) {
      CertificateValidator.caBundle(f + ".tls.caBundlePem", tls.caBundlePem(), out);
    }
    if (tls.serverName() != null) {
      Validated<String> name =
          Hostnames.normalizeConfigured(f + ".tls.serverName", tls.serverName());
      String normalized = name.value();
      if (normalized == null) {
        out.addAll(name.violations());
      } else if (normalized.startsWith("*.")) {
        out.add(new Violation(f + ".tls.serverName", tls.serverName(), "a host name, no '*'"));
      } else {
        tls = tls.withServerName(normalized);
      }
    }
    if (tls.insecureSkipVerify() && (tls.caBundlePem() != null || tls.serverName() != null)) {
      out.add(
          new Violation(
              f + ".tls.insecureSkipVerify",
              "true",
              "false when caBundlePem or serverName is set (they would not be checked)"));
    }
    if (tls.clientCertificate() != null) {
      CertificateValidator.clientCertificate(
          f + ".tls.clientCertificate.", tls.clientCertificate(), out);
    }
    if (!tls.subjectAltNames().isEmpty()) {
      tls = tls.withSubjectAltNames(subjectAltNames(f + ".tls.subjectAltNames", tls, out));
    }
    return tls;
  }

  /** At most the CRD's 5 names, each {@code DNS:<host name>} or {@code URI:<absolute URI>}. */
  private static List<String> subjectAltNames(String f, UpstreamTls tls, List<Violation> out) {
    List<String> names = tls.subjectAltNames();
    if (names.size() > MAX_SUBJECT_ALT_NAMES) {
      out.add(new Violation(f, names.size() + " names", "at most " + MAX_SUBJECT_ALT_NAMES));
    }
    if (tls.insecureSkipVerify()) {
      out.add(new Violation(f, names.size() + " names", "none with insecureSkipVerify"));
    }
    List<String> normalized = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      String nf = f + "[" + i + "]";
      if (n.startsWith(UpstreamTls.SAN_DNS)) {
        Validated<String> h =
            Hostnames.normalizeConfigured(nf, n.substring(UpstreamTls.SAN_DNS.length()));
        String host = h.value();
        if (host == null || host.startsWith("*.")) {
          out.add(new Violation(nf, n, "DNS:<a host name, no '*'>"));
        } else {
          normalized.add(UpstreamTls.SAN_DNS + host);
        }
      } else if (n.startsWith(UpstreamTls.SAN_URI) && absoluteUri(n.substring(4))) {
        normalized.add(n);
      } else {
        out.add(new Violation(nf, n, "DNS:<host name> or URI:<absolute URI>"));
      }
    }
    return normalized;
  }

  private static boolean absoluteUri(String s) {
    try {
      return s.length() <= MAX_VALUE_LENGTH && new java.net.URI(s).isAbsolute();
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** As BackendTLSPolicy's CRD: {@code validation.subjectAltNames} has at most 5 items. */
  static final int MAX_SUBJECT_ALT_NAMES = 5;

  private static void timeouts(Timeouts t, List<Violation> out) {
    positive("timeouts.connect", t.connect(), false, out);
    positive("timeouts.response", t.response(), false, out);
    positive("timeouts.bodyIdle", t.bodyIdle(), false, out);
    positive("timeouts.request", t.request(), true, out);
  }

  private static void positive(String f, Duration d, boolean zeroMeansOff, List<Violation> out) {
    boolean ok = zeroMeansOff ? !d.isNegative() : !(d.isNegative() || d.isZero());
    if (!ok || d.compareTo(MAX_TIMEOUT) > 0) {
      out.add(
          new Violation(
              f, d.toString(), zeroMeansOff ? "0 (off) up to 1 day" : "more than 0, up to 1 day"));
    }
  }

  private static void limits(Limits l, List<Violation> out) {
    if (l.maxRequestBodyBytes() < 0) {
      out.add(
          new Violation(
              "limits.maxRequestBodyBytes",
              Long.toString(l.maxRequestBodyBytes()),
              "0 (unlimited) or more bytes"));
    }
    int head = l.maxResponseHeaderBytes();
    if (head < 0 || head > Limits.MAX_RESPONSE_HEADER_BYTES) {
      out.add(
          new Violation(
              "limits.maxResponseHeaderBytes",
              Integer.toString(head),
              "0 (the node's limits.maxHeaderBytes) up to 1048576 (1 MiB)"));
    }
  }
}
