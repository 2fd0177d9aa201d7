package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class RouteValidatorTest {

  /** A valid route; each case changes one thing. */
  private static final RouteSpec BASE =
      new RouteSpec(
          RouteKey.of("default", "file", "web"),
          List.of("app.example.com"),
          List.of(PathMatch.prefix("/")),
          Set.of("GET"),
          List.of(),
          List.of(),
          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080))),
          Timeouts.DEFAULTS,
          Limits.DEFAULTS,
          0);

  private static RouteSpec with(
      RouteKey key,
      List<String> hosts,
      List<PathMatch> paths,
      Set<String> methods,
      List<HeaderMatch> headers,
      List<QueryMatch> queries,
      BackendSpec backend,
      Timeouts timeouts,
      Limits limits,
      int priority) {
    return new RouteSpec(
        key, hosts, paths, methods, headers, queries, backend, timeouts, limits, priority);
  }

  private static UnaryOperator<RouteSpec> key(String tenant, String source, String name) {
    return r ->
        with(
            RouteKey.of(tenant, source, name),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            r.backend(),
            r.timeouts(),
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> hosts(List<String> hosts) {
    return r -> r.withHosts(hosts);
  }

  private static UnaryOperator<RouteSpec> paths(PathMatch... paths) {
    return r -> r.withPaths(List.of(paths));
  }

  private static UnaryOperator<RouteSpec> methods(String... methods) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            Set.of(methods),
            r.headers(),
            r.queries(),
            r.backend(),
            r.timeouts(),
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> headers(List<HeaderMatch> headers) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            headers,
            r.queries(),
            r.backend(),
            r.timeouts(),
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> queries(List<QueryMatch> queries) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            queries,
            r.backend(),
            r.timeouts(),
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> endpoints(List<Endpoint> eps) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            BackendSpec.http1(eps),
            r.timeouts(),
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> timeouts(Timeouts t) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            r.backend(),
            t,
            r.limits(),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> limits(long maxBody) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            r.backend(),
            r.timeouts(),
            new Limits(maxBody),
            r.priority());
  }

  private static UnaryOperator<RouteSpec> priority(int p) {
    return r ->
        with(
            r.key(),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            r.backend(),
            r.timeouts(),
            r.limits(),
            p);
  }

  private static Timeouts t(Duration connect, Duration response, Duration idle, Duration req) {
    return new Timeouts(connect, response, idle, req);
  }

  private static final Duration S = Duration.ofSeconds(1);

  private static Arguments bad(String name, UnaryOperator<RouteSpec> change, String message) {
    return Arguments.of(name, change, message);
  }

  static Stream<Arguments> violations() {
    List<String> manyHosts =
        IntStream.range(0, RouteValidator.MAX_HOSTS + 1)
            .mapToObj(i -> "h" + i + ".example")
            .toList();
    PathMatch[] manyPaths =
        IntStream.range(0, RouteValidator.MAX_PATHS + 1)
            .mapToObj(i -> PathMatch.prefix("/p" + i))
            .toArray(PathMatch[]::new);
    List<HeaderMatch> manyHeaders =
        Collections.nCopies(
            RouteValidator.MAX_CONDITIONS + 1, new HeaderMatch("x-a", ValueMatchType.PRESENT, ""));
    List<QueryMatch> manyQueries =
        Collections.nCopies(
            RouteValidator.MAX_CONDITIONS + 1, new QueryMatch("q", ValueMatchType.PRESENT, ""));
    List<Endpoint> manyEndpoints =
        IntStream.range(0, RouteValidator.MAX_ENDPOINTS + 1)
            .mapToObj(i -> Endpoint.of("10.0.0.1", 1 + i))
            .toList();
    return Stream.of(
        bad(
            "tenant-upper-case",
            key("Acme", "file", "web"),
            "tenant: \"Acme\" (expected: a DNS label: a-z, 0-9 and '-', 1-63 characters)"),
        bad(
            "tenant-trailing-hyphen",
            key("acme-", "file", "web"),
            "tenant: \"acme-\" (expected: a DNS label: a-z, 0-9 and '-', 1-63 characters)"),
        bad(
            "source-starts-with-digit",
            key("default", "1file", "web"),
            "source: \"1file\" (expected: a-z, 0-9 and '-', 1-32 characters)"),
        bad(
            "source-too-long",
            key("default", "s" + "x".repeat(32), "web"),
            "source: \"s" + "x".repeat(32) + "\" (expected: a-z, 0-9 and '-', 1-32 characters)"),
        bad(
            "name-with-slash",
            key("default", "file", "a/b"),
            "name: \"a/b\" (expected: a-z, 0-9, '-', '.' and '_', 1-253 characters,"
                + " alphanumeric ends)"),
        bad(
            "name-empty",
            key("default", "file", ""),
            "name: \"\" (expected: a-z, 0-9, '-', '.' and '_', 1-253 characters,"
                + " alphanumeric ends)"),
        bad("too-many-hosts", hosts(manyHosts), "hosts: \"101 hosts\" (expected: at most 100)"),
        bad(
            "bad-host",
            hosts(List.of("ok.example", "a..b")),
            "hosts[1]: \"a..b\" (expected: a valid DNS name"),
        bad(
            "duplicate-host-after-normalising",
            hosts(List.of("a.example", "A.example.")),
            "hosts[1]: \"A.example.\" (expected: each host listed once)"),
        bad("too-many-paths", paths(manyPaths), "paths: \"101 paths\" (expected: at most 100)"),
        bad(
            "path-not-absolute",
            paths(PathMatch.prefix("foo")),
            "paths[0].value: \"foo\" (expected: starts with '/')"),
        bad(
            "path-empty",
            paths(PathMatch.exact("")),
            "paths[0].value: \"\" (expected: starts with '/')"),
        bad(
            "path-too-long",
            paths(PathMatch.prefix("/" + "a".repeat(RouteValidator.MAX_PATH_LENGTH))),
            "(expected: at most 4096 characters)"),
        bad(
            "path-with-space",
            paths(PathMatch.prefix("/a b")),
            "paths[0].value: \"/a b\" (expected: printable ASCII without spaces, '?', '#' or '\\'"
                + " (percent-encode the rest))"),
        bad(
            "path-with-query",
            paths(PathMatch.exact("/a?b")),
            "paths[0].value: \"/a?b\" (expected: printable ASCII"),
        bad(
            "path-with-backslash",
            paths(PathMatch.prefix("/a\\b")),
            "paths[0].value: \"/a\\\\b\" (expected: printable ASCII"),
        bad(
            "path-with-non-ascii",
            paths(PathMatch.prefix("/bücher")),
            "paths[0].value: \"/bücher\" (expected: printable ASCII"),
        bad(
            "path-bad-percent",
            paths(PathMatch.prefix("/a%2")),
            "paths[0].value: \"/a%2\" (expected: '%' followed by two hex digits)"),
        bad(
            "path-bad-percent-hex",
            paths(PathMatch.prefix("/a%zz")),
            "paths[0].value: \"/a%zz\" (expected: '%' followed by two hex digits)"),
        bad(
            "path-double-slash",
            paths(PathMatch.prefix("/a//b")),
            "paths[0].value: \"/a//b\" (expected: no empty segments ('//'); request paths are"
                + " matched after merging slashes)"),
        bad(
            "path-dot-segment",
            paths(PathMatch.prefix("/a/./b")),
            "paths[0].value: \"/a/./b\" (expected: no '.' or '..' segments; request paths are"
                + " matched after resolving them)"),
        bad(
            "path-dotdot-segment-at-end",
            paths(PathMatch.exact("/a/..")),
            "paths[0].value: \"/a/..\" (expected: no '.' or '..' segments"),
        bad(
            "duplicate-path-after-trailing-slash",
            paths(PathMatch.prefix("/api"), PathMatch.prefix("/api/")),
            "paths[1].value: \"/api/\" (expected: each path listed once)"),
        bad(
            "regex-empty",
            paths(PathMatch.regex("")),
            "paths[0].value: \"\" (expected: a regular expression of 1-1024 characters)"),
        bad(
            "regex-too-long",
            paths(PathMatch.regex("a".repeat(RouteValidator.MAX_REGEX_LENGTH + 1))),
            "(expected: a regular expression of 1-1024 characters)"),
        bad(
            "regex-backreference",
            paths(PathMatch.regex("/(a)\\1")),
            "paths[0].value: \"/(a)\\\\1\" (expected: an RE2 regular expression ("),
        bad(
            "regex-lookahead",
            paths(PathMatch.regex("/(?=a)")),
            "; no backreferences or lookaround))"),
        bad(
            "method-not-a-token",
            methods("GET", "BAD METHOD"),
            "methods[0]: \"BAD METHOD\" (expected: an HTTP method token such as GET)"),
        bad(
            "too-many-headers",
            headers(manyHeaders),
            "headers: \"33 matches\" (expected: at most 32)"),
        bad(
            "header-name-not-a-token",
            headers(List.of(new HeaderMatch("x a", ValueMatchType.EXACT, "1"))),
            "headers[0].name: \"x a\" (expected: a header field name token)"),
        bad(
            "header-exact-too-long",
            headers(List.of(new HeaderMatch("x-a", ValueMatchType.EXACT, "v".repeat(1025)))),
            "(expected: at most 1024 characters)"),
        bad(
            "header-present-with-value",
            headers(List.of(new HeaderMatch("x-a", ValueMatchType.PRESENT, "1"))),
            "headers[0].value: \"1\" (expected: no value with type Present)"),
        bad(
            "header-bad-regex",
            headers(List.of(new HeaderMatch("x-a", ValueMatchType.REGULAR_EXPRESSION, "("))),
            "headers[0].value: \"(\" (expected: an RE2 regular expression ("),
        bad(
            "too-many-queries",
            queries(manyQueries),
            "queries: \"33 matches\" (expected: at most 32)"),
        bad(
            "query-name-empty",
            queries(List.of(new QueryMatch("", ValueMatchType.PRESENT, ""))),
            "queries[0].name: \"\" (expected: a parameter name of 1-1024 characters)"),
        bad(
            "query-present-with-value",
            queries(List.of(new QueryMatch("q", ValueMatchType.PRESENT, "x"))),
            "queries[0].value: \"x\" (expected: no value with type Present)"),
        bad(
            "too-many-endpoints",
            endpoints(manyEndpoints),
            "backend.endpoints: \"1025 endpoints\" (expected: at most 1024)"),
        bad(
            "endpoint-host-bad",
            endpoints(List.of(Endpoint.of("a b", 80))),
            "backend.endpoints[0].host: \"a b\" (expected: a DNS name or an IP address)"),
        bad(
            "endpoint-port-zero",
            endpoints(List.of(Endpoint.of("10.0.0.1", 0))),
            "backend.endpoints[0].port: \"0\" (expected: 1-65535)"),
        bad(
            "endpoint-port-too-big",
            endpoints(List.of(Endpoint.of("10.0.0.1", 65536))),
            "backend.endpoints[0].port: \"65536\" (expected: 1-65535)"),
        bad(
            "endpoint-weight-negative",
            endpoints(List.of(new Endpoint("10.0.0.1", 80, -1))),
            "backend.endpoints[0].weight: \"-1\" (expected: 0-10000)"),
        bad(
            "endpoint-weight-too-big",
            endpoints(List.of(new Endpoint("10.0.0.1", 80, 10_001))),
            "backend.endpoints[0].weight: \"10001\" (expected: 0-10000)"),
        bad(
            "endpoint-duplicate-ignoring-case",
            endpoints(List.of(Endpoint.of("Backend", 80), Endpoint.of("backend", 80))),
            "backend.endpoints[1]: \"backend:80\" (expected: each endpoint listed once)"),
        bad(
            "connect-timeout-zero",
            timeouts(t(Duration.ZERO, S, S, S)),
            "timeouts.connect: \"PT0S\" (expected: more than 0, up to 1 day)"),
        bad(
            "response-timeout-negative",
            timeouts(t(S, S.negated(), S, S)),
            "timeouts.response: \"PT-1S\" (expected: more than 0, up to 1 day)"),
        bad(
            "body-idle-timeout-over-a-day",
            timeouts(t(S, S, Duration.ofDays(1).plusSeconds(1), S)),
            "timeouts.bodyIdle: \""
                + Duration.ofDays(1).plusSeconds(1)
                + "\" (expected: more than 0, up to 1 day)"),
        bad(
            "request-timeout-negative",
            timeouts(t(S, S, S, S.negated())),
            "timeouts.request: \"PT-1S\" (expected: 0 (off) up to 1 day)"),
        bad(
            "max-body-negative",
            limits(-1),
            "limits.maxRequestBodyBytes: \"-1\" (expected: 0 (unlimited) or more bytes)"),
        bad(
            "response-head-limit-over-1-mib",
            r -> r.withLimits(r.limits().withMaxResponseHeaderBytes(1024 * 1024 + 1)),
            "limits.maxResponseHeaderBytes: \"1048577\" (expected: 0 (the node's"
                + " limits.maxHeaderBytes) up to 1048576 (1 MiB))"),
        bad(
            "response-head-limit-negative",
            r -> r.withLimits(r.limits().withMaxResponseHeaderBytes(-1)),
            "limits.maxResponseHeaderBytes: \"-1\" (expected: 0 (the node's"),
        bad(
            "priority-too-high",
            priority(1_000_001),
            "priority: \"1000001\" (expected: between -1000000 and 1000000)"),
        bad(
            "priority-too-low",
            priority(-1_000_001),
            "priority: \"-1000001\" (expected: between -1000000 and 1000000)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void each_rule_is_reported_with_field_value_and_rule(
      String name, UnaryOperator<RouteSpec> change, String message) {
    Validated<RouteSpec> v = RouteValidator.validate(change.apply(BASE));
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).extracting(Violation::message).anyMatch(m -> m.contains(message));
  }

  @Test
  void the_base_route_is_valid() {
    assertThat(RouteValidator.validate(BASE).violations()).isEmpty();
  }

  @Test
  void a_response_head_limit_up_to_1_mib_is_valid() {
    for (int bytes : new int[] {0, 1, 128 * 1024, 1024 * 1024}) {
      RouteSpec r = BASE.withLimits(BASE.limits().withMaxResponseHeaderBytes(bytes));
      assertThat(RouteValidator.validate(r).violations()).isEmpty();
    }
  }

  @Test
  void every_violation_is_reported_not_only_the_first() {
    RouteSpec r =
        priority(5_000_000)
            .apply(
                hosts(List.of("a..b"))
                    .apply(paths(PathMatch.prefix("x")).apply(key("A", "file", "w").apply(BASE))));
    assertThat(RouteValidator.validate(r).violations())
        .extracting(Violation::field)
        .containsExactly("tenant", "hosts[0]", "paths[0].value", "priority");
  }

  @Test
  void valid_routes_are_normalised() {
    RouteSpec r =
        headers(List.of(new HeaderMatch("X-Canary", ValueMatchType.EXACT, "1")))
            .apply(
                methods("get", "Post")
                    .apply(
                        paths(PathMatch.prefix("/api/"), PathMatch.exact("/x/"))
                            .apply(
                                hosts(List.of("App.Example.COM.:80", "bücher.example"))
                                    .apply(BASE))));
    RouteSpec n = RouteValidator.validate(r).value();
    assertThat(n.hosts()).containsExactly("app.example.com", "xn--bcher-kva.example");
    // Prefix loses its trailing slash; Exact keeps it.
    assertThat(n.paths()).containsExactly(PathMatch.prefix("/api"), PathMatch.exact("/x/"));
    assertThat(n.methods()).containsExactlyInAnyOrder("GET", "POST");
    assertThat(n.headers()).containsExactly(new HeaderMatch("x-canary", ValueMatchType.EXACT, "1"));
    // Normalising is idempotent.
    assertThat(RouteValidator.validate(n).value()).isEqualTo(n);
  }

  @Test
  void empty_paths_mean_prefix_root_and_boundaries_are_inclusive() {
    RouteSpec r =
        priority(1_000_000)
            .apply(
                paths()
                    .apply(
                        endpoints(
                                List.of(
                                    new Endpoint("10.0.0.1", 65535, 10_000),
                                    new Endpoint("::1", 1, 0)))
                            .apply(BASE)));
    RouteSpec n = RouteValidator.validate(r).value();
    assertThat(n).isNotNull();
    assertThat(n.paths()).containsExactly(PathMatch.prefix("/"));
    assertThat(
            RouteValidator.validate(
                    timeouts(t(Duration.ofDays(1), S, S, Duration.ZERO)).apply(BASE))
                .isValid())
        .isTrue();
    assertThat(RouteValidator.validate(limits(0).apply(BASE)).isValid()).isTrue();
  }

  @Test
  void long_values_are_cut_in_messages_and_controls_escaped() {
    String longHost = "x".repeat(300) + "\n";
    Violation v = RouteValidator.validate(hosts(List.of(longHost)).apply(BASE)).violations().get(0);
    assertThat(v.message()).contains("...\"").doesNotContain("\n").hasSizeLessThan(300);
    Violation ctl =
        RouteValidator.validate(paths(PathMatch.prefix("/a\u0001")).apply(BASE))
            .violations()
            .get(0);
    assertThat(ctl.message()).contains("\"/a\\u0001\"");
  }

  @Test
  void h2c_backend_is_accepted() {
    RouteSpec r =
        with(
            BASE.key(),
            BASE.hosts(),
            BASE.paths(),
            BASE.methods(),
            BASE.headers(),
            BASE.queries(),
            new BackendSpec(UpstreamProtocol.H2C, BASE.backend().endpoints()),
            BASE.timeouts(),
            BASE.limits(),
            0);
    assertThat(RouteValidator.validate(r).value().backend().protocol())
        .isEqualTo(UpstreamProtocol.H2C);
  }

  // ---------------------------------------------------------------- backends and weights

  private static final BackendSpec STATIC = BASE.backend();
  private static final BackendSpec OTHER = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));

  private static UnaryOperator<RouteSpec> backends(RouteBackend... backends) {
    return r -> r.withBackends(List.of(backends));
  }

  private static RouteBackend service(String name, int port, String portName) {
    return RouteBackend.of(
        new BackendRef.ServicePort(name, port, portName, UpstreamProtocol.HTTP1, null));
  }

  private static final String NAME_RULE =
      "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends";
  private static final String PORT_NAME_RULE =
      "a port name: a-z, 0-9 and '-', 1-15 characters, a letter, no '--', alphanumeric ends";

  static Stream<Arguments> backendViolations() {
    RouteBackend[] seventeen = new RouteBackend[RouteValidator.MAX_BACKENDS + 1];
    for (int i = 0; i < seventeen.length; i++) {
      seventeen[i] = RouteBackend.of(BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 1 + i))));
    }
    RouteBackend first = RouteBackend.of(STATIC);
    return Stream.of(
        bad("no-backend", backends(), "backends: \"0 backends\" (expected: 1-16)"),
        bad(
            "seventeen-backends",
            backends(seventeen),
            "backends: \"17 backends\" (expected: 1-16)"),
        bad(
            "weight-negative",
            backends(first, new RouteBackend(OTHER, -1)),
            "backends[1].weight: \"-1\" (expected: 0-10000)"),
        bad(
            "weight-too-big-on-the-only-backend",
            backends(new RouteBackend(STATIC, 10_001)),
            "backend.weight: \"10001\" (expected: 0-10000)"),
        bad(
            "endpoint-of-the-second-backend",
            backends(
                first, RouteBackend.of(BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 0))))),
            "backends[1].endpoints[0].port: \"0\" (expected: 1-65535)"),
        bad(
            "named-with-slash",
            backends(first, RouteBackend.of(new BackendRef.Named("web/1"))),
            "backends[1].name: \"web/1\" (expected: " + NAME_RULE + ")"),
        bad(
            "named-upper-case",
            backends(RouteBackend.of(new BackendRef.Named("Web"))),
            "backend.name: \"Web\" (expected: " + NAME_RULE + ")"),
        bad(
            "service-starts-with-digit",
            backends(first, service("1web", 80, null)),
            "backends[1].service: \"1web\" (expected: a Service name: a-z, 0-9 and '-', 1-63"
                + " characters, starting with a letter)"),
        bad(
            "service-with-dot",
            backends(first, service("web.default", 80, null)),
            "backends[1].service: \"web.default\""),
        bad(
            "service-port-zero-and-no-name",
            backends(first, service("web", 0, null)),
            "backends[1].port: \"0\" (expected: 1-65535, or 0 with a portName)"),
        bad(
            "service-port-too-big",
            backends(first, service("web", 65_536, "http")),
            "backends[1].port: \"65536\" (expected: 0 (not resolved) or 1-65535)"),
        bad(
            "service-port-name-digits-only",
            backends(first, service("web", 0, "8080")),
            "backends[1].portName: \"8080\" (expected: " + PORT_NAME_RULE + ")"),
        bad(
            "service-port-name-double-hyphen",
            backends(first, service("web", 0, "h--2")),
            "backends[1].portName: \"h--2\" (expected: " + PORT_NAME_RULE + ")"),
        bad(
            "service-port-name-sixteen-characters",
            backends(first, service("web", 0, "a".repeat(16))),
            "backends[1].portName: \"" + "a".repeat(16) + "\" (expected: " + PORT_NAME_RULE + ")"),
        bad(
            "service-h2-without-tls",
            backends(
                first,
                RouteBackend.of(
                    new BackendRef.ServicePort("web", 443, null, UpstreamProtocol.H2, null))),
            "backends[1].protocol: \"h2\" (expected: h2c, or h2 with backends[1].tls (HTTP/2 over"
                + " TLS))"),
        bad(
            "service-tls-server-name-wildcard",
            backends(
                first,
                RouteBackend.of(
                    new BackendRef.ServicePort(
                        "web",
                        443,
                        null,
                        UpstreamProtocol.H2,
                        new UpstreamTls(null, true, "*.svc.example", false, null)))),
            "backends[1].tls.serverName: \"*.svc.example\" (expected: a host name, no '*')"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backendViolations")
  void each_backend_rule_is_reported_with_field_value_and_rule(
      String name, UnaryOperator<RouteSpec> change, String message) {
    Validated<RouteSpec> v = RouteValidator.validate(change.apply(BASE));
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).extracting(Violation::message).anyMatch(m -> m.contains(message));
  }

  // ---------------------------------------------------------------- canary rules

  private static RouteBackend canary(CanaryRule rule) {
    return new RouteBackend(OTHER, 10, rule);
  }

  static Stream<Arguments> canaryViolations() {
    RouteBackend first = new RouteBackend(STATIC, 90);
    return Stream.of(
        bad(
            "canary-on-the-only-backend",
            backends(canary(CanaryRule.byHeader("x-canary"))),
            "backend.canary: \"a canary rule\" (expected: " + RouteValidator.CANARY_ALONE_RULE),
        bad(
            "two-canaries",
            backends(first, canary(CanaryRule.byHeader("x-a")), canary(CanaryRule.byCookie("b"))),
            "backends: \"2 canaries\" (expected: " + RouteValidator.CANARY_ONCE_RULE),
        bad(
            "neither-header-nor-cookie",
            backends(first, canary(new CanaryRule(null, null, null, null))),
            "backends[1].canary: \"{}\" (expected: " + RouteValidator.CANARY_WHAT_RULE),
        bad(
            "header-not-a-token",
            backends(first, canary(CanaryRule.byHeader("x canary"))),
            "backends[1].canary.header: \"x canary\" (expected: a header field name token)"),
        bad(
            "value-and-pattern",
            backends(first, canary(new CanaryRule("x-c", "v1", "v.*", null))),
            "backends[1].canary.headerPattern: \"v.*\" (expected: not with headerValue"),
        bad(
            "value-without-header",
            backends(first, canary(new CanaryRule(null, "v1", null, "c"))),
            "backends[1].canary.headerValue: \"v1\" (expected: only with header"),
        bad(
            "pattern-without-header",
            backends(first, canary(new CanaryRule(null, null, "v.*", "c"))),
            "backends[1].canary.headerPattern: \"v.*\" (expected: only with header"),
        bad(
            "empty-value",
            backends(first, canary(new CanaryRule("x-c", "", null, null))),
            "backends[1].canary.headerValue: \"\" (expected: 1-1024 characters, no control character but tab"),
        bad(
            "value-with-cr-lf",
            backends(first, canary(new CanaryRule("x-c", "a\r\nb", null, null))),
            "backends[1].canary.headerValue:"),
        bad(
            "pcre-lookahead-is-not-re2",
            backends(first, canary(new CanaryRule("x-c", null, "^(?=v)v1", null))),
            "backends[1].canary.headerPattern: \"^(?=v)v1\" (expected: an RE2 regular expression"),
        bad(
            "pcre-backreference-is-not-re2",
            backends(first, canary(new CanaryRule("x-c", null, "(a)\\1", null))),
            "backends[1].canary.headerPattern: \"(a)\\\\1\" (expected: an RE2 regular expression"),
        bad(
            "cookie-not-a-token",
            backends(first, canary(CanaryRule.byCookie("a;b"))),
            "backends[1].canary.cookie: \"a;b\" (expected: a cookie name token)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canaryViolations")
  void each_canary_rule_is_reported_with_field_value_and_rule(
      String name, UnaryOperator<RouteSpec> change, String message) {
    Validated<RouteSpec> v = RouteValidator.validate(change.apply(BASE));
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).extracting(Violation::message).anyMatch(m -> m.contains(message));
  }

  @Test
  void a_canary_rule_is_kept_with_its_header_name_lower_cased() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            BASE.withBackends(
                List.of(
                    new RouteBackend(STATIC, 90),
                    canary(new CanaryRule("X-Canary", null, "^v[0-9]+", "Canary")))));
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().backends().get(1).canary())
        .isEqualTo(new CanaryRule("x-canary", null, "^v[0-9]+", "Canary"));
    assertThat(v.value().backends().get(0).canary()).isNull();
  }

  /**
   * Named backends are served (issue #12 step 7): alone or in a split; whether the tenant has the
   * backend is not the validator's question (a route may come before its backend, and is served 503
   * and reported meanwhile).
   */
  static Stream<Arguments> namedReferences() {
    return Stream.of(
        Arguments.of("named", List.of(RouteBackend.of(new BackendRef.Named("shared.web")))),
        Arguments.of(
            "named-in-a-split",
            List.of(
                new RouteBackend(STATIC, 90),
                new RouteBackend(new BackendRef.Named("canary"), 10))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedReferences")
  void a_named_reference_is_valid(String name, List<RouteBackend> backends) {
    Validated<RouteSpec> v = RouteValidator.validate(BASE.withBackends(backends));
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().backends()).isEqualTo(backends);
  }

  @Test
  void a_backend_object_is_checked_like_a_static_backend_with_its_fields_at_the_top() {
    BackendObject ok =
        new BackendObject(
            new BackendKey(TenantId.of("acme"), "web"),
            "rest",
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))));
    assertThat(RouteValidator.validateBackend(ok).value()).isEqualTo(ok);

    BackendObject bad =
        new BackendObject(
            new BackendKey(TenantId.of("acme"), "Web/1"),
            "rest",
            new BackendSpec(UpstreamProtocol.H2, List.of(Endpoint.of("10.0.0.1", 0)), null));
    assertThat(RouteValidator.validateBackend(bad).violations())
        .extracting(Violation::field)
        .containsExactly("name", "endpoints[0].port", "protocol");
  }

  /**
   * Splits are served (issue #12): over static endpoints and Service ports, up to 16 backends, a
   * backend at weight 0 next to others, and every weight 0 (the route answers 503).
   */
  static Stream<Arguments> servedSplits() {
    return Stream.of(
        Arguments.of(
            "split-90-10", List.of(new RouteBackend(STATIC, 90), new RouteBackend(OTHER, 10))),
        Arguments.of(
            "one-backend-at-weight-0-next-to-another",
            List.of(new RouteBackend(STATIC, 0), new RouteBackend(OTHER, 1))),
        Arguments.of(
            "every-weight-0", List.of(new RouteBackend(STATIC, 0), new RouteBackend(OTHER, 0))),
        Arguments.of("only-backend-at-weight-0", List.of(new RouteBackend(STATIC, 0))),
        Arguments.of(
            "service-at-weight-0", List.of(new RouteBackend(service("web", 80, null).ref(), 0))),
        Arguments.of(
            "service-in-a-split",
            List.of(
                new RouteBackend(STATIC, 90),
                new RouteBackend(service("web", 80, null).ref(), 10))),
        Arguments.of(
            "sixteen-backends-at-the-largest-weight",
            IntStream.range(0, RouteValidator.MAX_BACKENDS)
                .mapToObj(
                    i ->
                        new RouteBackend(
                            BackendSpec.http1(List.of(Endpoint.of("h", 1 + i))),
                            RouteValidator.MAX_WEIGHT))
                .toList()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servedSplits")
  void a_split_is_valid_and_keeps_its_backends_and_weights(
      String name, List<RouteBackend> backends) {
    Validated<RouteSpec> v = RouteValidator.validate(BASE.withBackends(backends));
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().backends()).isEqualTo(backends);
  }

  @Test
  void a_lone_service_port_by_number_or_by_name_is_served() {
    for (RouteBackend b : List.of(service("web", 8080, null), service("web", 0, "http"))) {
      Validated<RouteSpec> v = RouteValidator.validate(backends(b).apply(BASE));
      assertThat(v.violations()).isEmpty();
      assertThat(v.value().backends()).containsExactly(b);
      assertThat(v.value().staticBackend()).isNull();
    }
  }

  @Test
  void the_only_backend_keeps_its_weight_and_is_served() {
    RouteSpec r = backends(new RouteBackend(STATIC, 7)).apply(BASE);
    RouteSpec n = RouteValidator.validate(r).value();
    assertThat(n.backends()).containsExactly(new RouteBackend(STATIC, 7));
    assertThat(n.backend()).isEqualTo(STATIC);
  }

  @Test
  void weight_bounds_are_inclusive() {
    assertThat(
            RouteValidator.validate(backends(new RouteBackend(STATIC, 10_000)).apply(BASE))
                .isValid())
        .isTrue();
    assertThat(RouteValidator.validate(backends(new RouteBackend(STATIC, 1)).apply(BASE)).isValid())
        .isTrue();
  }

  @Test
  void a_route_built_with_one_backend_equals_its_list_form() {
    assertThat(BASE.backends()).containsExactly(new RouteBackend(STATIC, 1));
    assertThat(backends(RouteBackend.of(STATIC)).apply(BASE)).isEqualTo(BASE);
    assertThat(RouteValidator.validate(BASE).value()).isEqualTo(BASE);
  }
}
