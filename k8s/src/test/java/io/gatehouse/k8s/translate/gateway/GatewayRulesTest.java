package io.gatehouse.k8s.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.RouteValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small rules of the Gateway API translation, case by case. */
class GatewayRulesTest {
  private static final Clock CLOCK = Clock.fixed(TestCertificates.FIXTURE_NOW, ZoneOffset.UTC);

  @ParameterizedTest(name = "listener {0} and route {1} give {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        // listener         | route hostnames               | served
        "null               | ''                            | ''",
        "null               | a.example.com                 | a.example.com",
        "a.example.com      | ''                            | a.example.com",
        "a.example.com      | a.example.com                 | a.example.com",
        "a.example.com      | b.example.com                 | ''",
        "*.example.com      | a.example.com                 | a.example.com",
        "*.example.com      | a.b.example.com               | a.b.example.com",
        "*.example.com      | example.com                   | ''",
        "*.example.com      | *.example.com                 | *.example.com",
        "*.example.com      | *.b.example.com               | *.b.example.com",
        "a.example.com      | *.example.com                 | a.example.com",
        "a.b.example.com    | *.example.com                 | a.b.example.com",
        "*.b.example.com    | *.example.com                 | *.b.example.com",
        "*.example.com      | a.example.com,x.org,b.example.com | a.example.com,b.example.com",
        "*.example.com      | *.org                         | ''",
      })
  void hostnames_intersect_as_the_gateway_api_says(String listener, String route, String served) {
    List<String> routeHosts = route.isEmpty() ? List.of() : List.of(route.split(","));
    List<String> expected = served.isEmpty() ? List.of() : List.of(served.split(","));
    List<String> actual = ListenerHosts.intersect(listener, routeHosts);
    if (listener == null && routeHosts.isEmpty()) {
      assertThat(actual).containsExactly(ListenerHosts.ANY);
    } else {
      assertThat(actual).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "0s, PT0S",
    "10s, PT10S",
    "500ms, PT0.5S",
    "1m30s, PT1M30S",
    "1h, PT1H",
    "1h2m3s4ms, PT1H2M3.004S",
  })
  void durations_read_as_gep_2257(String raw, Duration expected) throws Exception {
    assertThat(RouteRules.duration("timeouts.request", raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @CsvSource({"''", "10", "1d", "s", "1.5s", "-1s", "'10s '", "123456s", "1h1m1s1ms1h"})
  void durations_outside_the_grammar_are_unsupported(String raw) {
    assertThatThrownBy(() -> RouteRules.duration("timeouts.request", raw))
        .isInstanceOf(RouteRules.Unsupported.class)
        .hasMessageContaining("timeouts.request");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "192.0.2.10, true",
    "255.255.255.255, true",
    "256.1.1.1, false",
    "1.2.3, false",
    "2001:db8::1, true",
    "::1, true",
    "lb.example.com, false",
    "999.example.com, false",
  })
  void status_addresses_are_typed_without_dns(String address, boolean ip) {
    assertThat(GatewayListeners.isIp(address)).isEqualTo(ip);
  }

  @Test
  void label_selectors_match_labels_and_expressions() {
    GatewayObjects.Selector s =
        new GatewayObjects.Selector(
            Map.of("team", "a"),
            List.of(
                new GatewayObjects.Expression("env", "In", List.of("prod", "stage")),
                new GatewayObjects.Expression("legacy", "DoesNotExist", List.of()),
                new GatewayObjects.Expression("tier", "NotIn", List.of("free")),
                new GatewayObjects.Expression("owner", "Exists", List.of())));
    assertThat(s.matches(Map.of("team", "a", "env", "prod", "owner", "x"))).isTrue();
    assertThat(s.matches(Map.of("team", "a", "env", "prod", "owner", "x", "tier", "paid")))
        .isTrue();
    assertThat(s.matches(Map.of("team", "b", "env", "prod", "owner", "x"))).isFalse();
    assertThat(s.matches(Map.of("team", "a", "env", "dev", "owner", "x"))).isFalse();
    assertThat(s.matches(Map.of("team", "a", "env", "prod", "owner", "x", "legacy", "y")))
        .isFalse();
    assertThat(s.matches(Map.of("team", "a", "env", "prod", "owner", "x", "tier", "free")))
        .isFalse();
    assertThat(s.matches(Map.of("team", "a", "env", "prod"))).isFalse();
    // an operator Gatehouse does not know selects nothing
    assertThat(
            new GatewayObjects.Selector(
                    Map.of(), List.of(new GatewayObjects.Expression("a", "Gt", List.of("1"))))
                .matches(Map.of("a", "2")))
        .isFalse();
  }

  @Test
  void a_long_route_name_is_hashed_into_a_valid_route_name() {
    String name = "r" + "x".repeat(250);
    GatewayFixtures.Case c =
        GatewayFixtures.read(
            """
            kind: GatewayClass
            metadata: {name: gatehouse}
            spec: {controllerName: gatehouse.io/gateway-controller}
            ---
            kind: Gateway
            metadata: {namespace: a, name: gw}
            spec:
              gatewayClassName: gatehouse
              listeners: [{name: http, protocol: HTTP, port: 80}]
            ---
            kind: HTTPRoute
            metadata: {namespace: a, name: %s}
            spec:
              parentRefs: [{name: gw}]
              rules: [{}, {}]
            """
                .formatted(name));
    GatewayTranslation t =
        new GatewayTranslator(c.settings(), CLOCK)
            .translate(c.cluster(), c.gateways(), c.claims(), Map.of());
    assertThat(t.routes()).hasSize(2);
    for (RouteSpec r : t.routes()) {
      assertThat(r.key().name()).hasSizeLessThanOrEqualTo(253).startsWith("httproute_r");
      assertThat(RouteValidator.validate(r).violations()).isEmpty();
    }
    assertThat(t.routes().get(0).key()).isNotEqualTo(t.routes().get(1).key());
  }

  /**
   * Objects of the wrong shapes (the API server checks the schema, but a test must not trust it).
   */
  @Test
  void malformed_objects_become_conditions_never_exceptions() {
    List<Object> odd = List.of("text", 42, List.of(1), Map.of("x", List.of()), true);
    Map<GatewayKind, List<Map<String, Object>>> objects = new EnumMap<>(GatewayKind.class);
    for (GatewayKind k : GatewayKind.values()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Object o : odd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metadata", Map.of("namespace", "a", "name", "x", "creationTimestamp", "yesterday"));
        m.put(
            "spec",
            Map.of(
                "controllerName", "gatehouse.io/gateway-controller",
                "gatewayClassName", "x",
                "listeners", List.of(Map.of("name", o, "port", o, "protocol", "HTTP")),
                "parentRefs", List.of(Map.of("name", "x", "port", o)),
                "hostnames", List.of(o),
                "rules",
                    List.of(
                        Map.of(
                            "matches", List.of(Map.of("path", o, "headers", o)),
                            "filters", List.of(Map.of("type", o)),
                            "backendRefs", List.of(Map.of("name", o, "weight", o))))));
        list.add(m);
      }
      objects.put(k, list);
    }
    ListedGatewayState state = new ListedGatewayState(objects, List.of());
    ListedClusterState cluster =
        new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());
    Translations t =
        Translations.of(
            new IngressTranslator("", CLOCK),
            new GatewayTranslator(GatewaySettings.defaults(List.of()), CLOCK),
            cluster,
            state,
            Map.of());
    for (RouteSpec r : t.gateway().routes()) {
      assertThat(RouteValidator.validate(r).violations()).isEmpty();
    }
    assertThat(t.gateway().statuses()).isNotEmpty();
  }

  @Test
  void without_gateway_api_objects_the_ingress_translation_is_unchanged() {
    ListedClusterState cluster =
        new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());
    Translations t =
        Translations.of(
            new IngressTranslator("", CLOCK),
            new GatewayTranslator(GatewaySettings.defaults(List.of()), CLOCK),
            cluster,
            GatewayState.NONE,
            Map.of());
    assertThat(t.gateway().routes()).isEmpty();
    assertThat(t.gateway().statuses()).isEmpty();
    assertThat(t.ingress().routes())
        .isEqualTo(new IngressTranslator("", CLOCK).translate(cluster, Map.of()).routes());
  }

  /** Issue #17's acceptance: namespace B neither attaches to A's listener nor uses A's objects. */
  @Test
  void namespace_b_cannot_attach_to_a_listener_of_a_or_use_its_service_or_secret()
      throws java.io.IOException {
    GatewayFixtures.Case c =
        GatewayFixtures.read(
            java.nio.file.Files.readString(
                java.nio.file.Path.of(
                    "src/test/resources/gateway-golden/"
                        + "tenant-isolation-namespace-b-cannot-attach-or-borrow-from-namespace-a/in.yaml")));
    GatewayTranslation t = GatewayTranslatorGoldenTest.translate(c).gateway();
    assertThat(t.routes()).extracting(r -> r.key().tenant().value()).containsOnly("team-a");
    assertThat(t.certificates()).extracting(r -> r.key().tenant().value()).containsOnly("team-a");
    assertThat(reasons(t, "HTTPRoute team-b/intruder")).contains("NotAllowedByListeners");
    assertThat(reasons(t, "HTTPRoute team-b/borrower")).contains("RefNotPermitted");
    ObjectStatus.GatewayStatus b =
        (ObjectStatus.GatewayStatus)
            t.statuses().stream()
                .filter(s -> s.ref().toString().equals("Gateway team-b/b-gateway"))
                .findFirst()
                .orElseThrow();
    assertThat(b.listeners().get(0).conditions())
        .extracting(GatewayCondition::reason)
        .contains("RefNotPermitted");
  }

  private static List<String> reasons(GatewayTranslation t, String route) {
    List<String> out = new ArrayList<>();
    for (ObjectStatus s : t.statuses()) {
      if (s.ref().toString().equals(route) && s instanceof ObjectStatus.RouteStatus r) {
        r.parents().forEach(p -> p.conditions().forEach(cond -> out.add(cond.reason())));
      }
    }
    return out;
  }

  /** Catches a translation that grows with the square of the routes (the propagation target). */
  @Test
  void two_thousand_routes_translate_each_with_its_status() {
    StringBuilder y =
        new StringBuilder(
            """
            kind: GatewayClass
            metadata: {name: gatehouse}
            spec: {controllerName: gatehouse.io/gateway-controller}
            ---
            kind: Gateway
            metadata: {namespace: infra, name: gw}
            spec:
              gatewayClassName: gatehouse
              listeners:
              - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}
            """);
    for (int i = 0; i < 2000; i++) {
      y.append(
          """
          ---
          kind: HTTPRoute
          metadata: {namespace: ns%d, name: r%d, creationTimestamp: "2026-01-01T00:00:00Z"}
          spec:
            parentRefs: [{name: gw, namespace: infra}]
            hostnames: [h%d.example.com, shared.example.com]
            rules:
            - matches: [{path: {type: PathPrefix, value: /a}}, {headers: [{name: x, value: y}]}]
            - matches: [{path: {type: Exact, value: /b}}]
          """
              .formatted(i % 50, i, i));
    }
    GatewayFixtures.Case c = GatewayFixtures.read(y.toString());
    GatewayTranslation t =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(60), () -> GatewayTranslatorGoldenTest.translate(c).gateway());
    assertThat(t.routes()).hasSize(6000);
    // 2000 routes, the Gateway and the class
    assertThat(t.statuses()).hasSize(2002);
    // every route claims shared.example.com; the oldest holds it for every namespace (from: All)
    assertThat(t.routes()).allMatch(r -> r.hosts().contains("shared.example.com"));
  }
}
