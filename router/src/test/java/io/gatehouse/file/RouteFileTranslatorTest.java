package io.gatehouse.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.policy.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteFileTranslatorTest {

  @Test
  void example_file_translates_to_validated_specs() throws IOException {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/examples/routes.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    RouteFileTranslator.Result result = RouteFileTranslator.translate(yaml);

    assertThat(result.problems()).isEmpty();
    assertThat(result.routes()).hasSize(2);
    RouteSpec echo = result.routes().get(0);
    assertThat(echo.key()).isEqualTo(RouteKey.of("default", "file", "echo"));
    assertThat(echo.hosts()).containsExactly("echo.localhost", "*.apps.example.com");
    assertThat(echo.paths()).containsExactly(PathMatch.prefix("/api"), PathMatch.exact("/healthz"));
    assertThat(echo.methods()).isEqualTo(Set.of("GET", "POST"));
    assertThat(echo.headers())
        .containsExactly(new HeaderMatch("x-canary", ValueMatchType.EXACT, "1"));
    assertThat(echo.queries()).containsExactly(new QueryMatch("debug", ValueMatchType.PRESENT, ""));
    assertThat(echo.backend().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(echo.backend().endpoints())
        .containsExactly(new Endpoint("127.0.0.1", 8080, 1), new Endpoint("127.0.0.1", 8081, 3));
    assertThat(echo.timeouts())
        .isEqualTo(
            new Timeouts(
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                Duration.ofSeconds(60),
                Duration.ofSeconds(300)));
    assertThat(echo.limits().maxRequestBodyBytes()).isEqualTo(10L * 1024 * 1024);
    RouteSpec grpc = result.routes().get(1);
    assertThat(grpc.backend().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(grpc.paths()).containsExactly(PathMatch.prefix("/"));
    assertThat(grpc.timeouts()).isEqualTo(Timeouts.DEFAULTS);
  }

  @Test
  void defaults_fill_optional_fields_and_plain_strings_are_prefix_paths() {
    RouteFileTranslator.Result result =
        RouteFileTranslator.translate(
            """
            routes:
              - name: a
                hosts: A.Example.COM
                paths: [/static/, {value: /x, type: regular_expression}]
                timeouts: {request: 0}
                backend: {endpoints: ["[::1]:8080"]}
            """);

    assertThat(result.problems()).isEmpty();
    RouteSpec a = result.routes().get(0);
    assertThat(a.key().tenant().value()).isEqualTo("default");
    assertThat(a.hosts()).containsExactly("a.example.com");
    assertThat(a.paths())
        .containsExactly(
            PathMatch.prefix("/static"), new PathMatch(PathMatchType.REGULAR_EXPRESSION, "/x"));
    assertThat(a.timeouts().request()).isZero();
    assertThat(a.timeouts().connect()).isEqualTo(Timeouts.DEFAULTS.connect());
    assertThat(a.backend().endpoints()).containsExactly(new Endpoint("::1", 8080, 1));
  }

  @Test
  void named_backends_and_routes_naming_them_translate_and_their_problems_have_lines() {
    RouteFileTranslator.Result ok =
        RouteFileTranslator.translate(
            """
            backends:
              - name: web
                tenant: shop
                protocol: h2c
                endpoints: ["10.0.0.1:8080"]
            routes:
              - name: a
                tenant: shop
                backendRefs: [{backend: web, weight: 90}, {endpoints: ["10.0.0.2:80"], weight: 10}]
            """);

    assertThat(ok.problems()).isEmpty();
    assertThat(ok.backends())
        .containsExactly(
            new BackendObject(
                new BackendKey(TenantId.of("shop"), "web"),
                "file",
                new BackendSpec(
                    UpstreamProtocol.H2C, List.of(Endpoint.of("10.0.0.1", 8080)), null)));
    assertThat(ok.routes().get(0).backends().get(0))
        .isEqualTo(new RouteBackend(new BackendRef.Named("web"), 90));

    RouteFileTranslator.Result bad =
        RouteFileTranslator.translate(
            """
            backends:
              - name: web
                endpoints: ["10.0.0.1:8080"]
                weight: 3
            routes:
              - name: a
                backendRefs: [{backend: 7}]
            """);
    assertThat(bad.routes()).isEmpty();
    assertThat(bad.backends()).isEmpty();
    assertThat(bad.problems())
        .extracting(RouteFileTranslator.Problem::toString)
        .containsExactly(
            "line 4: unknown key \"backends[0].weight\" (expected one of: name, tenant, protocol,"
                + " endpoints, tls, proxyProtocol, loadBalancing, healthCheck, outlierDetection,"
                + " circuitBreaker)",
            "line 7: routes[0].backendRefs[0].backend: \"7\" (expected: the name of a backend of"
                + " the route's tenant)");
  }

  @Test
  void backend_policies_and_retry_read_from_yaml_as_written_and_problems_have_lines() {
    RouteFileTranslator.Result ok =
        RouteFileTranslator.translate(
            """
            routes:
              - name: shop
                hosts: [shop.example]
                backend:
                  endpoints: ["10.0.0.1:8080", "10.0.0.2:8080"]
                  loadBalancing: {algorithm: Maglev, hashOn: {cookie: sid}}
                  healthCheck: {tcp: {}, interval: 2s}
                  outlierDetection: off
                policies:
                  - type: Retry
                    on: [ConnectFailure, Reset]
                    bufferBytes: 64Ki
            """);
    assertThat(ok.problems()).isEmpty();
    RouteSpec r = ok.routes().get(0);
    BackendPolicy p = ((BackendSpec) r.backends().get(0).ref()).policy();
    assertThat(p.loadBalancing().hashOn()).isEqualTo(HashOn.cookie("sid"));
    assertThat(p.healthCheck().protocol()).isEqualTo(HealthCheck.Protocol.TCP);
    assertThat(p.outlierDetection()).isNull(); // YAML's unquoted off
    assertThat(((Retry) r.policies().get(0)).on())
        .containsExactlyInAnyOrder(Retry.Condition.CONNECT_FAILURE, Retry.Condition.RESET);

    RouteFileTranslator.Result bad =
        RouteFileTranslator.translate(
            """
            routes:
              - name: shop
                hosts: [shop.example]
                backend:
                  endpoints: []
                  circuitBreaker:
                    maxRequests: 0
            """);
    assertThat(bad.problems())
        .extracting(RouteFileTranslator.Problem::toString)
        .containsExactly(
            "line 7: routes[0].backend.circuitBreaker.maxRequests: \"0\" (expected: 1-1000000)");
  }

  @Test
  void an_explicit_empty_list_is_no_routes() {
    RouteFileTranslator.Result result = RouteFileTranslator.translate("routes: []\n");

    assertThat(result.isValid()).isTrue();
    assertThat(result.routes()).isEmpty();
  }

  @Test
  void a_tls_section_becomes_the_route_tls_spec() {
    RouteFileTranslator.Result result =
        RouteFileTranslator.translate(
            """
            routes:
              - name: a
                hosts: [a.example, www.a.example]
                backend: {endpoints: ["127.0.0.1:1"]}
                tls:
                  certificate: www
                  hosts: [www.a.example]
                  redirect: 301
                  hsts: {maxAge: 365d, includeSubDomains: true}
              - name: b
                hosts: [b.example]
                backend: {endpoints: ["127.0.0.1:2"]}
                tls: {certificate: b, redirect: "off"}
            """);
    assertThat(result.problems()).isEmpty();
    TlsSpec a = result.routes().get(0).tls();
    assertThat(a.certificateName()).isEqualTo("www");
    assertThat(a.hosts()).containsExactly("www.a.example");
    assertThat(a.redirect()).isEqualTo(HttpsRedirect.MOVED_PERMANENTLY_301);
    assertThat(a.hsts()).isEqualTo(Hsts.of(Duration.ofDays(365), true, false));
    TlsSpec b = result.routes().get(1).tls();
    assertThat(b.hosts()).containsExactly("b.example");
    assertThat(b.redirect()).isEqualTo(HttpsRedirect.OFF);
    assertThat(b.hsts()).isEqualTo(Hsts.OFF);
  }

  static Stream<Arguments> broken_files() {
    return Stream.of(
        Arguments.of(
            "unknown-route-key-names-key-and-line",
            """
            routes:
              - name: a
                hostz: [a.example]
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            3,
            "unknown key \"routes[0].hostz\""),
        Arguments.of(
            "tls-host-must-be-a-route-host",
            """
            routes:
              - name: a
                hosts: [a.example]
                backend: {endpoints: ["127.0.0.1:1"]}
                tls: {certificate: www, hosts: [b.example]}
            """,
            5,
            "routes[0].tls.hosts[0]: \"b.example\" (expected: one of the route's hosts"),
        Arguments.of(
            "tls-redirect-is-a-status-or-off",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
                tls:
                  certificate: www
                  redirect: 303
            """,
            6,
            "routes[0].tls.redirect: \"303\" (expected: 301, 302, 307, 308 or off)"),
        Arguments.of(
            "tls-needs-a-certificate",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
                tls: {redirect: off}
            """,
            4,
            "routes[0].tls.certificate: missing"),
        Arguments.of(
            "unknown-top-level-key",
            """
            routes: []
            rutes: []
            """,
            2,
            "unknown key \"rutes\""),
        Arguments.of(
            "validator-violation-is-prefixed-by-the-route",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
              - name: b
                paths:
                  - {type: Prefix, value: api}
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            6,
            "routes[1].paths[0].value: \"api\" (expected: starts with '/')"),
        Arguments.of(
            "invalid-host-points-at-the-host",
            """
            routes:
              - name: a
                hosts:
                  - ok.example
                  - "bad host"
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            5,
            "routes[0].hosts[1]"),
        Arguments.of(
            "duplicate-route-name",
            """
            routes:
              - name: echo
                backend: {endpoints: ["127.0.0.1:1"]}
              - name: echo
                backend: {endpoints: ["127.0.0.1:2"]}
            """,
            4,
            "routes[1].name: \"echo\" (expected: a name not already used by routes[0])"),
        Arguments.of(
            "invalid-yaml-gives-the-parser-line",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"
              - name: b
            """,
            4,
            "column"),
        Arguments.of(
            "duplicate-key",
            """
            routes:
              - name: a
                name: b
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            3,
            "duplicate key \"name\""),
        Arguments.of(
            "bad-duration-names-the-field",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
                timeouts:
                  connect: 5 seconds
            """,
            5,
            "routes[0].timeouts.connect: \"5 seconds\" (expected: a duration such as 10s"),
        Arguments.of(
            "bad-endpoint",
            """
            routes:
              - name: a
                backend:
                  endpoints:
                    - 127.0.0.1
            """,
            5,
            "routes[0].backend.endpoints[0]: \"127.0.0.1\" (expected: HOST:PORT"),
        Arguments.of(
            "bad-weight-from-the-validator",
            """
            routes:
              - name: a
                backend:
                  endpoints:
                    - {address: "127.0.0.1:1", weight: 99999}
            """,
            5,
            "routes[0].backend.endpoints[0].weight: \"99999\" (expected: 0-10000)"),
        Arguments.of(
            "missing-backend",
            """
            routes:
              - name: a
                hosts: [a.example]
            """,
            2,
            "routes[0].backend: missing"),
        Arguments.of(
            "missing-name",
            """
            routes:
              - hosts: [a.example]
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            2,
            "routes[0].name: missing"),
        Arguments.of(
            "unknown-protocol",
            """
            routes:
              - name: a
                backend:
                  protocol: http3
                  endpoints: ["127.0.0.1:1"]
            """,
            4,
            "routes[0].backend.protocol: \"http3\" (expected: http1, h2c or h2)"),
        Arguments.of(
            "list-expected",
            """
            routes:
              - name: a
                headers: {name: x}
                backend: {endpoints: ["127.0.0.1:1"]}
            """,
            3,
            "routes[0].headers: \"{\\\"name\\\":\\\"x\\\"}\" (expected: a list)"),
        Arguments.of(
            "bad-body-size",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
                maxRequestBodyBytes: 10 megs
            """,
            4,
            "routes[0].maxRequestBodyBytes: \"10 megs\" (expected: a byte size"),
        Arguments.of(
            "split-weight-too-big",
            """
            routes:
              - name: a
                backendRefs:
                  - weight: 90
                    endpoints: ["127.0.0.1:1"]
                  - weight: 10001
                    endpoints: ["127.0.0.1:2"]
            """,
            6,
            "routes[0].backendRefs[1].weight: \"10001\" (expected: 0-10000)"),
        Arguments.of(
            "split-endpoint-of-the-second-backend",
            """
            routes:
              - name: a
                backendRefs:
                  - endpoints: ["127.0.0.1:1"]
                  - endpoints: ["127.0.0.1:2", "bad_host:80"]
            """,
            5,
            "routes[0].backendRefs[1].endpoints[1]: \"bad_host\""),
        Arguments.of(
            "backend-and-backend-refs",
            """
            routes:
              - name: a
                backend: {endpoints: ["127.0.0.1:1"]}
                backendRefs: [{endpoints: ["127.0.0.1:2"]}]
            """,
            4,
            "routes[0].backendRefs: \"backend and backendRefs\" (expected: one of backend or"
                + " backendRefs)"),
        Arguments.of(
            "empty-file-is-not-no-routes", "", 0, "(expected: a mapping with the key routes"),
        Arguments.of(
            "routes-must-be-a-list",
            """
            routes:
              name: a
            """,
            1,
            "routes: \"{\\\"name\\\":\\\"a\\\"}\" (expected: a list of routes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void broken_files(String name, String yaml, int line, String message) {
    RouteFileTranslator.Result result = RouteFileTranslator.translate(yaml);

    assertThat(result.routes()).isEmpty();
    assertThat(result.problems()).isNotEmpty();
    RouteFileTranslator.Problem first = result.problems().get(0);
    assertThat(first.message()).contains(message);
    assertThat(first.line()).isEqualTo(line);
  }

  @Test
  void every_problem_of_a_file_is_reported_in_line_order() {
    RouteFileTranslator.Result result =
        RouteFileTranslator.translate(
            """
            routes:
              - name: a
                hosts: ["bad host"]
                backend: {endpoints: ["127.0.0.1:1"]}
              - name: B!
                backend: {endpoints: ["127.0.0.1:0"]}
            """);

    assertThat(result.problems())
        .extracting(RouteFileTranslator.Problem::line)
        .containsExactly(3, 5, 6);
  }

  @Test
  void a_file_over_16_mib_is_refused_without_parsing() {
    String huge = "routes: []\n#" + "x".repeat(16 * 1024 * 1024);

    RouteFileTranslator.Result result = RouteFileTranslator.translate(huge);

    assertThat(result.problems()).hasSize(1);
    assertThat(result.problems().get(0).message()).contains("at most 16 MiB");
  }

  @Test
  void problems_render_with_their_line() {
    assertThat(new RouteFileTranslator.Problem(7, "x: \"y\" (expected: z)"))
        .hasToString("line 7: x: \"y\" (expected: z)");
    assertThat(List.of(new RouteFileTranslator.Problem(0, "too big")))
        .extracting(Object::toString)
        .containsExactly("too big");
  }

  private static final String SERVICE_AND_PLAIN =
      """
      routes:
        - name: plain
          backend: {endpoints: ["127.0.0.1:8080"]}
        - name: split
          backendRefs:
            - weight: 90
              endpoints: ["127.0.0.1:8081"]
            - weight: 10
              service: {name: web, port: http}
        - name: by-port
          backendRefs: [{service: {name: api, port: 8080}}]
      """;

  @Test
  void service_backends_on_a_node_without_service_endpoints_are_left_out_with_their_lines() {
    RouteFileTranslator.Result result = RouteFileTranslator.translate(SERVICE_AND_PLAIN, false);

    assertThat(result.isValid()).isTrue();
    assertThat(result.routes()).extracting(r -> r.key().name()).containsExactly("plain");
    assertThat(result.leftOut())
        .extracting(RouteFileTranslator.Problem::toString)
        .containsExactly(
            "line 9: routes[1].backendRefs[1].service: \"web\" (expected: endpoints instead:"
                + " this node runs no Kubernetes controller (kubernetes.enabled), the only source"
                + " of a Service's endpoints)",
            "line 11: routes[2].backendRefs[0].service: \"api\" (expected: endpoints instead:"
                + " this node runs no Kubernetes controller (kubernetes.enabled), the only source"
                + " of a Service's endpoints)");
  }

  @Test
  void service_backends_on_a_node_with_service_endpoints_are_kept() {
    RouteFileTranslator.Result result = RouteFileTranslator.translate(SERVICE_AND_PLAIN, true);

    assertThat(result.leftOut()).isEmpty();
    assertThat(result.routes())
        .extracting(r -> r.key().name())
        .containsExactly("plain", "split", "by-port");
    assertThat(RouteFileTranslator.translate(SERVICE_AND_PLAIN)).isEqualTo(result);
  }

  /**
   * Issue #17 phase 2: only the Kubernetes translator writes listeners and routes that name one; a
   * routes file can do neither (the route document has no such keys).
   */
  @Test
  void a_routes_file_cannot_open_a_listener_or_put_a_route_on_one() {
    RouteFileTranslator.Result r =
        RouteFileTranslator.translate(
            """
            listeners:
              - name: mine
                address: 127.0.1.1
                port: 80
            routes:
              - name: a
                hosts: [a.example]
                listener: {tenant: team-a, source: k8s, name: gateway/team-a/web/80}
                backend: {endpoints: ["10.0.0.1:8080"]}
            """);
    assertThat(r.routes()).isEmpty();
    assertThat(r.problems())
        .extracting(RouteFileTranslator.Problem::toString)
        .anyMatch(p -> p.contains("unknown key \"listeners\""))
        .anyMatch(p -> p.contains("unknown key \"routes[0].listener\""));
  }
}
